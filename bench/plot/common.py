"""Reading a run, the statistics, the names, the styles and writing a figure: what every group
of plots shares."""

import glob
import json
import os
import re
import statistics
import textwrap
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _names_path():
    """names.json beside the package when installed; bench/go/names.json in the source tree."""
    here = os.path.dirname(os.path.abspath(__file__))
    for path in (os.path.join(here, "names.json"), os.path.join(here, "..", "go", "names.json")):
        if os.path.exists(path):
            return path
    raise FileNotFoundError("names.json: neither beside the plot package nor in bench/go")


with open(_names_path()) as _f:
    NAMES = json.load(_f)
PIN_ORDER = NAMES["pins"]
BASELINES = NAMES["baselines"]

# "user": a structure registered by a user's benchmark (bench/registry.hpp).
FAMILY_ORDER = {"lockfree": 0, "locked": 1, "peer": 2}
FAMILY_STYLE = {"lockfree": "-", "locked": "--", "peer": ":", "user": "-"}
# Twelve colours that read apart and eleven markers: the i-th series of a figure takes colour
# i mod 12 and marker i mod 11, so that no two series of a figure share both even past twelve,
# and its family sets the line style. A user's structure is drawn in black (then USER_COLORS)
# and thicker than everything else, so that it stands out among lockstep's and the peers'.
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
          "#7f7f7f", "#bcbd22", "#17becf", "#b8860b", "#00008b"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "h", "*"]
USER_COLORS = ["#000000", "#8b0000", "#556b2f"]
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
    """(context, samples by run name, error message by run name) of every Google Benchmark
    JSON file in run_dir; later files' context keys win."""
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


