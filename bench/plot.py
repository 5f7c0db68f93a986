"""Plots and summarises one lockstep_bench run (a results/<run>/ folder).

Reads every Google Benchmark JSON file in the folder, groups repetitions by benchmark name
(stack/<workload>/<structure>/threads:<n>/pin:<policy>, reclaim/..., c2c/..., seam/...), and
lockstep_stall.json if present, and writes:
  throughput_<workload>.png  items/s vs threads, one panel per pinning policy, median of the
                             repetitions with min-max bars, lock-free, locked and peers together
  ratio.png                  each structure's median over the baseline's (locked std::mutex
                             stack) at the same threads and pinning
  reclamation.png            the Treiber stack with each reclamation policy, and xenium's queue
                             with its hazard pointers and its epochs, over the Treiber stack with
                             the leaking policy (reclaim/... benchmarks)
  stall.png                  unreclaimed nodes and resident memory over time per policy, with
                             one thread stalled holding a protection and without (lockstep_stall)
  queue_<workload>.png       the queues (queue/... benchmarks): items/s vs threads, unbounded and
                             bounded queues in separate rows, one column per pinning policy,
                             lockstep's and the peers' side by side
  oversubscription.png       each queue's throughput at 8 threads over its own at 2 threads
  channels.png               the channels (channel/... benchmarks, lockstep_bench's and the Go
                             twin's go_channels.json): messages/s vs threads, one panel per
                             workload and capacity, lockstep's channels and Go's side by side
  summary.md                 the same numbers as tables, the seam check and the c2c round trip,
                             the queue goals as ratios, the oversubscription ratios, and the
                             channels over Go with the channel goals

Only ratios within the run are meaningful: the machine's speed moves between runs.
"""

import glob
import json
import os
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

# "user": a structure registered by a user's benchmark (bench/registry.hpp), drawn in black and
# thicker than everything else, so that it stands out among lockstep's and the peers'.
FAMILY_STYLE = {"lockfree": "-", "locked": "--", "peer": ":", "user": "-"}
FAMILY_MARKER = {"lockfree": "o", "locked": "s", "peer": "^", "user": "*"}
FAMILY_COLORS = {
    "lockfree": ["#1f4e9c", "#2f9fd8", "#5b3fb0"],
    "locked": ["#b22222", "#e8762c", "#c9a100", "#8c564b", "#7b4173"],
    "peer": ["#2ca02c", "#17becf", "#7f7f7f", "#e377c2"],
    "user": ["#000000", "#d62728", "#8c564b"],
}
USER_LINEWIDTH = 2.4


def parse_name(run_name):
    """'stack/pairs/treiber/threads:4/pin:none/manual_time' -> ('stack', ['pairs', 'treiber'],
    {'threads': '4', 'pin': 'none'})."""
    parts = [p for p in run_name.split("/") if p not in ("manual_time", "real_time")]
    words, keys = [], {}
    for p in parts[1:]:
        if ":" in p:
            k, v = p.split(":", 1)
            keys[k] = v
        else:
            words.append(p)
    return parts[0], words, keys


def load(run_dir):
    context, samples, errors = {}, defaultdict(list), {}
    for path in sorted(glob.glob(os.path.join(run_dir, "*.json"))):
        with open(path) as f:
            data = json.load(f)
        if "benchmarks" not in data:
            continue
        context.update(data.get("context", {}))
        for b in data["benchmarks"]:
            if b.get("run_type") != "iteration":
                continue
            name = b.get("run_name", b["name"])
            if b.get("error_occurred"):
                errors[name] = b.get("error_message", "error")
                continue
            samples[name].append(b)
    return context, samples, errors


def stats(values):
    med = statistics.median(values)
    mean = statistics.fmean(values)
    cv = statistics.stdev(values) / mean if len(values) > 1 and mean else 0.0
    return {"median": med, "min": min(values), "max": max(values), "cv": cv, "n": len(values)}


def collect(samples):
    """stack[(workload, pin)][structure][threads] = stats of items_per_second; reclaim the same
    for the reclamation group."""
    groups = {"stack": defaultdict(lambda: defaultdict(dict)),
              "reclaim": defaultdict(lambda: defaultdict(dict)),
              "queue": defaultdict(lambda: defaultdict(dict))}
    c2c, seam = {}, defaultdict(dict)
    for name, runs in samples.items():
        kind, words, keys = parse_name(name)
        if kind in groups and len(words) == 2:
            workload, structure = words
            ips = [r["items_per_second"] for r in runs if "items_per_second" in r]
            if ips:
                st = stats(ips)
                st["capped"] = sum(r.get("capped_runs", 0) for r in runs)
                st["iterations"] = sum(r.get("iterations", 0) for r in runs)
                groups[kind][(workload, keys.get("pin", "none"))][structure][int(keys["threads"])] = st
        elif kind == "c2c":
            ns = [r["roundtrip_ns"] for r in runs if "roundtrip_ns" in r]
            if ns:
                c2c[keys.get("pus", "?")] = stats(ns)
        elif kind == "seam" and len(words) == 2:
            ips = [r["items_per_second"] for r in runs if "items_per_second" in r]
            if ips:
                seam[int(keys["threads"])][words[1]] = stats(ips)
    return groups["stack"], groups["reclaim"], groups["queue"], c2c, seam


def families(context, structures, key="lockstep_structures"):
    """structure -> family, in the order the binary declared them (then any others)."""
    declared = {}
    for item in context.get(key, "").split(","):
        if ":" in item:
            s, f = item.split(":", 1)
            declared[s] = f
    fam = {s: f for s, f in declared.items() if s in structures}
    fam.update({s: "peer" for s in sorted(structures) if s not in fam})
    return fam


def declared_structures(context, family):
    """Every structure some family list of the run declares of `family` (peer, user)."""
    found = set()
    for key, value in context.items():
        if key.startswith("lockstep_") and key.endswith("structures") and isinstance(value, str):
            found.update(item.split(":", 1)[0] for item in value.split(",")
                         if item.endswith(":" + family))
    return found


def widened(style, width):
    """A structure's style with the call's line width, unless the style sets its own."""
    return {"linewidth": width, **style}


def ordered(structures, fam):
    """Lock-free first, then locked, then peers; declaration order within a family."""
    order = {"lockfree": 0, "locked": 1, "peer": 2}
    pos = {s: i for i, s in enumerate(fam)}
    return sorted(structures, key=lambda s: (order.get(fam[s], 3), pos[s]))


def styles(structures, fam):
    used = defaultdict(int)
    out = {}
    for s in structures:
        f = fam[s]
        palette = FAMILY_COLORS.get(f, FAMILY_COLORS["peer"])
        out[s] = dict(color=palette[used[f] % len(palette)], linestyle=FAMILY_STYLE.get(f, ":"),
                      marker=FAMILY_MARKER.get(f, "^"))
        if f == "user":
            out[s]["linewidth"] = USER_LINEWIDTH
        used[f] += 1
    return out


def c2c_line(c2c):
    if not c2c:
        return "c2c round trip: not measured"
    pus, s = next(iter(sorted(c2c.items())))
    return (f"c2c round trip (PUs {pus}): {s['median']:.0f} ns median, "
            f"{s['min']:.0f}-{s['max']:.0f} ns over {s['n']} repetitions")


