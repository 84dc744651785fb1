using System;
using System.Globalization;
using System.Linq;
using static TorchSharp.torch;

namespace ArchDsl.Runtime
{
    /// <summary>How a network's input images are prepared, as its <c>.arch</c> variant declares it (<c>data imagenet</c>)
    /// and torchvision's eval transform does it: the shorter side resized to <see cref="Resize"/>, a centre crop of
    /// <see cref="InputSize"/> (height, width), then (x - mean) / std per channel.</summary>
    public sealed record DataConfig(long[] InputSize, long Resize, double[] Mean, double[] Std, string Interpolation)
    {
        /// <summary>Images [N, C, H, W] (or one [C, H, W]) with values in [0, 1], any size whose shorter side the resize
        /// can scale, made into the network's input: resized (no antialiasing, as torchvision's tensor transforms),
        /// centre-cropped and normalised. The result has the network's input size.</summary>
        public Tensor Prepare(Tensor images)
        {
            ArgumentNullException.ThrowIfNull(images);
            bool single = images.dim() == 3;
            if (!single && images.dim() != 4) throw new ArgumentException("images must be [N, C, H, W] or [C, H, W], not " + images.dim() + " dimensions", nameof(images));
            using var scope = NewDisposeScope();
            var x = single ? images.unsqueeze(0) : images;
            long channels = x.shape[1], h = x.shape[2], w = x.shape[3];
            if (channels != Mean.Length)
                throw new ArgumentException("images have " + channels + " channels; this network's data config has " + Mean.Length, nameof(images));
            // The shorter side becomes Resize; the longer keeps the aspect ratio, truncated as torchvision truncates it.
            var (rh, rw) = h <= w ? (Resize, (long)(Resize * (double)w / h)) : ((long)(Resize * (double)h / w), Resize);
            var mode = Interpolation switch
            {
                "nearest" => InterpolationMode.Nearest,
                "bicubic" => InterpolationMode.Bicubic,
                "bilinear" => InterpolationMode.Bilinear,
                _ => throw new InvalidOperationException("unknown interpolation '" + Interpolation + "'"),
            };
            if (rh != h || rw != w)
                x = nn.functional.interpolate(x.to_type(ScalarType.Float32), size: new[] { rh, rw }, mode: mode,
                    align_corners: mode == InterpolationMode.Nearest ? null : false);
            long ch = InputSize[0], cw = InputSize[1];
            if (ch > rh || cw > rw) throw new InvalidOperationException("the resized image " + rh + "x" + rw + " is smaller than the crop " + ch + "x" + cw);
            // Python's round (half to even) places the crop, as torchvision's center_crop does.
            long top = (long)Math.Round((rh - ch) / 2.0, MidpointRounding.ToEven), left = (long)Math.Round((rw - cw) / 2.0, MidpointRounding.ToEven);
            x = x[.., .., TensorIndex.Slice(top, top + ch), TensorIndex.Slice(left, left + cw)];
            var mean = tensor(Mean.Select(v => (float)v).ToArray()).reshape(1, channels, 1, 1);
            var std = tensor(Std.Select(v => (float)v).ToArray()).reshape(1, channels, 1, 1);
            x = (x.to_type(ScalarType.Float32) - mean) / std;
            return (single ? x.squeeze(0) : x).MoveToOuterDisposeScope();
        }

        public override string ToString() =>
            "resize " + Resize.ToString(CultureInfo.InvariantCulture) + " (" + Interpolation + "), crop " + string.Join("x", InputSize.Select(v => v.ToString(CultureInfo.InvariantCulture)))
            + ", mean [" + string.Join(", ", Mean.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "], std ["
            + string.Join(", ", Std.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";
    }
}
