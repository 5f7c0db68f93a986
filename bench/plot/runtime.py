"""The runtime group (runtime/<benchmark>/<runtime>/threads:<workers>/pin:<p>, lockstep_runtime's
lockstep_runtime.json and the Go twin's go_runtime.json): runtime.png and the tables with the
goals of issue 17 over Go and oneTBB. Names ending in /size:<n> (Boost.Fiber and lockstep's
scheduler at a reduced size, lockstep_runtime_fiber.json) are benchmarks of their own,
<benchmark>@<n>, never compared with a run of another size."""

import statistics
from collections import defaultdict

import matplotlib.pyplot as plt

from common import NAMES, fmt_ratio, ordered, parse_name, save, stats, styles, table_head
from common import families as declared_families
from panel import panel

R = NAMES["runtimes"]
BENCHMARKS = NAMES["runtime_benchmarks"]
TIMED = [b for b in BENCHMARKS if b != "memory"]
GO, TBB, FIBER = R["go"], R["tbb"], R["fiber"]
# scheduler_channels is skynet alone, over lockstep's channels (co_await), the twin of Go's
# skynet, which sends over channels too: issue 18's ≥ 2× Go is its ≤ 0.5× Go's time.
OURS = (R["scheduler"], R["locked_scheduler"], R["scheduler_channels"],
        R["scheduler_locked_channels"])
# (benchmarks, the runtime the time is divided by, the largest ratio that meets the goal).
TIME_GOALS = [(("skynet", "fib"), GO, 0.5), (("skynet", "fib"), TBB, 1.0)]
MEMORY_GOAL = 0.25  # a parked task's resident bytes over a parked goroutine's
TITLES = {"skynet": "skynet: a 10-ary tree of tasks",
          "fib": "fib, a fork at every level",
          "spawn_join": "spawn_join: tasks spawned by one and joined",
          "memory": "memory: bytes per parked task"}


def collect(samples):
    """runs[benchmark][series][workers] = stats of time (ms), tasks/s and, for memory,
    bytes per task. A series is the runtime, with its pin when the run has it under several."""
    raw = defaultdict(lambda: defaultdict(dict))
    pins = defaultdict(set)
    for name, reps in samples.items():
        kind, words, keys = parse_name(name)
        if kind != "runtime" or len(words) < 2 or "threads" not in keys:
            continue
        times = [r["real_time"] for r in reps if "real_time" in r]
        if not times:
            continue
        st = {"time": stats(times)}
        ips = [r["items_per_second"] for r in reps if "items_per_second" in r]
        if ips:
            st.update(stats(ips))
        bpt = [r["bytes_per_task"] for r in reps if "bytes_per_task" in r]
        if bpt:
            st["bytes"] = statistics.median(bpt)
        pin = keys.get("pin", "none")
        pins[words[1]].add(pin)
        bench = f"{words[0]}@{keys['size']}" if "size" in keys else words[0]
        raw[bench][(words[1], pin)][int(keys["threads"])] = st
    runs = defaultdict(dict)
    for bench, by in raw.items():
        for (rt, pin), points in by.items():
            runs[bench][rt if len(pins[rt]) == 1 else f"{rt}/{pin}"] = points
    return runs


def met_at_most(values, target):
    """The 'met' cell of a goal that a ratio must not exceed."""
    if not values:
        return "not measured"
    if max(values) <= target:
        return "yes"
    return f"no (highest {fmt_ratio(max(values))})"


def workers_head(first, workers):
    head = table_head(first, workers)
    return [head[0].replace(" thr |", " workers |"), head[1]]


def runtime_of(series):
    return series.split("/", 1)[0]


def families(context, runs):
    """lockstep_runtime declares its runtimes, the Go twin its own."""
    structures = {s for by in runs.values() for s in by}
    declared = ",".join(filter(None, (context.get("lockstep_runtime_structures", ""),
                                      context.get("lockstep_go_runtime_structures", ""))))
    fam = declared_families({"k": declared}, {runtime_of(s) for s in structures}, "k")
    return {s: fam.get(runtime_of(s), "peer") for s in sorted(structures)}


