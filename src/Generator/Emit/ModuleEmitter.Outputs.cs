using System.Collections.Generic;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Generator.Emit.Lowering;

namespace ArchDsl.Generator.Emit
{
    /// <summary>A network's named outputs (<c>output name [= value]</c>): forward locals computed on every call, which the
    /// class returns in its <c>Outputs</c> record beside the main output and the auxiliary heads.</summary>
    internal sealed partial class ModuleEmitter
    {
        private readonly List<(string Local, string Name)> _named = new List<(string, string)>();

        /// <summary>Named outputs in declaration order: the forward's local holding each, and its .arch name.</summary>
        public IReadOnlyList<(string Local, string Name)> NamedOutputs => _named;

        private void NamedOutput(Lowering.NamedOutput lowered, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var output = lowered.Output;
            var property = Naming.Pascal(output.Name);
            if (System.Array.IndexOf(OutputsRecordMembers, property) >= 0)
            {
                _diagnostics.Report(DiagnosticCatalogue.GeneratedNameCollision, _path, output.NameSpan,
                    "output '" + output.Name + "' would be the Outputs record's property '" + property + "', a member every record already has; choose another name");
                return;
            }
            var taken = _named.Select(n => (n.Name, What: "output")).Concat(_aux.Select(a => (a.Name, What: "auxiliary output")))
                .FirstOrDefault(n => Naming.Pascal(n.Name) == property);
            if (taken.Name != null || property == ClassEmitter.OutputsMainProperty)
            {
                _diagnostics.Report(DiagnosticCatalogue.DuplicateName, _path, output.NameSpan, property,
                    "as a property of the generated Outputs record (for " + (taken.Name == null ? "the main output" : taken.What + " '" + taken.Name + "'") + ")");
                return;
            }
            var (shape, tensor) = lowered.Value == null ? (ctx.ShapeVar, ctx.TensorVar) : Tensor(lowered.Value, ctx, ctor, fwd);
            var sv = _locals.Fresh("_" + Naming.Camel(output.Name) + "Shape");
            var tv = _locals.Fresh("_" + Naming.Camel(output.Name));
            ctor.Line("var " + sv + " = " + shape + ";");
            fwd.Line("var " + tv + " = " + tensor + ";");
            ctx.Scope.Add(new CsLocal(output.Name, tv, ArchType.Tensor, sv, tv));
            _named.Add((tv, output.Name));
        }
    }
}