def load_json(run_dir, name):
    path = os.path.join(run_dir, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def suite_filter(run_dir):
    """The --benchmark_filter a run was taken with, from scripts/bench's machine.txt, or None."""
    path = os.path.join(run_dir, "machine.txt")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        m = re.search(r"^suite:.*--benchmark_filter=(\S+)", f.read(), re.M)
    return m.group(1) if m else None


def stats(values):
    med = statistics.median(values)
    mean = statistics.fmean(values)
    cv = statistics.stdev(values) / mean if len(values) > 1 and mean else 0.0
    return {"median": med, "min": min(values), "max": max(values), "cv": cv, "n": len(values)}


def throughput_stats(runs):
    """Stats of items_per_second over the repetitions, with the capped runs and iterations, or
    None when no repetition has a throughput."""
    ips = [r["items_per_second"] for r in runs if "items_per_second" in r]
    if not ips:
        return None
    st = stats(ips)
    st["capped"] = sum(r.get("capped_runs", 0) for r in runs)
    st["iterations"] = sum(r.get("iterations", 0) for r in runs)
    return st


def collect(samples, group, width=2, key=None):
    """out[(first word, key)][structure][threads] = throughput_stats of the `group/<word>/
    <structure>/...` benchmarks; key(keys) gives the second part of the key (default the pin)."""
    key = key or (lambda keys: keys.get("pin", "none"))
    out = defaultdict(lambda: defaultdict(dict))
    for name, runs in samples.items():
        kind, words, keys = parse_name(name)
        if kind != group or len(words) != width:
            continue
        st = throughput_stats(runs)
        if st is None:
            continue
        rt = [r["roundtrip_ns"] for r in runs if "roundtrip_ns" in r]
        if rt:
            st["roundtrip_ns"] = statistics.median(rt)
        out[(words[0], key(keys))][words[-1]][int(keys["threads"])] = st
    return out


def collect_probes(samples):
    """The c2c round trip by PU pair, and the seam benchmark by threads and implementation."""
    c2c, seam = {}, defaultdict(dict)
    for name, runs in samples.items():
        kind, words, keys = parse_name(name)
        if kind == "c2c":
            ns = [r["roundtrip_ns"] for r in runs if "roundtrip_ns" in r]
            if ns:
                c2c[keys.get("pus", "?")] = stats(ns)
        elif kind == "seam" and len(words) == 2:
            ips = [r["items_per_second"] for r in runs if "items_per_second" in r]
            if ips:
                seam[int(keys["threads"])][words[1]] = stats(ips)
    return c2c, seam


def declared(context, key):
    """structure -> family as a run declares them under `key` ('s:f,s:f'), in that order."""
    out = {}
    for item in context.get(key, "").split(","):
        if ":" in item:
            s, f = item.split(":", 1)
            out[s] = f
    return out


def families(context, structures, key="lockstep_structures"):
    """structure -> family, in the order the binary declared them (then any others, as peers)."""
    fam = {s: f for s, f in declared(context, key).items() if s in structures}
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


def ordered(structures, fam):
    """Lock-free first, then locked, then peers; declaration order within a family."""
    pos = {s: i for i, s in enumerate(fam)}
    return sorted(structures, key=lambda s: (FAMILY_ORDER.get(fam[s], 3), pos[s]))


def styles(structures, fam):
    """A style per structure: line style by family, colour and marker by place in the figure
    (lock-free, locked, peers, then users'), so that no two series read alike."""
    out, users = {}, 0
    for i, s in enumerate(ordered(structures, fam)):
        out[s] = dict(color=COLORS[i % len(COLORS)],
                      linestyle=FAMILY_STYLE.get(fam[s], ":"), marker=MARKERS[i % len(MARKERS)])
        if fam[s] == "user":
            out[s].update(color=USER_COLORS[users % len(USER_COLORS)], linewidth=USER_LINEWIDTH)
            users += 1
    return out


def sorted_pins(pins):
    return sorted(pins, key=lambda p: (PIN_ORDER.index(p) if p in PIN_ORDER else 9, p))


def pins_of(groups, workload):
    return sorted_pins({p for (w, p) in groups if w == workload})


def ratios(series, baseline):
    base = series.get(baseline, {})
    out = {}
    for s, points in series.items():
        out[s] = {t: v["median"] / base[t]["median"] for t, v in points.items()
                  if t in base and base[t]["median"] > 0}
    return out


def c2c_line(c2c, run_filter=None, failed=False):
    """The c2c round trip as one line; without one, why: it failed, or the run's
    --benchmark_filter left it out."""
    if not c2c:
        if failed:
            return "c2c round trip: failed (see Failed benchmarks)"
        if run_filter and not re.search(run_filter, "c2c/roundtrip"):
            return (f"c2c round trip: not in this run (its --benchmark_filter={run_filter} "
                    "left c2c/roundtrip out)")
        return "c2c round trip: not measured"
    pus, s = next(iter(sorted(c2c.items())))
    return (f"c2c round trip (PUs {pus}): {s['median']:.0f} ns median, "
            f"{s['min']:.0f}-{s['max']:.0f} ns over {s['n']} repetitions")


def fmt_ratio(r):
    return f"{r:.2f}" if r >= 0.095 else f"{r:.1g}"


def fmt_rate(v):
    return f"{v / 1e6:.2f}" if v >= 1e5 else f"{v / 1e6:.3f}"


def rate_cell(v):
    """'median ±half the min-max spread in %', or the min-max range past ±100%, where a
    percentage says little and the range says what happened."""
    spread = 50 * (v["max"] - v["min"]) / v["median"] if v["median"] else 0
    spread_text = (f"±{spread:.0f}%" if spread <= 100 else
                   f"[{fmt_rate(v['min'])}-{fmt_rate(v['max'])}]")
    return f"{fmt_rate(v['median'])} {spread_text}"


def ratio_cells(per_pin, s, threads, pins):
    """One table row's cells: structure s's ratio per thread count, one per pin joined by ·."""
    return [" · ".join(fmt_ratio(per_pin[p][s][t]) if t in per_pin[p].get(s, {}) else "-"
                       for p in pins) for t in threads]


def table_head(first, threads):
    return ["| " + " | ".join(first) + " | " + " | ".join(f"{t} thr" for t in threads) + " |",
            "|" + "---|" * len(first) + "---:|" * len(threads)]


def throughput_table(series, fam, baseline, first, row_head, baseline_ratio=True):
    """A summary.md table of series[structure][threads]: the first columns row_head(structure)
    under `first`, then per thread count the rate cell and the ratio to the baseline (on the
    baseline's own row too, unless not baseline_ratio)."""
    r = ratios(series, baseline)
    threads = sorted({t for v in series.values() for t in v})
    lines = table_head(first, threads)
    for s in ordered(series, fam):
        cells = []
        for t in threads:
            v, q = series[s].get(t), r.get(s, {}).get(t)
            shown = q is not None and (baseline_ratio or s != baseline)
            cells.append("" if v is None else rate_cell(v) + (
                f" (×{fmt_ratio(q)})" if shown else ""))
        lines.append("| " + " | ".join(row_head(s)) + " | " + " | ".join(cells) + " |")
    return lines


def capped_runs(groups):
    """(workload, pin, structure, threads, stats) of every point some repetition of which the
    wall-time cap stopped."""
    return sorted((w, p, s, t, v) for (w, p), series in groups.items()
                  for s, pts in series.items() for t, v in pts.items() if v.get("capped"))


def capped_lines(groups, what, cap_ms):
    """The summary's listing of the runs the wall-time cap stopped (`what`: "Queue", "Deque")."""
    capped = capped_runs(groups)
    if not capped:
        return []
    lines = [f"{what} runs stopped by the {cap_ms} ms cap (their throughput counts what was "
             "done by then):", ""]
    for w, p, s, t, v in capped:
        lines.append(f"- {w} / {s} / {t} threads / pin {p}: {v['capped']:.0f} of "
                     f"{v['iterations']} iterations")
    return lines + [""]


def wrap_title(title, fig, fontsize):
    """The title's lines wrapped to the figure's width, so that none is clipped."""
    chars = int(fig.get_figwidth() * 72 / (fontsize * 0.56))
    return "\n".join(textwrap.fill(line, chars) for line in title.split("\n"))


def save(fig, out_dir, name, title, legend=None, bottom=0.0, fontsize=10):
    """Writes out_dir/name with its title wrapped to the width and, when `legend` is (handles,
    labels, ncol), one legend along the bottom in `bottom` of the height; returns the path."""
    if legend:
        handles, labels, ncol = legend
        fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=8, frameon=False)
    title = wrap_title(title, fig, fontsize)
    fig.suptitle(title, fontsize=fontsize, y=1.0, va="top")
    # The panels go below the title's lines, whatever the figure's height.
    top = 1 - (title.count("\n") + 1.2) * fontsize * 1.25 / 72 / fig.get_figheight()
    fig.tight_layout(rect=(0, bottom, 1, top))
    path = os.path.join(out_dir, name)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
