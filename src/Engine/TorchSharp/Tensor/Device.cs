using System;

namespace TorchSharp
{
    public static partial class torch
    {
        /// <summary>A device description. This engine computes on the CPU only.</summary>
        public class Device
        {
            public DeviceType type { get; private set; } = DeviceType.CPU;
            public int index { get; private set; } = -1;

            public Device(string description)
            {
                var parts = description.Split(':');
                type = Parse(parts[0]);
                index = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : -1;
            }

            public Device(string deviceType, int index = -1)
            {
                type = Parse(deviceType);
                this.index = index;
            }

            public Device(DeviceType deviceType, int index = -1)
            {
                type = deviceType;
                this.index = index;
            }

            public Device(int index)
            {
                type = DeviceType.CUDA;
                this.index = index;
            }

            public static implicit operator Device(string description) => new Device(description);

            private static DeviceType Parse(string name) => name.Trim().ToLowerInvariant() switch {
                "cpu" => DeviceType.CPU,
                "cuda" => DeviceType.CUDA,
                "mps" => DeviceType.MPS,
                "meta" => DeviceType.META,
                _ => throw new ArgumentException($"unknown device type '{name}'"),
            };

            public override string ToString() =>
                index < 0 ? type.ToString().ToLowerInvariant() : $"{type.ToString().ToLowerInvariant()}:{index}";

            public override bool Equals(object? obj) => obj is Device d && d.type == type && d.index == index;

            public override int GetHashCode() => HashCode.Combine(type, index);
        }

        public static readonly Device CPU = new Device(DeviceType.CPU, -1);
        public static readonly Device META = new Device(DeviceType.META, -1);
        public static Device CUDA => new Device(DeviceType.CUDA, -1);

        public static Device device(string description) => new Device(description);
        public static Device device(string deviceType, int index = -1) => new Device(deviceType, index);
        public static Device device(DeviceType deviceType, int index = -1) => new Device(deviceType, index);
        public static Device device(int index) => new Device(index);

        private static Device defaultDevice = CPU;

        public static Device get_default_device() => defaultDevice;

        public static void set_default_device(Device? device) => defaultDevice = device ?? CPU;

        /// <summary>Fails for anything but the CPU, which is all Debian's libtorch build offers.</summary>
        internal static void RequireCpu(Device? device)
        {
            if (device is not null && device.type != DeviceType.CPU)
                throw new NotSupportedException($"device '{device}' is not available: this engine runs on the CPU only");
        }

        public static partial class cuda
        {
            public static bool is_available() => false;
            public static int device_count() => 0;
        }
    }
}
