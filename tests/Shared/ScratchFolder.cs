using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace ArchDsl.Testing;

/// <summary>Folders under the temp directory that a test run creates: removed when the test process exits, so
/// a run leaves nothing behind (the reference weights of the whole catalogue are several gigabytes). Exit handlers
/// do not run when a test host is killed or crashes, so a per-process folder also sweeps the folders that earlier,
/// now dead, processes left under the same prefix.</summary>
public static class ScratchFolder
{
    /// <summary>Returns <paramref name="path"/>, scheduled for deletion at process exit.</summary>
    public static string DeletedAtExit(string path)
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(path);
        return path;
    }

    /// <summary>TEMP/PREFIX&lt;pid&gt; for this process, deleted at exit; PREFIX&lt;pid&gt; folders of processes
    /// that no longer run are deleted now.</summary>
    public static string ForThisProcess(string prefix)
    {
        var temp = Path.GetTempPath();
        foreach (var stale in Directory.EnumerateDirectories(temp, prefix + "*"))
        {
            var suffix = Path.GetFileName(stale).Substring(prefix.Length);
            if (int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && !IsRunning(pid))
                TryDelete(stale);
        }
        return DeletedAtExit(Path.Combine(temp, prefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture)));
    }

    static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Deletes a folder and everything in it; a folder already gone or still in use is left to the OS.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
