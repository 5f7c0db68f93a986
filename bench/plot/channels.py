"""The channel group (channel/<workload>/<structure>/cap:<c>/threads:<n>/pin:none, lockstep_bench's
and the Go twin's go_channels.json): channels.png and the tables over Go."""

import matplotlib.pyplot as plt

from common import NAMES, collect, fmt_ratio, ordered, rate_cell, save, table_head
from common import families as declared_families
from goals import (CHANNEL_GOALS, CHANNEL_PEER, CORO_CHANNELS, CORO_GOALS, FIBER,
                   PINGPONG_NS_GOAL, THREAD_CHANNELS, met)
from panel import panel

WORKLOADS = NAMES["channel_workloads"]
WORKERS = NAMES["channel_patterns"]
# The seed's comparison at a glance: a family keeps its colour, threads thin and coroutines
# thick; locked dashed, lock-free solid; the peers dotted.
STYLE = {NAMES["channels"]["locked"]: dict(color="#b22222", linestyle="--", marker="s"),
         NAMES["channels"]["lockfree"]: dict(color="#1f4e9c", linestyle="-", marker="o"),
         NAMES["channels"]["locked_coro"]: dict(color="#b22222", linestyle="--", marker="D",
                                                linewidth=2.6),
         NAMES["channels"]["lockfree_coro"]: dict(color="#1f4e9c", linestyle="-", marker="*",
                                                  linewidth=2.6),
         CHANNEL_PEER: dict(color="#2ca02c", linestyle=":", marker="^"),
         FIBER: dict(color="#ff7f0e", linestyle=":", marker="v")}
EXTRA = [dict(color=c, linestyle="-", marker=m, linewidth=2.4)
         for c, m in (("#000000", "*"), ("#d62728", "D"), ("#8c564b", "P"))]


def collect_channels(samples):
    """channel[(workload, capacity)][structure][threads] = throughput stats, with the median
    round trip in ns for pingpong."""
    return collect(samples, "channel", key=lambda keys: int(keys.get("cap", 0)))


def families(context, channel):
    """lockstep_bench declares its channels, the Go twin its own; the two lists are one."""
    structures = {s for series in channel.values() for s in series}
    both = ",".join(filter(None, (context.get("lockstep_channel_structures", ""),
                                  context.get("lockstep_go_channel_structures", ""),
                                  context.get("lockstep_fiber_channel_structures", ""))))
    return declared_families({"lockstep_channel_structures": both}, structures,
                             "lockstep_channel_structures")


def keys_of(channel):
    order = {w: i for i, w in enumerate(WORKLOADS)}
    return sorted(channel, key=lambda k: (order.get(k[0], len(order)), k[0], k[1]))


def title_of(key):
    workload, cap = key
    if workload == "pingpong":
        return "pingpong (unbuffered, 2 threads)"
    return f"{workload}, capacity {cap}" if cap else f"{workload}"


def plot(out_dir, channel, fam, cores, title, c2c):
    keys = keys_of(channel)
    cols = min(4, len(keys))
    rows = (len(keys) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 4.0 * rows), squeeze=False)
    style, extra = {}, iter(EXTRA * 4)
    for s in ordered(fam, fam):
        style[s] = STYLE.get(s) or next(extra)
    handles = {}
    for ax, key in zip([a for row in axes for a in row], keys):
        series = channel[key]
        # A pattern's x is its workers; its own threads come on top, so the cores mark where
        # oversubscription starts only for the transfer workloads.
        workers = WORKERS.get(key[0])
        handles.update(panel(ax, series, ordered(series, fam), style, title_of(key),
                             cores=None if workers else cores, xlabel=workers or "threads",
                             linewidth=1.4, markersize=4, title_size=9))
    for ax in [a for row in axes for a in row][len(keys):]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_ylabel("M messages/s (median; bars min-max)")
    names = ordered(handles, fam)
    return save(fig, out_dir, "channels.png",
                f"channels: messages received per second (pingpong: round trips) - {title}\n"
                f"{c2c}",
                ([handles[s] for s in names], [f"{s} ({fam[s]})" for s in names], len(names)),
                0.05)


def ratio(channel, key, structure, t, peer=CHANNEL_PEER):
    a = channel.get(key, {}).get(structure, {}).get(t)
    b = channel.get(key, {}).get(peer, {}).get(t)
    return a["median"] / b["median"] if a and b and b["median"] else None