def pins_of(stack, workload):
    order = ["none", "compact", "scatter"]
    pins = {p for (w, p) in stack if w == workload}
    return sorted(pins, key=lambda p: (order.index(p) if p in order else 9, p))


def thread_ticks(ax, threads, cores):
    ax.set_xscale("log", base=2)
    ax.set_xticks(threads)
    ax.set_xticklabels([str(t) for t in threads])
    ax.set_xlim(min(threads) / 1.3, max(threads) * 1.3)
    if cores and min(threads) <= cores < max(threads):
        ax.axvline(cores * 1.41, color="#999999", linewidth=0.8)
        ax.text(cores * 1.45, 0.98, "oversubscribed", transform=ax.get_xaxis_transform(),
                fontsize=7, color="#777777", va="top")


def plot_throughput(run_dir, stack, fam, style, c2c, cores, title):
    written = []
    for workload in sorted({w for (w, _) in stack}):
        pins = pins_of(stack, workload)
        fig, axes = plt.subplots(1, len(pins), figsize=(5.2 * len(pins), 5.4), sharey=True,
                                 squeeze=False)
        handles = {}
        for ax, pin in zip(axes[0], pins):
            series = stack[(workload, pin)]
            all_threads = sorted({t for s in series.values() for t in s})
            for s in ordered(series, fam):
                pts = sorted(series[s].items())
                xs = [t for t, _ in pts]
                med = [v["median"] / 1e6 for _, v in pts]
                lo = [(v["median"] - v["min"]) / 1e6 for _, v in pts]
                hi = [(v["max"] - v["median"]) / 1e6 for _, v in pts]
                h = ax.errorbar(xs, med, yerr=[lo, hi], capsize=3, markersize=5,
                                label=f"{s} ({fam[s]})", **widened(style[s], 1.6))
                handles[s] = h
            thread_ticks(ax, all_threads, cores)
            # Log scale: a lock convoy can be 100x slower, and it should still show.
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.set_title(f"pin: {pin}")
            ax.set_xlabel("threads")
            ax.grid(True, which="major", alpha=0.3)
            ax.grid(True, which="minor", alpha=0.08)
        axes[0][0].set_ylabel("throughput, M items/s (median; bars min-max; log)")
        names = ordered(handles, fam)
        written.append(save_with_legend(
            fig, run_dir, f"throughput_{workload}.png",
            f"stack / {workload} - {title}\n{c2c_line(c2c)}", [handles[s] for s in names],
            [f"{s} ({fam[s]})" for s in names], min(len(names), 5), 0.1))
    return written


def save_with_legend(fig, run_dir, name, title, handles, labels, ncol, bottom):
    """Writes run_dir/name: the figure with one legend along the bottom (`bottom` of the height
    kept for it) and its title; returns the path."""
    fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, bottom, 1, 1))
    path = os.path.join(run_dir, name)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def ratios(series, baseline):
    base = series.get(baseline, {})
    out = {}
    for s, points in series.items():
        out[s] = {t: v["median"] / base[t]["median"] for t, v in points.items()
                  if t in base and base[t]["median"] > 0}
    return out


def plot_ratio(run_dir, stack, fam, style, baseline, c2c, cores, title):
    workloads = sorted({w for (w, _) in stack})
    pins = sorted({p for (_, p) in stack}, key=lambda p: ["none", "compact", "scatter"].index(p)
                  if p in ("none", "compact", "scatter") else 9)
    fig, axes = plt.subplots(len(workloads), len(pins), figsize=(5.2 * len(pins), 4.0 * len(workloads)),
                             sharey=True, squeeze=False)
    handles = {}
    for row, workload in enumerate(workloads):
        for col, pin in enumerate(pins):
            ax = axes[row][col]
            series = stack.get((workload, pin), {})
            r = ratios(series, baseline)
            all_threads = sorted({t for s in series.values() for t in s}) or [1]
            for s in ordered(r, fam):
                if s == baseline or not r[s]:
                    continue
                pts = sorted(r[s].items())
                handles[s], = ax.plot([t for t, _ in pts], [v for _, v in pts], markersize=5,
                                      **widened(style[s], 1.6))
            ax.axhline(1.0, color="black", linewidth=1)
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            thread_ticks(ax, all_threads, cores)
            ax.set_title(f"{workload}, pin: {pin}")
            ax.set_xlabel("threads")
            ax.grid(True, which="major", alpha=0.3)
            ax.grid(True, which="minor", alpha=0.08)
        axes[row][0].set_ylabel(f"median throughput / {baseline}")
    names = ordered(handles, fam)
    return save_with_legend(
        fig, run_dir, "ratio.png",
        f"ratio to {baseline} (above 1 = faster), same run - {title}\n{c2c_line(c2c)}",
        [handles[s] for s in names], [f"{s} ({fam[s]})" for s in names], min(len(names), 5),
        0.07)


# One colour per reclamation policy across reclamation.png and stall.png; xenium's queue takes
# the colour of the same scheme (hazard pointers, epochs) with a dotted line.
POLICY_COLORS = {"leaking": "#555555", "tagged_pool": "#1f4e9c", "wide_tagged_pool": "#2f9fd8",
                 "hazard_pointers": "#2ca02c", "epochs": "#e8762c"}
XENIUM_SCHEME = {"hp": "hazard_pointers", "epoch": "epochs"}
EXTRA_COLORS = ["#5b3fb0", "#c9a100", "#8c564b", "#e377c2", "#17becf"]


def policy_styles(names):
    """Style per reclamation structure (treiber_<policy>, xenium_msqueue_<scheme>) or policy."""
    out, extra = {}, 0
    for s in names:
        policy = s[len("treiber_"):] if s.startswith("treiber_") else s
        xenium = s.startswith("xenium_")
        if xenium:
            policy = XENIUM_SCHEME.get(s.rsplit("_", 1)[-1], policy)
        color = POLICY_COLORS.get(policy)
        if color is None:
            color = EXTRA_COLORS[extra % len(EXTRA_COLORS)]
            extra += 1
        out[s] = dict(color=color, linestyle=":" if xenium else "-",
                      marker="^" if xenium else "o")
    return out


def reclaim_label(s, fam):
    return f"{s} (peer, a queue)" if s.startswith("xenium_") else f"{s} ({fam.get(s, '?')})"


