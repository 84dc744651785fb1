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
            long r = 1;
            while (true)
            {
                if ((e & 1) != 0) r = checked(r * b);
                e >>= 1;
                if (e == 0) return r;
                b = checked(b * b);
            }
        }

        /// <summary>-v; throws <see cref="OverflowException"/> for <see cref="long.MinValue"/> (its negation is not a long).</summary>
        public static long Negate(long v) => checked(-v);

        /// <summary>|v|; throws <see cref="OverflowException"/> for <see cref="long.MinValue"/>.</summary>
        public static long Abs(long v) => checked(v < 0 ? -v : v);

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
            var items = new long[checked((int)RangeLength(from, to))];
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
        public static long Round(double v) => (long)Math.Round(v, MidpointRounding.ToEven);

        /// <summary>Output size of a convolution along one axis (PyTorch's formula); <see cref="OverflowException"/> past 64 bits.</summary>
        public static long ConvOut(long size, long kernel, long stride, long padding, long dilation) =>
            checked(FloorDiv(size + 2 * padding - dilation * (kernel - 1) - 1, stride) + 1);

        /// <summary>Output size of a pooling along one axis, with PyTorch's ceil-mode rule (the last window must
        /// start inside the input or its left padding).</summary>
        public static long PoolOut(long size, long kernel, long stride, long padding, bool ceilMode)
        {
            checked
            {
                long numerator = size + 2 * padding - (kernel - 1) - 1;
                long o = (ceilMode ? -FloorDiv(-numerator, stride) : FloorDiv(numerator, stride)) + 1;
                if (ceilMode && (o - 1) * stride >= size + padding) o--;
                return o;
            }
        }
    }
}
