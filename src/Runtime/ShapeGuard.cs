using System;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Runtime
{
    /// <summary>Checks a network's input before any native call, so a wrong shape is an ArgumentException
    /// that names the network and both shapes instead of an opaque libtorch error.</summary>
    public static class ShapeGuard
    {
        /// <param name="network">the network's name, for the message</param>
        /// <param name="expected">the declared input [C, H, W]</param>
        /// <param name="minHeight">the smallest height the layers accept</param>
        /// <param name="minWidth">the smallest width the layers accept</param>
        /// <param name="exact">true when a flatten before a linear layer fixes the spatial size</param>
        public static void Check(Tensor input, string network, FeatureShape expected, long minHeight, long minWidth, bool exact)
        {
            if (input is null) throw new ArgumentNullException(nameof(input));
            var shape = input.shape;
            string Actual() => "[" + string.Join(", ", shape) + "]";
            string Expected() => "[N, " + expected.Channels + ", " + (exact ? expected.Height.ToString(System.Globalization.CultureInfo.InvariantCulture) : "H>=" + minHeight)
                + ", " + (exact ? expected.Width.ToString(System.Globalization.CultureInfo.InvariantCulture) : "W>=" + minWidth) + "]";
            if (shape.Length != 4)
                throw new ArgumentException(network + " expects an input of shape " + Expected() + " (rank 4) but got " + Actual(), nameof(input));
            if (shape[1] != expected.Channels)
                throw new ArgumentException(network + " expects " + expected.Channels + " input channels, shape " + Expected() + ", but got " + Actual(), nameof(input));
            bool sizeOk = exact
                ? shape[2] == expected.Height && shape[3] == expected.Width
                : shape[2] >= minHeight && shape[3] >= minWidth;
            if (!sizeOk)
                throw new ArgumentException(network + " expects an input of shape " + Expected() + " but got " + Actual(), nameof(input));
        }
    }
}
