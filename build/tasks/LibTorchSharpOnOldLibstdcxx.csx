// Two MSBuild inline tasks (RoslynCodeTaskFactory) used by ../ArchDsl.Runtime.targets, kept free of any dependency
// beyond the BCL: they read and edit an ELF64 file's version-requirement table (.gnu.version_r). Named .csx, not .cs,
// so that a package folder inside a consumer's project is never compiled into the consumer.
#nullable enable
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>Of the given native libraries, the ones that need a GLIBCXX version (strongly) that this machine's
/// libstdc++ does not define. Empty when the system's libstdc++ is new enough or cannot be found.</summary>
public sealed class ArchDslFindGlibcxxGap : Task
{
    [Required] public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();
    public string Version { get; set; } = "GLIBCXX_3.4.32";
    [Output] public ITaskItem[] Gaps { get; set; } = Array.Empty<ITaskItem>();
    [Output] public string SystemLibrary { get; set; } = "";

    public override bool Execute()
    {
        SystemLibrary = SystemLibstdcxx() ?? "";
        if (SystemLibrary.Length == 0)
        {
            Log.LogMessage(MessageImportance.Low, "ArchDsl: no system libstdc++.so.6 found; TorchSharp's native library left as it is.");
            return true;
        }
        if (Contains(File.ReadAllBytes(SystemLibrary), Encoding.ASCII.GetBytes(Version + "\0")))
            return true;
        var gaps = new List<ITaskItem>();
        foreach (var library in Libraries)
        {
            var need = ElfVersionNeeds.Find(File.ReadAllBytes(library.ItemSpec), Version);
            if (need != null && (need.Value.Flags & ElfVersionNeeds.Weak) == 0) gaps.Add(library);
        }
        Gaps = gaps.ToArray();
        return true;
    }

    /// <summary>The libstdc++.so.6 the dynamic loader would pick: ldconfig's cache first, then the usual folders.</summary>
    private static string? SystemLibstdcxx()
    {
        var abi = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => "x86-64",
            System.Runtime.InteropServices.Architecture.Arm64 => "AArch64",
            _ => null,
        };
        foreach (var ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig" })
        {
            if (!File.Exists(ldconfig)) continue;
            try
            {
                var start = new ProcessStartInfo(ldconfig, "-p") { RedirectStandardOutput = true, UseShellExecute = false };
                using var process = Process.Start(start)!;
                var text = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                foreach (var line in text.Split('\n'))
                {
                    var arrow = line.IndexOf("=>", StringComparison.Ordinal);
                    if (!line.TrimStart().StartsWith("libstdc++.so.6 ", StringComparison.Ordinal) || arrow < 0) continue;
                    if (abi != null && !line.Contains(abi)) continue;
                    var path = line.Substring(arrow + 2).Trim();
                    if (File.Exists(path)) return path;
                }
            }
            catch (Exception) { /* fall through to the usual folders */ }
        }
        foreach (var dir in new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib" })
        {
            var path = Path.Combine(dir, "libstdc++.so.6");
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack[i] != needle[0]) continue;
            int j = 1;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }
}

/// <summary>Marks a version requirement of an ELF64 shared library weak (VER_FLG_WEAK on its Vernaux entry), so that
/// glibc's loader accepts a libstdc++ that lacks it. The file is edited in place: give it a private copy.</summary>
public sealed class ArchDslWeakenVersionNeed : Task
{
    [Required] public string Library { get; set; } = "";
    public string Version { get; set; } = "GLIBCXX_3.4.32";

    public override bool Execute()
    {
        var bytes = File.ReadAllBytes(Library);
        var need = ElfVersionNeeds.Find(bytes, Version);
        if (need == null)
        {
            Log.LogError("ArchDsl: {0} does not require {1}; nothing to mark weak.", Library, Version);
            return false;
        }
        var flags = (ushort)(need.Value.Flags | ElfVersionNeeds.Weak);
        bytes[need.Value.FlagsOffset] = (byte)flags;
        bytes[need.Value.FlagsOffset + 1] = (byte)(flags >> 8);
        File.WriteAllBytes(Library, bytes);
        return true;
    }
}

/// <summary>Reading .gnu.version_r of a little-endian ELF64 file.</summary>
internal static class ElfVersionNeeds
{
    public const ushort Weak = 2;              // VER_FLG_WEAK
    private const uint ShtGnuVerneed = 0x6ffffffe;

    public readonly struct Need
    {
        public Need(int flagsOffset, ushort flags) { FlagsOffset = flagsOffset; Flags = flags; }
        public int FlagsOffset { get; }
        public ushort Flags { get; }
    }

    /// <summary>The Vernaux entry naming <paramref name="version"/>, or null (also for anything but a
    /// little-endian ELF64 file, or a table that points outside the file).</summary>
    public static Need? Find(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
            return null;
        long shoff = (long)U64(elf, 0x28);
        int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (sh < 0 || sh + 64 > elf.Length || U32(elf, sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)U64(elf, sh + 0x18);
            uint link = U32(elf, sh + 0x28), count = U32(elf, sh + 0x2C);
            long strings = shoff + (long)link * shentsize;
            if (strings + 64 > elf.Length) return null;
            long strtab = (long)U64(elf, strings + 0x18);
            long entry = offset;
            for (uint n = 0; n < count && entry + 16 <= elf.Length; n++)
            {
                int auxCount = U16(elf, entry + 2);
                long aux = entry + U32(elf, entry + 8);
                for (int a = 0; a < auxCount && aux + 16 <= elf.Length; a++)
                {
                    if (Name(elf, strtab + U32(elf, aux + 8)) == version) return new Need((int)(aux + 4), (ushort)U16(elf, aux + 4));
                    uint next = U32(elf, aux + 12);
                    if (next == 0) break;
                    aux += next;
                }
                uint nextNeed = U32(elf, entry + 12);
                if (nextNeed == 0) break;
                entry += nextNeed;
            }
        }
        return null;
    }

    private static string Name(byte[] elf, long at)
    {
        if (at < 0 || at >= elf.Length) return "";
        long end = at;
        while (end < elf.Length && elf[end] != 0) end++;
        return Encoding.ASCII.GetString(elf, (int)at, (int)(end - at));
    }

    private static int U16(byte[] b, long at) => b[at] | (b[at + 1] << 8);
    private static uint U32(byte[] b, long at) => (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24));
    private static ulong U64(byte[] b, long at) => U32(b, at) | ((ulong)U32(b, at + 4) << 32);
}
