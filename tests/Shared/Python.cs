using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using Xunit;

namespace ArchDsl.Testing
{
    /// <summary>
    /// Runs scripts with Debian's /usr/bin/python3, the interpreter that has torch and
    /// torchvision (the python3 on PATH may not). Tests that need it use <see cref="PythonFactAttribute"/>.
    /// </summary>
    public static class Python
    {
        public const string Interpreter = "/usr/bin/python3";

        private static readonly Lazy<string?> unavailable = new(Probe);

        /// <summary>Why torch cannot be used from Python here, or null when it can.</summary>
        public static string? TorchUnavailableReason => unavailable.Value;

        private static string? Probe()
        {
            if (!File.Exists(Interpreter)) return $"{Interpreter} not found: install python3-torch and python3-torchvision";
            var r = RunProcess(new[] { "-c", "import torch, torchvision" }, TimeSpan.FromMinutes(2));
            if (r.ExitCode != 0) {
                var lines = r.Stderr.Trim().Split('\n');
                return $"{Interpreter} lacks torch/torchvision ({lines[^1]}): install python3-torch and python3-torchvision";
            }
            return null;
        }

        /// <summary>Result of one interpreter run.</summary>
        public sealed record Result(int ExitCode, string Stdout, string Stderr);

        /// <summary>Runs a script file; fails the test (with its stderr) when it exits non-zero.</summary>
        public static Result RunScript(string scriptPath, params string[] args)
        {
            var all = new string[args.Length + 1];
            all[0] = scriptPath;
            Array.Copy(args, 0, all, 1, args.Length);
            return Checked(RunProcess(all, TimeSpan.FromMinutes(10)), scriptPath);
        }

        /// <summary>Runs Python source given inline; `sys.argv[1:]` are <paramref name="args"/>.</summary>
        public static Result RunCode(string code, params string[] args)
        {
            var path = Path.Combine(Path.GetTempPath(), $"archdsl-{Guid.NewGuid():N}.py");
            File.WriteAllText(path, code);
            try {
                return RunScript(path, args);
            } finally {
                File.Delete(path);
            }
        }

        private static Result Checked(Result r, string what)
        {
            if (r.ExitCode != 0)
                throw new InvalidOperationException($"{Interpreter} {what} exited with {r.ExitCode}:\n{r.Stderr}\n{r.Stdout}");
            return r;
        }

        private static Result RunProcess(string[] args, TimeSpan timeout)
        {
            var info = new ProcessStartInfo(Interpreter) {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            foreach (var a in args) info.ArgumentList.Add(a);
            // Keep runs reproducible and quiet regardless of the caller's environment.
            info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
            info.Environment["OMP_NUM_THREADS"] = "1";
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {Interpreter}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit((int)timeout.TotalMilliseconds)) {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{Interpreter} {string.Join(' ', args)} ran longer than {timeout}");
            }
            return new Result(process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    /// <summary>A fact that is skipped, with the reason shown, only when Python's torch is unavailable.</summary>
    public sealed class PythonFactAttribute : FactAttribute
    {
        public PythonFactAttribute()
        {
            if (Python.TorchUnavailableReason is string reason) Skip = reason;
        }
    }
}

namespace ArchDsl.Testing
{
    /// <summary>A theory that is skipped, with the reason shown, only when Python's torch is unavailable.</summary>
    public sealed class PythonTheoryAttribute : Xunit.TheoryAttribute
    {
        public PythonTheoryAttribute()
        {
            if (Python.TorchUnavailableReason is string reason) Skip = reason;
        }
    }
}
