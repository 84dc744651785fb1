using ArchDsl.Binding;
using ArchDsl.Generator.Emit.Lowering;

namespace ArchDsl.Generator.Emit
{
    /// <summary>Up-sampling to another tensor's size (<c>upsample_bilinear(to: skip)</c>): no module; the forward resizes
    /// the current tensor to the size the other tensor has at run time, so it stays right at any input size.</summary>
    internal sealed partial class ModuleEmitter
    {
        private (string Shape, string Tensor) Resize(ResizedTensor resized, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var resize = resized.Resize;
            var (targetShape, target) = Tensor(resized.Target, ctx, ctor, fwd);
            string align = resize.AlignCorners == null ? "" : ", align_corners: " + _expr.Emit(resize.AlignCorners, ctx.Scope, ctx.ShapeVar, ArchType.Bool);
            return (ctx.ShapeVar + ".ResizedTo(" + targetShape + ")",
                "Upsample2d.To(" + ctx.TensorVar + ", " + target + ", " + Naming.StringLiteral(resize.Mode) + align + ")");
        }

        /// <summary>The same in the dataflow form (indexed names, loops over tensors): a step that reads both tensors from the table.</summary>
        private (string Shape, string Key) FlowResize(ResizedTensor resized, Ctx ctx, IndentedWriter ctor)
        {
            var resize = resized.Resize;
            var source = _locals.Fresh("_source");
            ctor.Line("var " + source + " = " + ctx.TensorVar + ";");
            var (targetShape, targetKey) = FlowTensor(resized.Target, ctx, ctor);
            var target = _locals.Fresh("_target");
            ctor.Line("var " + target + " = " + targetKey + ";");
            string align = "";
            if (resize.AlignCorners != null)
            {
                var flag = _locals.Fresh("_alignCorners");
                ctor.Line("var " + flag + " = " + _expr.Emit(resize.AlignCorners, ctx.Scope, ctx.ShapeVar, ArchType.Bool) + ";");
                align = ", align_corners: " + flag;
            }
            var shape = _locals.Fresh("_shape");
            ctor.Line("var " + shape + " = " + ctx.ShapeVar + ".ResizedTo(" + targetShape + ");");
            var key = NewKey(ctor);
            ctor.Line(_steps + ".Add(t => t[" + key + "] = Upsample2d.To(t[" + source + "], t[" + target + "], " + Naming.StringLiteral(resize.Mode) + align + "));");
            return (shape, key);
        }
    }
}
