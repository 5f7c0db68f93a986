"""The command line: reads a run, draws each group it has, writes summary.md."""

import argparse
import os
import sys

import channels
import deques
import queues
import reclaim
import runtime
import stacks
import stall as stall_group
import summary
from common import (BASELINES, c2c_line, collect, collect_probes, declared, declared_structures,
                    families, load, load_json, ordered, styles, suite_filter)



def parse_args(argv, prog):
    p = argparse.ArgumentParser(
        prog=prog,
        description="Draws the plots and summary.md of one benchmark run: every Google "
                    "Benchmark JSON file in RUN_DIR (lockstep_bench's, the Go twin's "
                    "go_channels.json, or a user's --benchmark_out file) and lockstep_stall.json "
                    "when present.",
        epilog="Only ratios within one run are meaningful: the machine's speed moves between "
               "runs. Exit status: 0 drawn; 1 no benchmark JSON, or a lockstep or user "
               "benchmark failed its correctness check; 2 bad arguments.")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a results/<run>/ folder")
    p.add_argument("--out", metavar="DIR",
                   help="write the plots and summary.md here instead of into RUN_DIR")
    args = p.parse_args(argv)
    if not os.path.isdir(args.run_dir):
        p.error(f"RUN_DIR {args.run_dir}: not a directory")
    return args


def main(argv, prog="plot"):
    args = parse_args(argv, prog)
    run_dir = args.run_dir
    out_dir = args.out or run_dir
    os.makedirs(out_dir, exist_ok=True)
    context, samples, errors = load(run_dir)
    stall = load_json(run_dir, "lockstep_stall.json")
    if not samples and not errors and stall is None:
        print(f"no benchmark JSON in {run_dir}", file=sys.stderr)
        return 1
    stack = collect(samples, "stack")
    reclaim_runs = collect(samples, "reclaim")
    queue = collect(samples, "queue")
    channel = channels.collect_channels(samples)
    c2c, seam = collect_probes(samples)
    c2c = c2c_line(c2c, suite_filter(run_dir), any(n.startswith("c2c/") for n in errors))
    structures = {s for series in stack.values() for s in series}
    fam = families(context, structures)
    baseline = context.get("lockstep_baseline", BASELINES["stack"])
    cores = int(context.get("num_cpus", 0)) or None
    title = f"{context.get('run', os.path.basename(os.path.normpath(run_dir)))}, " \
            f"{context.get('lockstep_topology', '')}"

    images, sections = [], []
    if stack:
        style = styles(ordered(structures, fam), fam)
        images += stacks.plot_throughput(out_dir, stack, fam, style, cores, title, c2c)
        if baseline in structures:
            images.append(stacks.plot_ratio(out_dir, stack, fam, style, baseline, cores, title,
                                            c2c))
    reclaim_structures = {s for series in reclaim_runs.values() for s in series}
    reclaim_baseline = context.get("lockstep_reclaim_baseline", BASELINES["reclaim"])
    if reclaim_baseline in reclaim_structures:
        reclaim_fam = families(context, reclaim_structures, "lockstep_reclaim_structures")
        images.append(reclaim.plot(out_dir, reclaim_runs, reclaim_fam, reclaim_baseline, cores,
                                   title, c2c))
        sections += reclaim.summary_lines(reclaim_runs, reclaim_fam, reclaim_baseline, context)
    if queue:
        queue_fam = families(context, {s for series in queue.values() for s in series},
                             "lockstep_queue_structures")
        images += queues.plot_throughput(out_dir, queue, queue_fam,
                                         declared(context, "lockstep_queue_kinds"), cores, title,
                                         c2c)
        over = queues.oversubscription(queue)
        if over:
            images.append(queues.plot_oversubscription(out_dir, over, queue_fam, title))
        sections += queues.summary_lines(queue, queue_fam, context, over)
    if channel:
        channel_fam = channels.families(context, channel)
        images.append(channels.plot(out_dir, channel, channel_fam, cores, title, c2c))
        sections += channels.summary_lines(channel, channel_fam, context)
    runtime_runs = runtime.collect(samples)
    if runtime_runs:
        runtime_fam = runtime.families(context, runtime_runs)
        images.append(runtime.plot(out_dir, runtime_runs, runtime_fam, cores, title))
        sections += runtime.summary_lines(runtime_runs, runtime_fam, context)
    deques.add(out_dir, samples, context, cores, title, c2c, images, sections)
    stall_errors = 0
    if stall is not None:
        images.append(stall_group.plot(out_dir, stall, title))
        sections += stall_group.summary_lines(stall)
        stall_errors = sum(1 for r in stall["runs"] if r.get("error"))

    lines = (summary.header(run_dir, context, c2c, baseline) + summary.failed(context, errors)
             + summary.seam_lines(seam, context) + stacks.summary_lines(stack, fam, baseline,
                                                                        context) + sections)
    path = summary.write(out_dir, lines, images)
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
