"""The reclamation group (reclaim/<workload>/<structure>/...): reclamation.png and its tables,
and the policy colours stall.png shares."""

from common import capped_runs, pins_of, ratio_cells, ratios, save, table_head
from panel import ratio_grid

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


def label(s, fam):
    return f"{s} (peer, a queue)" if s.startswith("xenium_") else f"{s} ({fam.get(s, '?')})"


def plot(out_dir, reclaim, fam, baseline, cores, title, c2c):
    fig, handles = ratio_grid(reclaim, lambda series: [s for s in fam if s in series],
                              policy_styles(list(fam)), baseline, cores)
    names = [s for s in fam if s in handles]
    return save(fig, out_dir, "reclamation.png",
                f"reclamation: ratio to {baseline} (below 1 = the policy costs), same run - "
                f"{title}\n{c2c}",
                ([handles[s] for s in names], [label(s, fam) for s in names],
                 min(len(names), 4)), 0.08)


def summary_lines(reclaim, fam, baseline, context):
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
        lines += [f"### {workload}: median throughput / {baseline}, pin " + " · ".join(pins),
                  ""] + table_head(["structure"], threads)
        for s in names:
            if s == baseline:
                continue
            cells = ratio_cells(per_pin, s, threads, pins)
            lines.append(f"| {label(s, fam)} | " + " | ".join(cells) + " |")
        lines += ["", f"### {workload}: time per operation, ns (team wall time / operations, "
                  f"median), and the difference to `{baseline}`, pin " + " · ".join(pins),
                  ""] + table_head(["structure"], threads)
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
            lines.append(f"| {label(s, fam)} | " + " | ".join(cells) + " |")
        lines.append("")
    capped = capped_runs(reclaim)
    for w, p, s, t, v in capped:
        lines.append(f"- stopped by the {context.get('lockstep_cap_ms', '?')} ms cap: {w} / {s} / "
                     f"{t} threads / pin {p}, {v['capped']:.0f} of {v['iterations']} iterations")
    if capped:
        lines.append("")
    return lines
