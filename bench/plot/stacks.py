"""The stack group (stack/<workload>/<structure>/threads:<n>/pin:<policy>): throughput_<workload>
.png, ratio.png and their tables."""

import matplotlib.pyplot as plt

from common import (capped_runs, ordered, pins_of, ratio_cells, ratios, save, table_head,
                    throughput_table)
from panel import panel, ratio_grid


def legend(handles, fam, ncol=5):
    names = ordered(handles, fam)
    return [handles[s] for s in names], [f"{s} ({fam[s]})" for s in names], min(len(names), ncol)


def plot_throughput(out_dir, stack, fam, style, cores, title, c2c):
    written = []
    for workload in sorted({w for (w, _) in stack}):
        pins = pins_of(stack, workload)
        fig, axes = plt.subplots(1, len(pins), figsize=(5.2 * len(pins), 5.4), sharey=True,
                                 squeeze=False)
        handles = {}
        for ax, pin in zip(axes[0], pins):
            series = stack[(workload, pin)]
            handles.update(panel(ax, series, ordered(series, fam), style, f"pin: {pin}",
                                 cores=cores))
        axes[0][0].set_ylabel("throughput, M items/s (median; bars min-max; log)")
        written.append(save(fig, out_dir, f"throughput_{workload}.png",
                            f"stack / {workload} - {title}\n{c2c}", legend(handles, fam), 0.1))
    return written


def plot_ratio(out_dir, stack, fam, style, baseline, cores, title, c2c):
    fig, handles = ratio_grid(stack, lambda series: ordered(series, fam), style, baseline, cores)
    return save(fig, out_dir, "ratio.png",
                f"ratio to {baseline} (above 1 = faster), same run - {title}\n{c2c}",
                legend(handles, fam), 0.07)


def summary_lines(stack, fam, baseline, context):
    """The ratio tables, the capped runs and the throughput tables of summary.md."""
    lines = []
    for workload in sorted({w for (w, _) in stack}):
        pins = pins_of(stack, workload)
        per_pin = {p: ratios(stack[(workload, p)], baseline) for p in pins}
        threads = sorted({t for p in pins for s in stack[(workload, p)].values() for t in s})
        names = ordered({s for p in pins for s in stack[(workload, p)]}, fam)
        lines += [f"## stack / {workload}: median throughput / {baseline}, pin "
                  + " · ".join(pins), ""] + table_head(["structure", "family"], threads)
        for s in names:
            if s == baseline:
                continue
            cells = ratio_cells(per_pin, s, threads, pins)
            lines.append(f"| {s} | {fam[s]} | " + " | ".join(cells) + " |")
        lines.append("")

    capped = capped_runs(stack)
    if capped:
        lines += ["## Runs stopped by the wall-time cap", "",
                  f"A team run longer than {context.get('lockstep_cap_ms', '?')} ms is stopped and "
                  "its throughput counts the operations done by then (usually a FIFO spin lock "
                  "handing over to a descheduled waiter).", ""]
        for w, p, s, t, v in capped:
            lines.append(f"- {w} / {s} / {t} threads / pin {p}: {v['capped']:.0f} of "
                         f"{v['iterations']} iterations")
        lines.append("")

    for workload in sorted({w for (w, _) in stack}):
        lines += [f"## stack / {workload}: throughput", ""]
        for pin in pins_of(stack, workload):
            lines += [f"### pin: {pin}", ""]
            lines += throughput_table(stack[(workload, pin)], fam, baseline,
                                      ["structure", "family"], lambda s: [s, fam[s]])
            lines.append("")
    return lines
