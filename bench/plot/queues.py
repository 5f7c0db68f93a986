"""The queue group (queue/<workload>/<structure>/threads:<n>/pin:<policy>): queue_<workload>.png,
oversubscription.png, and the goals, oversubscription and throughput tables."""

from collections import defaultdict

import matplotlib.pyplot as plt

from common import (BASELINES, capped_lines, declared, fmt_ratio, ordered, pins_of, save,
                    sorted_pins, styles, throughput_table)
from goals import OVERSUBSCRIPTION_FLOOR, OVERSUBSCRIPTION_THREADS, QUEUE_GOALS, met
from panel import panel

FAMILY_ROWS = [("lockfree", "lockstep, lock-free"), ("locked", "lockstep, locked"),
               ("peer", "peers"), ("user", "yours")]
FAMILY_COLOR = {"lockfree": "#1f4e9c", "locked": "#b22222", "peer": "#2ca02c", "user": "#000000"}


def plot_throughput(out_dir, queue, fam, kinds, cores, title, c2c):
    """One row per family (twenty-odd queues in one panel cannot be told apart), one column
    per pinning policy, all on one y scale; bounded queues say so in the legend."""
    style = styles(list(fam), fam)
    written = []
    for workload in sorted({w for (w, _) in queue}):
        pins = pins_of(queue, workload)
        present = {s for p in pins for s in queue[(workload, p)]}
        rows = [(f, text) for f, text in FAMILY_ROWS if any(fam[s] == f for s in present)]
        fig, axes = plt.subplots(len(rows), len(pins), figsize=(5.6 * len(pins) + 2.4,
                                                                 4.2 * len(rows)),
                                 sharey=True, squeeze=False)
        for r, (family, text) in enumerate(rows):
            handles = {}
            for c, pin in enumerate(pins):
                series = queue[(workload, pin)]
                names = [s for s in ordered(series, fam) if fam[s] == family]
                handles.update(panel(
                    axes[r][c], series, names, style, f"{text}, pin: {pin}", cores=cores,
                    linewidth=1.4, markersize=5, title_size=9,
                    xlabel="threads" + (" (half producers, half consumers)"
                                        if workload == "prodcons" else "")))
            axes[r][0].set_ylabel("M items/s (median; bars min-max; log)")
            names = ordered(handles, fam)
            axes[r][-1].legend([handles[s] for s in names],
                               [s + (f" ({kinds[s]})" if kinds.get(s, "unbounded") != "unbounded"
                                     else "") for s in names],
                               loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=7,
                               frameon=False)
        written.append(save(fig, out_dir, f"queue_{workload}.png",
                            f"queue / {workload} - {title}\n{c2c}"))
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


def plot_oversubscription(out_dir, over, fam, title):
    """Horizontal bars on a linear axis, one panel per workload and pin: the ratios sit
    between about 0.1 and 1.3, where a log axis has a single tick."""
    keys = sorted(over)
    names = ordered({s for k in keys for s in over[k]}, fam)
    hi, lo = OVERSUBSCRIPTION_THREADS
    top = max([1.0] + [v for k in keys for v in over[k].values()]) * 1.12
    fig, axes = plt.subplots(1, len(keys), figsize=(2.6 * len(keys) + 2.4,
                                                    0.24 * len(names) + 1.8),
                             sharey=True, squeeze=False)
    ys = list(range(len(names)))[::-1]
    for ax, key in zip(axes[0], keys):
        vals = [over[key].get(s) for s in names]
        ax.barh(ys, [v or 0 for v in vals], height=0.7,
                color=[FAMILY_COLOR.get(fam[s], "#7f7f7f") for s in names])
        for y, v in zip(ys, vals):
            ax.text((v or 0) + top * 0.01, y, fmt_ratio(v) if v is not None else "-",
                    va="center", fontsize=6.5,
                    bbox=dict(facecolor="white", edgecolor="none", pad=0.5, alpha=0.8))
        ax.axvline(OVERSUBSCRIPTION_FLOOR, color="black", linewidth=1, linestyle="--")
        ax.axvline(1.0, color="#999999", linewidth=0.8)
        ax.set_xlim(0, top)
        ax.set_title(f"{key[0]}, pin: {key[1]}", fontsize=9)
        ax.set_xlabel(f"{hi} threads / {lo} threads")
        ax.grid(True, axis="x", alpha=0.3)
    axes[0][0].set_yticks(ys)
    axes[0][0].set_yticklabels(names, fontsize=7)
    for tick, s in zip(axes[0][0].get_yticklabels(), names):
        tick.set_color(FAMILY_COLOR.get(fam[s], "#333333"))
    axes[0][0].set_ylim(-0.6, len(names) - 0.4)
    return save(fig, out_dir, "oversubscription.png",
                f"queues: median throughput kept at {hi} threads over {lo} threads on this "
                f"machine; dashed: the goal ≥ {OVERSUBSCRIPTION_FLOOR:g} for lockstep's queues "
                f"(blue lock-free, red locked; green peers, for comparison) - {title}",
                fontsize=9)


