using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Elaboration;
using ArchDsl.Syntax;

namespace ArchDsl.Analysis
{
    /// <summary>How a variant's input images are prepared, as torchvision's eval transforms do it: the shorter side
    /// resized to <see cref="Resize"/> (<see cref="Interpolation"/>), a centre crop of the declared input's height and
    /// width, then each channel normalised as (x - mean) / std.</summary>
    public sealed record DataConfig(long Resize, ImmutableArray<double> Mean, ImmutableArray<double> Std, string Interpolation);

    /// <summary>The <c>data</c> clause of a variant: its parameters and presets (stated once, read by the binder for
    /// names and types and by the front end for values).</summary>
    public static class DataConfigs
    {
        public static readonly ImmutableDictionary<string, ArchType> Parameters = new Dictionary<string, ArchType>(StringComparer.Ordinal)
        {
            ["resize"] = ArchType.Int,
            ["mean"] = ArchType.ListOf(ArchType.Float),
            ["std"] = ArchType.ListOf(ArchType.Float),
            ["interpolation"] = ArchType.String,
        }.ToImmutableDictionary(StringComparer.Ordinal);

        public static readonly ImmutableArray<string> Interpolations = ImmutableArray.Create("nearest", "bilinear", "bicubic");

        /// <summary>A preset's mean, std and interpolation; its resize is the crop over <see cref="CropRatio"/>.</summary>
        public sealed record Preset(ImmutableArray<double> Mean, ImmutableArray<double> Std, string Interpolation, double CropRatio);

        /// <summary>imagenet: the ImageNet channel statistics torchvision's classification weights use, bilinear, and the
        /// usual 0.875 crop (256 for 224, 342 for 299).</summary>
        public static readonly ImmutableDictionary<string, Preset> Presets = new Dictionary<string, Preset>(StringComparer.Ordinal)
        {
            ["imagenet"] = new Preset(ImmutableArray.Create(0.485, 0.456, 0.406), ImmutableArray.Create(0.229, 0.224, 0.225), "bilinear", 0.875),
        }.ToImmutableDictionary(StringComparer.Ordinal);

        /// <summary>The variant's data config at its input [C, H, W]; null when it declares none or a value is wrong
        /// (then reported at the value).</summary>
        public static DataConfig? Evaluate(BoundProgram program, VariantSymbol variant, ImmutableArray<long> input, DiagnosticBag bag, WorkBudget budget)
        {
            var clause = variant.Syntax.Data;
            if (clause == null) return null;
            var path = variant.File.Path;
            if (input.Length != 3)
            {
                bag.Report(DiagnosticCatalogue.InvalidValue, path, clause.Span, "A data clause needs an image input [C, H, W], not " + input.Length + " dimensions");
                return null;
            }
            long channels = input[0], crop = Math.Max(input[1], input[2]);
            Preset? preset = clause.Preset != null && Presets.TryGetValue(clause.Preset, out var p) ? p : null;
            var mean = preset?.Mean ?? ImmutableArray.CreateRange(Enumerable.Repeat(0.0, (int)Math.Min(channels, 4096)));
            var std = preset?.Std ?? ImmutableArray.CreateRange(Enumerable.Repeat(1.0, (int)Math.Min(channels, 4096)));
            var interpolation = preset?.Interpolation ?? "bilinear";
            long resize = preset != null ? (long)Math.Round(crop / preset.CropRatio, MidpointRounding.AwayFromZero) : crop;
            bool ok = true;
            foreach (var a in clause.Arguments)
            {
                if (a.Name == null || !Parameters.ContainsKey(a.Name)) continue;  // the binder reported it
                var value = Elaborator.EvaluateConstant(program, a.Value, variant.File, bag, budget);
                if (value == null) { ok = false; continue; }
                string? error = null;
                switch (a.Name)
                {
                    case "resize":
                        resize = ((IntValue)value).Value;
                        if (resize < crop) error = "data: resize must be at least the input's larger side (" + crop + ") (got " + resize + ")";
                        break;
                    case "mean":
                    case "std":
                        var numbers = ((ListValue)value).Items.Select(v => v is IntValue i ? i.Value : ((FloatValue)v).Value).ToImmutableArray();
                        if (numbers.Length != channels) error = "data: " + a.Name + " needs one value per input channel (" + channels + ") (got " + numbers.Length + ")";
                        else if (a.Name == "std" && numbers.Any(x => !(x > 0) || double.IsInfinity(x))) error = "data: std must be finite and above 0 (got " + value.Display + ")";
                        else if (numbers.Any(x => double.IsNaN(x) || double.IsInfinity(x))) error = "data: mean must be finite (got " + value.Display + ")";
                        else if (a.Name == "mean") mean = numbers; else std = numbers;
                        break;
                    case "interpolation":
                        interpolation = ((StringValue)value).Value;
                        if (!Interpolations.Contains(interpolation)) error = "data: interpolation must be " + string.Join(", ", Interpolations) + " (got \"" + interpolation + "\")";
                        break;
                }
                if (error != null)
                {
                    bag.Report(DiagnosticCatalogue.InvalidValue, path, a.Value.Span, error);
                    ok = false;
                }
            }
            if (!ok) return null;
            if (mean.Length != channels || std.Length != channels)
            {
                bag.Report(DiagnosticCatalogue.InvalidValue, path, clause.Span,
                    "data: the " + (clause.Preset ?? "default") + " mean and std have " + mean.Length + " values, but the input has " + channels + " channels; give mean and std");
                return null;
            }
            return new DataConfig(resize, mean, std, interpolation);
        }
    }
}
