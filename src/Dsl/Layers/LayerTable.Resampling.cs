using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Elaboration;
using static ArchDsl.Layers.Recipes;

namespace ArchDsl.Layers
{
    /// <summary>Up-sampling of a feature map by an integer factor: nearest neighbour, or bilinear with PyTorch's
    /// align_corners (false by default, as <c>nn.Upsample</c>). No parameters; by the convention of the catalogue's
    /// figures (docs/language.md, "Costs"), interpolation is not counted as multiply-adds.</summary>
    public static partial class LayerTable
    {
        private static ImmutableArray<LayerRule> ResamplingRules() => ImmutableArray.Create(
            Upsampling("upsample", LayerKind.Upsample, "nearest-neighbour up-sampling of a [C, H, W] map by an integer factor: [C, H*f, W*f]",
                "nearest", Array.Empty<PrimitiveParameter>()),
            Upsampling("upsample_bilinear", LayerKind.UpsampleBilinear,
                "bilinear up-sampling of a [C, H, W] map by an integer factor: [C, H*f, W*f]; align_corners as PyTorch's (false by default)",
                "bilinear", new[] { P("align_corners", ArgKind.Bool, false) }));

        private static LayerRule Upsampling(string name, LayerKind kind, string description, string mode, PrimitiveParameter[] extra)
        {
            bool bilinear = kind == LayerKind.UpsampleBilinear;
            var parameters = ImmutableArray.Create(P("factor", ArgKind.Pair, 2L)).AddRange(extra);
            var args = ImmutableArray.Create(A("factor", ArgForm.H), A("factor", ArgForm.W));
            if (bilinear) args = args.Add(A("align_corners", keyword: "align_corners", frameworkDefault: true));
            return Rule(name, kind, description, parameters.ToArray(),
                (a, x) => new LayerConfig(kind, InChannels: x.Channels, Kernel: a.Pair("factor"), AlignCorners: bilinear && a.Flag("align_corners")),
                Upsampled,
                new ModuleConstruction("Upsample2d", "Upsample2d", "_Upsample2d", args, RuntimeClass: true) { Fixed = "\"" + mode + "\"" },
                Track("Upsample", HW("factor")))
            with
            {
                Check = c => c.Kernel.H < 1 ? ("factor", "at least 1", c.Kernel.H.ToString(CultureInfo.InvariantCulture))
                    : c.Kernel.W < 1 ? ("factor", "at least 1", c.Kernel.W.ToString(CultureInfo.InvariantCulture)) : null,
                Describe = c => name + " x" + (c.Kernel.H == c.Kernel.W ? c.Kernel.H.ToString(CultureInfo.InvariantCulture) : c.Kernel.H + "x" + c.Kernel.W)
                    + (c.AlignCorners ? " (align_corners)" : ""),
                // Resize by constant scales [1, 1, fh, fw] (no region of interest). PyTorch's nearest is the asymmetric
                // transform with floor rounding; bilinear is half_pixel, or align_corners when asked.
                Onnx = (c, x) =>
                {
                    var resize = Node("Resize", X, RecipeValue.Omitted, Floats("scales", 1, 1, c.Kernel.H, c.Kernel.W));
                    return bilinear
                        ? resize.With("mode", "linear").With("coordinate_transformation_mode", c.AlignCorners ? "align_corners" : "half_pixel")
                        : resize.With("mode", "nearest").With("coordinate_transformation_mode", "asymmetric").With("nearest_mode", "floor");
                },
            };
        }

        private static Feature? Upsampled(LayerConfig c, Feature x, out Shapes.Problem problem, out string detail)
        {
            problem = Shapes.Problem.None;
            detail = "";
            if (x.Flat) { problem = Shapes.Problem.NeedsSpatial; return null; }
            if (c.Kernel.H < 1 || c.Kernel.W < 1) { problem = Shapes.Problem.BadArgument; detail = "an up-sampling factor must be at least 1"; return null; }
            if (c.Kernel.H > int.MaxValue / Math.Max(1, x.Height) || c.Kernel.W > int.MaxValue / Math.Max(1, x.Width))
            {
                problem = Shapes.Problem.BadArgument;
                detail = "up-sampling " + x + " by " + K(c.Kernel) + " makes a map of more than 2^31 rows or columns";
                return null;
            }
            // Output positions are 1/f input pixels apart; the jump (input pixels between neighbours) cannot drop below 1.
            return x with { Height = x.Height * c.Kernel.H, Width = x.Width * c.Kernel.W, Jump = Math.Max(1, x.Jump / Math.Max(c.Kernel.H, c.Kernel.W)) };
        }
    }
}
