using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace ArchDsl.Generator.Tests
{
    /// <summary>In-memory .arch files (paths relative to <see cref="GeneratorHarness.ProjectDir"/>) through the real
    /// generator, compiled against TorchSharp and ArchDsl.Runtime, and loaded, so a test can construct the generated
    /// classes and run them on the engine.</summary>
    internal sealed class GeneratedAssembly
    {
        private GeneratedAssembly(Compilation compilation, IReadOnlyList<string> problems, Assembly? assembly)
        {
            Compilation = compilation;
            Problems = problems;
            Assembly = assembly;
        }

        /// <summary>The compilation with the generated sources added.</summary>
        public Compilation Compilation { get; }

        /// <summary>Generator and compiler diagnostics of warning severity and above.</summary>
        public IReadOnlyList<string> Problems { get; }

        /// <summary>The loaded assembly, or null when there were errors.</summary>
        public Assembly? Assembly { get; }

        public IEnumerable<string> GeneratedTexts => Compilation.SyntaxTrees.Select(t => t.ToString());

        public static GeneratedAssembly Build(params (string Path, string Text)[] files) =>
            Build(new Dictionary<string, string>(), files);

        public static GeneratedAssembly Build(IDictionary<string, string> properties, params (string Path, string Text)[] files)
        {
            var driver = GeneratorHarness.Driver(new ArchGenerator(), files.Select(f => GeneratorHarness.Arch(f.Path, f.Text)), properties);
            driver.RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compilation(CatalogueBuild.References), out var output, out var diagnostics);
            var problems = diagnostics.Concat(output.GetDiagnostics())
                .Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();
            Assembly? assembly = null;
            if (problems.Count == 0)
            {
                using var image = new MemoryStream();
                var emitted = output.Emit(image);
                if (emitted.Success) assembly = Assembly.Load(image.ToArray());
                else problems.AddRange(emitted.Diagnostics.Select(d => d.ToString()));
            }
            return new GeneratedAssembly(output, problems, assembly);
        }

        /// <summary>Fails with the diagnostics unless the generated code compiled cleanly.</summary>
        public GeneratedAssembly AssertClean()
        {
            if (Problems.Count > 0 || Assembly == null)
                throw new Xunit.Sdk.XunitException("Generated code did not compile cleanly:\n" + string.Join("\n", Problems.Take(30))
                    + "\n\n" + string.Join("\n\n", GeneratedTexts));
            return this;
        }

        public Type Type(string fullName) =>
            Assembly?.GetType(fullName) ?? throw new Xunit.Sdk.XunitException("No generated type " + fullName + "; types: "
                + string.Join(", ", Assembly?.GetTypes().Select(t => t.FullName) ?? Array.Empty<string>()));

        /// <summary>Constructs a generated class with its constructor's default arguments (and <paramref name="arguments"/>
        /// by parameter name).</summary>
        public object Create(string fullName, IDictionary<string, object?>? arguments = null)
        {
            var ctor = Type(fullName).GetConstructors().Single();
            var values = ctor.GetParameters()
                .Select(p => arguments != null && arguments.TryGetValue(p.Name!, out var v) ? v : p.HasDefaultValue ? p.DefaultValue : Missing(p))
                .ToArray();
            return ctor.Invoke(values);
        }

        private static object? Missing(ParameterInfo p) =>
            p.ParameterType.IsValueType && Nullable.GetUnderlyingType(p.ParameterType) == null
                ? throw new ArgumentException("argument " + p.Name + " is required")
                : null;
    }
}
