using System;
using System.Collections.Generic;
using System.Globalization;
using ArchDsl.Binding;
using ArchDsl.Elaboration;
using static ArchDsl.Layers.Recipes;

namespace ArchDsl.Layers
{
    /// <summary>The ONNX forms of the layers that take more than one node (opset 17 has no such operator, or the
    /// layer's meaning needs a decomposition); the one-node forms are written in the entries themselves.</summary>
    public static partial class LayerTable
    {
        /// <summary>Dropout and stochastic depth at inference: the identity.</summary>
        private static OnnxRecipe Inference(LayerConfig c, Feature x) => OnnxRecipe.PassThrough;

        /// <summary>PyTorch's exact GELU, x * (1 + erf(x / √2)) / 2: opset 17 has no Gelu.</summary>
        private static OnnxRecipe Gelu => Nodes(
            Node("Div", X, Scalar("sqrt2", (float)Math.Sqrt(2))).Named("scaled"),
            Node("Erf", Result("scaled")).Named("erf"),
            Node("Add", Result("erf"), Scalar("one", 1f)).Named("plus1"),
            Node("Mul", X, Scalar("onehalf", 0.5f)).Named("half"),
            Node("Mul", Result("half"), Result("plus1")));

        /// <summary>Channel shuffle: [N, g, C/g, H, W], the middle two swapped, back to [N, C, H, W] (0 keeps the batch
        /// dimension as it is).</summary>
        private static OnnxRecipe Shuffle(LayerConfig c, Feature x) => Nodes(
            Node("Reshape", X, Longs("grouped_shape", 0, c.Groups, x.Channels / c.Groups, x.Height, x.Width)).NamedUnshaped("grouped"),
            Node("Transpose", Result("grouped")).With("perm", 0, 2, 1, 3, 4).NamedUnshaped("swapped"),
            Node("Reshape", Result("swapped"), Longs("shape", 0, x.Channels, x.Height, x.Width)));

        /// <summary>Adaptive pooling to (oh, ow): the identity at equal size, a global pool to 1x1, a plain pool when the
        /// size divides evenly, and otherwise PyTorch's bins exactly (row i covers floor(i*H/oh) to ceil((i+1)*H/oh)), each
        /// a slice reduced, the cells concatenated back.</summary>
        private static OnnxRecipe AdaptivePooling((long H, long W) size, Feature x, bool max)
        {
            long oh = size.H, ow = size.W;
            if (oh == x.Height && ow == x.Width) return OnnxRecipe.PassThrough;
            if (oh == 1 && ow == 1) return Node(max ? "GlobalMaxPool" : "GlobalAveragePool", X);
            if (x.Height % oh == 0 && x.Width % ow == 0)
                return Node(max ? "MaxPool" : "AveragePool", X).With("kernel_shape", x.Height / oh, x.Width / ow).With("strides", x.Height / oh, x.Width / ow);
            var nodes = new List<RecipeNode>();
            var rows = new List<RecipeValue>();
            for (long i = 0; i < oh; i++)
            {
                long h0 = i * x.Height / oh, h1 = ((i + 1) * x.Height + oh - 1) / oh;
                var cells = new List<RecipeValue>();
                for (long j = 0; j < ow; j++)
                {
                    long w0 = j * x.Width / ow, w1 = ((j + 1) * x.Width + ow - 1) / ow;
                    var cell = "cell" + i.ToString(CultureInfo.InvariantCulture) + "_" + j.ToString(CultureInfo.InvariantCulture);
                    nodes.Add(Node("Slice", X, Longs(cell + "/starts", h0, w0), Longs(cell + "/ends", h1, w1), Longs(cell + "/axes", 2, 3))
                        .Named(cell + "/window", x with { Height = h1 - h0, Width = w1 - w0 }));
                    nodes.Add(Node(max ? "ReduceMax" : "ReduceMean", Result(cell + "/window")).With("axes", 2, 3).With("keepdims", 1L)
                        .Named(cell, x with { Height = 1, Width = 1 }));
                    cells.Add(Result(cell));
                }
                var row = "row" + i.ToString(CultureInfo.InvariantCulture);
                nodes.Add(Node("Concat", cells.ToArray()).With("axis", 3L).Named(row, x with { Height = 1, Width = ow }));
                rows.Add(Result(row));
            }
            nodes.Add(Node("Concat", rows.ToArray()).With("axis", 2L));
            return Nodes(nodes.ToArray());
        }
    }
}