def plot_reclamation(run_dir, reclaim, fam, baseline, c2c, cores, title):
    workloads = sorted({w for (w, _) in reclaim})
    pins = sorted({p for (_, p) in reclaim}, key=lambda p: ["none", "compact", "scatter"].index(p)
                  if p in ("none", "compact", "scatter") else 9)
    style = policy_styles(list(fam))
    fig, axes = plt.subplots(len(workloads), len(pins),
                             figsize=(5.2 * len(pins), 4.0 * len(workloads)), sharey=True,
                             squeeze=False)
    handles = {}
    for row, workload in enumerate(workloads):
        for col, pin in enumerate(pins):
            ax = axes[row][col]
            series = reclaim.get((workload, pin), {})
            r = ratios(series, baseline)
            all_threads = sorted({t for s in series.values() for t in s}) or [1]
            for s in [x for x in fam if x in r]:
                if s == baseline or not r[s]:
                    continue
                pts = sorted(r[s].items())
                handles[s], = ax.plot([t for t, _ in pts], [v for _, v in pts], markersize=5,
                                      **widened(style[s], 1.6))
            ax.axhline(1.0, color="black", linewidth=1)
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            # Ratios sit within a decade of 1: label the 2, 3 and 5 minor ticks, not all of them.
            ax.yaxis.set_minor_formatter(FuncFormatter(
                lambda v, _: f"{v:g}" if f"{v:.0e}"[0] in "235" else ""))
            thread_ticks(ax, all_threads, cores)
            ax.set_title(f"{workload}, pin: {pin}")
            ax.set_xlabel("threads")
            ax.grid(True, which="major", alpha=0.3)
            ax.grid(True, which="minor", alpha=0.08)
        axes[row][0].set_ylabel(f"median throughput / {baseline}")
    names = [s for s in fam if s in handles]
    return save_with_legend(
        fig, run_dir, "reclamation.png",
        f"reclamation: ratio to {baseline} (below 1 = the policy costs), same run - "
        f"{title}\n{c2c_line(c2c)}",
        [handles[s] for s in names], [reclaim_label(s, fam) for s in names],
        min(len(names), 4), 0.08)


def reclamation_summary(reclaim, fam, baseline, context):
    lines = [f"## Reclamation overhead: the Treiber stack with each policy, over `{baseline}`", "",
             "The same workloads as the stack benchmarks, in the same run: `treiber_<policy>` is "
             "`lockfree::treiber_stack<std::uint64_t, hazard::<policy>>`; `xenium_msqueue_hp` and "
             "`xenium_msqueue_epoch` are xenium's Michael-Scott **queue** over its "
             "`hazard_pointer<>` and `generic_epoch_based<>` (xenium has no stack): compare them "
             "with each other, not with the stack. The leaking baseline allocates every node and "
             "frees nothing until the stack is destroyed, so it pays the allocator but no "
             "reclamation.", ""]
    for workload in sorted({w for (w, _) in reclaim}):
        pins = pins_of(reclaim, workload)
        per_pin = {p: ratios(reclaim[(workload, p)], baseline) for p in pins}
        threads = sorted({t for p in pins for s in reclaim[(workload, p)].values() for t in s})
        names = [s for s in fam if any(s in reclaim[(workload, p)] for p in pins)]
        lines += [f"### {workload}: median throughput / {baseline}, pin " + " · ".join(pins), "",
                  "| structure | " + " | ".join(f"{t} thr" for t in threads) + " |",
                  "|---|" + "---:|" * len(threads)]
        for s in names:
            if s == baseline:
                continue
            cells = [" · ".join(fmt_ratio(per_pin[p][s][t]) if t in per_pin[p].get(s, {}) else "-"
                                for p in pins) for t in threads]
            lines.append(f"| {reclaim_label(s, fam)} | " + " | ".join(cells) + " |")
        lines += ["", f"### {workload}: time per operation, ns (team wall time / operations, "
                  f"median), and the difference to `{baseline}`, pin " + " · ".join(pins), "",
                  "| structure | " + " | ".join(f"{t} thr" for t in threads) + " |",
                  "|---|" + "---:|" * len(threads)]
        for s in names:
            cells = []
            for t in threads:
                parts = []
                for p in pins:
                    series = reclaim[(workload, p)]
                    v, b = series.get(s, {}).get(t), series.get(baseline, {}).get(t)
                    if v is None or not v["median"]:
                        parts.append("-")
                        continue
                    ns = 1e9 / v["median"]
                    if s == baseline or b is None or not b["median"]:
                        parts.append(f"{ns:.1f}")
                    else:
                        parts.append(f"{ns:.1f} ({ns - 1e9 / b['median']:+.1f})")
                cells.append(" · ".join(parts))
            lines.append(f"| {reclaim_label(s, fam)} | " + " | ".join(cells) + " |")
        lines.append("")
    capped = [(w, p, s, t, v) for (w, p), series in reclaim.items() for s, pts in series.items()
              for t, v in pts.items() if v.get("capped")]
    for w, p, s, t, v in sorted(capped):
        lines.append(f"- stopped by the {context.get('lockstep_cap_ms', '?')} ms cap: {w} / {s} / "
                     f"{t} threads / pin {p}, {v['capped']:.0f} of {v['iterations']} iterations")
    if capped:
        lines.append("")
    return lines


# The queue goals, as ratios of medians within one run: (numerator,
# denominator, target, workload, thread counts or None for every count, what it says).
# Structure names are lockstep_bench's (main.cpp, queue_structures).
QUEUE_GOALS = [
    ("bounded_queue", "atomic_queue", 1.0, "prodcons", [2, 4],
     "bounded_queue ≥ atomic_queue at 1P/1C and 2P/2C"),
    ("scq", "atomic_queue", 1.0, "prodcons", [2, 4], "scq ≥ atomic_queue at 1P/1C and 2P/2C"),
    ("ms_queue_hazard_pointers", "xenium_msqueue_hp", 1.0, "pairs", None,
     "ms_queue ≥ xenium's michael_scott_queue, both with hazard pointers"),
    ("ms_queue_hazard_pointers", "xenium_msqueue_hp", 1.0, "prodcons", None,
     "ms_queue ≥ xenium's michael_scott_queue, both with hazard pointers"),
    ("faa_queue_hazard_pointers", "ms_queue_hazard_pointers", 2.0, "pairs", [2, 4, 8],
     "faa_queue ≥ 2× ms_queue (same reclaimer) at 2 threads and above"),
    ("faa_queue_hazard_pointers", "ms_queue_hazard_pointers", 2.0, "prodcons", [2, 4, 8],
     "faa_queue ≥ 2× ms_queue (same reclaimer) at 2 threads and above"),
    ("faa_queue_hazard_pointers", "moodycamel", 1.0, "pairs", None,
     "faa_queue ≥ moodycamel::ConcurrentQueue at pairs"),
    ("spsc_queue", "boost_spsc_queue", 1.0, "prodcons", [2],
     "spsc_queue ≥ boost::lockfree::spsc_queue (1P/1C)"),
]
# Every lockstep queue must keep this share of its 2-thread throughput at 8 threads.
OVERSUBSCRIPTION_FLOOR = 0.7
OVERSUBSCRIPTION_THREADS = (8, 2)
QUEUE_KIND_ROWS = [("unbounded", ("unbounded",)), ("bounded", ("bounded", "spsc"))]


def queue_kinds(context):
    kinds = {}
    for item in context.get("lockstep_queue_kinds", "").split(","):
        if ":" in item:
            s, k = item.split(":", 1)
            kinds[s] = k
    return kinds