def sized(runs):
    """The <benchmark>@<n> keys of the runs at a size of their own, in TIMED's order."""
    def order(b):
        base = b.split("@")[0]
        return (TIMED.index(base) if base in TIMED else len(TIMED), b)
    return sorted((b for b in runs if "@" in b), key=order)


def title_of(bench):
    base, _, size = bench.partition("@")
    return TITLES[base] + (f" [size {size}, with {FIBER}]" if size else "")


def plot(out_dir, runs, fam, cores, title):
    benches = [b for b in TIMED if b in runs] + sized(runs)
    has_memory = "memory" in runs
    cols = len(benches) + (1 if has_memory else 0)
    fig, axes = plt.subplots(1, cols, figsize=(4.8 * cols, 4.2), squeeze=False)
    style = styles(list(fam), fam)
    handles = {}
    for ax, bench in zip(axes[0], benches):
        series = runs[bench]
        handles.update(panel(ax, series, ordered(series, fam), style, title_of(bench),
                             cores=cores, xlabel="workers", title_size=9))
    axes[0][0].set_ylabel("M tasks/s (median; bars min-max)")
    if has_memory:
        ax = axes[0][-1]
        names = ordered(runs["memory"], fam)
        values = [max(runs["memory"][s].values(), key=lambda v: v.get("bytes", 0)).get("bytes", 0)
                  for s in names]
        ax.bar(range(len(names)), values, color=[style[s]["color"] for s in names])
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=20, fontsize=8)
        for i, v in enumerate(values):
            ax.text(i, v, f"{v:.0f}", ha="center", va="bottom", fontsize=8)
        ax.set_title(TITLES["memory"], fontsize=9)
        ax.set_ylabel("resident bytes per parked task")
    names = ordered(handles, fam)
    return save(fig, out_dir, "runtime.png",
                "runtime: tasks per second by workers, and memory per parked task"
                + (f" ([size n]: {FIBER} at its own reduced size)" if sized(runs) else "")
                + f" - {title}",
                ([handles[s] for s in names], [f"{s} ({fam[s]})" for s in names], len(names)),
                0.08)


def partner(series, by, target):
    """The series of runtime `target` to compare `series` with: the same pin when it has one,
    else its only one."""
    if target in by:
        return target
    pin = series.split("/", 1)[1] if "/" in series else None
    return f"{target}/{pin}" if pin and f"{target}/{pin}" in by else None


def time_ratio(by, series, other, w):
    a, b = by.get(series, {}).get(w), by.get(other, {}).get(w) if other else None
    return a["time"]["median"] / b["time"]["median"] if a and b and b["time"]["median"] else None


