#!/usr/bin/python3
"""Generated C# on TorchSharp (libtorch 2.10) in interleaved processes, with torchvision as an older-engine control.

Run through ./bench.sh (which builds bench/ArchDsl.Bench first). For each model, each round runs one process
per (side, task, setup) — see jobs() — in reverse order every other round, all with the same intra-op
thread count and the same weights (torchvision's, exported once with tools/weights/export.py). Each process
times warm iterations (wall clock and process CPU time), reports its peak resident memory (VmHWM), and the
machine's 1-minute load average is recorded before and after it.
C# setups (bench/ArchDsl.Bench/Program.cs): shipped, retain (TensorMemory.Retain), channels-last, folded
(Fusion.FoldBatchNorms) and combinations; "all" = the three. The Python side is Debian's torch 1.13 with
torchvision — an older libtorch than the C# side's, so its column is a control, not a like-for-like ratio.
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
# C# inference setups, in table order
SETUPS = ["shipped", "retain", "channels-last", "folded", "retain+channels-last", "retain+folded", "all"]
# Python controls: torchvision on Debian's torch 1.13 as shipped, and with every convolution forced through
# torch.mkldnn_convolution and glibc keeping freed memory (what reached ResNet-50's 62 ms on this machine)
CONTROLS = ["shipped", "onednn+retain"]
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def run_json(cmd, env):
    load_before = os.getloadavg()[0]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["load"] = [load_before, os.getloadavg()[0]]
    return res


def export_weights(builder, cache, kwargs="{}"):
    """torchvision's BUILDER(**kwargs) state dict at seed 0 in TorchSharp's format, exported once into CACHE."""
    # the kwargs are part of the name: inception_v3 with and without its auxiliary head are different state dicts
    tag = "" if kwargs in ("", "{}") else "-" + "".join(c for c in kwargs if c.isalnum() or c == "_")
    path = os.path.join(cache, builder + tag + ".dat")
    if not os.path.exists(path):
        subprocess.run([PYTHON, EXPORT, "--torchvision", builder, "--kwargs", kwargs, "--seed", "0", "--out", path],
                       check=True, capture_output=True)
    return path


def jobs(cls, builder, weights, a, round_index):
    """The processes of one model in one round, as (side, task, setup, isa, command). isa: the oneDNN instruction
    set cap the process was started with ("" = the runtime's own choice, CpuKernels: on this machine class
    oneDNN convolutions off and the rest of oneDNN capped at AVX2)."""
    infer = ["--batches", "1,8", "--iters", f"{a.iters_b1},{a.iters_b8}", "--warmup", "2"]
    train = ["--batches", "8", "--iters", str(a.iters_train), "--warmup", "1"]
    threads = ["--threads", str(a.threads)]

    def cs(task, setup, opts, isa=""):
        return ("csharp", task, setup, isa, [CSHARP, cls, task, weights, "--setup", setup] + threads + opts)

    def py(task, setup, opts):
        return ("python", task, setup, "", [PYTHON, TORCHVISION_SIDE, builder, task, weights, "--setup", setup] + threads + opts)
    out = []
    if "infer" in a.tasks:
        out += [cs("infer", s, infer) for s in a.setups] + [py("infer", s, infer) for s in a.controls]
        if a.isa and round_index == 0:  # once: the same setups without the runtime's ISA cap, for comparison
            out += [cs("infer", s, infer, a.isa) for s in a.isa_setups]
    if "train" in a.tasks:
        out += [cs("train", s, train) for s in ("shipped", "retain")] + [py("train", "shipped", train)]
    return out


def interleaved(processes, round_index):
    """Even rounds run in the listed order, odd rounds in reverse: no setup always runs first or last."""
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
    def pick(side, task, setup, isa=""):
        return [r for r in results if r["side"] == side and r["task"] == task and r.get("setup", "shipped") == setup
                and r.get("isa", "") == isa and r["model_class"] == cls]

    def times(side, task, setup, batch, clock="cpu_ms", isa=""):
        return [t for r in pick(side, task, setup, isa) for t in r["runs"].get(f"b{batch}", {}).get(clock, [])]

    def med(xs):
        return statistics.median(xs) if xs else None

    def loads(rows):
        ls = [l for r in rows for l in r.get("load", [])]
        return f"{min(ls):.0f}–{max(ls):.0f}" if ls else "?"

    out = [BEGIN, "",
           (f"Run of {meta['date']}: `{' '.join(['./bench.sh'] + meta['argv'])}`, " if not meta["argv"] or not meta["argv"][0].startswith("`")
            else f"Runs of {meta['date']}: {meta['argv'][0]}, ") + f"{a.rounds} interleaved round(s), "
           f"{a.threads} intra-op thread(s) on both sides (OMP_NUM_THREADS/MKL_NUM_THREADS and torch.set_num_threads), "
           f"took {meta['minutes']:.1f} min.",
           f"Load average (1 min) at the start / end: {meta['load_before']:.1f} / {meta['load_after']:.1f} on "
           f"{os.cpu_count()} CPU(s); per process it is in the tables (min–max of the values before and after each "
           "process of that row).", "",
           "Machine:", "", "```"] + meta["machine"] + [
           f"libtorch mapped: {', '.join(sorted(meta['libtorch']))}",
           f"Python side (control, older engine): torch {meta['torch']}, torchvision {meta['torchvision']}, "
           f"torch.get_num_threads() = {meta['py_threads']}",
           f"C# side: .NET {meta['dotnet']}, generated classes on TorchSharp (libtorch 2.10), "
           f"torch.get_num_threads() = {meta['cs_threads']}",
           "```", "",
           "### Inference latency (ms, process CPU time: median [interquartile range])", "",
           "eval + no_grad, torchvision's weights. Setups: *shipped* (TorchSharp and ArchDsl.Runtime as they start; "
           "on this machine class `CpuKernels` turns libtorch's oneDNN convolutions off and caps the rest of oneDNN at AVX2), *retain* (`TensorMemory.Retain()`), "
           "*channels-last* (input and every 4-D parameter in channels-last layout), *folded* "
           "(`Fusion.FoldBatchNorms`), *all* (the three). Ratio: shipped median / this median (above 1: faster). "
           "Rows marked *torchvision 1.13* are the control on Debian's older libtorch: *onednn+retain* forces every "
           "convolution through `torch.mkldnn_convolution` and keeps freed memory. Rows marked with an ISA ran with "
           "`ONEDNN_MAX_CPU_ISA` set to it (the cap lifted), once.", "",
           "| Model | Setup | batch 1 | ratio | batch 8 | ratio | wall b1 / b8 | load | VmHWM MiB |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for cls in a.models:
        base = {b: med(times("csharp", "infer", "shipped", b)) for b in (1, 8)}
        rows = [("csharp", s, "", s) for s in SETUPS]
        rows += [("csharp", s, a.isa, f"{s}, {a.isa}") for s in a.isa_setups] if a.isa else []
        rows += [("python", s, "", f"torchvision 1.13, {s}") for s in CONTROLS]
        for side, setup, isa, label in rows:
            rs = pick(side, "infer", setup, isa)
            if not rs:
                continue
            cells = []
            for b in (1, 8):
                xs = times(side, "infer", setup, b, isa=isa)
                cells += [fmt(quartiles(xs)), f"**{base[b] / med(xs):.2f}**" if xs and base[b] else "–"] if xs else ["–", "–"]
            walls = " / ".join(f"{med(times(side, 'infer', setup, b, 'wall_ms', isa)):,.0f}" for b in (1, 8)
                               if times(side, "infer", setup, b, "wall_ms", isa))
            mem = med([r["vmhwm_kb"] / 1024 for r in rs])
            out.append(f"| {cls} | {label} | " + " | ".join(cells) + f" | {walls} | {loads(rs)} | {mem:,.0f} |")
    drift_rows = [r for r in results if r["side"] == "csharp" and "drift" in r]
    if drift_rows:
        out += ["", "### Outputs of the changed setups against the shipped model (batch 1, same process)", "",
                "The suite's tolerance: max |difference| ≤ 1e-4 · max(1, max |reference|).", "",
                "| Model | Setup | max abs difference (worst over runs) | max abs reference | relative | within tolerance |",
                "|---|---|---:|---:|---:|---|"]
        for cls in a.models:
            for setup in SETUPS:
                rs = [r for r in drift_rows if r["model_class"] == cls and r["setup"] == setup]
                if not rs:
                    continue
                worst = max(r["drift"]["max_abs_diff"] for r in rs)
                ref = rs[0]["drift"]["max_abs_reference"]
                ok = all(r["drift"]["within"] for r in rs)
                rel = f"{worst / ref:.1e}" if ref else "–"
                out.append(f"| {cls} | {setup} | {worst:.2e} | {ref:.3g} | {rel} | {'yes' if ok else '**no**'} |")
    train_rows = [r for r in results if r["task"] == "train"]
    if train_rows:
        out += ["", "### Training step, batch 8 (ms, process CPU time: median [interquartile range])", "",
                "| Model | C# shipped | C# retain | torchvision 1.13 (control) |", "|---|---:|---:|---:|"]
        for cls in a.models:
            cells = [times(side, "train", setup, 8) for side, setup in
                     (("csharp", "shipped"), ("csharp", "retain"), ("python", "shipped"))]
            if any(cells):
                out.append(f"| {cls} | " + " | ".join(fmt(quartiles(c)) if c else "–" for c in cells) + " |")
    out += ["", END]
    return "\n".join(out)


def write_doc(section, path, begin=BEGIN, end=END):
    """Replaces the text between the markers (the section includes them) in PATH."""
    text = open(path).read() if os.path.exists(path) else f"# Performance\n\n{begin}\n{end}\n"
    if begin not in text:
        text += f"\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    with open(path, "w") as f:
        f.write(head + section + tail)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--iters-b1", type=int, default=5)
    p.add_argument("--iters-b8", type=int, default=3)
    p.add_argument("--iters-train", type=int, default=2)
    p.add_argument("--skip-train", action="store_true", help="inference only")
    p.add_argument("--tasks", nargs="+", default=["infer", "train"], choices=["infer", "train"])
    p.add_argument("--setups", nargs="+", default=SETUPS, choices=SETUPS, help="C# inference setups (see jobs())")
    p.add_argument("--controls", nargs="+", default=CONTROLS, choices=CONTROLS + ["none"],
                   help="torchvision (Debian's torch 1.13) controls; none: skip the Python side")
    p.add_argument("--isa", default="AVX512_CORE",
                   help="ONEDNN_MAX_CPU_ISA for a one-off comparison in round 1 (empty: skip)")
    p.add_argument("--isa-setups", nargs="+", default=["shipped", "all"], choices=SETUPS)
    p.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    p.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"))
    p.add_argument("--no-doc", action="store_true", help="print the tables instead of writing docs/performance.md")
    p.add_argument("--render", metavar="RESULTS", nargs="+",
                   help="only render results of earlier runs (results.json, or partial.json of interrupted ones, merged)")
    a = p.parse_args()
    a.controls = [c for c in a.controls if c != "none"]
    if a.skip_train:
        a.tasks = [t for t in a.tasks if t != "train"]
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
                a.isa = saved["args"].get("isa", a.isa)
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
            for side, task, setup, isa, cmd in interleaved(jobs(cls, MODELS[cls], weights[cls], a, r), r):
                res = run_json(cmd, dict(env, ONEDNN_MAX_CPU_ISA=isa) if isa else env)
                res["model_class"], res["round"], res["isa"] = cls, r, isa
                results.append(res)
                cpu = {b: round(statistics.median(v["cpu_ms"]), 1) for b, v in res["runs"].items()}
                print(f"round {r + 1}/{a.rounds} {cls:18} {side:6} {task:5} {setup + (' ' + isa if isa else ''):22} "
                      f"cpu ms {cpu} VmHWM {res['vmhwm_kb'] / 1024:.0f} MiB load {res['load'][0]:.1f}→{res['load'][1]:.1f}",
                      flush=True)
                with open(os.path.join(artifacts, "partial.json"), "w") as f:  # survives an interrupted run
                    json.dump(results, f)
    meta = describe(results, a, start, load_before)
    with open(os.path.join(artifacts, "results.json"), "w") as f:
        json.dump({"results": results, "meta": meta,
                   "args": {"threads": a.threads, "rounds": a.rounds, "isa": a.isa}}, f, indent=1)
    publish(render(results, a, meta), a)


def describe(results, a, start, load_before):
    """The run's circumstances: machine, versions, load, duration."""
    py = next((r for r in results if r["side"] == "python"), {"torch": "–", "torchvision": "–", "threads": "–"})
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