def queue_styles(names, fam):
    """Twenty-odd structures: a distinct colour each where the palette allows, line style and
    marker by family (solid lock-free, dashed locked, dotted peers)."""
    cmap = plt.get_cmap("tab20")
    out = {s: dict(color=cmap(i % 20), linestyle=FAMILY_STYLE.get(fam[s], ":"),
                   marker=FAMILY_MARKER.get(fam[s], "^"))
           for i, s in enumerate(ordered(names, fam))}
    users = [s for s in ordered(names, fam) if fam[s] == "user"]
    for i, s in enumerate(users):
        out[s].update(color=FAMILY_COLORS["user"][i % len(FAMILY_COLORS["user"])],
                      linewidth=USER_LINEWIDTH)
    return out


def plot_queue_throughput(run_dir, queue, fam, context, c2c, cores, title):
    kinds = queue_kinds(context)
    style = queue_styles(list(fam), fam)
    written = []
    for workload in sorted({w for (w, _) in queue}):
        pins = pins_of(queue, workload)
        rows = [(label, ks) for label, ks in QUEUE_KIND_ROWS
                if any(kinds.get(s, "unbounded") in ks for p in pins for s in queue[(workload, p)])]
        fig, axes = plt.subplots(len(rows), len(pins), figsize=(5.6 * len(pins), 4.6 * len(rows)),
                                 sharey="row", squeeze=False)
        for r, (label, ks) in enumerate(rows):
            handles = {}
            for c, pin in enumerate(pins):
                ax = axes[r][c]
                series = {s: v for s, v in queue[(workload, pin)].items()
                          if kinds.get(s, "unbounded") in ks}
                all_threads = sorted({t for v in series.values() for t in v}) or [1]
                for s in ordered(series, fam):
                    pts = sorted(series[s].items())
                    xs = [t for t, _ in pts]
                    med = [v["median"] / 1e6 for _, v in pts]
                    lo = [(v["median"] - v["min"]) / 1e6 for _, v in pts]
                    hi = [(v["max"] - v["median"]) / 1e6 for _, v in pts]
                    handles[s] = ax.errorbar(xs, med, yerr=[lo, hi], capsize=3, markersize=4,
                                             **widened(style[s], 1.4))
                thread_ticks(ax, all_threads, cores)
                ax.set_yscale("log")
                ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
                ax.set_title(f"{label} queues, pin: {pin}", fontsize=9)
                ax.set_xlabel("threads" + (" (half producers, half consumers)"
                                           if workload == "prodcons" else ""))
                ax.grid(True, which="major", alpha=0.3)
                ax.grid(True, which="minor", alpha=0.08)
            axes[r][0].set_ylabel("M items/s (median; bars min-max; log)")
            names = ordered(handles, fam)
            axes[r][-1].legend([handles[s] for s in names], [f"{s} ({fam[s]})" for s in names],
                               loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=7,
                               frameon=False)
        fig.suptitle(f"queue / {workload} - {title}\n{c2c_line(c2c)}", fontsize=10)
        fig.tight_layout()
        path = os.path.join(run_dir, f"queue_{workload}.png")
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        written.append(path)
    return written


def oversubscription(queue):
    """over[(workload, pin)][structure] = median at 8 threads / median at 2 threads."""
    hi, lo = OVERSUBSCRIPTION_THREADS
    out = defaultdict(dict)
    for key, series in queue.items():
        for s, pts in series.items():
            if hi in pts and lo in pts and pts[lo]["median"] > 0:
                out[key][s] = pts[hi]["median"] / pts[lo]["median"]
    return out


