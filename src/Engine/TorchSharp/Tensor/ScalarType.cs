using System;

namespace TorchSharp
{
    public static partial class torch
    {
        /// <summary>Element types; the numeric values are libtorch's (and TorchSharp's file format codes).</summary>
        public enum ScalarType : sbyte
        {
            Byte = 0,
            Int8 = 1,
            Int16 = 2,
            Int32 = 3,
            Int64 = 4,
            Float16 = 5,
            Float32 = 6,
            Float64 = 7,
            ComplexFloat32 = 9,
            ComplexFloat64 = 10,
            Bool = 11,
            BFloat16 = 15,
        }

        public static readonly ScalarType uint8 = ScalarType.Byte;
        public static readonly ScalarType int8 = ScalarType.Int8;
        public static readonly ScalarType int16 = ScalarType.Int16;
        public static readonly ScalarType int32 = ScalarType.Int32;
        public static readonly ScalarType int64 = ScalarType.Int64;
        public static readonly ScalarType float16 = ScalarType.Float16;
        public static readonly ScalarType bfloat16 = ScalarType.BFloat16;
        public static readonly ScalarType float32 = ScalarType.Float32;
        public static readonly ScalarType float64 = ScalarType.Float64;
        public static readonly ScalarType complex64 = ScalarType.ComplexFloat32;
        public static readonly ScalarType complex128 = ScalarType.ComplexFloat64;
        public static readonly ScalarType @bool = ScalarType.Bool;
        public static readonly ScalarType @short = ScalarType.Int16;
        public static readonly ScalarType @int = ScalarType.Int32;
        public static readonly ScalarType @long = ScalarType.Int64;
        public static readonly ScalarType half = ScalarType.Float16;
        public static readonly ScalarType @float = ScalarType.Float32;
        public static readonly ScalarType @double = ScalarType.Float64;

        private static ScalarType defaultDType = ScalarType.Float32;

        public static ScalarType get_default_dtype() => defaultDType;

        public static void set_default_dtype(ScalarType dtype) => defaultDType = dtype;

        public static bool is_integral(ScalarType type) =>
            type is ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64 or ScalarType.Bool;

        public static bool is_floating_point(ScalarType type) =>
            type is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

        public static bool is_complex(ScalarType type) =>
            type is ScalarType.ComplexFloat32 or ScalarType.ComplexFloat64;

        /// <summary>Bytes per element.</summary>
        internal static int ElementSize(ScalarType type) => type switch {
            ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
            ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
            ScalarType.Int32 or ScalarType.Float32 => 4,
            ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
            ScalarType.ComplexFloat64 => 16,
            _ => throw new ArgumentException($"unknown element type {type}"),
        };

        /// <summary>The element type matching a .NET type.</summary>
        internal static ScalarType ToScalarType(Type type)
        {
            if (type == typeof(float)) return ScalarType.Float32;
            if (type == typeof(double)) return ScalarType.Float64;
            if (type == typeof(long)) return ScalarType.Int64;
            if (type == typeof(int)) return ScalarType.Int32;
            if (type == typeof(short)) return ScalarType.Int16;
            if (type == typeof(sbyte)) return ScalarType.Int8;
            if (type == typeof(byte)) return ScalarType.Byte;
            if (type == typeof(bool)) return ScalarType.Bool;
            if (type == typeof(Half)) return ScalarType.Float16;
            throw new NotSupportedException($"no tensor element type for {type}");
        }
    }

    /// <summary>Device kinds, numbered as libtorch numbers them.</summary>
    public enum DeviceType
    {
        CPU = 0,
        CUDA = 1,
        MKLDNN = 2,
        OPENGL = 3,
        OPENCL = 4,
        IDEEP = 5,
        HIP = 6,
        FPGA = 7,
        MSNPU = 8,
        XLA = 9,
        VULKAN = 10,
        MPS = 13,
        META = 14,
    }
}
