using System.Collections.Immutable;
using ArchDsl.Syntax;

namespace ArchDsl.Generator.Emit.Lowering
{
    /// <summary>A tensor expression, lowered: which operands are tensors and which are scalars is settled here.</summary>
    internal abstract record LoweredTensor(ExprSyntax Syntax);

    /// <summary>The current tensor (<c>x</c>, <c>input</c>, or a name that is not a tensor binding).</summary>
    internal sealed record CurrentTensor(ExprSyntax Syntax) : LoweredTensor(Syntax);

    /// <summary>A tensor bound earlier in the body (<c>name = …</c>).</summary>
    internal sealed record NamedTensor(ExprSyntax Syntax, string Name) : LoweredTensor(Syntax);

    /// <summary><c>x{j}</c>: an entry of the dataflow form's tensor table.</summary>
    internal sealed record IndexedTensor(ExprSyntax Syntax, NameSpec Name) : LoweredTensor(Syntax);

    /// <summary><c>source |> stage |> …</c>: the stages run on the source as a body does.</summary>
    internal sealed record PipedTensor(ExprSyntax Syntax, LoweredTensor Source, ImmutableArray<StatementSyntax> Stages) : LoweredTensor(Syntax);

    /// <summary><c>-t</c>.</summary>
    internal sealed record NegatedTensor(ExprSyntax Syntax, LoweredTensor Operand) : LoweredTensor(Syntax);

    internal enum TensorOp { Mul, Add, Sub }

    /// <summary><c>a op b</c> with tensors on both sides (broadcast as the front end does).</summary>
    internal sealed record TensorPair(ExprSyntax Syntax, TensorOp Op, LoweredTensor Left, LoweredTensor Right) : LoweredTensor(Syntax);

    /// <summary><c>t op s</c> or, with <see cref="ScalarFirst"/>, <c>s op t</c>: a tensor and a scalar.</summary>
    internal sealed record TensorWithScalar(ExprSyntax Syntax, TensorOp Op, LoweredTensor Tensor, ExprSyntax Scalar, bool ScalarFirst) : LoweredTensor(Syntax);

    /// <summary><c>upsample(to: t)</c> / <c>upsample_bilinear(to: t, …)</c>: the current tensor resized to the size
    /// <see cref="Target"/> has when the forward runs (no module).</summary>
    internal sealed record ResizedTensor(ExprSyntax Syntax, Binding.BoundResize Resize, LoweredTensor Target) : LoweredTensor(Syntax);

    /// <summary>An expression no target can compute; the printer reports it where it stands.</summary>
    internal sealed record UnsupportedTensor(ExprSyntax Syntax) : LoweredTensor(Syntax);

    /// <summary>The variables a printer already holds for a tensor operand that computes nothing.</summary>
    internal static class TensorVariables
    {
        /// <summary>For the current tensor or a named one: its shape and tensor variables (the printer's current ones, or
        /// those the name was bound to in <paramref name="scope"/>). False for an operand that computes something.</summary>
        public static bool TryGet(LoweredTensor e, CsScope scope, string shapeVar, string tensorVar, out (string Shape, string Tensor) variables)
        {
            switch (e)
            {
                case CurrentTensor _:
                    variables = (shapeVar, tensorVar);
                    return true;
                case NamedTensor n:
                    var local = scope.Lookup(n.Name)!;
                    variables = (local.ShapeVar!, local.TensorVar!);
                    return true;
                default:
                    variables = default;
                    return false;
            }
        }
    }
}
