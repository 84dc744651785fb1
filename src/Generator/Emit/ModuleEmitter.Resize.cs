using ArchDsl.Binding;
using ArchDsl.Syntax;

namespace ArchDsl.Generator.Emit
{
    /// <summary>Up-sampling to another tensor's size (<c>upsample_bilinear(to: skip)</c>): no module; the forward resizes
    /// the current tensor to the size the other tensor has at run time, so it stays right at any input size.</summary>
    internal sealed partial class ModuleEmitter
    {
        /// <summary>The resize a call writes, as the binder read it (a call it bound as a layer is not one).</summary>
        private BoundResize? ResizeOf(CallExpr call) => _program.CallOf(call) == null ? BoundResize.Of(call) : null;

        private (string Shape, string Tensor) Resize(BoundResize resize, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var (targetShape, target) = Tensor(resize.Target, ctx, ctor, fwd);
            string align = resize.AlignCorners == null ? "" : ", align_corners: " + _expr.Emit(resize.AlignCorners, ctx.Scope, ctx.ShapeVar, ArchType.Bool);
            return (ctx.ShapeVar + ".ResizedTo(" + targetShape + ")",
                "Upsample2d.To(" + ctx.TensorVar + ", " + target + ", " + Naming.StringLiteral(resize.Mode) + align + ")");
        }
    }
}
