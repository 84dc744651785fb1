#!/usr/bin/python3
"""Generated C# against torchvision eager on the same libtorch, in interleaved processes.

Run through ./bench.sh (which builds bench/ArchDsl.Bench first). For each model, each round runs one process
per (side, task, setup) — see jobs() — in reverse order every other round, all with the same intra-op
thread count and the same weights (torchvision's, exported once with tools/weights/export.py). Each process
times warm iterations (wall clock and process CPU time) and reports its peak resident memory (VmHWM).
The tables go into docs/performance.md between the bench markers; raw results into artifacts/bench/.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = "/usr/bin/python3"
CSHARP = os.path.join(ROOT, "bench", "ArchDsl.Bench", "bin", "Release", "net10.0", "ArchDsl.Bench")
TORCHVISION_SIDE = os.path.join(ROOT, "bench", "python", "torchvision_side.py")
EXPORT = os.path.join(ROOT, "tools", "weights", "export.py")

# generated class -> torchvision builder (the .arch variant's reference)
# lightest first, so an interrupted run (artifacts/bench/partial.json) holds the most models
MODELS = {
    "ShuffleNetV2_x1_0": "shufflenet_v2_x1_0",
    "MobileNetV2_100": "mobilenet_v2",
    "EfficientNetB0": "efficientnet_b0",
    "DenseNet121": "densenet121",
    "ResNet50": "resnet50",
}
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def run_json(cmd, env):
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def export_weights(builder, cache):
    path = os.path.join(cache, builder + ".dat")
    if not os.path.exists(path):
        subprocess.run([PYTHON, EXPORT, "--torchvision", builder, "--seed", "0", "--out", path],
                       check=True, capture_output=True)
    return path


def jobs(cls, builder, weights, a):
    """The processes of one model in one round, as (side, task, setup, command). setup "shipped": libtorch's own
    kernel choice and the C library's allocator, what torchvision runs as shipped. setup "fast": oneDNN for every
    convolution and freed tensor memory kept for reuse — on the C# side the engine's ConvolutionKernel.OneDnn and
    RetainTensorMemory, on the Python side (the control) torch.mkldnn_convolution and glibc told not to unmap."""
    infer = ["--batches", "1,8", "--iters", f"{a.iters_b1},{a.iters_b8}", "--warmup", "2"]
    train = ["--batches", "8", "--iters", str(a.iters_train), "--warmup", "1"]
    threads = ["--threads", str(a.threads)]

    def cs(task, setup, opts):
        return ("csharp", task, setup, [CSHARP, cls, task, weights, "--setup", setup] + threads + opts)

    def py(task, setup, opts):
        return ("python", task, setup, [PYTHON, TORCHVISION_SIDE, builder, task, weights, "--setup", setup] + threads + opts)
    return [
        cs("infer", "shipped", infer), py("infer", "shipped", infer), cs("infer-fused", "shipped", infer),
        cs("infer", "fast", infer), py("infer", "fast", infer), cs("infer-fused", "fast", infer),
        cs("train", "shipped", train), py("train", "shipped", train),
        cs("train", "fast", train), py("train", "fast", train),
    ]


def interleaved(processes, round_index):
    """Even rounds run in the listed order (C# before Python in each pair), odd rounds in reverse."""
    return processes if round_index % 2 == 0 else list(reversed(processes))


def quartiles(xs):
    xs = sorted(xs)
    if len(xs) < 2:
        return xs[0], xs[0], xs[0]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], statistics.median(xs), q[2]


def machine():
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    keep = ("Architecture", "Model name", "CPU(s)", "Thread(s) per core", "Core(s) per socket", "Socket(s)",
            "L1d cache", "L2 cache", "L3 cache", "Flags")
    lines = []
    for line in lscpu.splitlines():
        key = line.split(":")[0].strip()
        if key in keep:
            value = line.split(":", 1)[1].strip()
            if key == "Flags":  # only the vector extensions libtorch dispatches on
                value = " ".join(f for f in value.split() if f.startswith(("avx", "fma", "sse4")))
            lines.append(f"{key}: {value}")
    mem = next((l for l in open("/proc/meminfo") if l.startswith("MemTotal")), "").strip()
    return lines + [mem, f"Kernel: {platform.release()}"]


def fmt(q):
    lo, med, hi = q
    return f"{med:,.1f} [{lo:,.1f}–{hi:,.1f}]"


