using System;
using System.IO;

namespace ArchDsl.Testing;

/// <summary>Folders under the temp directory that a test run creates: removed when the test process exits, so
/// a run leaves nothing behind (the reference weights of the whole catalogue are several gigabytes).</summary>
public static class ScratchFolder
{
    /// <summary>Returns <paramref name="path"/>, scheduled for deletion at process exit.</summary>
    public static string DeletedAtExit(string path)
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(path);
        return path;
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