def coro_lines(channel, keys, threads):
    """Issue 18's goals (each coroutine channel over Go and over Boost.Fiber, every workload;
    the ping-pong round trip) and the two comparisons of the seed: locked / lock-free, and
    threads / coroutines, per family."""
    coros = [s for s in CORO_CHANNELS if any(s in channel[k] for k in keys)]
    if not coros:
        return []
    lines = ["### Goals: coroutine channels / Go and / Boost.Fiber, medians", "",
             "Each `<family>_channel_coro` is the same channel with tasks on lockstep's "
             "scheduler (bench/coro_channel_workloads.hpp), workers = Go's GOMAXPROCS for the "
             "benchmark (its tasks, at most the cores); Boost.Fiber's channels on its "
             "work_stealing scheduler with as many threads (lockstep_fiber_channels.json).", "",
             "| goal | structure | workload | " + " | ".join(f"{t} thr" for t in threads)
             + " | target | met |", "|---|---|---|" + "---:|" * len(threads) + "---:|---|"]
    for peer, target, text in CORO_GOALS:
        for s in coros:
            for key in keys:
                if s not in channel[key] or peer not in channel[key]:
                    continue
                cells = [ratio(channel, key, s, t, peer) for t in threads]
                lines.append(f"| {text} | `{s}` | {title_of(key)} | "
                             + " | ".join(fmt_ratio(r) if r is not None else "" for r in cells)
                             + f" | ≥ {target:g} | "
                             + met([r for r in cells if r is not None], target) + " |")
    lines.append("")
    pp = [k for k in keys if k[0] == "pingpong"]
    if pp:
        lines += ["### Ping-pong round trip (ns, median)", "",
                  "| structure | ns per round trip | goal (coroutines) | met |",
                  "|---|---:|---:|---|"]
        for s in CORO_CHANNELS + THREAD_CHANNELS + (CHANNEL_PEER, FIBER):
            for k in pp:
                v = channel[k].get(s, {}).get(2)
                if not v or "roundtrip_ns" not in v:
                    continue
                goal = s in CORO_CHANNELS
                lines.append(f"| `{s}` | {v['roundtrip_ns']:.0f} | "
                             + (f"≤ {PINGPONG_NS_GOAL:g} | "
                                + ("yes" if v["roundtrip_ns"] <= PINGPONG_NS_GOAL else "no")
                                if goal else " | ") + " |")
        lines.append("")
    pairs = [(f"locked / lock-free, {what}", locked, lockfree)
             for what, locked, lockfree in (("threads", THREAD_CHANNELS[1], THREAD_CHANNELS[0]),
                                            ("coroutines", CORO_CHANNELS[1], CORO_CHANNELS[0]))]
    pairs += [(f"threads / coroutines, {fam_name}", thread, coro)
              for fam_name, thread, coro in (("lock-free", THREAD_CHANNELS[0], CORO_CHANNELS[0]),
                                             ("locked", THREAD_CHANNELS[1], CORO_CHANNELS[1]))]
    lines += ["### Locked / lock-free and threads / coroutines, medians", ""]
    lines += table_head(["workload", "ratio"], threads)
    for key in keys:
        for text, a, b in pairs:
            if a not in channel[key] or b not in channel[key]:
                continue
            cells = [ratio(channel, key, a, t, b) for t in threads]
            lines.append(f"| {title_of(key)} | {text} | "
                         + " | ".join(fmt_ratio(r) if r is not None else "" for r in cells)
                         + " |")
    lines.append("")
    return lines


def summary_lines(channel, fam, context):
    keys = keys_of(channel)
    ours = [s for s in ordered({s for k in keys for s in channel[k]}, fam)
            if s != CHANNEL_PEER and fam.get(s) != "peer"]
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
            for s in [s for s in ours if s not in CORO_CHANNELS]:
                for key in keys:
                    if key[0] != workload or (caps is not None and key[1] not in caps):
                        continue
                    cells = [ratio(channel, key, s, t)
                             if goal_threads is None or t in goal_threads else None
                             for t in threads]
                    lines.append(f"| {text} | `{s}` | {title_of(key)} | "
                                 + " | ".join(fmt_ratio(r) if r is not None else ""
                                              for r in cells)
                                 + f" | ≥ {target:g} | "
                                 + met([r for r in cells if r is not None], target) + " |")
        lines.append("")
        lines += ["### Every workload: lockstep channel / Go, medians", ""]
        lines += table_head(["workload", "structure"], threads)
        for key in keys:
            for s in ours:
                if s not in channel[key]:
                    continue
                cells = [ratio(channel, key, s, t) for t in threads]
                lines.append(f"| {title_of(key)} | `{s}` | "
                             + " | ".join(fmt_ratio(r) if r is not None else "" for r in cells)
                             + " |")
        lines.append("")
    lines += coro_lines(channel, keys, threads)

    lines += ["### Throughput (M messages/s, median ±half the min-max spread)", ""]
    lines += table_head(["workload", "structure", "family"], threads)
    for key in keys:
        for s in ordered(channel[key], fam):
            cells = []
            for t in threads:
                v = channel[key][s].get(t)
                cells.append("" if v is None else rate_cell(v) + (
                    f" ({v['roundtrip_ns']:.0f} ns/round trip)" if "roundtrip_ns" in v else ""))
            lines.append(f"| {title_of(key)} | `{s}` | {fam.get(s, '?')} | "
                         + " | ".join(cells) + " |")
    lines.append("")

    capped = [(k, s, t, v) for k in keys for s, pts in channel[k].items()
              for t, v in pts.items() if v.get("capped")]
    if capped:
        cap_ms = context.get("lockstep_channel_cap_ms", "?")
        lines += [f"Channel runs stopped by the {cap_ms} ms cap (the channels were closed; their "
                  "throughput counts what was done by then):", ""]
        for k, s, t, v in capped:
            lines.append(f"- {title_of(k)} / {s} / {t} threads: {v['capped']:.0f} of "
                         f"{v['iterations']} iterations")
        lines.append("")
    return lines
