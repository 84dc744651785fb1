// Binder: a network's named outputs (output name, output name = value).
using System.Collections.Generic;
using System.Linq;
using ArchDsl.Diagnostics;
using ArchDsl.Syntax;

namespace ArchDsl.Binding
{
    public sealed partial class Binder
    {
        /// <summary>The key of the main output beside the named ones (the generated record's <c>Output</c>, the Python
        /// dict's <c>"output"</c>), which no named output may take.</summary>
        public const string MainOutputName = "output";

        /// <summary><c>output name [= value]</c>: only in a network's own body (a block has one output; inside a loop,
        /// group or branch an output would not be computed exactly once); the value a tensor; the name unused by
        /// another output, an auxiliary head and the main output. The name is bound to the tensor as
        /// <c>name = value</c> would bind it.</summary>
        private void CheckOutput(OutputStmt output, ScopeChain<Local> scope, HashSet<string> container, Context ctx, bool inOwnBody)
        {
            if (ctx.Definition != null && !ctx.Definition.IsNetwork)
                _diagnostics.Report(DiagnosticCatalogue.MisplacedStatement, ctx.Path, output.Span,
                    "'output' names an output of a network; a block has one output, the tensor its body ends with (bind the tensor and declare the output in the network)");
            else if (!inOwnBody)
                _diagnostics.Report(DiagnosticCatalogue.MisplacedStatement, ctx.Path, output.Span,
                    "'output' belongs in the network's own body, where it runs once per forward; not inside a loop, group, branch or 'if' (bind the tensor there and declare the output after it)");
            if (output.Value != null)
            {
                var t = Infer(output.Value, scope, ctx, container);
                if (t.Kind != TypeKind.Tensor && !t.IsError)
                    _diagnostics.Report(DiagnosticCatalogue.TensorMisuse, ctx.Path, output.Value.Span,
                        "'output " + output.Name + " = …' names a tensor but the value is " + t);
            }
            if (output.Value == null && scope.Lookup(output.Name) is { Kind: LocalKind.Tensor } bound)
                _diagnostics.Report(DiagnosticCatalogue.DuplicateName, ctx.Path, output.NameSpan, output.Name,
                    "as a tensor at line " + LineOf(ctx, bound.Span) + "; 'output " + output.Name + "' would name the current tensor, 'output "
                    + output.Name + " = " + output.Name + "' exports that tensor");
            else if (string.Equals(output.Name, MainOutputName, System.StringComparison.OrdinalIgnoreCase))
                _diagnostics.Report(DiagnosticCatalogue.DuplicateName, ctx.Path, output.NameSpan, output.Name, "as the main output's name; choose another name");
            else if (ctx.Outputs.TryGetValue(output.Name, out var earlier))
                _diagnostics.Report(DiagnosticCatalogue.DuplicateName, ctx.Path, output.NameSpan, output.Name, "as an output at line " + LineOf(ctx, earlier));
            else if (ctx.Definition != null && AuxLabels(ctx.Definition).FirstOrDefault(l => l.StaticText == output.Name) is { } aux)
                _diagnostics.Report(DiagnosticCatalogue.DuplicateName, ctx.Path, output.NameSpan, output.Name, "as an auxiliary output at line " + LineOf(ctx, aux.Span));
            else ctx.Outputs[output.Name] = output.NameSpan;
            Declare(scope, new Local(output.Name, LocalKind.Tensor, ArchType.Tensor, output.NameSpan), ctx);
            ctx.TensorNames.Add(output.Name);
        }

        private static IEnumerable<NameSpec> AuxLabels(DefinitionSymbol def) =>
            SyntaxWalker.Descendants(def.Syntax.Body).OfType<LabeledStmt>().Where(l => l.Statement is AuxStmt && l.Name.IsStatic).Select(l => l.Name);
    }
}
