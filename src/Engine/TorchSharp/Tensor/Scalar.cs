using System;

namespace TorchSharp
{
    /// <summary>
    /// A number passed to an operation. Integral and floating values are kept apart because
    /// libtorch promotes integer tensors differently for each (1 vs 1.0).
    /// </summary>
    public sealed class Scalar : IDisposable
    {
        internal readonly double value;
        internal readonly bool isIntegral;

        internal Scalar(double value, bool isIntegral)
        {
            this.value = value;
            this.isIntegral = isIntegral;
        }

        internal int IntegralFlag => isIntegral ? 1 : 0;

        public static implicit operator Scalar(byte value) => new Scalar(value, true);
        public static implicit operator Scalar(sbyte value) => new Scalar(value, true);
        public static implicit operator Scalar(short value) => new Scalar(value, true);
        public static implicit operator Scalar(int value) => new Scalar(value, true);
        public static implicit operator Scalar(long value) => new Scalar(value, true);
        public static implicit operator Scalar(float value) => new Scalar(value, false);
        public static implicit operator Scalar(double value) => new Scalar(value, false);
        public static implicit operator Scalar(bool value) => new Scalar(value ? 1 : 0, true);
        public static implicit operator Scalar(Half value) => new Scalar((double)value, false);

        public double ToDouble() => value;
        public float ToSingle() => (float)value;
        public long ToInt64() => (long)value;
        public int ToInt32() => (int)value;
        public bool ToBoolean() => value != 0;

        public void Dispose() { }

        public override string ToString() => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public static class ScalarExtensionMethods
    {
        public static Scalar ToScalar(this int value) => value;
        public static Scalar ToScalar(this long value) => value;
        public static Scalar ToScalar(this float value) => value;
        public static Scalar ToScalar(this double value) => value;
        public static Scalar ToScalar(this bool value) => value;
    }
}
