using System;
using System.IO;
using System.Runtime.InteropServices;

namespace ArchDsl.Cli
{
    /// <summary>What a path names on disk, asked before anything is opened: its kind (a regular file, a folder, or
    /// something else: a FIFO, a device, a socket), its size, and an identity (device and inode) that is the same for
    /// every spelling of one file or folder (<c>./a.arch</c>, <c>sub/../a.arch</c>, a symbolic link). Opening a FIFO
    /// blocks until a writer comes and <c>/dev/zero</c> never ends, so the kind must be known first; .NET's
    /// <see cref="FileAttributes"/> do not tell a FIFO from a file, so on Linux this asks the kernel (<c>statx</c>,
    /// whose record has one layout on every architecture). Elsewhere the kind comes from the attributes and the
    /// identity from the full path with links resolved.</summary>
    internal readonly struct FileIdentity : IEquatable<FileIdentity>
    {
        public enum Kinds { Missing, Regular, Directory, Other }

        private FileIdentity(Kinds kind, long size, string key)
        {
            Kind = kind;
            Size = size;
            Key = key;
        }

        public Kinds Kind { get; }

        /// <summary>Bytes, for a regular file.</summary>
        public long Size { get; }

        /// <summary>Equal for two paths that name the same file or folder.</summary>
        public string Key { get; }

        public bool Equals(FileIdentity other) => string.Equals(Key, other.Key, StringComparison.Ordinal);
        public override bool Equals(object? obj) => obj is FileIdentity other && Equals(other);
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);

        /// <summary>What <paramref name="path"/> names, following symbolic links.</summary>
        public static FileIdentity Of(string path)
        {
            if (OperatingSystem.IsLinux() && TryStatx(path, out var identity)) return identity;
            return Portable(path);
        }

        private static FileIdentity Portable(string path)
        {
            try
            {
                var full = Path.GetFullPath(path);
                if (Directory.Exists(full)) return new FileIdentity(Kinds.Directory, 0, "path:" + Resolved(new DirectoryInfo(full)));
                if (!File.Exists(full)) return new FileIdentity(Kinds.Missing, 0, "missing:" + full);
                var info = new FileInfo(full);
                return new FileIdentity(Kinds.Regular, info.Length, "path:" + Resolved(info));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return new FileIdentity(Kinds.Missing, 0, "missing:" + path);
            }
        }

        private static string Resolved(FileSystemInfo info) => info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;

        // statx(2): AT_FDCWD, no flags (links followed), STATX_TYPE | STATX_MODE | STATX_INO | STATX_SIZE.
        private const int AtFdCwd = -100;
        private const uint Wanted = 0x1 | 0x2 | 0x100 | 0x200;
        private const int RecordSize = 256;

        [DllImport("libc.so.6", EntryPoint = "statx", SetLastError = true)]
        private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] record);

        private static bool TryStatx(string path, out FileIdentity identity)
        {
            identity = default;
            var record = new byte[RecordSize];
            try
            {
                if (Statx(AtFdCwd, path, 0, Wanted, record) != 0)
                {
                    identity = new FileIdentity(Kinds.Missing, 0, "missing:" + path);
                    return true;
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return false; // not glibc, or a kernel/libc without statx: the portable answer
            }
            // struct statx: stx_mode (u16) at 28, stx_ino (u64) at 32, stx_size (u64) at 40, stx_dev_major and
            // stx_dev_minor (u32) at 136 and 140.
            int mode = BitConverter.ToUInt16(record, 28) & 0xF000;
            ulong inode = BitConverter.ToUInt64(record, 32);
            long size = (long)Math.Min(BitConverter.ToUInt64(record, 40), long.MaxValue);
            uint major = BitConverter.ToUInt32(record, 136), minor = BitConverter.ToUInt32(record, 140);
            var kind = mode switch { 0x8000 => Kinds.Regular, 0x4000 => Kinds.Directory, _ => Kinds.Other };
            identity = new FileIdentity(kind, size, "inode:" + major + ":" + minor + ":" + inode);
            return true;
        }
    }
}