def plot_oversubscription(run_dir, over, fam, title):
    keys = sorted(over)
    names = ordered({s for k in keys for s in over[k]}, fam)
    fig, ax = plt.subplots(figsize=(max(8.0, 0.5 * len(names) + 2), 5.6))
    width = 0.8 / len(keys)
    hatches = ["", "//", "..", "xx", "\\\\", "oo"]
    colors = {"lockfree": "#1f4e9c", "locked": "#b22222", "peer": "#2ca02c", "user": "#000000"}
    for j, key in enumerate(keys):
        xs = [i + (j - (len(keys) - 1) / 2) * width for i in range(len(names))]
        ax.bar(xs, [over[key].get(s, 0) for s in names], width=width,
               color=[colors.get(fam[s], "#7f7f7f") for s in names],
               hatch=hatches[j % len(hatches)],
               edgecolor="white", linewidth=0.5, label=f"{key[0]}, pin {key[1]}")
    ax.axhline(OVERSUBSCRIPTION_FLOOR, color="black", linewidth=1, linestyle="--")
    ax.text(len(names) - 0.5, OVERSUBSCRIPTION_FLOOR, f" goal ≥ {OVERSUBSCRIPTION_FLOOR:g}",
            va="bottom", ha="right", fontsize=8)
    ax.axhline(1.0, color="#999999", linewidth=0.8)
    # Log: a collapse to 5% must stand out as clearly as a doubling.
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=60, ha="right", fontsize=7)
    for tick, s in zip(ax.get_xticklabels(), names):
        tick.set_color(colors.get(fam[s], "#333333"))
    ax.set_ylabel(f"median throughput, {OVERSUBSCRIPTION_THREADS[0]} threads / "
                  f"{OVERSUBSCRIPTION_THREADS[1]} threads (log)")
    ax.legend(fontsize=7, frameon=False, ncol=len(keys))
    ax.grid(True, axis="y", alpha=0.3)
    hi, lo = OVERSUBSCRIPTION_THREADS
    fig.suptitle(f"queues: throughput kept at {hi} threads on this machine, over {lo} threads "
                 f"(labels: blue lock-free, red locked, green peers) - {title}", fontsize=9)
    fig.tight_layout()
    path = os.path.join(run_dir, "oversubscription.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def queue_summary(queue, fam, context, over):
    kinds = queue_kinds(context)
    baseline = context.get("lockstep_queue_baseline", "std_mutex_deque")
    all_pins = sorted({p for (_, p) in queue}, key=lambda p: ["none", "compact", "scatter"].index(p)
                      if p in ("none", "compact", "scatter") else 9)
    hi, lo = OVERSUBSCRIPTION_THREADS
    lines = ["## Queues", "",
             f"`queue/<workload>/<structure>/threads:<n>/pin:<policy>`: every queue runs the same "
             f"loop (bench/queue_workloads.hpp): *pairs*, each thread alternating try_push and "
             f"try_pop; *prodcons*, half the threads pushing and half popping (2 threads: one "
             f"producer and one consumer; 4: two and two). Bounded queues hold "
             f"{context.get('lockstep_queue_capacity', '?')} values. A thread that finds the "
             f"queue full or empty spins briefly, then yields. Ratios are of medians over the "
             f"repetitions, within this run; cells give pin " + " · ".join(all_pins) + ".", ""]

    def cell(workload, t, num, den):
        parts = []
        for p in all_pins:
            series = queue.get((workload, p), {})
            a, b = series.get(num, {}).get(t), series.get(den, {}).get(t)
            parts.append(fmt_ratio(a["median"] / b["median"]) if a and b and b["median"] else "-")
        return " · ".join(parts)

    lines += ["### Goals", "",
              "| goal | workload | ratio | " + " | ".join(f"{t} thr" for t in (1, 2, 4, 8))
              + " | target | met |", "|---|---|---|" + "---:|" * 4 + "---:|---|"]
    for num, den, target, workload, threads, text in QUEUE_GOALS:
        present = sorted({t for p in all_pins for t in queue.get((workload, p), {}).get(num, {})})
        wanted = [t for t in present if threads is None or t in threads]
        values = []
        for t in wanted:
            for p in all_pins:
                series = queue.get((workload, p), {})
                a, b = series.get(num, {}).get(t), series.get(den, {}).get(t)
                if a and b and b["median"]:
                    values.append(a["median"] / b["median"])
        cells = [cell(workload, t, num, den) if t in wanted else "" for t in (1, 2, 4, 8)]
        if not values:
            met = "not measured"
        elif min(values) >= target:
            met = "yes"
        else:
            met = f"no (lowest {fmt_ratio(min(values))})"
        lines.append(f"| {text} | {workload} | `{num}` / `{den}` | " + " | ".join(cells)
                     + f" | ≥ {target:g} | {met} |")
    lines.append("")

    if over:
        keys = sorted(over)
        lines += [f"### Oversubscription: median throughput at {hi} threads over {lo} threads", "",
                  f"{hi} threads on this machine's cores; the goal is ≥ {OVERSUBSCRIPTION_FLOOR:g} "
                  "for every lockstep queue (lock-free and locked); peers are listed for "
                  "comparison. The single-producer single-consumer queues run only at 2 threads "
                  "and have no ratio. Columns: workload, pin.", "",
                  "| structure | family | " + " | ".join(f"{w}, {p}" for w, p in keys)
                  + " | goal met |", "|---|---|" + "---:|" * len(keys) + "---|"]
        for s in ordered({s for k in keys for s in over[k]}, fam):
            vals = [over[k].get(s) for k in keys]
            present = [v for v in vals if v is not None]
            if fam[s] == "peer" or not present:
                met = ""
            elif min(present) >= OVERSUBSCRIPTION_FLOOR:
                met = "yes"
            else:
                met = f"no (lowest {fmt_ratio(min(present))})"
            lines.append(f"| {s} | {fam[s]} | "
                         + " | ".join(fmt_ratio(v) if v is not None else "-" for v in vals)
                         + f" | {met} |")
        lines.append("")

    for workload in sorted({w for (w, _) in queue}):
        lines += [f"### queue / {workload}: throughput", ""]
        for pin in pins_of(queue, workload):
            series = queue[(workload, pin)]
            r = ratios(series, baseline)
            threads = sorted({t for v in series.values() for t in v})
            lines += [f"#### pin: {pin} (M items/s, median ±half the min-max spread, "
                      f"×ratio to `{baseline}`)", "",
                      "| structure | family | kind | " + " | ".join(f"{t} thr" for t in threads)
                      + " |", "|---|---|---|" + "---:|" * len(threads)]
            for s in ordered(series, fam):
                cells = []
                for t in threads:
                    v = series[s].get(t)
                    if v is None:
                        cells.append("")
                        continue
                    spread = 50 * (v["max"] - v["min"]) / v["median"] if v["median"] else 0
                    spread_text = (f"±{spread:.0f}%" if spread <= 100 else
                                   f"[{fmt_rate(v['min'])}-{fmt_rate(v['max'])}]")
                    ratio = r.get(s, {}).get(t)
                    cells.append(f"{fmt_rate(v['median'])} {spread_text}"
                                 + (f" (×{fmt_ratio(ratio)})"
                                    if ratio is not None and s != baseline else ""))
                lines.append(f"| {s} | {fam[s]} | {kinds.get(s, '?')} | " + " | ".join(cells)
                             + " |")
            lines.append("")

    capped = [(w, p, s, t, v) for (w, p), series in queue.items() for s, pts in series.items()
              for t, v in pts.items() if v.get("capped")]
    if capped:
        lines += [f"Queue runs stopped by the {context.get('lockstep_queue_cap_ms', '?')} ms cap "
                  "(their throughput counts what was done by then):", ""]
        for w, p, s, t, v in sorted(capped):
            lines.append(f"- {w} / {s} / {t} threads / pin {p}: {v['capped']:.0f} of "
                         f"{v['iterations']} iterations")
        lines.append("")
    return lines


# The channel goals, as ratios of medians within one run, each lockstep channel over Go's:
# (workload, capacities or None for every one, thread counts or None for every count, target,
# what it says). Workload names are channel_workloads.hpp's; 2 threads is one sender and one
# receiver, 4 and 8 are N/N.
CHANNEL_GOALS = [
    ("buffered", None, [4, 8], 3.0, "≥ 3× Go, buffered N/N"),
    ("unbuffered", None, [2], 1.0, "≥ Go, unbuffered 1/1"),
    ("pipeline", None, None, 1.0, "≥ Go, pipeline"),
]
CHANNEL_PEER = "go"
CHANNEL_WORKLOADS = ["buffered", "unbuffered", "pingpong", "fan_in_fan_out", "pipeline",
                     "pubsub"]
CHANNEL_WORKERS = {"fan_in_fan_out": "cooks", "pipeline": "stages", "pubsub": "subscribers"}
CHANNEL_STYLE = {"locked_channel": dict(color="#b22222", linestyle="--", marker="s"),
                 "lockfree_channel": dict(color="#1f4e9c", linestyle="-", marker="o"),
                 CHANNEL_PEER: dict(color="#2ca02c", linestyle=":", marker="^")}


def collect_channels(samples):
    """channel[(workload, capacity)][structure][threads] = stats of items_per_second, with the
    median round trip in ns for pingpong."""
    out = defaultdict(lambda: defaultdict(dict))
    for name, runs in samples.items():
        kind, words, keys = parse_name(name)
        if kind != "channel" or len(words) != 2:
            continue
        ips = [r["items_per_second"] for r in runs if "items_per_second" in r]
        if not ips:
            continue
        st = stats(ips)
        st["capped"] = sum(r.get("capped_runs", 0) for r in runs)
        st["iterations"] = sum(r.get("iterations", 0) for r in runs)
        rt = [r["roundtrip_ns"] for r in runs if "roundtrip_ns" in r]
        if rt:
            st["roundtrip_ns"] = statistics.median(rt)
        out[(words[0], int(keys.get("cap", 0)))][words[1]][int(keys["threads"])] = st
    return out


def channel_families(context, channel):
    """lockstep_bench declares its channels, the Go twin its own; the two lists are one."""
    structures = {s for series in channel.values() for s in series}
    declared = ",".join(filter(None, (context.get("lockstep_channel_structures", ""),
                                      context.get("lockstep_go_channel_structures", ""))))
    return families({"lockstep_channel_structures": declared}, structures,
                    "lockstep_channel_structures")


def channel_keys(channel):
    order = {w: i for i, w in enumerate(CHANNEL_WORKLOADS)}
    return sorted(channel, key=lambda k: (order.get(k[0], len(order)), k[0], k[1]))


def channel_title(key):
    workload, cap = key
    if workload == "pingpong":
        return "pingpong (unbuffered, 2 threads)"
    return f"{workload}, capacity {cap}" if cap else f"{workload}"


def plot_channels(run_dir, channel, fam, c2c, cores, title):
    keys = channel_keys(channel)
    cols = min(4, len(keys))
    rows = (len(keys) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 4.0 * rows), squeeze=False)
    handles = {}
    for ax, key in zip([a for row in axes for a in row], keys):
        series = channel[key]
        all_threads = sorted({t for v in series.values() for t in v}) or [1]
        for s in ordered(series, fam):
            pts = sorted(series[s].items())
            xs = [t for t, _ in pts]
            med = [v["median"] / 1e6 for _, v in pts]
            lo = [(v["median"] - v["min"]) / 1e6 for _, v in pts]
            hi = [(v["max"] - v["median"]) / 1e6 for _, v in pts]
            handles[s] = ax.errorbar(xs, med, yerr=[lo, hi], capsize=3, linewidth=1.4,
                                     markersize=4, **CHANNEL_STYLE.get(s, {}))
        # A pattern's x is its workers; its own threads come on top, so the cores mark where
        # oversubscription starts only for the transfer workloads.
        workers = CHANNEL_WORKERS.get(key[0])
        thread_ticks(ax, all_threads, None if workers else cores)
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.set_title(channel_title(key), fontsize=9)
        ax.set_xlabel(workers or "threads")
        ax.grid(True, which="major", alpha=0.3)
        ax.grid(True, which="minor", alpha=0.08)
    for ax in [a for row in axes for a in row][len(keys):]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_ylabel("M messages/s (median; bars min-max)")
    names = ordered(handles, fam)
    return save_with_legend(
        fig, run_dir, "channels.png",
        f"channels: messages received per second (pingpong: round trips) - {title}\n"
        f"{c2c_line(c2c)}",
        [handles[s] for s in names], [f"{s} ({fam[s]})" for s in names], len(names), 0.05)


