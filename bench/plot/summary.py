"""summary.md: the run's header, failed benchmarks, the seam check, the stack tables, each
group's sections and the plots."""

import os

from common import declared_structures, fmt_rate


def header(run_dir, context, c2c, baseline):
    run = context.get("run", os.path.basename(os.path.normpath(run_dir)))
    lines = [f"# lockstep_bench run {run}", ""]
    lines.append(f"- machine: {context.get('lockstep_topology', '?')}, "
                 f"{context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz, "
                 f"host `{context.get('host_name', '?')}`, commit `{context.get('commit', '?')}`")
    lines.append(f"- date: {context.get('date', '?')}; build: "
                 f"{context.get('lockstep_build_type', '?')}; "
                 f"ops per thread per iteration: {context.get('lockstep_ops_per_thread', '?')}")
    load = context.get("load_avg")
    if load:
        lines.append("- load average at start (other work on the machine skews everything): "
                     + ", ".join(f"{x:.2f}" for x in load))
    lines.append(f"- PU order compact: {context.get('lockstep_pin_order_compact', '?')}; "
                 f"scatter: {context.get('lockstep_pin_order_scatter', '?')}")
    lines.append(f"- {c2c}")
    lines.append("- throughput = successful pushes + successful pops per second, all threads; "
                 "cells: median M items/s over the repetitions, ±half the min-max spread in % "
                 "(or the min-max range when wider), "
                 f"and (×ratio) to `{baseline}` in the same run")
    lines.append("")
    return lines


def who(context, name):
    """peer, user or lockstep: whose structure a failed benchmark ran."""
    parts = name.split("/")
    if declared_structures(context, "peer").intersection(parts):
        return "peer"
    if declared_structures(context, "user").intersection(parts):
        return "user"
    return "lockstep"


def failed(context, errors):
    if not errors:
        return []
    lines = ["## Failed benchmarks", "",
             "Each failed its correctness check (values lost, duplicated or reordered), so "
             "it has no throughput in this run. A peer's failure is a finding about the "
             "peer and leaves the run's exit status alone; a lockstep structure's, or a "
             "user's, fails it.", ""]
    for name, msg in sorted(errors.items()):
        lines.append(f"- `{name}` ({who(context, name)}): {msg}")
    lines.append("")
    return lines


def seam_lines(seam, context):
    if not seam:
        return []
    lines = ["## Seam overhead: CAS-loop increment, sync::atomic vs std::atomic", "",
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
    return lines


def write(out_dir, lines, images):
    lines = lines + ["## Plots", ""] + [f"![{os.path.basename(p)}]({os.path.basename(p)})"
                                         for p in images]
    lines.append("")
    path = os.path.join(out_dir, "summary.md")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    return path
