using System.Collections.Generic;
using ArchDsl.Binding;
using ArchDsl.Generator.Emit.Lowering;

namespace ArchDsl.Generator.Emit.PyTorch
{
    /// <summary>A network's named outputs (<c>output name [= value]</c>): forward locals computed on every call, returned
    /// by <c>forward_with_outputs</c> in a dict beside the main output. Name checks are the C# emitter's and the binder's.</summary>
    internal sealed partial class PythonModuleEmitter
    {
        private readonly List<(string Local, string Name)> _named = new List<(string, string)>();

        /// <summary>Named outputs in declaration order: the forward's local holding each, and its .arch name.</summary>
        public IReadOnlyList<(string Local, string Name)> NamedOutputs => _named;

        private void NamedOutput(Lowering.NamedOutput lowered, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var output = lowered.Output;
            var (shape, tensor) = lowered.Value == null ? (ctx.ShapeVar, ctx.TensorVar) : Tensor(lowered.Value, ctx, init, fwd);
            var sv = _locals.Fresh(PyNaming.Identifier(output.Name) + "_shape");
            var tv = _locals.Fresh(PyNaming.Identifier(output.Name));
            init.Line(sv + " = " + shape);
            fwd.Line(tv + " = " + tensor);
            ctx.Scope.Add(new CsLocal(output.Name, tv, ArchType.Tensor, sv, tv));
            _named.Add((tv, output.Name));
        }
    }
}