def channel_ratio(channel, key, structure, t):
    a = channel.get(key, {}).get(structure, {}).get(t)
    b = channel.get(key, {}).get(CHANNEL_PEER, {}).get(t)
    return a["median"] / b["median"] if a and b and b["median"] else None


def channel_summary(channel, fam, context):
    keys = channel_keys(channel)
    ours = [s for s in ordered({s for k in keys for s in channel[k]}, fam) if s != CHANNEL_PEER]
    threads = sorted({t for k in keys for v in channel[k].values() for t in v})
    has_peer = any(CHANNEL_PEER in channel[k] for k in keys)
    lines = ["## Channels", "",
             "`channel/<workload>/<structure>/cap:<c>/threads:<n>/pin:none`: "
             "bench/channel_workloads.hpp's workloads on lockstep's channels, and the same "
             "workloads with Go's channels (bench/go, GOMAXPROCS = the threads used, at most "
             "the cores), run after lockstep_bench in the same run. *buffered*, *unbuffered*: "
             "half the threads send, half receive (2 threads: 1/1; 4 and 8: N/N); 1 thread "
             "sends and receives in turn. *pingpong*: two threads bounce a value over two "
             "unbuffered channels. *fan_in_fan_out*, *pipeline*, *pubsub*: the examples/ "
             "programs with that many cooks, stages or subscribers. Throughput is messages "
             "received per second (pingpong: round trips); ratios are of medians over the "
             "repetitions ("
             f"{context.get('lockstep_channel_ops_per_iteration', '?')} messages per iteration).",
             ""]
    if not has_peer:
        lines += ["The Go twin did not run (go_channels.json is missing), so there are no "
                  "ratios to Go.", ""]
    else:
        lines += ["### Goals: lockstep channel / Go", "",
                  "| goal | structure | workload | " + " | ".join(f"{t} thr" for t in threads)
                  + " | target | met |", "|---|---|---|" + "---:|" * len(threads) + "---:|---|"]
        for workload, caps, goal_threads, target, text in CHANNEL_GOALS:
            for s in ours:
                for key in keys:
                    if key[0] != workload or (caps is not None and key[1] not in caps):
                        continue
                    cells, values = [], []
                    for t in threads:
                        r = channel_ratio(channel, key, s, t) \
                            if goal_threads is None or t in goal_threads else None
                        cells.append(fmt_ratio(r) if r is not None else "")
                        if r is not None:
                            values.append(r)
                    if not values:
                        met = "not measured"
                    elif min(values) >= target:
                        met = "yes"
                    else:
                        met = f"no (lowest {fmt_ratio(min(values))})"
                    lines.append(f"| {text} | `{s}` | {channel_title(key)} | "
                                 + " | ".join(cells) + f" | ≥ {target:g} | {met} |")
        lines.append("")
        lines += ["### Every workload: lockstep channel / Go, medians", "",
                  "| workload | structure | " + " | ".join(f"{t} thr" for t in threads) + " |",
                  "|---|---|" + "---:|" * len(threads)]
        for key in keys:
            for s in ours:
                if s not in channel[key]:
                    continue
                cells = [channel_ratio(channel, key, s, t) for t in threads]
                lines.append(f"| {channel_title(key)} | `{s}` | "
                             + " | ".join(fmt_ratio(r) if r is not None else "" for r in cells)
                             + " |")
        lines.append("")

    lines += ["### Throughput (M messages/s, median ±half the min-max spread)", "",
              "| workload | structure | family | " + " | ".join(f"{t} thr" for t in threads)
              + " |", "|---|---|---|" + "---:|" * len(threads)]
    for key in keys:
        for s in ordered(channel[key], fam):
            cells = []
            for t in threads:
                v = channel[key][s].get(t)
                if v is None:
                    cells.append("")
                    continue
                spread = 50 * (v["max"] - v["min"]) / v["median"] if v["median"] else 0
                spread_text = (f"±{spread:.0f}%" if spread <= 100 else
                               f"[{fmt_rate(v['min'])}-{fmt_rate(v['max'])}]")
                cells.append(f"{fmt_rate(v['median'])} {spread_text}"
                             + (f" ({v['roundtrip_ns']:.0f} ns/round trip)"
                                if "roundtrip_ns" in v else ""))
            lines.append(f"| {channel_title(key)} | `{s}` | {fam.get(s, '?')} | "
                         + " | ".join(cells) + " |")
    lines.append("")

    capped = [(k, s, t, v) for k in keys for s, pts in channel[k].items()
              for t, v in pts.items() if v.get("capped")]
    if capped:
        cap_ms = context.get("lockstep_channel_cap_ms", "?")
        lines += [f"Channel runs stopped by the {cap_ms} ms cap (the channels were closed; their "
                  "throughput counts what was done by then):", ""]
        for k, s, t, v in capped:
            lines.append(f"- {channel_title(k)} / {s} / {t} threads: {v['capped']:.0f} of "
                         f"{v['iterations']} iterations")
        lines.append("")
    return lines


