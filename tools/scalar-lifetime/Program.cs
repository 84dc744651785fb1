using System;
using System.Threading;
using System.Threading.Tasks;
using TorchSharp;
using static TorchSharp.torch;

// Several threads add 1 in place to int64 counters (what BatchNorm2d.forward does to num_batches_tracked) while
// another thread forces collections: TorchSharp's add_(Scalar) reads the implicit Scalar's handle and passes it to
// native code without keeping the Scalar alive, so its finalizer may free the c10::Scalar during the call.
var seconds = args.Length > 0 ? int.Parse(args[0]) : 60;
var mode = args.Length > 1 ? args[1] : "implicit";
using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
long calls = 0, failures = 0;
var keep = 1.ToScalar();
var gc = Task.Run(() => { while (!cts.IsCancellationRequested) { GC.Collect(); GC.WaitForPendingFinalizers(); } });
var workers = new Task[6];
for (int w = 0; w < workers.Length; w++)
    workers[w] = Task.Run(() =>
    {
        var counter = torch.tensor(0L);
        var junk = new object[64];
        while (!cts.IsCancellationRequested)
        {
            try
            {
                if (mode == "implicit") counter.add_(1); else counter.add_(keep, keep);
                Interlocked.Increment(ref calls);
            }
            catch (Exception e) { if (Interlocked.Increment(ref failures) <= 3) Console.WriteLine(e.Message.Split('\n')[0]); }
            for (int i = 0; i < junk.Length; i++) junk[i] = new byte[256];   // allocation pressure, as a training test makes
        }
    });
Task.WaitAll(workers);
gc.Wait();
Console.WriteLine($"{mode}: {calls:N0} calls, {failures} failed");