def render(results, a, meta):
    def pick(side, task, setup):
        return [r for r in results if r["side"] == side and r["task"] == task and r.get("setup", "shipped") == setup
                and r["model_class"] == cls]

    def times(side, task, setup, batch, clock="cpu_ms"):
        return [t for r in pick(side, task, setup) for t in r["runs"].get(f"b{batch}", {}).get(clock, [])]

    def memory(side, task, setup):
        return [r["vmhwm_kb"] / 1024 for r in pick(side, task, setup)]

    def med(xs):
        return statistics.median(xs) if xs else None

    out = [BEGIN, "",
           (f"Run of {meta['date']}: `{' '.join(['./bench.sh'] + meta['argv'])}`, " if not meta["argv"] or not meta["argv"][0].startswith("`")
            else f"Runs of {meta['date']}: {meta['argv'][0]}, ") + f"{a.rounds} interleaved round(s), "
           f"{a.threads} intra-op thread(s) on both sides (OMP_NUM_THREADS/MKL_NUM_THREADS, and "
           f"torch.set_num_threads in Python), took {meta['minutes']:.1f} min.",
           f"Load average (1 min) at the start / end: {meta['load_before']:.1f} / {meta['load_after']:.1f} on "
           f"{os.cpu_count()} CPU(s).", "",
           "Machine:", "", "```"] + meta["machine"] + [
           f"libtorch mapped by both sides: {', '.join(sorted(meta['libtorch']))}",
           f"Python side: torch {meta['torch']}, torchvision {meta['torchvision']}, "
           f"torch.get_num_threads() = {meta['py_threads']}",
           f"C# side: .NET {meta['dotnet']}, generated classes on src/Engine, torch.get_num_threads() = {meta['cs_threads']}",
           "```", "",
           "### Latency (ms, process CPU time: median [interquartile range])", "",
           "Ratio = C# median / torchvision median (below 1: C# faster); torchvision runs as shipped (libtorch's kernel "
           "choice, glibc's allocator). *fast*: the C# process set `EngineSettings.ConvolutionKernel = OneDnn` and "
           "`EngineSettings.RetainTensorMemory()`; the column \"torchvision, fast\" is the control — torchvision with "
           "every convolution routed to the same `torch.mkldnn_convolution` and glibc told to keep freed memory "
           "(`mallopt`: no mmap, no trimming) — so the last ratio shows what is left once both sides do the same work. "
           "*BN folded*: `Fusion.FoldBatchNorms`. Wall ratio: C# / torchvision wall-clock medians.", "",
           "| Model | Task | C# | torchvision | C#/torchvision | torchvision, fast | C#/that | wall ratio |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    for cls in a.models:
        rows = []
        for b in (1, 8):
            rows += [(f"inference, batch {b}", "infer", "shipped", b, False),
                     (f"inference, batch {b}, BN folded", "infer-fused", "shipped", b, False),
                     (f"inference, batch {b}, fast", "infer", "fast", b, True),
                     (f"inference, batch {b}, fast + BN folded", "infer-fused", "fast", b, True)]
        rows += [("training step, batch 8", "train", "shipped", 8, False),
                 ("training step, batch 8, fast", "train", "fast", 8, True)]
        for label, task, setup, batch, control in rows:
            base_task = "train" if task == "train" else "infer"
            cs, py = times("csharp", task, setup, batch), times("python", base_task, "shipped", batch)
            if not cs or not py:
                continue
            ctrl = times("python", base_task, "fast", batch) if control else []
            csw, pyw = med(times("csharp", task, setup, batch, "wall_ms")), med(times("python", base_task, "shipped", batch, "wall_ms"))
            ctrl_cells = f"{fmt(quartiles(ctrl))} | **{med(cs) / med(ctrl):.2f}**" if ctrl else "– | –"
            out.append(f"| {cls} | {label} | {fmt(quartiles(cs))} | {fmt(quartiles(py))} | **{med(cs) / med(py):.2f}** | "
                       f"{ctrl_cells} | {csw / pyw:.2f} |")
    out += ["", "### Batch norm folding (C# unfused / C# folded, CPU-time medians)", "",
            "| Model | batch 1, shipped | batch 8, shipped | batch 1, fast | batch 8, fast |",
            "|---|---:|---:|---:|---:|"]
    for cls in a.models:
        cells = []
        for setup in ("shipped", "fast"):
            for batch in (1, 8):
                un, fu = med(times("csharp", "infer", setup, batch)), med(times("csharp", "infer-fused", setup, batch))
                cells.append(f"{un / fu:.2f}×" if un and fu else "–")
        out.append(f"| {cls} | " + " | ".join(cells) + " |")
    out += ["", "### Peak resident memory (VmHWM, MiB, median over rounds)", "",
            "Inference processes ran batch 1 then batch 8; training processes ran batch-8 steps. Ratios are against "
            "torchvision as shipped.", "",
            "| Model | C# inference | C# inference, fast + BN folded | torchvision inference | ratios | "
            "C# training | C# training, fast | torchvision training | ratios |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for cls in a.models:
        cells = []
        for task, fast_task in (("infer", "infer-fused"), ("train", "train")):
            a1, a2, p = med(memory("csharp", task, "shipped")), med(memory("csharp", fast_task, "fast")), med(memory("python", task, "shipped"))
            cells += [f"{v:,.0f}" if v else "–" for v in (a1, a2, p)]
            cells.append(" / ".join(f"**{v / p:.2f}**" for v in (a1, a2) if v) if p else "–")
        out.append(f"| {cls} | " + " | ".join(cells) + " |")
    out += ["", END]
    return "\n".join(out)


def write_doc(section, path):
    text = open(path).read() if os.path.exists(path) else f"# Performance\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(path, "w") as f:
        f.write(head + section + tail)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--iters-b1", type=int, default=10)
    p.add_argument("--iters-b8", type=int, default=3)
    p.add_argument("--iters-train", type=int, default=2)
    p.add_argument("--skip-train", action="store_true", help="inference only")
    p.add_argument("--tasks", nargs="+", default=["infer", "infer-fused", "train"], choices=["infer", "infer-fused", "train"])
    p.add_argument("--setups", nargs="+", default=["shipped", "fast"], choices=["shipped", "fast"],
                   help="engine setups to measure (see jobs())")
    p.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    p.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"))
    p.add_argument("--no-doc", action="store_true", help="print the tables instead of writing docs/performance.md")
    p.add_argument("--render", metavar="RESULTS", nargs="+",
                   help="only render results of earlier runs (results.json, or partial.json of interrupted ones, merged)")
    a = p.parse_args()
    if a.render:
        results, metas = [], []
        for path in a.render:
            with open(path) as f:
                saved = json.load(f)
            if isinstance(saved, list):  # partial.json: results only
                results += saved
            else:
                results += saved["results"]
                metas.append(saved["meta"])
                a.threads, a.rounds = saved["args"]["threads"], saved["args"]["rounds"]
        a.models = [m for m in MODELS if any(r["model_class"] == m for r in results)]
        meta = dict(metas[0]) if metas else describe(results, a, time.time(), os.getloadavg()[0])
        if len(metas) > 1:  # several runs, each over part of the models or tasks
            meta["argv"] = [" + ".join("`./bench.sh " + " ".join(m["argv"]) + "`" for m in metas)]
            meta["minutes"] = sum(m["minutes"] for m in metas)
            meta["load_before"] = min(m["load_before"] for m in metas)
            meta["load_after"] = max(m["load_after"] for m in metas)
        publish(render(results, a, meta), a)
        return

    artifacts = os.path.join(ROOT, "artifacts", "bench")
    os.makedirs(artifacts, exist_ok=True)
    # Tiered JIT off for the C# side: fully optimised code from the first call, so one warm-up iteration reaches
    # steady state; otherwise tier-1 recompilation runs on a background thread during the timed iterations and
    # counts in the process's CPU time. (Python ignores the variable.)
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads), MKL_NUM_THREADS=str(a.threads), DOTNET_TieredCompilation="0")
    start, load_before = time.time(), os.getloadavg()[0]
    weights = {cls: export_weights(MODELS[cls], artifacts) for cls in a.models}
    results = []
    for r in range(a.rounds):
        for cls in a.models:
            for side, task, setup, cmd in interleaved(jobs(cls, MODELS[cls], weights[cls], a), r):
                if task not in a.tasks or setup not in a.setups or (a.skip_train and task == "train"):
                    continue
                res = run_json(cmd, env)
                res["model_class"], res["round"] = cls, r
                results.append(res)
                cpu = {b: statistics.median(v["cpu_ms"]) for b, v in res["runs"].items()}
                print(f"round {r + 1}/{a.rounds} {cls:18} {side:6} {task:11} {setup:7} cpu ms {cpu} "
                      f"VmHWM {res['vmhwm_kb'] / 1024:.0f} MiB", flush=True)
                with open(os.path.join(artifacts, "partial.json"), "w") as f:  # survives an interrupted run
                    json.dump(results, f)
    meta = describe(results, a, start, load_before)
    with open(os.path.join(artifacts, "results.json"), "w") as f:
        json.dump({"results": results, "meta": meta, "args": {"threads": a.threads, "rounds": a.rounds}}, f, indent=1)
    publish(render(results, a, meta), a)


def describe(results, a, start, load_before):
    """The run's circumstances: machine, versions, load, duration."""
    py = next(r for r in results if r["side"] == "python")
    cs_threads = next((r["threads"] for r in results if r["side"] == "csharp" and "threads" in r), "?")
    dotnet = subprocess.run(["dotnet", "--version"], capture_output=True, text=True).stdout.strip()
    meta = {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "argv": sys.argv[1:],
        "minutes": (time.time() - start) / 60, "load_before": load_before, "load_after": os.getloadavg()[0],
        "machine": machine(), "libtorch": {r["libtorch"] for r in results},
        "torch": py["torch"], "torchvision": py["torchvision"], "py_threads": py["threads"], "cs_threads": cs_threads, "dotnet": dotnet,
    }
    meta["libtorch"] = sorted(meta["libtorch"])
    return meta


def publish(section, a):
    if a.no_doc:
        print(section)
    else:
        write_doc(section, a.doc)
        print(f"wrote {a.doc}")


if __name__ == "__main__":
    main()
