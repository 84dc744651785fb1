using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;

namespace ArchDsl.Cli.Output
{
    /// <summary>Number and shape formatting, always in the invariant culture.</summary>
    public static class Numbers
    {
        /// <summary>25557032 → "25,557,032".</summary>
        public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

        /// <summary>4089184256 → "4.09 G"; below a thousand the number itself. Decimal, so that a value derived from a
        /// 64-bit count (FLOPs, twice the MACs) is exact, never wrapped.</summary>
        public static string Scaled(decimal value)
        {
            string[] units = { "", " K", " M", " G", " T", " P", " E" };
            decimal scaled = value;
            var unit = 0;
            while (System.Math.Abs(scaled) >= 1000 && unit < units.Length - 1)
            {
                scaled /= 1000;
                unit++;
            }
            return unit == 0
                ? value.ToString(CultureInfo.InvariantCulture)
                : scaled.ToString("0.00", CultureInfo.InvariantCulture) + units[unit];
        }

        /// <summary>[3, 224, 224] → "3x224x224" (batch omitted, as the front end reports shapes).</summary>
        public static string Shape(ImmutableArray<long> shape)
        {
            var text = string.Join("x", Dimensions(shape).Select(d => d.ToString(CultureInfo.InvariantCulture)));
            return text.Length == 0 ? "-" : text;
        }

        /// <summary>The dimensions, none for a default (unset) array.</summary>
        public static IEnumerable<long> Dimensions(ImmutableArray<long> shape) =>
            shape.IsDefault ? Enumerable.Empty<long>() : shape;
    }
}
