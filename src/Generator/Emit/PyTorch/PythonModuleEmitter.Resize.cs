using ArchDsl.Binding;

namespace ArchDsl.Generator.Emit.PyTorch
{
    /// <summary>Up-sampling to another tensor's size (<c>upsample_bilinear(to: skip)</c>): PyTorch's functional
    /// interpolate to the size the other tensor has when the forward runs; no module.</summary>
    internal sealed partial class PythonModuleEmitter
    {
        private (string Shape, string Tensor) Resize(BoundResize resize, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var (targetShape, target) = Tensor(resize.Target, ctx, init, fwd);
            string align = resize.Bilinear
                ? ", align_corners=" + (resize.AlignCorners == null ? "False" : _expr.Emit(resize.AlignCorners, ctx.Scope, ctx.ShapeVar, ArchType.Bool))
                : "";
            return (ctx.ShapeVar + ".resized_to(" + targetShape + ")",
                "nn.functional.interpolate(" + ctx.TensorVar + ", size=" + target + ".shape[-2:], mode=\"" + resize.Mode + "\"" + align + ")");
        }
    }
}
