using System.Collections.Generic;
using ArchDsl.Binding;
using ArchDsl.Generator.Emit.Lowering;

namespace ArchDsl.Generator.Emit.PyTorch
{
    /// <summary>Up-sampling to another tensor's size (<c>upsample_bilinear(to: skip)</c>): PyTorch's functional
    /// interpolate to the size the other tensor has when the forward runs; no module.</summary>
    internal sealed partial class PythonModuleEmitter
    {
        private (string Shape, string Tensor) Resize(ResizedTensor resized, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var resize = resized.Resize;
            var (targetShape, target) = Tensor(resized.Target, ctx, init, fwd);
            string align = resize.Bilinear
                ? ", align_corners=" + (resize.AlignCorners == null ? "False" : _expr.Emit(resize.AlignCorners, ctx.Scope, ctx.ShapeVar, ArchType.Bool))
                : "";
            return (ctx.ShapeVar + ".resized_to(" + targetShape + ")",
                "nn.functional.interpolate(" + ctx.TensorVar + ", size=" + target + ".shape[-2:], mode=\"" + resize.Mode + "\"" + align + ")");
        }

        /// <summary>The same in the dataflow form (indexed names, loops over tensors): a step that reads both tensors from the table.</summary>
        private (string Shape, string Key) FlowResize(ResizedTensor resized, Ctx ctx, PyWriter init)
        {
            var resize = resized.Resize;
            var source = _locals.Fresh("source");
            init.Line(source + " = " + ctx.TensorVar);
            var (targetShape, targetKey) = FlowTensor(resized.Target, ctx, init);
            var target = _locals.Fresh("target");
            init.Line(target + " = " + targetKey);
            var captured = new List<string> { source, target };
            string align = "";
            if (resize.Bilinear)
            {
                var flag = _locals.Fresh("align_corners");
                init.Line(flag + " = " + (resize.AlignCorners == null ? "False" : _expr.Emit(resize.AlignCorners, ctx.Scope, ctx.ShapeVar, ArchType.Bool)));
                captured.Add(flag);
                align = ", align_corners=" + flag;
            }
            var shape = _locals.Fresh("shape");
            init.Line(shape + " = " + ctx.ShapeVar + ".resized_to(" + targetShape + ")");
            var key = NewKey(init);
            captured.Add(key);
            Step(init, captured, "t[" + key + "] = nn.functional.interpolate(t[" + source + "], size=t[" + target + "].shape[-2:], mode=\"" + resize.Mode + "\"" + align + ")");
            return (shape, key);
        }
    }
}
