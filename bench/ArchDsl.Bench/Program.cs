using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using ArchDsl.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Bench;

/// <summary>
/// One measurement process: builds a generated network, loads torchvision's weights, times a task and prints one
/// JSON line (per-iteration milliseconds, peak resident memory, the libtorch it ran on). The Python control is
/// bench/python/torchvision_side.py (Debian's torch 1.13); bench/run.py alternates the processes.
/// Usage: ArchDsl.Bench MODEL TASK WEIGHTS [--batches 1,8] [--warmup N] [--iters N,N] [--threads N] [--setup SETUP]
///                      [--on worker] [--rival FACTORY]
///   MODEL: a generated class of ArchDsl.Catalogue (its metadata gives the input size and the MACs).
///   TASK: infer | train | allocs; each batch size is timed in turn (train: the first only).
///     compare: builds MODEL and the rival, loads WEIGHTS strictly into both, gives every batch norm the same random
///     statistics and affine parameters in both (so the outputs are far from zero), and reports how far the rival's
///     eval output (batch 2) is from the generated class's, against the suite's tolerance.
///     peak: times one large convolution (8×256×56×56, 3×3, 256 outputs; MODEL and WEIGHTS are ignored) for the
///     machine's attainable GFLOP/s.
///   --rival FACTORY: time TorchSharp's hand-written port instead of the generated class: the TorchVision package's
///     torchvision.models.FACTORY (e.g. resnet50) with its default arguments, loaded from the same WEIGHTS.
///   Every process applies ArchDsl.Runtime's CpuKernels choice first (oneDNN convolutions off on virtual CPUs hiding
///     their cache geometry, unless ARCHDSL_ONEDNN=keep), so both sides of a comparison run the same libtorch setting.
///   --setup: shipped (default: TorchSharp and ArchDsl.Runtime as they start), or a '+'-joined list of
///     retain (TensorMemory.Retain() before anything is allocated), channels-last (TensorMemory.ToChannelsLast on the model,
///     TensorMemory.ChannelsLast on the input), folded (Fusion.FoldBatchNorms; inference only); all = the three.
///   Inference with channels-last or folded also reports how far the output moved from the shipped model's
///   (max |difference| and max |reference| over a batch-1 input), checked against the suite's tolerance.
///   --on worker: build and time everything on a new thread instead of the main one (a thread of its own gets its
///     own glibc arena: shows what TensorMemory.Retain's remarks say about other arenas).
/// Each iteration records wall time and this process's CPU time: on a loaded machine the wall clock measures the
/// scheduler, CPU time (with one intra-op thread) the work.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length < 3)
        {
            Console.Error.WriteLine("usage: ArchDsl.Bench MODEL infer|train|allocs WEIGHTS [--batches 1,8] [--warmup N] [--iters N,N] [--setup SETUP]");
            return 2;
        }
        var (model, task, weights) = (args[0], args[1], args[2]);
        var batches = Option(args, "--batches", "1").Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var iters = Option(args, "--iters", "5").Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var warmup = int.Parse(Option(args, "--warmup", "1"), CultureInfo.InvariantCulture);
        var threads = int.Parse(Option(args, "--threads", "0"), CultureInfo.InvariantCulture);
        var setup = Setup.Parse(Option(args, "--setup", "shipped"));
        var rival = Option(args, "--rival", "");
        // libtorch-global and process-wide: the same for the generated class and the rival (see CpuKernels).
        CpuKernels.Apply();
        if (setup.Retain && !TensorMemory.Retain()) throw new InvalidOperationException("TensorMemory.Retain() refused");
        if (threads > 0) torch.set_num_threads(threads);
        if (Option(args, "--on", "main") == "worker")
        {
            int rc = 0;
            var worker = new System.Threading.Thread(() => rc = Measure(model, rival, task, weights, batches, iters, warmup, setup), 16 << 20);
            worker.Start();
            worker.Join();
            return rc;
        }
        return Measure(model, rival, task, weights, batches, iters, warmup, setup);
    }

    /// <summary>NaN and infinities written as the strings "NaN", "Infinity" (Python's json reads them back): a NaN
    /// output is a result to report, not a reason to lose the process's line.</summary>
    static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    static int Measure(string model, string rival, string task, string weights, int[] batches, int[] iters, int warmup, Setup setup)
    {
        if (task == "hotpath")
        {
            Console.WriteLine(JsonSerializer.Serialize(HotPath(), Json));
            return 0;
        }
        if (task == "peak")
        {
            Console.WriteLine(JsonSerializer.Serialize(Peak(warmup, iters[0]), Json));
            return 0;
        }
        var metadata = Metadata(model);
        var size = metadata.InputShape[^1];
        if (task == "compare")
        {
            Console.WriteLine(JsonSerializer.Serialize(Compare(model, rival, weights, size), Json));
            return 0;
        }
        using var net = rival == "" ? Create(model) : Rival(rival);
        if (weights != "-") net.load(weights, strict: true);
        torch.manual_seed(1);
        Dictionary<string, double>? drift = null;
        if (task == "infer" && setup.InPlace)
        {
            net.eval();
            using var probe = torch.randn(1, 3, size, size);
            using var reference = Forward(net, probe, channelsLast: false);
            InPlaceActivations(net);
            using var output = Forward(net, probe, channelsLast: false);
            drift = Drift(reference, output);
        }
        else if (setup.InPlace) InPlaceActivations(net);
        else if (task == "infer" && (setup.Folded || setup.ChannelsLast))
        {
            net.eval();
            using var probe = torch.randn(1, 3, size, size);
            using var reference = Forward(net, probe, channelsLast: false);
            if (setup.Folded) Fusion.FoldBatchNorms(net);
            if (setup.ChannelsLast) TensorMemory.ToChannelsLast(net);
            using var output = Forward(net, probe, setup.ChannelsLast);
            drift = Drift(reference, output);
        }
        else if (setup.Folded || setup.ChannelsLast)
        {
            if (setup.Folded) throw new ArgumentException("folded is an inference setup");
            TensorMemory.ToChannelsLast(net);
        }
        var runs = new Dictionary<string, object>();
        for (int i = 0; i < batches.Length; i++)
        {
            var (b, n) = (batches[i], iters[Math.Min(i, iters.Length - 1)]);
            runs["b" + b] = task switch
            {
                "infer" => Inference(net, b, size, warmup, n, setup.ChannelsLast),
                "train" => TrainingSteps(net, b, size, warmup, n, setup.ChannelsLast),
                "allocs" => (object)Allocations(net, b, warmup, n),
                _ => throw new ArgumentException($"unknown task {task}"),
            };
        }
        var result = new Dictionary<string, object>
        {
            ["side"] = "csharp",
            ["impl"] = rival == "" ? "generated" : "torchvision",
            ["model"] = model,
            ["rival"] = rival,
            ["macs"] = metadata.Macs,
            ["input_size"] = size,
            ["task"] = task,
            ["setup"] = setup.Name,
            ["runs"] = runs,
            ["retained"] = TensorMemory.Retained,
            ["onednn_convolutions"] = CpuKernels.OneDnnConvolutionsOff ? "off" : "on",
            ["onednn_isa_cap"] = Environment.GetEnvironmentVariable(CpuKernels.IsaVariable) ?? "none",
            ["vmhwm_kb"] = ProcStatus("VmHWM"),
            ["libtorch"] = MappedLibrary("libtorch_cpu"),
            ["threads"] = torch.get_num_threads(),
            ["modules"] = net.modules().Count(),
        };
        if (drift is not null) result["drift"] = drift;
        Console.WriteLine(JsonSerializer.Serialize(result, Json));
        return 0;
    }

    /// <summary>The setup of one process: which of the runtime's speed settings it applies.</summary>
    sealed record Setup(string Name, bool Retain, bool ChannelsLast, bool Folded, bool InPlace = false)
    {
        public static Setup Parse(string name)
        {
            if (name == "shipped") return new Setup(name, false, false, false);
            if (name == "inplace") return new Setup(name, false, false, false, InPlace: true);
            var parts = name == "all" ? new[] { "retain", "channels-last", "folded" } : name.Split('+');
            foreach (var part in parts)
                if (part is not ("retain" or "channels-last" or "folded")) throw new ArgumentException($"unknown --setup part {part}");
            return new Setup(name, parts.Contains("retain"), parts.Contains("channels-last"), parts.Contains("folded"));
        }
    }

    /// <summary>An experiment, not a runtime feature: every ReLU and ReLU6 of the model computes in place, as in
    /// TorchVision's hand-written classes. Valid only where every activation reads a temporary no one else reads
    /// (true of the generated ResNets and MobileNet V2: an activation follows a batch norm or the residual sum); the
    /// process checks the output against the unchanged model's. What an emitter that knows this statically would
    /// give.</summary>
    static int InPlaceActivations(nn.Module net)
    {
        int n = 0;
        foreach (var m in net.modules())
        {
            if (m is TorchSharp.Modules.ReLU relu) { relu.inplace = true; n++; }
            else if (m is TorchSharp.Modules.ReLU6 relu6) { relu6.inplace = true; n++; }
        }
        return n;
    }

    static Tensor Forward(nn.Module<Tensor, Tensor> net, Tensor x, bool channelsLast)
    {
        using var _ = torch.no_grad();
        if (!channelsLast) return net.call(x);
        using var input = TensorMemory.ChannelsLast(x);
        return net.call(input);
    }

    /// <summary>max |output − reference|, max |reference| and the suite's tolerance, 1e-4 · max(1, max |reference|).</summary>
    static Dictionary<string, double> Drift(Tensor reference, Tensor output)
    {
        using var diff = (output - reference).abs();
        using var maxDiff = diff.max();
        using var absRef = reference.abs();
        using var maxRef = absRef.max();
        double d = maxDiff.item<float>(), r = maxRef.item<float>();
        var tolerance = 1e-4 * Math.Max(1.0, r);
        return new Dictionary<string, double> { ["max_abs_diff"] = d, ["max_abs_reference"] = r, ["tolerance"] = tolerance, ["within"] = d <= tolerance ? 1 : 0 };
    }

    static Timings Inference(nn.Module<Tensor, Tensor> net, int batch, long size, int warmup, int iters, bool channelsLast)
    {
        net.eval();
        using var plain = torch.randn(batch, 3, size, size);
        using var x = channelsLast ? TensorMemory.ChannelsLast(plain) : plain.alias();
        using var _ = torch.no_grad();
        return Time(warmup, iters, () =>
        {
            using var y = net.call(x);
        });
    }

    static Timings TrainingSteps(nn.Module<Tensor, Tensor> net, int batch, long size, int warmup, int iters, bool channelsLast)
    {
        net.train();
        using var plain = torch.randn(batch, 3, size, size);
        using var x = channelsLast ? TensorMemory.ChannelsLast(plain) : plain.alias();
        using var labels = torch.randint(0, 1000, new long[] { batch }, dtype: ScalarType.Int64);
        using var optimizer = torch.optim.SGD(net.parameters(), 0.01, momentum: 0.9);
        return Time(warmup, iters, () =>
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(net.call(x), labels);
            loss.backward();
            optimizer.step();
        });
    }

    /// <summary>Managed bytes allocated per forward call after warm-up, for each block of 10 calls.</summary>
    static Dictionary<string, double[]> Allocations(nn.Module<Tensor, Tensor> net, int batch, int warmup, int iters)
    {
        net.eval();
        using var x = torch.randn(batch, 3, 224, 224);
        using var _ = torch.no_grad();
        for (int i = 0; i < warmup; i++) net.call(x).Dispose();
        var perCall = new double[iters];
        for (int i = 0; i < iters; i++)
        {
            const int calls = 10;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int c = 0; c < calls; c++) net.call(x).Dispose();
            perCall[i] = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)calls;
        }
        return new Dictionary<string, double[]> { ["bytes_per_call"] = perCall };
    }

    /// <summary>Managed bytes per call of single engine operations on a small input (1×16×8×8), averaged over
    /// 1000 calls after warm-up: what one call costs the GC beyond the native work.</summary>
    static Dictionary<string, double> HotPath()
    {
        using var _ = torch.no_grad();
        using var x = torch.randn(1, 16, 8, 8);
        using var v = torch.randn(1, 64);
        using var conv = nn.Conv2d(16, 16, 3, padding: 1, bias: false);
        using var bn = nn.BatchNorm2d(16);
        using var relu = nn.ReLU();
        using var fc = nn.Linear(64, 10);
        using var seq = nn.Sequential(conv, bn, relu);
        bn.eval();
        seq.eval();
        var ops = new (string, Func<Tensor>)[]
        {
            ("x.relu() (one result tensor)", () => x.relu()),
            ("x.add(x)", () => x.add(x)),
            ("Conv2d.call", () => conv.call(x)),
            ("BatchNorm2d.call (eval)", () => bn.call(x)),
            ("ReLU.call", () => relu.call(x)),
            ("Linear.call", () => fc.call(v)),
            ("Sequential(conv, bn, relu).call", () => seq.call(x)),
            ("scope + conv + dispose", () => { using var s = torch.NewDisposeScope(); return conv.call(x).MoveToOuterDisposeScope(); }),
        };
        var result = new Dictionary<string, double>();
        foreach (var (name, op) in ops)
        {
            for (int i = 0; i < 100; i++) op().Dispose();
            const int calls = 1000;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++) op().Dispose();
            result[name] = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)calls;
        }
        return result;
    }

    public sealed record Timings(double[] wall_ms, double[] cpu_ms);

    static Timings Time(int warmup, int iters, Action step)
    {
        for (int i = 0; i < warmup; i++) step();
        var (wall, cpu) = (new double[iters], new double[iters]);
        for (int i = 0; i < iters; i++)
        {
            double cpu0 = CpuMilliseconds();
            long start = Stopwatch.GetTimestamp();
            step();
            wall[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            cpu[i] = CpuMilliseconds() - cpu0;
        }
        return new Timings(wall, cpu);
    }

    [StructLayout(LayoutKind.Sequential)]
    struct Timespec { public long Seconds; public long Nanoseconds; }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    static extern int ClockGetTime(int clock, out Timespec time);

    /// <summary>CPU time of the whole process (CLOCK_PROCESS_CPUTIME_ID, as Python's time.process_time).</summary>
    static double CpuMilliseconds()
    {
        const int ProcessCpuTime = 2;
        ClockGetTime(ProcessCpuTime, out var t);
        return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
    }

    /// <summary>The rival's output against the generated class's, both loaded strictly from the same file and given
    /// the same random batch-norm statistics and affine parameters (torchvision's fresh ones keep some networks'
    /// outputs near zero, where the tolerance's absolute floor would pass anything).</summary>
    static Dictionary<string, object> Compare(string model, string rival, string weights, long size)
    {
        using var generated = Create(model);
        using var hand = Rival(rival);
        generated.load(weights, strict: true);
        hand.load(weights, strict: true);
        var theirs = hand.state_dict();
        var keys = generated.state_dict().Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        if (!keys.SequenceEqual(theirs.Keys.OrderBy(k => k, StringComparer.Ordinal)))
            throw new InvalidOperationException("state-dict keys differ");
        torch.manual_seed(7);
        int randomised = 0;
        using (torch.no_grad())
        {
            foreach (var (key, mine) in generated.state_dict())
            {
                var normBuffer = key.EndsWith(".running_mean", StringComparison.Ordinal) || key.EndsWith(".running_var", StringComparison.Ordinal);
                var owner = key[..key.LastIndexOf('.')];
                var isNorm = normBuffer || generated.state_dict().ContainsKey(owner + ".running_var");
                if (!isNorm || mine.dtype != ScalarType.Float32) continue;
                using var values = key.EndsWith(".running_var", StringComparison.Ordinal) ? torch.rand_like(mine) + 0.5
                    : key.EndsWith(".weight", StringComparison.Ordinal) ? torch.rand_like(mine) + 0.5 : torch.randn_like(mine) * 0.1;
                mine.copy_(values);
                theirs[key].copy_(values);
                randomised++;
            }
        }
        generated.eval();
        hand.eval();
        using var x = torch.randn(2, 3, size, size);
        using var expected = Forward(generated, x, channelsLast: false);
        using var actual = Forward(hand, x, channelsLast: false);
        var drift = Drift(expected, actual);
        return new Dictionary<string, object>
        {
            ["side"] = "csharp", ["task"] = "compare", ["model"] = model, ["rival"] = rival,
            ["keys"] = keys.Length, ["randomised"] = randomised, ["drift"] = drift,
            ["nan_generated"] = expected.isnan().sum().item<long>(), ["nan_torchvision"] = actual.isnan().sum().item<long>(),
            ["onednn_convolutions"] = CpuKernels.OneDnnConvolutionsOff ? "off" : "on",
        };
    }

    /// <summary>Time of one large convolution, the machine's attainable rate for the kernels networks use.</summary>
    static Dictionary<string, object> Peak(int warmup, int iters)
    {
        using var _ = torch.no_grad();
        using var conv = nn.Conv2d(256, 256, 3, padding: 1, bias: false);
        using var x = torch.randn(8, 256, 56, 56);
        long macs = 8L * 256 * 56 * 56 * 256 * 9;
        var t = Time(warmup, iters, () => { using var y = conv.call(x); });
        return new Dictionary<string, object>
        {
            ["side"] = "csharp", ["task"] = "peak", ["shape"] = "8x256x56x56, 3x3, 256 out", ["macs"] = macs,
            ["runs"] = new Dictionary<string, object> { ["b8"] = t }, ["threads"] = torch.get_num_threads(),
            ["onednn_convolutions"] = CpuKernels.OneDnnConvolutionsOff ? "off" : "on",
            ["vmhwm_kb"] = ProcStatus("VmHWM"), ["libtorch"] = MappedLibrary("libtorch_cpu"),
        };
    }

    /// <summary>TorchSharp's hand-written port: torchvision.models.FACTORY of the TorchVision package, defaults.</summary>
    static nn.Module<Tensor, Tensor> Rival(string factory)
    {
        var method = typeof(torchvision.models).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == factory && m.GetParameters().All(p => p.IsOptional))
            .OrderBy(m => m.GetParameters().Length).FirstOrDefault()
            ?? throw new ArgumentException($"TorchVision has no torchvision.models.{factory}()");
        var args = method.GetParameters().Select(_ => Type.Missing).ToArray();
        return (nn.Module<Tensor, Tensor>)method.Invoke(null, BindingFlags.OptionalParamBinding, null, args, CultureInfo.InvariantCulture)!;
    }

    static NetworkMetadata Metadata(string name) =>
        (NetworkMetadata)(GeneratedType(name).GetProperty("Metadata", BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            ?? throw new ArgumentException($"{name} has no Metadata"));

    static Type GeneratedType(string name) =>
        typeof(Program).Assembly.GetTypes().SingleOrDefault(t => t.Namespace == "ArchDsl.Catalogue" && t.Name == name)
            ?? throw new ArgumentException($"no generated class {name}");

    static nn.Module<Tensor, Tensor> Create(string name)
    {
        var type = GeneratedType(name);
        var ctor = type.GetConstructors().OrderBy(c => c.GetParameters().Length)
            .First(c => c.GetParameters().All(p => p.IsOptional));
        var args = ctor.GetParameters().Select(_ => Type.Missing).ToArray();
        return (nn.Module<Tensor, Tensor>)ctor.Invoke(BindingFlags.OptionalParamBinding, null, args, CultureInfo.InvariantCulture);
    }

    static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>A "Key:  N kB" line of /proc/self/status, in kB.</summary>
    static long ProcStatus(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key + ":", StringComparison.Ordinal))
                return long.Parse(line.Substring(key.Length + 1).Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return -1;
    }

    /// <summary>The file a shared library was mapped from, to show which libtorch a run used.</summary>
    static string MappedLibrary(string stem) =>
        File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 6 && Path.GetFileName(p[5]).StartsWith(stem, StringComparison.Ordinal))
            .Select(p => p[5]).FirstOrDefault() ?? "?";
}