def summary_lines(queue, fam, context, over):
    kinds = declared(context, "lockstep_queue_kinds")
    baseline = context.get("lockstep_queue_baseline", BASELINES["queue"])
    all_pins = sorted_pins({p for (_, p) in queue})
    hi, lo = OVERSUBSCRIPTION_THREADS
    lines = ["## Queues", "",
             f"`queue/<workload>/<structure>/threads:<n>/pin:<policy>`: every queue runs the same "
             f"loop (bench/queue_workloads.hpp): *pairs*, each thread alternating try_push and "
             f"try_pop; *prodcons*, half the threads pushing and half popping (2 threads: one "
             f"producer and one consumer; 4: two and two). Bounded queues hold "
             f"{context.get('lockstep_queue_capacity', '?')} values. A thread that finds the "
             f"queue full or empty spins briefly, then yields. Ratios are of medians over the "
             f"repetitions, within this run; cells give pin " + " · ".join(all_pins) + ".", ""]

    def ratio(workload, p, t, num, den):
        series = queue.get((workload, p), {})
        a, b = series.get(num, {}).get(t), series.get(den, {}).get(t)
        return a["median"] / b["median"] if a and b and b["median"] else None

    lines += ["### Goals", "",
              "| goal | workload | ratio | " + " | ".join(f"{t} thr" for t in (1, 2, 4, 8))
              + " | target | met |", "|---|---|---|" + "---:|" * 4 + "---:|---|"]
    for num, den, target, workload, threads, text in QUEUE_GOALS:
        present = sorted({t for p in all_pins for t in queue.get((workload, p), {}).get(num, {})})
        wanted = [t for t in present if threads is None or t in threads]
        values = [v for t in wanted for p in all_pins
                  for v in [ratio(workload, p, t, num, den)] if v is not None]
        cells = [" · ".join(fmt_ratio(v) if v is not None else "-"
                            for v in (ratio(workload, p, t, num, den) for p in all_pins))
                 if t in wanted else "" for t in (1, 2, 4, 8)]
        lines.append(f"| {text} | {workload} | `{num}` / `{den}` | " + " | ".join(cells)
                     + f" | ≥ {target:g} | {met(values, target)} |")
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
            ok = "" if fam[s] == "peer" or not present else met(present, OVERSUBSCRIPTION_FLOOR)
            lines.append(f"| {s} | {fam[s]} | "
                         + " | ".join(fmt_ratio(v) if v is not None else "-" for v in vals)
                         + f" | {ok} |")
        lines.append("")

    for workload in sorted({w for (w, _) in queue}):
        lines += [f"### queue / {workload}: throughput", ""]
        for pin in pins_of(queue, workload):
            series = queue[(workload, pin)]
            lines += [f"#### pin: {pin} (M items/s, median ±half the min-max spread, "
                      f"×ratio to `{baseline}`)", ""]
            lines += throughput_table(series, fam, baseline, ["structure", "family", "kind"],
                                      lambda s: [s, fam[s], kinds.get(s, "?")],
                                      baseline_ratio=False)
            lines.append("")

    return lines + capped_lines(queue, "Queue", context.get("lockstep_queue_cap_ms", "?"))
