"""The one panel every thread-count figure is drawn with: series against threads, on a log
scale, as throughput with min-max bars or as a ratio to a baseline."""

import math

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from common import sorted_pins


def log_axis(ax):
    """Log y with plain numbers; when the data span less than two decades the 2, 3 and 5
    minor ticks are labelled too, so that every panel has more than one readable tick."""
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    lo, hi = ax.get_ylim()
    if lo > 0 and math.log10(hi / lo) < 2:
        ax.yaxis.set_minor_formatter(FuncFormatter(
            lambda v, _: f"{v:g}" if f"{v:.1e}"[:3] in ("2.0", "3.0", "5.0") else ""))
        ax.tick_params(axis="y", which="minor", labelsize=7)
    ax.grid(True, which="major", alpha=0.3)
    ax.grid(True, which="minor", alpha=0.08)


def thread_ticks(ax, threads, cores):
    """Log-2 x with a tick per thread count, and a rule where the threads outnumber the
    cores."""
    ax.set_xscale("log", base=2)
    ax.set_xticks(threads)
    ax.set_xticklabels([str(t) for t in threads])
    ax.set_xlim(min(threads) / 1.3, max(threads) * 1.3)
    if cores and min(threads) <= cores < max(threads):
        ax.axvline(cores * 1.41, color="#999999", linewidth=0.8)
        ax.text(cores * 1.45, 0.98, "oversubscribed", transform=ax.get_xaxis_transform(),
                fontsize=7, color="#777777", va="top")


def panel(ax, series, names, style, title, *, baseline=None, cores=None, xlabel="threads",
          linewidth=1.6, markersize=5, title_size=None):
    """Draws `names` of series[structure][threads] = stats into ax and returns {structure:
    handle}. With a baseline: each median over the baseline's at the same threads (the
    baseline itself is the line at 1); without: the median in millions per second with
    min-max bars. A log scale either way: a lock convoy can be 100x slower, and it should
    still show."""
    handles = {}
    base = series.get(baseline, {}) if baseline else None
    for s in names:
        pts = sorted(series.get(s, {}).items())
        st = {"linewidth": linewidth, "markersize": markersize, **style[s]}
        if base is not None:
            if s == baseline:
                continue
            pts = [(t, v["median"] / base[t]["median"]) for t, v in pts
                   if t in base and base[t]["median"] > 0]
            if pts:
                handles[s], = ax.plot([t for t, _ in pts], [v for _, v in pts], **st)
        elif pts:
            med = [v["median"] / 1e6 for _, v in pts]
            lo = [(v["median"] - v["min"]) / 1e6 for _, v in pts]
            hi = [(v["max"] - v["median"]) / 1e6 for _, v in pts]
            handles[s] = ax.errorbar([t for t, _ in pts], med, yerr=[lo, hi], capsize=3, **st)
    if base is not None:
        ax.axhline(1.0, color="black", linewidth=1)
    threads = sorted({t for s in names for t in series.get(s, {})}) or [1]
    thread_ticks(ax, threads, cores)
    log_axis(ax)
    ax.set_title(title, fontsize=title_size)
    ax.set_xlabel(xlabel)
    return handles


def ratio_grid(groups, order, style, baseline, cores):
    """A figure of ratio panels, one row per workload and one column per pinning policy, of
    groups[(workload, pin)][structure][threads]; order(series) lists the structures to draw.
    Returns the figure and {structure: handle}."""
    workloads = sorted({w for (w, _) in groups})
    pins = sorted_pins({p for (_, p) in groups})
    fig, axes = plt.subplots(len(workloads), len(pins),
                             figsize=(5.2 * len(pins), 4.0 * len(workloads)), sharey=True,
                             squeeze=False)
    handles = {}
    for row, workload in enumerate(workloads):
        for col, pin in enumerate(pins):
            series = groups.get((workload, pin), {})
            handles.update(panel(axes[row][col], series, order(series), style,
                                 f"{workload}, pin: {pin}", baseline=baseline, cores=cores))
        axes[row][0].set_ylabel(f"median throughput / {baseline}")
    return fig, handles
