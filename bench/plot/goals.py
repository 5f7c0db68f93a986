"""The goals summary.md checks, as ratios of medians within one run. Structure and workload
names are names.json's, which lockstep_bench reads too."""

from common import BASELINES, NAMES, fmt_ratio

# The queue goals: (numerator, denominator, target, workload, thread counts or None for every
# count, what it says).
Q = NAMES["queues"]
QUEUE_GOALS = [
    (Q["bounded_queue"], Q["atomic_queue"], 1.0, "prodcons", [2, 4],
     "bounded_queue ≥ atomic_queue at 1P/1C and 2P/2C"),
    (Q["scq"], Q["atomic_queue"], 1.0, "prodcons", [2, 4],
     "scq ≥ atomic_queue at 1P/1C and 2P/2C"),
    (Q["ms_queue_hazard_pointers"], Q["xenium_msqueue_hp"], 1.0, "pairs", None,
     "ms_queue ≥ xenium's michael_scott_queue, both with hazard pointers"),
    (Q["ms_queue_hazard_pointers"], Q["xenium_msqueue_hp"], 1.0, "prodcons", None,
     "ms_queue ≥ xenium's michael_scott_queue, both with hazard pointers"),
    (Q["faa_queue_hazard_pointers"], Q["ms_queue_hazard_pointers"], 2.0, "pairs", [2, 4, 8],
     "faa_queue ≥ 2× ms_queue (same reclaimer) at 2 threads and above"),
    (Q["faa_queue_hazard_pointers"], Q["ms_queue_hazard_pointers"], 2.0, "prodcons", [2, 4, 8],
     "faa_queue ≥ 2× ms_queue (same reclaimer) at 2 threads and above"),
    (Q["faa_queue_hazard_pointers"], Q["moodycamel"], 1.0, "pairs", None,
     "faa_queue ≥ moodycamel::ConcurrentQueue at pairs"),
    (Q["spsc_queue"], Q["boost_spsc_queue"], 1.0, "prodcons", [2],
     "spsc_queue ≥ boost::lockfree::spsc_queue (1P/1C)"),
]
# Every lockstep queue must keep this share of its 2-thread throughput at 8 threads.
OVERSUBSCRIPTION_FLOOR = 0.7
OVERSUBSCRIPTION_THREADS = (8, 2)

# The channel goals, each lockstep channel over Go's: (workload, capacities or None for every
# one, thread counts or None for every count, target, what it says). 2 threads is one sender
# and one receiver, 4 and 8 are N/N.
CHANNEL_GOALS = [
    ("buffered", None, [4, 8], 3.0, "≥ 3× Go, buffered N/N"),
    ("unbuffered", None, [2], 1.0, "≥ Go, unbuffered 1/1"),
    ("pipeline", None, None, 1.0, "≥ Go, pipeline"),
]
CHANNEL_PEER = BASELINES["channel"]

# Issue 18's goals for the coroutine channels (<family>_channel_coro), on every workload at
# every capacity and thread count: (peer, target, what it says); and the ping-pong round trip.
C = NAMES["channels"]
CORO_CHANNELS = (C["lockfree_coro"], C["locked_coro"])
THREAD_CHANNELS = (C["lockfree"], C["locked"])
FIBER = C["fiber"]
CORO_GOALS = [(CHANNEL_PEER, 2.0, "≥ 2× Go"), (FIBER, 1.5, "≥ 1.5× Boost.Fiber")]
PINGPONG_NS_GOAL = 100.0

# The deque goal: the lock-free deque at least twice its locked twin, steal-heavy, at 4 and 8
# threads (workload, thread counts, target, what it says).
DEQUE_GOAL = ("steal", [4, 8], 2.0, "lock-free deque ≥ 2× its locked twin, steal-heavy")

# A goal on a workload names.json does not list would never be measured: say so at once.
for _goal in QUEUE_GOALS:
    assert _goal[3] in NAMES["workloads"], f"queue goal on unknown workload {_goal[3]}"
for _goal in CHANNEL_GOALS:
    assert _goal[0] in NAMES["channel_workloads"], f"channel goal on unknown workload {_goal[0]}"
assert DEQUE_GOAL[0] in NAMES["deque_workloads"], f"deque goal on unknown workload {DEQUE_GOAL[0]}"


def met(values, target):
    """The 'met' cell of a goal over the ratios measured for it."""
    if not values:
        return "not measured"
    if min(values) >= target:
        return "yes"
    return f"no (lowest {fmt_ratio(min(values))})"
