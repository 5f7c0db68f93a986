"""lockstep_stall.json: stall.png (unreclaimed nodes and resident memory over time per policy,
with one thread stalled holding a protection and without) and its table."""

import matplotlib.pyplot as plt

from common import save
from reclaim import policy_styles


def policies(stall):
    seen = []
    for r in stall["runs"]:
        if r["policy"] not in seen:
            seen.append(r["policy"])
    return seen


def plot(out_dir, stall, title):
    ctx = stall["context"]
    fields = stall["sample_fields"]
    t_i, u_i, rss_i = fields.index("t_ms"), fields.index("unreclaimed"), fields.index("rss_bytes")
    modes = [m for m in ("stalled", "control") if any(r["mode"] == m for r in stall["runs"])]
    order = policies(stall)
    style = policy_styles(order)
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
    names = [p for p in order if p in handles]
    return save(fig, out_dir, "stall.png",
                f"treiber_stack, {ctx['workers']} workers doing push/pop pairs on a stack of "
                f"{ctx['prefill']} - {title}",
                ([handles[p] for p in names], names, len(names) or 1), 0.04)


def summary_lines(stall):
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
