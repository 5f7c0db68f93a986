"""The deque group (deque/<workload>/<structure>/threads:<n>/pin:<policy>): deques.png, and the
goal, ratio and throughput tables of summary.md. Workloads (bench/deque_workloads.hpp): owner,
steal, mixed."""

import matplotlib.pyplot as plt

from common import (BASELINES, NAMES, capped_lines, collect, families, ordered,
                    ratio_cells, ratios, save, sorted_pins, styles, table_head, throughput_table)
from goals import DEQUE_GOAL, met
from panel import panel

WORKLOAD_ORDER = NAMES["deque_workloads"]
WORKLOAD_TEXT = {
    "owner": "owner: each thread pushes and pops its own deque, no thief",
    "steal": "steal: one owner pushes, the other threads steal",
    "mixed": "mixed: the owner pushes two, pops one; the others steal",
}


def _workloads(deque):
    return sorted({w for (w, _) in deque},
                  key=lambda w: (WORKLOAD_ORDER.index(w) if w in WORKLOAD_ORDER else 9, w))


def _plot(out_dir, deque, fam, baseline, cores, title, c2c):
    """Throughput (top row) and the ratio to the locked twin (bottom row), one column per
    workload and pinning policy."""
    style = styles(list(fam), fam)
    columns = [(w, p) for w in _workloads(deque) for p in sorted_pins({p for (x, p) in deque
                                                                        if x == w})]
    fig, axes = plt.subplots(2, len(columns), figsize=(5.2 * len(columns), 8.4), squeeze=False)
    handles = {}
    for c, (w, p) in enumerate(columns):
        series = deque[(w, p)]
        names = ordered(series, fam)
        handles.update(panel(axes[0][c], series, names, style, f"{w}, pin: {p}", cores=cores))
        panel(axes[1][c], series, names, style, f"{w}, pin: {p}", baseline=baseline, cores=cores)
    axes[0][0].set_ylabel("M items/s (median; bars min-max; log)")
    axes[1][0].set_ylabel(f"median throughput / {baseline}")
    names = ordered(handles, fam)
    legend = ([handles[s] for s in names], [f"{s} ({fam[s]})" for s in names], len(names))
    return save(fig, out_dir, "deques.png", f"work-stealing deques - {title}\n{c2c}", legend,
                0.06)


def _summary(deque, fam, baseline, context):
    pins = sorted_pins({p for (_, p) in deque})
    lines = ["## Work-stealing deques", "",
             "`deque/<workload>/<structure>/threads:<n>/pin:<policy>` (bench/deque_workloads.hpp): "
             + "; ".join(WORKLOAD_TEXT.get(w, w) for w in _workloads(deque))
             + f". The owner pushes {context.get('lockstep_deque_ops_per_iteration', '?')} values "
             "per iteration; every run checks that each value was taken exactly once, LIFO at the "
             "owner's end and FIFO at each thief's. Ratios are of medians over the repetitions, "
             "within this run; cells give pin " + " · ".join(pins) + ".", ""]

    workload, threads, target, text = DEQUE_GOAL
    lockfree = [s for s in ordered({s for k in deque for s in deque[k]}, fam)
                if fam[s] == "lockfree"]
    lines += ["### Goal", "", "| goal | ratio | " + " | ".join(f"{t} thr" for t in threads)
              + " | target | met |", "|---|---|" + "---:|" * len(threads) + "---:|---|"]
    for s in lockfree:
        per_pin = {p: ratios(deque.get((workload, p), {}), baseline) for p in pins}
        values = [per_pin[p][s][t] for p in pins for t in threads if t in per_pin[p].get(s, {})]
        lines.append(f"| {text} | `{s}` / `{baseline}` | "
                     + " | ".join(ratio_cells(per_pin, s, threads, pins))
                     + f" | ≥ {target:g} | {met(values, target)} |")
    lines.append("")

    all_threads = sorted({t for k in deque for v in deque[k].values() for t in v})
    for s in lockfree:
        lines += [f"### `{s}` / `{baseline}`: median throughput ratio", ""]
        lines += table_head(["workload"], all_threads)
        for w in _workloads(deque):
            per_pin = {p: ratios(deque.get((w, p), {}), baseline) for p in pins}
            lines.append(f"| {w} | " + " | ".join(ratio_cells(per_pin, s, all_threads, pins))
                         + " |")
        lines.append("")

    for w in _workloads(deque):
        for p in sorted_pins({p for (x, p) in deque if x == w}):
            lines += [f"### deque / {w}, pin {p}: throughput (M items/s, median ±half the "
                      f"min-max spread, ×ratio to `{baseline}`)", ""]
            lines += throughput_table(deque[(w, p)], fam, baseline, ["structure", "family"],
                                      lambda s: [s, fam[s]], baseline_ratio=False)
            lines.append("")

    return lines + capped_lines(deque, "Deque", context.get("lockstep_deque_cap_ms", "?"))


def add(out_dir, samples, context, cores, title, c2c, images, sections):
    """Draws deques.png and appends it to `images`, the tables to `sections`, when the run has
    deque benchmarks and their locked baseline."""
    deque = collect(samples, "deque")
    structures = {s for series in deque.values() for s in series}
    baseline = context.get("lockstep_deque_baseline", BASELINES["deque"])
    if baseline not in structures:
        return
    fam = families(context, structures, "lockstep_deque_structures")
    images.append(_plot(out_dir, deque, fam, baseline, cores, title, c2c))
    sections += _summary(deque, fam, baseline, context)