def summary_lines(runs, fam, context):
    workers = sorted({w for by in runs.values() for pts in by.values() for w in pts})
    ours = [s for s in ordered({s for by in runs.values() for s in by}, fam)
            if runtime_of(s) in OURS]
    lines = ["## Runtime: skynet, fib, spawn_join, memory per parked task", "",
             "`runtime/<benchmark>/<runtime>/threads:<workers>/pin:<p>`: bench/runtime's "
             "benchmarks on lockstep's scheduler (Chase-Lev deques; `locked_scheduler` over "
             "the locked twin), oneTBB's `task_group` in an arena of that many slots and Go's "
             "goroutines (bench/go, GOMAXPROCS = workers, run after lockstep_runtime in the "
             "same run), each run checked (skynet's sum, fib's value, the tasks counted); "
             "`scheduler_channels` (`scheduler_locked_channels`): skynet with each node's sum "
             "sent to its parent over a lock-free (locked) channel, as Go's skynet does. "
             f"Sizes: {context.get('lockstep_runtime_sizes', '?')}. Times are the medians over "
             "the repetitions; a ratio below 1 is faster than the other runtime.", ""]
    if sized(runs):
        lines += [f"`<benchmark>@<n>`: `{FIBER}` (Boost.Fiber's work_stealing, 16 KiB stacks) "
                  "and lockstep's scheduler at a reduced size of their own, "
                  f"{context.get('lockstep_runtime_sized_sizes', '?')}, in the same run: a "
                  "fiber's stack lives until it is joined, so most of a run's fibers are alive at "
                  "once and the full size does not fit (docs/benchmarks.md, Runtime). Their "
                  "ratios are in the peers' table below, at that size only.", ""]
    if not ours:
        lines += ["lockstep's scheduler did not run (sched/scheduler.hpp was not in the tree).",
                  ""]
    goal_rows = []
    for benches, other, target in TIME_GOALS:
        for s in ours:
            for bench in benches:
                by = runs.get(bench, {})
                o = partner(s, by, other)
                if s not in by or o is None:
                    continue
                cells = [time_ratio(by, s, o, w) for w in workers]
                goal_rows.append(
                    f"| {bench} ≤ {target:g}× `{o}`'s time | `{s}` | "
                    + " | ".join(fmt_ratio(r) if r is not None else "" for r in cells)
                    + f" | {met_at_most([r for r in cells if r is not None], target)} |")
    if goal_rows:
        lines += ["### Goals (issue 17): lockstep's time over the peer's, medians", ""]
        head = workers_head(["goal", "runtime"], workers)
        lines += [head[0] + " met |", head[1] + "---|"] + goal_rows + [""]
    memory = runs.get("memory", {})
    memory_rows = []
    for s in ours:
        go = partner(s, memory, GO)
        if s in memory and go:
            ours_b = max(memory[s].items())[1].get("bytes")
            go_b = max(memory[go].items())[1].get("bytes")
            if ours_b and go_b:
                memory_rows.append(f"| `{s}` | {ours_b:.0f} | {go_b:.0f} | "
                                   f"{fmt_ratio(ours_b / go_b)} | "
                                   f"{met_at_most([ours_b / go_b], MEMORY_GOAL)} |")
    if memory_rows:
        lines += [f"Goal: a parked task's resident bytes ≤ {MEMORY_GOAL:g}× a parked "
                  "goroutine's.", "",
                  "| runtime | bytes per task | Go's | ratio | met |", "|---|---:|---:|---:|---|"]
        lines += memory_rows + [""]

    lines += ["### Time per run (ms, median ±half the min-max spread) and tasks/s", ""]
    lines += workers_head(["benchmark", "runtime", "family"], workers)
    for bench in [b for b in TIMED if b in runs] + sized(runs):
        by = runs[bench]
        for s in ordered(by, fam):
            cells = []
            for w in workers:
                v = by[s].get(w)
                if v is None:
                    cells.append("")
                    continue
                t = v["time"]
                spread = 50 * (t["max"] - t["min"]) / t["median"] if t["median"] else 0
                cells.append(f"{t['median']:.1f} ±{spread:.0f}% ({v['median'] / 1e6:.2f} M/s)")
            lines.append(f"| {bench} | `{s}` | {fam.get(s, '?')} | " + " | ".join(cells) + " |")
    lines.append("")

    peers = [p for p in (GO, TBB, FIBER)
             if any(partner(s, by, p) for by in runs.values() for s in by)]
    if ours and peers:
        lines += ["### lockstep's time over each peer's, medians", ""]
        lines += workers_head(["benchmark", "runtime", "over"], workers)
        for bench in [b for b in TIMED if b in runs] + sized(runs):
            by = runs[bench]
            for s in ours:
                for p in peers:
                    o = partner(s, by, p)
                    if s not in by or o is None:
                        continue
                    cells = [time_ratio(by, s, o, w) for w in workers]
                    lines.append(f"| {bench} | `{s}` | `{o}` | " + " | ".join(
                        fmt_ratio(r) if r is not None else "" for r in cells) + " |")
        lines.append("")

    if memory:
        lines += ["### Memory: resident bytes per parked task", "",
                  "Each measurement in a process of its own: the resident set (/proc/self/statm) "
                  "before the tasks are spawned and once every one of them has started and is "
                  "parked (lockstep: on a `sched::wait_group`; Go: a goroutine blocked on a "
                  "channel), divided by the number of tasks.", "",
                  "| runtime | workers | bytes per task (median) | parked per second |",
                  "|---|---:|---:|---:|"]
        for s in ordered(memory, fam):
            for w, v in sorted(memory[s].items()):
                lines.append(f"| `{s}` | {w} | {v.get('bytes', 0):.0f} | "
                             f"{v['median'] / 1e6:.2f} M |")
        lines.append("")
    return lines

