#!/usr/bin/python3
"""Generated classes against TorchSharp's hand-written TorchVision ports, on the same libtorch, in interleaved processes.

Run through ./bench.sh (which builds bench/ArchDsl.Bench first). Per model: torchvision's weights are exported once
(tools/weights/export.py, cached in artifacts/bench/); a `compare` process loads them strictly into both classes and
checks the outputs agree within the suite's tolerance, once per oneDNN setting; then every round runs, per model, one
process per (implementation, task, setup, configuration), in reverse order every other round. A configuration is an
intra-op thread count and a oneDNN setting: "shipped" (ArchDsl.Runtime's CpuKernels choice: on a virtual CPU hiding
its cache geometry, libtorch's oneDNN convolutions off) or "keep" (ARCHDSL_ONEDNN=keep: libtorch as shipped). The
setting is process-wide and applied by the benchmark process itself, so the generated class and the TorchVision
model of a comparison always run under the same one. The primary configuration (1 thread, shipped) runs in every
round; the others (by default only 1 thread with oneDNN kept) run in one round each unless --full. A `peak` process per configuration times one large convolution.
Each process reports per-pass wall and CPU milliseconds, its peak resident memory (VmHWM); the 1-minute load
average is recorded around every process and at the start of every round. Tables go into docs/performance.md
between the rival markers; raw results into artifacts/bench/rival-results.json.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import CSHARP, PYTHON, ROOT, TORCHVISION_SIDE, export_weights, machine, quartiles, write_doc  # noqa: E402

# generated class, TorchVision factory (also the torchvision builder the weights come from), builder kwargs
MODELS = [
    ("ResNet18", "resnet18", "{}"),
    ("ResNet50", "resnet50", "{}"),
    ("MobileNetV2_100", "mobilenet_v2", "{}"),
    ("GoogLeNetNoAux", "googlenet", '{"aux_logits": false, "init_weights": true}'),
]
MORE = [
    ("ResNet101", "resnet101", "{}"),
    ("ResNeXt50_32x4d", "resnext50_32x4d", "{}"),
    ("WideResNet50_2", "wide_resnet50_2", "{}"),
    ("MobileNetV3Large", "mobilenet_v3_large", "{}"),
    ("VGG16", "vgg16", "{}"),
    # TorchSharp's InceptionV3 always builds the auxiliary head (580 keys) but never runs it; the generated class
    # with the head runs it in training mode only, so its training step does the head's work as well (~1 % of MACs)
    ("InceptionV3Aux", "inception_v3", '{"aux_logits": true, "init_weights": true}'),
]
PRIMARY = (1, "shipped")
SECONDARY = [(1, "keep")]            # the default's other configuration, in round 1 only unless --full
EXTRA = [(2, "shipped")]              # --full (or --configs): wall-clock figures, meaningful on a quiet machine only
BEGIN, END = "<!-- rival:begin -->", "<!-- rival:end -->"
IMPLS = ("generated", "torchvision")
# A third column, labelled as such: torchvision 0.14 in Python on Debian's torch 1.13, an older libtorch than both
# C# classes' 2.10, with the same weights file. It runs where oneDNN is as shipped (the oneDNN switch is the C#
# runtime's).
OLDER = "torch113"


def env_for(base, threads, onednn):
    env = dict(base, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    env.pop("ARCHDSL_ONEDNN", None)
    if onednn == "keep":
        env["ARCHDSL_ONEDNN"] = "keep"
    return env


def run_process(cmd, env):
    """One measurement process; a failed one (a crash in libtorch, say) is recorded, not fatal."""
    load_before = os.getloadavg()[0]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        res = {"failed": out.returncode, "stderr": out.stderr.strip().splitlines()[-3:]}
    else:
        res = json.loads(out.stdout.strip().splitlines()[-1])
    res["load"] = [load_before, os.getloadavg()[0]]
    return res


def jobs(cls, factory, kwargs, weights, a, config):
    """The processes of one model in one configuration: (impl, task, setup, command)."""
    threads, onednn = config
    infer = ["--batches", "1,8", "--iters", f"{a.iters_b1},{a.iters_b8}", "--warmup", "1"]
    train = ["--batches", "8", "--iters", str(a.iters_train), "--warmup", "1"]

    def cmd(impl, task, setup, opts):
        if impl == OLDER:
            size = ["--size", "299"] if factory == "inception_v3" else []
            return (impl, task, setup, [PYTHON, TORCHVISION_SIDE, factory, task, weights, "--threads", str(threads),
                                        "--kwargs", kwargs] + size + opts)
        rival = ["--rival", factory] if impl == "torchvision" else []
        return (impl, task, setup, [CSHARP, cls, task, weights, "--setup", setup, "--threads", str(threads)] + rival + opts)
    older = a.older and onednn == "shipped"
    out = []
    for task, opts in (("infer", infer), ("train", train)):
        if task not in a.tasks:
            continue
        out += [cmd("generated", task, "shipped", opts), cmd("torchvision", task, "shipped", opts)]
        if task == "infer" and a.folded and config == PRIMARY:
            out.append(cmd("generated", "infer", "folded", infer))
        if older:
            out.append(cmd(OLDER, task, "shipped", opts))
    return out


def clock(threads):
    """CPU time with one intra-op thread (the work, less the scheduler's share on a loaded machine); wall time with
    more (CPU time would add the threads up, spinning included)."""
    return "cpu_ms" if threads == 1 else "wall_ms"


def med(xs):
    return statistics.median(xs) if xs else None


def cell(xs):
    if not xs:
        return "–"
    lo, m, hi = quartiles(xs)
    return f"{m:,.0f} [{lo:,.0f}–{hi:,.0f}]" if m >= 100 else f"{m:,.1f} [{lo:,.1f}–{hi:,.1f}]"


def ratio(num, den, goal=None):
    if not num or not den:
        return "–"
    r = num / den
    text = f"{r:.2f}"
    return f"**{text}**" if goal is not None and r <= goal else text


def render(results, a, meta):
    def rows(cls, impl, task, setup, config):
        return [r for r in results if r.get("model_class") == cls and r.get("impl_requested") == impl
                and r.get("task_requested") == task and r.get("setup_requested") == setup and tuple(r["config"]) == config]

    def times(cls, impl, task, setup, config, batch):
        return [t for r in rows(cls, impl, task, setup, config) if "runs" in r
                for t in r["runs"].get(f"b{batch}", {}).get(clock(config[0]), [])]

    def failures(cls, impl, task, setup, config):
        return [r for r in rows(cls, impl, task, setup, config) if "failed" in r]

    def loads(rs):
        ls = [l for r in rs for l in r.get("load", [])]
        return f"{min(ls):.0f}–{max(ls):.0f}" if ls else "?"

    def mib(rs):
        xs = [r["vmhwm_kb"] / 1024 for r in rs if "vmhwm_kb" in r]
        return med(xs)

    models = [m for m in a.models if any(r.get("model_class") == m[0] for r in results)]
    configs = [PRIMARY] + [c for c in SECONDARY + EXTRA if any(tuple(r.get("config", ())) == c for r in results)]
    def run_line(m, rounds):
        return (f"`{' '.join(['./bench.sh'] + m['argv'])}` on {m['date']}: {rounds} interleaved round(s), took "
                f"{m['minutes']:.1f} min; load average (1 min) at the start of each round "
                + ", ".join(f"{l:.1f}" for l in m["round_loads"]) + f" (end: {m['load_after']:.1f})")

    runs = ([f"Runs merged (`--render`), on {os.cpu_count()} CPUs shared with other work; per row, the min–max of the "
             "load averages before and after its processes:", ""] + [f"* {run_line(m, m['rounds'])}" for m in meta["runs"]]
            if "runs" in meta else
            [f"Run of {run_line(meta, a.rounds)}, on {os.cpu_count()} CPUs shared with other work; per row, the min–max "
             "of the load averages before and after its processes."])
    out = [BEGIN, ""] + runs + ["", "```"] + meta["machine"] + [
           f"libtorch mapped: {', '.join(meta['libtorch'])}",
           f".NET {meta['dotnet']}; TorchSharp 0.107.0 and TorchVision 0.107.0 (NuGet), both sides in the same binary",
           "```", ""]

    out += ["### Same weights, same outputs", "",
            "Both classes loaded from the same file with `load(path, strict: true)`, every batch norm then given the same "
            "random statistics and affine parameters, eval output at batch 2 compared. Tolerance: "
            "max |difference| ≤ 1e-4 · max(1, max |reference|).", "",
            "| Model | TorchVision | oneDNN convolutions | state-dict keys | max abs difference | max abs output | within |",
            "|---|---|---|---:|---:|---:|---|"]
    for cls, factory, _ in models:
        for r in [r for r in results if r.get("task_requested") == "compare" and r.get("model_class") == cls]:
            if "failed" in r:
                out.append(f"| {cls} | `{factory}` | {r['config'][1]} | – | failed ({r['failed']}) | – | **no** |")
                continue
            d = {k: float(v) for k, v in r["drift"].items()}  # NaN arrives as the string "NaN"
            nans = [f"{r[f'nan_{impl}']} NaN in the {impl} output" for impl in IMPLS if r.get(f"nan_{impl}")]
            out.append(f"| {cls} | `{factory}` | {r['onednn_convolutions']} | {r['keys']} | {d['max_abs_diff']:.2e} | "
                       f"{d['max_abs_reference']:.3g} | {'yes' if d['within'] else '**no**'}"
                       + (f" ({'; '.join(nans)})" if nans else "") + " |")

    # What "shipped" meant on the machine of the run: the compare processes report the setting they ran under.
    shipped = sorted({r["onednn_convolutions"] for r in results if r.get("task_requested") == "compare"
                      and "onednn_convolutions" in r and r["config"][1] == "shipped"})
    shipped_is = "/".join(shipped) if shipped else "not reported"
    for config in configs:
        threads, onednn = config
        label = (f"{threads} thread{'s' if threads > 1 else ''}, oneDNN convolutions "
                 + (f"as CpuKernels ships them ({shipped_is} on this machine)" if onednn == "shipped" else "kept (`ARCHDSL_ONEDNN=keep`)"))
        what = "process CPU time" if threads == 1 else "wall time"
        out += ["", f"### Inference, {label} (ms, {what}: median [interquartile range])", "",
                "Ratio: generated / TorchVision (goal ≤ 0.9; bold when met). *Folded*: the generated class after "
                "`Fusion.FoldBatchNorms` (goal ≤ 0.75 of TorchVision). GFLOP/s: 2 × MACs × batch / time, generated "
                "class. Memory: peak resident (VmHWM) of the inference process, which peaks at batch 8. *torch 1.13*: "
                "torchvision 0.14 in Python on Debian's torch 1.13 — an older engine, same weights, b1 / b8 (a control, "
                "not the goal's rival).", "",
                "| Model | b1 generated | b1 TorchVision | ratio | b8 generated | b8 TorchVision | ratio | folded b1 / b8 ratio "
                "| GFLOP/s b1 / b8 | VmHWM MiB gen / TV (ratio) | torch 1.13 b1 / b8 | load |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for cls, factory, _ in models:
            g = {b: times(cls, "generated", "infer", "shipped", config, b) for b in (1, 8)}
            t = {b: times(cls, "torchvision", "infer", "shipped", config, b) for b in (1, 8)}
            f = {b: times(cls, "generated", "infer", "folded", config, b) for b in (1, 8)}
            o = {b: times(cls, OLDER, "infer", "shipped", config, b) for b in (1, 8)}
            older = " / ".join(f"{med(o[b]):,.0f}" for b in (1, 8) if o[b]) or "–"
            if not any(g.values()) and not any(t.values()):
                fails = failures(cls, "generated", "infer", "shipped", config) + failures(cls, "torchvision", "infer", "shipped", config)
                if fails:
                    out.append(f"| {cls} | failed: " + "; ".join(f"{r['impl_requested']} rc {r['failed']}" for r in fails) + " ||||||||||")
                continue
            macs = next((r["macs"] for r in rows(cls, "generated", "infer", "shipped", config) if "macs" in r), None)
            gflops = " / ".join(f"{2 * macs * b / (med(g[b]) / 1e3) / 1e9:.1f}" for b in (1, 8) if macs and g[b])
            folded = " / ".join(ratio(med(f[b]), med(t[b]), 0.75) for b in (1, 8)) if any(f.values()) else "–"
            gr, tr = rows(cls, "generated", "infer", "shipped", config), rows(cls, "torchvision", "infer", "shipped", config)
            gm, tm = mib(gr), mib(tr)
            mem = f"{gm:,.0f} / {tm:,.0f} ({ratio(gm, tm, 1.0)})" if gm and tm else "–"
            out.append(f"| {cls} | {cell(g[1])} | {cell(t[1])} | {ratio(med(g[1]), med(t[1]), 0.9)} | {cell(g[8])} | "
                       f"{cell(t[8])} | {ratio(med(g[8]), med(t[8]), 0.9)} | {folded} | {gflops} | {mem} | {older} | "
                       f"{loads(gr + tr)} |")
        if "train" in a.tasks and any(r.get("task_requested") == "train" and tuple(r["config"]) == config for r in results):
            out += ["", f"### Training step at batch 8, {label} (ms, {what})", "",
                    "`zero_grad`, forward, cross-entropy, backward, SGD step (lr 0.01, momentum 0.9). Ratio: generated / "
                    "TorchVision (goal ≤ 1.0); torch 1.13: torchvision 0.14 in Python on the older engine (a control).", "",
                    "| Model | generated | TorchVision | ratio | GFLOP/s (3 × forward MACs) | VmHWM MiB gen / TV (ratio) | torch 1.13 | load |",
                    "|---|---:|---:|---:|---:|---:|---:|---:|"]
            for cls, factory, _ in models:
                g, t = times(cls, "generated", "train", "shipped", config, 8), times(cls, "torchvision", "train", "shipped", config, 8)
                gr, tr = rows(cls, "generated", "train", "shipped", config), rows(cls, "torchvision", "train", "shipped", config)
                fails = failures(cls, "generated", "train", "shipped", config) + failures(cls, "torchvision", "train", "shipped", config)
                if not gr and not tr:
                    continue
                macs = next((r["macs"] for r in gr if "macs" in r), None)
                gflops = f"{3 * 2 * macs * 8 / (med(g) / 1e3) / 1e9:.1f}" if macs and g else "–"
                gm, tm = mib(gr), mib(tr)
                mem = f"{gm:,.0f} / {tm:,.0f} ({ratio(gm, tm, 1.0)})" if gm and tm else "–"
                note = (" (" + "; ".join(f"{r['impl_requested']} process failed, rc {r['failed']}" for r in fails) + ")") if fails else ""
                o = times(cls, OLDER, "train", "shipped", config, 8)
                out.append(f"| {cls}{note} | {cell(g)} | {cell(t)} | {ratio(med(g), med(t), 1.0)} | {gflops} | {mem} | "
                           f"{cell(o)} | {loads(gr + tr)} |")

    peaks = [r for r in results if r.get("task_requested") == "peak" and "runs" in r]
    if peaks:
        out += ["", "### Attainable rate: one large convolution", "",
                "8×256×56×56 input, 3×3, 256 outputs, padding 1 (14.8 G multiply-adds), under `no_grad`; "
                "GFLOP/s = 2 × MACs / median time.", "",
                "| Configuration | median ms | GFLOP/s | load |", "|---|---:|---:|---:|"]
        for r in peaks:
            threads, onednn = r["config"]
            xs = r["runs"]["b8"][clock(threads)]
            out.append(f"| {threads} thread(s), oneDNN convolutions {r['onednn_convolutions']} ({onednn}) | "
                       f"{med(xs):,.0f} | {2 * r['macs'] / (med(xs) / 1e3) / 1e9:.1f} | {loads([r])} |")
    out += ["", END]
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--iters-b1", type=int, default=5)
    p.add_argument("--iters-b8", type=int, default=2)
    p.add_argument("--iters-train", type=int, default=2)
    p.add_argument("--tasks", nargs="+", default=["infer", "train"], choices=["infer", "train"])
    p.add_argument("--no-folded", dest="folded", action="store_false", help="skip the generated class's folded rows")
    p.add_argument("--full", action="store_true",
                   help=f"every configuration in every round, and the models {' '.join(m[0] for m in MORE)} too")
    p.add_argument("--models", nargs="+", choices=[m[0] for m in MODELS + MORE], help="only these models")
    p.add_argument("--configs", nargs="+", default=None, metavar="THREADS:ONEDNN",
                   help="secondary configurations, e.g. 1:keep 2:shipped (default: 1:keep; --full: both; 'none' for only 1:shipped)")
    p.add_argument("--no-peak", dest="peak", action="store_false", help="skip the large-convolution processes")
    p.add_argument("--no-older", dest="older", action="store_false",
                   help="skip the torch 1.13 control (torchvision in Python on Debian's older libtorch)")
    p.add_argument("--doc", default=os.path.join(ROOT, "docs", "performance.md"))
    p.add_argument("--no-doc", action="store_true", help="print the tables instead of writing docs/performance.md")
    p.add_argument("--out", default="rival", help="name of the raw results in artifacts/bench/ (NAME-results.json, "
                   "NAME-partial.json): runs of different models at the same time need different names")
    p.add_argument("--render", metavar="RESULTS", nargs="+",
                   help="only render earlier runs' results (NAME-results.json, or NAME-partial.json of a cut run), merged")
    a = p.parse_args()
    catalogue = MODELS + MORE
    a.models = ([m for m in catalogue if m[0] in a.models] if a.models else catalogue if a.full else MODELS)
    secondary = (SECONDARY + EXTRA if a.full else SECONDARY) if a.configs is None else [] if a.configs == ["none"] else \
        [(int(c.split(":")[0]), c.split(":")[1]) for c in a.configs]

    if a.render:
        results, metas, rounds = [], [], 1
        for path in a.render:
            with open(path) as f:
                saved = json.load(f)
            if isinstance(saved, list):  # NAME-partial.json of an interrupted run: results only
                saved = {"results": saved, "meta": None,
                         "args": {"rounds": max((r.get("round", 0) for r in saved), default=0) + 1, "tasks": a.tasks}}
            results += saved["results"]
            rounds = max(rounds, saved["args"]["rounds"])
            if saved["meta"]:
                metas.append(dict(saved["meta"], rounds=saved["args"]["rounds"]))
        loads = [l for r in results for l in r.get("load", [])]
        meta = dict(metas[0]) if metas else {"date": "(interrupted run)", "machine": machine(), "dotnet": "?"}
        meta.update(argv=[" + ".join("`./bench.sh " + " ".join(m["argv"]) + "`" for m in metas)] if len(metas) > 1 else meta.get("argv", []),
                    minutes=max((m["minutes"] for m in metas), default=0),
                    round_loads=[l for m in metas for l in m["round_loads"]] or loads[:1],
                    load_after=max((m["load_after"] for m in metas), default=loads[-1] if loads else 0),
                    libtorch=sorted({r["libtorch"] for r in results if "libtorch" in r}))
        if len(metas) > 1:
            meta["runs"] = metas
        a.rounds, a.models = rounds, catalogue
        publish(render(results, a, meta), a)
        return

    artifacts = os.path.join(ROOT, "artifacts", "bench")
    os.makedirs(artifacts, exist_ok=True)
    # Tiered JIT off: fully optimised code from the first call (no tier-1 recompilation in the timed passes).
    base = dict(os.environ, DOTNET_TieredCompilation="0")
    start = time.time()
    weights = {cls: export_weights(factory, artifacts, kwargs) for cls, factory, kwargs in a.models}
    results = []

    def record(res, **tags):
        res.update(tags)
        results.append(res)
        with open(os.path.join(artifacts, f"{a.out}-partial.json"), "w") as f:
            json.dump(results, f)
        return res

    for onednn in sorted({c[1] for c in [PRIMARY] + secondary}, key=lambda s: s != "shipped"):
        for cls, factory, _ in a.models:
            res = run_process([CSHARP, cls, "compare", weights[cls], "--rival", factory], env_for(base, 1, onednn))
            record(res, model_class=cls, task_requested="compare", config=[1, onednn])
            print(f"compare {cls:18} oneDNN {onednn:7} " + (f"max|diff| {float(res['drift']['max_abs_diff']):.2e} within "
                  f"{res['drift']['within']}" if "drift" in res else f"FAILED {res}"), flush=True)
    for config in [PRIMARY] + secondary if a.peak else []:
        res = run_process([CSHARP, "-", "peak", "-", "--iters", "3", "--warmup", "1", "--threads", str(config[0])],
                          env_for(base, *config))
        record(res, task_requested="peak", config=list(config))
        print(f"peak conv {config}: {res.get('runs', res)}", flush=True)

    round_loads = []
    for r in range(a.rounds):
        round_loads.append(os.getloadavg()[0])
        configs = [PRIMARY] + [c for i, c in enumerate(secondary) if a.full or i % a.rounds == r % a.rounds]
        for cls, factory, kwargs in a.models:
            processes = [(config, job) for config in configs for job in jobs(cls, factory, kwargs, weights[cls], a, config)]
            for config, (impl, task, setup, cmd) in (processes if r % 2 == 0 else list(reversed(processes))):
                res = record(run_process(cmd, env_for(base, *config)), model_class=cls, impl_requested=impl,
                             task_requested=task, setup_requested=setup, config=list(config), round=r)
                summary = ({b: round(statistics.median(v[clock(config[0])]), 1) for b, v in res["runs"].items()}
                           if "runs" in res else f"FAILED rc {res['failed']}: {res['stderr']}")
                print(f"round {r + 1}/{a.rounds} {cls:18} {impl:11} {task:5} {setup:7} {config} ms {summary} "
                      f"VmHWM {res.get('vmhwm_kb', 0) / 1024:.0f} MiB load {res['load'][0]:.1f}→{res['load'][1]:.1f}",
                      flush=True)
    dotnet = subprocess.run(["dotnet", "--version"], capture_output=True, text=True).stdout.strip()
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "argv": sys.argv[1:],
            "minutes": (time.time() - start) / 60, "round_loads": round_loads, "load_after": os.getloadavg()[0],
            "machine": machine(), "libtorch": sorted({r["libtorch"] for r in results if "libtorch" in r}), "dotnet": dotnet}
    with open(os.path.join(artifacts, f"{a.out}-results.json"), "w") as f:
        json.dump({"results": results, "meta": meta, "args": {"rounds": a.rounds, "tasks": a.tasks}}, f, indent=1)
    publish(render(results, a, meta), a)


def publish(section, a):
    if a.no_doc:
        print(section)
    else:
        write_doc(section, a.doc, BEGIN, END)
        print(f"wrote {a.doc}")


if __name__ == "__main__":
    main()
