using System.Threading;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary>A fact about the real front end and emitter. Skipped, with the reason shown, while src/Dsl is still
    /// the placeholder that reports nothing for any input (a file of garbage yields no diagnostic).</summary>
    public sealed class FrontEndFactAttribute : FactAttribute
    {
        public FrontEndFactAttribute()
        {
            if (!FrontEndProbe.IsImplemented) Skip = "The .arch front end is not implemented yet (it reports nothing for a malformed file).";
        }
    }

    /// <summary>A fact about the emitter's output for the catalogue. Skipped, with the reason shown, while the
    /// catalogue has networks but the emitter produces no source for any of them (src/Generator/Emit is still the
    /// placeholder). Once it emits, losing the output fails the catalogue snapshots, not just this skip.</summary>
    public sealed class EmitterFactAttribute : FactAttribute
    {
        public EmitterFactAttribute()
        {
            if (!EmitterProbe.IsImplemented) Skip = "The C# emitter is not implemented yet (no source for any catalogue network).";
        }
    }

    internal static class EmitterProbe
    {
        public static bool IsImplemented { get; } = Probe();

        private static bool Probe()
        {
            foreach (var path in CatalogueBuild.Paths())
            {
                var file = new SourceFile(path, System.IO.File.ReadAllText(path));
                var result = Emit.CSharpEmitter.Emit(file, Cli.ArchSources.Instance, new Emit.EmitOptions("Probe"), CancellationToken.None);
                if (!result.Sources.IsDefaultOrEmpty) return true;
            }
            return false;
        }
    }

    internal static class FrontEndProbe
    {
        public static bool IsImplemented { get; } =
            !ArchFrontEnd.Check(new SourceFile("probe.arch", "}}} this is not an arch file {{{"), new NoImports(), CancellationToken.None)
                .Diagnostics.IsDefaultOrEmpty;

        private sealed class NoImports : IImportResolver
        {
            public SourceFile? Resolve(string fromPath, string importPath) => null;
        }
    }
}
