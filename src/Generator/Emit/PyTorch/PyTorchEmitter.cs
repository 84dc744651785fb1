using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using ArchDsl.Analysis;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Syntax;
using ArchDsl.Text;

namespace ArchDsl.Generator.Emit.PyTorch
{
    /// <summary>The emitted Python module (null after an error) and every diagnostic.</summary>
    public sealed record PyTorchResult(string? Text, ImmutableArray<ArchDiagnostic> Diagnostics);

    /// <summary>Turns one .arch file (with its imports) into a self-contained Python module for PyTorch: one
    /// nn.Module class per block, network and variant, needing only torch. The same front end as the C# emitter
    /// reads the file, and the body walk follows the C# emitter's rules (<see cref="BodyForms"/>), so the two
    /// classes have the same state-dict keys, shapes and forward. Deterministic, invariant culture. Never throws.</summary>
    public static class PyTorchEmitter
    {
        public static PyTorchResult Emit(SourceFile file, IImportResolver imports, CancellationToken cancellationToken = default)
        {
            var analysis = ArchFrontEnd.Analyze(file, imports, cancellationToken);
            if (analysis.HasErrors || analysis.Program == null) return new PyTorchResult(null, analysis.Diagnostics);
            var bag = new DiagnosticBag();
            string? text = null;
            try
            {
                text = Generate(file, analysis.Program, InPlaceSites.Of(analysis.Reports.Select(r => r.Network)), bag, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                bag.Report(DiagnosticCatalogue.InternalError, file.Path, new TextSpan(0, 0), "PyTorch emitter: " + ex.GetType().Name + ": " + ex.Message);
            }
            var texts = analysis.Program.Files.ToDictionary(f => f.Path, f => f.Text);
            var extra = bag.ToDiagnostics(texts);
            var all = analysis.Diagnostics.AddRange(extra);
            return new PyTorchResult(extra.Any(d => d.Severity == ArchSeverity.Error) ? null : text, all);
        }

        private static string Generate(SourceFile file, BoundProgram program, InPlaceSites inPlace, DiagnosticBag bag, CancellationToken ct)
        {
            var expr = new PythonExpressions(program);
            // Imported blocks are emitted too, so the module stands alone. Blocks first, then networks, in source order.
            var definitions = program.Definitions.Values
                .OrderBy(d => d.IsNetwork ? 1 : 0)
                .ThenBy(d => d.File.Path == program.File.Path ? 1 : 0)
                .ThenBy(d => d.File.Path, StringComparer.Ordinal)
                .ThenBy(d => d.Syntax.Span.Start)
                .ToList();
            var globals = definitions.Select(d => PyNaming.Class(d.Name))
                .Concat(program.Variants.Select(v => PyNaming.Class(v.Name)))
                .Concat(new[] { "nn", "torch", "math" }).ToList();
            var classes = new List<string>();
            var usedHelperNames = new NameAllocator(globals);
            var lines = new SourceLines();
            foreach (var def in definitions)
            {
                ct.ThrowIfCancellationRequested();
                var name = PyNaming.Class(def.Name);
                var helpers = new List<string>();
                int count = 0;
                string NextHelper(string kind) => usedHelperNames.Fresh("_" + name + kind + (++count).ToString(System.Globalization.CultureInfo.InvariantCulture));
                var emitter = new PythonModuleEmitter(expr, program, name, def.File.Path, bag, globals, helpers, NextHelper, inPlace) { AllowsAuxOutputs = def.IsNetwork };
                var scope = new CsScope(null);
                var (signature, prologue) = emitter.Parameters(def.Parameters.Select(p => (p.Name, p.Type, p.Syntax.Default)), scope, "input_shape");
                var statements = def.IsNetwork ? def.Syntax.Body.Statements.Skip(1) : def.Syntax.Body.Statements;
                string? inputShape = null;
                if (def.IsNetwork)
                {
                    var input = def.Syntax.Body.Statements.OfType<InputStmt>().First();
                    inputShape = "_Shape(" + string.Join(", ", input.Dimensions.Select(d => expr.Emit(d, scope, "shape"))) + ")";
                }
                var (init, fwd) = emitter.Body(statements, scope, "shape");
                var line = lines.LineOf(def.File, def.Syntax.Span.Start);
                var doc = (def.IsNetwork ? "Network " : "Block ") + def.Name + (def.Syntax.Documentation != null ? ": " + def.Syntax.Documentation : "")
                    + " (" + def.File.Path + ", line " + line + ").";
                classes.AddRange(helpers);
                classes.Add(PythonClassWriter.ModuleClass(name, doc, !def.IsNetwork, signature, prologue, inputShape, init, fwd, emitter.AuxOutputs, emitter.NamedOutputs));
            }
            foreach (var variant in program.Variants)
            {
                if (variant.Target == null) continue;
                classes.Add(Variant(variant, expr, lines));
            }
            var header = "# Generated by ArchDsl from " + PyNaming.Comment(file.Path) + ". Do not edit: change the .arch file instead.\n"
                + "# PyTorch modules with the same state-dict keys, shapes and forward as the generated TorchSharp classes.\n\n";
            return header + PythonClassWriter.Prelude + "\n\n" + string.Join("\n\n", classes);
        }

        private static string Variant(VariantSymbol variant, PythonExpressions expr, SourceLines lines)
        {
            var target = variant.Target!;
            var signature = new List<string>();
            var baseArgs = new List<string>();
            var empty = new CsScope(null);
            bool optionalSeen = false;
            foreach (var p in target.Parameters)
            {
                var py = PythonModuleEmitter.ParameterName(p.Name);
                if (variant.ArgumentFor(p) is { } value)
                {
                    baseArgs.Add(py + "=" + expr.Emit(value, empty, "shape", p.Type));
                    continue;
                }
                var constant = p.Syntax.Default == null ? null : expr.Constant(p.Syntax.Default, p.Type);
                if (constant != null) { signature.Add(py + "=" + constant); optionalSeen = true; }
                else if (p.Syntax.Default != null || optionalSeen) { signature.Add(py + "=None"); optionalSeen = true; }
                else signature.Add(py);
                baseArgs.Add(py + "=" + py);
            }
            var line = lines.LineOf(variant.File, variant.Syntax.Span.Start);
            var doc = "Variant " + variant.Name + " of " + target.Name
                + (variant.Syntax.Reference != null ? ", mirroring torchvision's " + variant.Syntax.Reference : "")
                + (variant.Syntax.Documentation != null ? ": " + variant.Syntax.Documentation : "")
                + " (" + variant.File.Path + ", line " + line + ").";
            return PythonClassWriter.VariantClass(PyNaming.Class(variant.Name), PyNaming.Class(target.Name), doc, signature, baseArgs);
        }
    }
}
