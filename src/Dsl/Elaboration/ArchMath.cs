// One source for the arithmetic of the language, compiled into the front end (ArchDsl.Elaboration) and
// into the runtime (ArchDsl.Runtime, with ARCHDSL_RUNTIME defined), so generated constructors compute
// exactly the channel counts and sizes the front end computed.
using System;

#if ARCHDSL_RUNTIME
namespace ArchDsl.Runtime
#else
namespace ArchDsl.Elaboration
#endif
{
    /// <summary>Integer and rounding rules of the .arch language.</summary>
    public static class ArchMath
    {
        /// <summary>Floor division, as Python's <c>//</c> (the .arch <c>/</c> on ints).</summary>
        public static long FloorDiv(long a, long b)
        {
            if (b == 0) throw new DivideByZeroException("Division by zero in an .arch expression");
            long q = a / b;
            if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
            return q;
        }

        /// <summary>Remainder with the sign of the divisor, as Python's <c>%</c>.</summary>
        public static long FloorMod(long a, long b) => a - FloorDiv(a, b) * b;

        public static double FloorMod(double a, double b) => a - Math.Floor(a / b) * b;

        /// <summary>Integer power; a negative exponent is not an int. Bases 0, 1 and -1 have closed forms (an exponent
        /// of 2^62 is an answer, not a loop); any other base overflows long before its 64th square, and a result
        /// that does not fit in 64 bits throws <see cref="OverflowException"/>.</summary>
        public static long Pow(long b, long e)
        {
            if (e < 0) throw new ArgumentOutOfRangeException(nameof(e), "A negative exponent gives a float; write the base as a float");
            if (e == 0 || b == 1) return 1;
            if (b == 0) return 0;
            if (b == -1) return (e & 1) == 0 ? 1 : -1;
            long r = 1, b0 = b, e0 = e;
            try
            {
                while (true)
                {
                    if ((e & 1) != 0) r = checked(r * b);
                    e >>= 1;
                    if (e == 0) return r;
                    b = checked(b * b);
                }
            }
            catch (OverflowException) { throw Overflowed(Text(b0) + " ^ " + Text(e0)); }
        }

        /// <summary>An overflow met while constructing <paramref name="network"/>, named so: the generated constructor
        /// of every network rethrows its arithmetic's <see cref="OverflowException"/> through this.</summary>
        public static OverflowException InNetwork(string network, OverflowException inner) =>
            new OverflowException("Constructing " + network + ": " + inner.Message, inner);

        /// <summary>The exception of an int result that does not fit in 64 bits, naming the operation and its operands.</summary>
        private static OverflowException Overflowed(string what) =>
            new OverflowException(what + " does not fit in a 64-bit int");

        private static string Text(long v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>a + b; throws <see cref="OverflowException"/> (naming both) where the sum does not fit in a long.</summary>
        public static long Add(long a, long b) =>
            (b > 0 ? a > long.MaxValue - b : a < long.MinValue - b) ? throw Overflowed(Text(a) + " + " + Text(b)) : a + b;

        /// <summary>a - b; throws <see cref="OverflowException"/> (naming both) where the difference does not fit in a long.</summary>
        public static long Subtract(long a, long b) =>
            (b < 0 ? a > long.MaxValue + b : a < long.MinValue + b) ? throw Overflowed(Text(a) + " - " + Text(b)) : a - b;

        /// <summary>a * b; throws <see cref="OverflowException"/> (naming both) where the product does not fit in a long.</summary>
        public static long Multiply(long a, long b)
        {
            try { return checked(a * b); }
            catch (OverflowException) { throw Overflowed(Text(a) + " * " + Text(b)); }
        }

        /// <summary>-v; throws <see cref="OverflowException"/> for <see cref="long.MinValue"/> (its negation is not a long).</summary>
        public static long Negate(long v) => v == long.MinValue ? throw Overflowed("-(" + Text(v) + ")") : -v;

        /// <summary>|v|; throws <see cref="OverflowException"/> for <see cref="long.MinValue"/>.</summary>
        public static long Abs(long v) => v == long.MinValue ? throw Overflowed("abs(" + Text(v) + ")") : v < 0 ? -v : v;

        /// <summary>The smaller of two ints, compared as ints (through double, values above 2^53 would round).</summary>
        public static long Min(long a, long b) => a <= b ? a : b;

        /// <summary>The larger of two ints, compared as ints.</summary>
        public static long Max(long a, long b) => a >= b ? a : b;

        /// <summary>Whether a float's integer part is an int of the language: not NaN and within ±9e18 (the bound
        /// <c>int</c>, <c>round</c>, <c>ceil</c> and <c>floor</c> hold to on both sides).</summary>
        public static bool FitsLong(double d) => !double.IsNaN(d) && d <= 9e18 && d >= -9e18;

        /// <summary>The float's integer part (truncated) as an int; <see cref="OverflowException"/> outside <see cref="FitsLong"/>.</summary>
        public static long ToLong(double d) =>
            FitsLong(d) ? (long)d : throw Overflowed(d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + " as an int");

        /// <summary>a + b for non-negative counts, <see cref="long.MaxValue"/> where that does not fit.</summary>
        public static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

        /// <summary>a * b for non-negative counts, <see cref="long.MaxValue"/> where that does not fit.</summary>
        public static long SaturatingMultiply(long a, long b) => a != 0 && b > long.MaxValue / a ? long.MaxValue : a * b;

        /// <summary>The number of ints in <c>from..to</c> (end excluded), exact even where <c>to - from</c> overflows a long.</summary>
        public static ulong RangeLength(long from, long to) => to <= from ? 0UL : unchecked((ulong)to - (ulong)from);

        /// <summary>torchvision's <c>_make_divisible</c>: the nearest multiple of <paramref name="divisor"/>, at least
        /// <paramref name="minValue"/> (default: the divisor), never more than 10% below <paramref name="v"/>.</summary>
        public static long MakeDivisible(double v, long divisor, long? minValue = null)
        {
            if (divisor <= 0) throw new ArgumentOutOfRangeException(nameof(divisor), "make_divisible needs a positive divisor");
            long min = minValue ?? divisor;
            long newV = Math.Max(min, FloorDiv((long)(v + divisor / 2.0), divisor) * divisor);
            if (newV < 0.9 * v) newV += divisor;
            return newV;
        }

        /// <summary>log(x) / log(base) in double precision (Python's <c>math.log(x, base)</c>).</summary>
        public static double Log(double x, double logBase) => Math.Log(x) / Math.Log(logBase);

        /// <summary>The ints <c>from, from + 1, …, to - 1</c> (the .arch range <c>from..to</c>).</summary>
        public static long[] Range(long from, long to)
        {
            ulong length = RangeLength(from, to);
            if (length > int.MaxValue) throw new OverflowException("The range " + Text(from) + ".." + Text(to) + " has " + length + " items, more than an array holds");
            var items = new long[(int)length];
            for (int i = 0; i < items.Length; i++) items[i] = from + i;
            return items;
        }

        /// <summary>Prefix sums: <c>[a, a + b, a + b + c, …]</c>; an int overflow throws <see cref="OverflowException"/>.</summary>
        public static long[] CumulativeSum(long[] items)
        {
            var sums = new long[items.Length];
            long total = 0;
            for (int i = 0; i < items.Length; i++) sums[i] = total = checked(total + items[i]);
            return sums;
        }

        public static double[] CumulativeSum(double[] items)
        {
            var sums = new double[items.Length];
            double total = 0;
            for (int i = 0; i < items.Length; i++) sums[i] = total += items[i];
            return sums;
        }

        /// <summary>The sum of the items, in order; an int overflow throws <see cref="OverflowException"/>.</summary>
        public static long Sum(long[] items)
        {
            long total = 0;
            foreach (var v in items) total = checked(total + v);
            return total;
        }

        public static double Sum(double[] items)
        {
            double total = 0;
            foreach (var v in items) total += v;
            return total;
        }

        /// <summary>Rounds half to even, as Python's <c>round</c>.</summary>
        public static long Round(double v) => ToLong(Math.Round(v, MidpointRounding.ToEven));

        /// <summary>Output size of a convolution along one axis (PyTorch's formula); <see cref="OverflowException"/> past 64 bits.</summary>
        public static long ConvOut(long size, long kernel, long stride, long padding, long dilation)
        {
            try { return checked(FloorDiv(size + 2 * padding - dilation * (kernel - 1) - 1, stride) + 1); }
            catch (OverflowException) { throw Overflowed("The output size of a size-" + Text(size) + " input (kernel " + Text(kernel) + ", padding " + Text(padding) + ", dilation " + Text(dilation) + ")"); }
        }

        /// <summary>Output size of a pooling along one axis, with PyTorch's ceil-mode rule (the last window must
        /// start inside the input or its left padding).</summary>
        public static long PoolOut(long size, long kernel, long stride, long padding, bool ceilMode)
        {
            try
            {
                checked
                {
                    long numerator = size + 2 * padding - (kernel - 1) - 1;
                    long o = (ceilMode ? -FloorDiv(-numerator, stride) : FloorDiv(numerator, stride)) + 1;
                    if (ceilMode && (o - 1) * stride >= size + padding) o--;
                    return o;
                }
            }
            catch (OverflowException) { throw Overflowed("The output size of a size-" + Text(size) + " input pooled (kernel " + Text(kernel) + ", padding " + Text(padding) + ")"); }
        }
    }
}
