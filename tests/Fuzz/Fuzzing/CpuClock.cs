using System;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ArchDsl.Fuzzing
{
    /// <summary>The CPU time one thread has used, readable from another thread. The fuzzer bounds a case by the work
    /// it did, not by wall time: on a shared machine under heavy load a case waits for a core far longer than it
    /// runs, and a wall-time bound reported such waits as hangs.</summary>
    public static class CpuClock
    {
        /// <summary>Called on the thread to measure; returns a reader of that thread's CPU time. Where the thread's
        /// clock is not available (not Linux), the process's CPU time, which is never less than the thread's.</summary>
        public static Func<TimeSpan> ForCurrentThread()
        {
            if (OperatingSystem.IsLinux())
            {
                try
                {
                    if (pthread_getcpuclockid(pthread_self(), out int clock) == 0 && clock_gettime(clock, out _) == 0)
                    {
                        var last = TimeSpan.Zero;
                        // After the thread ends its clock is gone; the last reading stands.
                        return () => clock_gettime(clock, out var t) == 0 ? last = new TimeSpan(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100) : last;
                    }
                }
                catch (DllNotFoundException) { }
                catch (EntryPointNotFoundException) { }
            }
            var process = Process.GetCurrentProcess();
            return () => { process.Refresh(); return process.TotalProcessorTime; };
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct Timespec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc.so.6")]
        private static extern nuint pthread_self();

        [DllImport("libc.so.6")]
        private static extern int pthread_getcpuclockid(nuint thread, out int clock);

        [DllImport("libc.so.6")]
        private static extern int clock_gettime(int clock, out Timespec time);
    }
}