def load_stall(run_dir):
    path = os.path.join(run_dir, "lockstep_stall.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def stall_policies(stall):
    seen = []
    for r in stall["runs"]:
        if r["policy"] not in seen:
            seen.append(r["policy"])
    return seen


def plot_stall(run_dir, stall, title):
    ctx = stall["context"]
    fields = stall["sample_fields"]
    t_i, u_i, rss_i = fields.index("t_ms"), fields.index("unreclaimed"), fields.index("rss_bytes")
    modes = [m for m in ("stalled", "control") if any(r["mode"] == m for r in stall["runs"])]
    policies = stall_policies(stall)
    style = policy_styles(policies)
    fig, axes = plt.subplots(2, len(modes), figsize=(6.5 * len(modes), 8.4), sharex=True,
                             sharey="row", squeeze=False)
    handles = {}
    for col, mode in enumerate(modes):
        top, bottom = axes[0][col], axes[1][col]
        for r in stall["runs"]:
            if r["mode"] != mode or not r["samples"]:
                continue
            p = r["policy"]
            xs = [x[t_i] / 1e3 for x in r["samples"]]
            st = dict(color=style[p]["color"], linewidth=1.5)
            handles[p], = top.plot(xs, [x[u_i] for x in r["samples"]], **st)
            bottom.plot(xs, [x[rss_i] / 2**20 for x in r["samples"]], **st)
            if r.get("release_ms") is not None:
                for ax in (top, bottom):
                    ax.axvline(r["release_ms"] / 1e3, color=style[p]["color"], linewidth=0.8,
                               linestyle="--")
        # Lines at exactly 0 lie on top of one another: name them.
        zero = [r["policy"] for r in stall["runs"]
                if r["mode"] == mode and r["samples"] and r["peak_unreclaimed"] == 0]
        if zero:
            top.text(0.5, 0.03, ", ".join(zero) + ": 0 throughout", transform=top.transAxes,
                     ha="center", fontsize=8, color="#333333")
        top.axhline(ctx["cap_nodes"], color="#999999", linewidth=0.8, linestyle=":")
        top.text(0.01, ctx["cap_nodes"], " cap", color="#777777", fontsize=7, va="bottom",
                 transform=top.get_yaxis_transform())
        # Symmetric log: the pools sit at exactly 0, hazard pointers at a handful, epochs in
        # the millions, and all of them should be readable on one axis.
        top.set_yscale("symlog", linthresh=1)
        top.set_ylim(bottom=0)
        bottom.set_yscale("log")
        what = ("one thread holds pin_top() until the dashed line (its colour), then drops it"
                if mode == "stalled" else "no stalled thread (steady state)")
        top.set_title(f"{mode}: {what}", fontsize=9)
        bottom.set_xlabel("seconds since the workers started")
        for ax in (top, bottom):
            ax.grid(True, which="major", alpha=0.3)
    axes[0][0].set_ylabel("unreclaimed nodes (symlog)")
    axes[1][0].set_ylabel("resident set, MB (log; each run its own process)")
    return save_with_legend(
        fig, run_dir, "stall.png",
        f"treiber_stack, {ctx['workers']} workers doing push/pop pairs on a stack of "
        f"{ctx['prefill']} - {title}",
        [handles[p] for p in policies if p in handles], [p for p in policies if p in handles],
        len(handles) or 1, 0.04)


def stall_summary(stall):
    ctx = stall["context"]
    u_i = stall["sample_fields"].index("unreclaimed")
    lines = ["## Stall: unreclaimed nodes with one thread holding a protection", "",
             f"`lockstep_stall`: {ctx['workers']} workers push and pop in pairs on a Treiber stack "
             f"prefilled with {ctx['prefill']} nodes. *stalled*: one more thread takes `pin_top()` "
             "(a hazard pointer on the top node; for epochs an open read-side section) and sleeps "
             f"holding it for {ctx['duration_ms']} ms, or until {ctx['cap_nodes']:,} nodes are "
             f"unreclaimed (*capped*), then drops it; the workers go on for {ctx['release_ms']} ms. "
             "*control*: the same without the stalled thread. Sampled every "
             f"{ctx['sample_ms']} ms; each run in its own process (resident set included).", "",
             "| policy | mode | peak unreclaimed | capped | released at | unreclaimed at end | "
             "ops (M) | M ops/s | peak RSS MB |",
             "|---|---|---:|---|---:|---:|---:|---:|---:|"]
    for r in stall["runs"]:
        secs = r["end_ms"] / 1e3
        rel = f"{r['release_ms'] / 1e3:.2f} s" if r.get("release_ms") is not None else "-"
        last = r["samples"][-1][u_i] if r["samples"] else 0
        lines.append(f"| {r['policy']} | {r['mode']} | {r['peak_unreclaimed']:,} | "
                     f"{'yes' if r['capped'] else 'no'} | {rel} | {last:,} | "
                     f"{r['ops'] / 1e6:.1f} | {r['ops'] / secs / 1e6 if secs else 0:.1f} | "
                     f"{r['peak_rss_bytes'] / 2**20:.1f} |")
        if r.get("error"):
            lines.append(f"| | error: {r['error']} | | | | | | | |")
    lines.append("")
    return lines


def fmt_ratio(r):
    return f"{r:.2f}" if r >= 0.095 else f"{r:.1g}"


def fmt_rate(v):
    return f"{v / 1e6:.2f}" if v >= 1e5 else f"{v / 1e6:.3f}"


def summary(run_dir, context, stack, c2c, seam, errors, fam, baseline, images, sections):
    run = context.get("run", os.path.basename(os.path.normpath(run_dir)))
    lines = [f"# lockstep_bench run {run}", ""]
    lines.append(f"- machine: {context.get('lockstep_topology', '?')}, "
                 f"{context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz, "
                 f"host `{context.get('host_name', '?')}`, commit `{context.get('commit', '?')}`")
    lines.append(f"- date: {context.get('date', '?')}; build: {context.get('lockstep_build_type', '?')}; "
                 f"ops per thread per iteration: {context.get('lockstep_ops_per_thread', '?')}")
    load = context.get("load_avg")
    if load:
        lines.append("- load average at start (other work on the machine skews everything): "
                     + ", ".join(f"{x:.2f}" for x in load))
    lines.append(f"- PU order compact: {context.get('lockstep_pin_order_compact', '?')}; "
                 f"scatter: {context.get('lockstep_pin_order_scatter', '?')}")
    lines.append(f"- {c2c_line(c2c)}")
    lines.append("- throughput = successful pushes + successful pops per second, all threads; "
                 "cells: median M items/s over the repetitions, ±half the min-max spread in % "
                 "(or the min-max range when wider), "
                 f"and (×ratio) to `{baseline}` in the same run")
    lines.append("")
    if errors:
        peers = declared_structures(context, "peer")
        lines += ["## Failed benchmarks", "",
                  "Each failed its correctness check (values lost, duplicated or reordered), so "
                  "it has no throughput in this run. A peer's failure is a finding about the "
                  "peer and leaves the run's exit status alone; a lockstep structure's, or a "
                  "user's, fails it.",
                  ""]
        for name, msg in sorted(errors.items()):
            who = ("peer" if peers.intersection(name.split("/")) else
                   "user" if declared_structures(context, "user").intersection(name.split("/")) else
                   "lockstep")
            lines.append(f"- `{name}` ({who}): {msg}")
        lines.append("")

    if seam:
        lines += ["## Seam overhead: CAS-loop increment, sync::atomic vs std::atomic", "",
                  "Noise on a shared machine slows a lone thread down, never up, so the best "
                  "repetitions are compared as well as the medians; with two threads contending "
                  "it goes both ways (a descheduled thread leaves the other uncontended)."
                  + (" Natively sync::atomic is an alias of std::atomic: both rows ran the same "
                     "code, so their difference is this run's noise floor."
                     if context.get("lockstep_seam_is_alias") == "true" else ""), "",
                  "| threads | std::atomic M/s | sync::atomic M/s | sync / std, medians | "
                  "sync / std, best |", "|---:|---:|---:|---:|---:|"]
        for t in sorted(seam):
            s, y = seam[t].get("std_atomic"), seam[t].get("sync_atomic")
            if s and y:
                lines.append(f"| {t} | {fmt_rate(s['median'])} | {fmt_rate(y['median'])} | "
                             f"{y['median'] / s['median']:.3f} | {y['max'] / s['max']:.3f} |")
        lines.append("")

    for workload in sorted({w for (w, _) in stack}):
        pins = pins_of(stack, workload)
        per_pin = {p: ratios(stack[(workload, p)], baseline) for p in pins}
        threads = sorted({t for p in pins for s in stack[(workload, p)].values() for t in s})
        names = ordered({s for p in pins for s in stack[(workload, p)]}, fam)
        lines += [f"## stack / {workload}: median throughput / {baseline}, pin "
                  + " · ".join(pins), "",
                  "| structure | family | " + " | ".join(f"{t} thr" for t in threads) + " |",
                  "|---|---|" + "---:|" * len(threads)]
        for s in names:
            if s == baseline:
                continue
            cells = [" · ".join(fmt_ratio(per_pin[p][s][t]) if t in per_pin[p].get(s, {}) else "-"
                                for p in pins) for t in threads]
            lines.append(f"| {s} | {fam[s]} | " + " | ".join(cells) + " |")
        lines.append("")

    capped = [(w, p, s, t, v) for (w, p), series in stack.items() for s, pts in series.items()
              for t, v in pts.items() if v.get("capped")]
    if capped:
        lines += ["## Runs stopped by the wall-time cap", "",
                  f"A team run longer than {context.get('lockstep_cap_ms', '?')} ms is stopped and "
                  "its throughput counts the operations done by then (usually a FIFO spin lock "
                  "handing over to a descheduled waiter).", ""]
        for w, p, s, t, v in sorted(capped):
            lines.append(f"- {w} / {s} / {t} threads / pin {p}: {v['capped']:.0f} of "
                         f"{v['iterations']} iterations")
        lines.append("")

    for workload in sorted({w for (w, _) in stack}):
        lines += [f"## stack / {workload}: throughput", ""]
        for pin in pins_of(stack, workload):
            series = stack[(workload, pin)]
            r = ratios(series, baseline)
            threads = sorted({t for s in series.values() for t in s})
            lines += [f"### pin: {pin}", "",
                      "| structure | family | " + " | ".join(f"{t} thr" for t in threads) + " |",
                      "|---|---|" + "---:|" * len(threads)]
            for s in ordered(series, fam):
                cells = []
                for t in threads:
                    v = series[s].get(t)
                    if v is None:
                        cells.append("")
                        continue
                    spread = 50 * (v["max"] - v["min"]) / v["median"] if v["median"] else 0
                    ratio = r.get(s, {}).get(t)
                    # Past ±100% a percentage says little; the range says what happened.
                    spread_text = (f"±{spread:.0f}%" if spread <= 100 else
                                   f"[{fmt_rate(v['min'])}-{fmt_rate(v['max'])}]")
                    cells.append(f"{fmt_rate(v['median'])} {spread_text}"
                                 + (f" (×{fmt_ratio(ratio)})" if ratio is not None else ""))
                lines.append(f"| {s} | {fam[s]} | " + " | ".join(cells) + " |")
            lines.append("")

    lines += sections
    lines += ["## Plots", ""] + [f"![{os.path.basename(p)}]({os.path.basename(p)})" for p in images]
    lines.append("")
    path = os.path.join(run_dir, "summary.md")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        print("usage: plot.py RESULTS_RUN_DIR", file=sys.stderr)
        return 2
    run_dir = argv[1]
    context, samples, errors = load(run_dir)
    stall = load_stall(run_dir)
    if not samples and not errors and stall is None:
        print(f"no benchmark JSON in {run_dir}", file=sys.stderr)
        return 1
    stack, reclaim, queue, c2c, seam = collect(samples)
    channel = collect_channels(samples)
    structures = {s for series in stack.values() for s in series}
    fam = families(context, structures)
    style = styles(ordered(structures, fam), fam)
    baseline = context.get("lockstep_baseline", "locked_std_mutex")
    cores = int(context.get("num_cpus", 0)) or None
    title = f"{context.get('run', os.path.basename(os.path.normpath(run_dir)))}, " \
            f"{context.get('lockstep_topology', '')}"
    images = plot_throughput(run_dir, stack, fam, style, c2c, cores, title) if stack else []
    if stack and baseline in structures:
        images.append(plot_ratio(run_dir, stack, fam, style, baseline, c2c, cores, title))
    sections = []
    reclaim_structures = {s for series in reclaim.values() for s in series}
    reclaim_baseline = context.get("lockstep_reclaim_baseline", "treiber_leaking")
    if reclaim_baseline in reclaim_structures:
        reclaim_fam = families(context, reclaim_structures, "lockstep_reclaim_structures")
        images.append(plot_reclamation(run_dir, reclaim, reclaim_fam, reclaim_baseline, c2c,
                                       cores, title))
        sections += reclamation_summary(reclaim, reclaim_fam, reclaim_baseline, context)
    if queue:
        queue_fam = families(context, {s for series in queue.values() for s in series},
                             "lockstep_queue_structures")
        images += plot_queue_throughput(run_dir, queue, queue_fam, context, c2c, cores, title)
        over = oversubscription(queue)
        if over:
            images.append(plot_oversubscription(run_dir, over, queue_fam, title))
        sections += queue_summary(queue, queue_fam, context, over)
    if channel:
        channel_fam = channel_families(context, channel)
        images.append(plot_channels(run_dir, channel, channel_fam, c2c, cores, title))
        sections += channel_summary(channel, channel_fam, context)
    stall_errors = 0
    if stall is not None:
        images.append(plot_stall(run_dir, stall, title))
        sections += stall_summary(stall)
        stall_errors = sum(1 for r in stall["runs"] if r.get("error"))
    path = summary(run_dir, context, stack, c2c, seam, errors, fam, baseline, images, sections)
    for p in images + [path]:
        print(p)
    # A peer failing its correctness check is a finding about the peer (summary.md lists it),
    # not a failure of this run; a lockstep structure failing one is.
    peers = declared_structures(context, "peer")
    ours = [n for n in errors if not peers.intersection(n.split("/"))]
    for name in sorted(set(errors) - set(ours)):
        print(f"peer failed its correctness check: {name}", file=sys.stderr)
    if ours or stall_errors:
        print(f"{len(ours)} lockstep or user benchmark(s) and {stall_errors} stall run(s) failed "
              "their correctness check; see summary.md", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
