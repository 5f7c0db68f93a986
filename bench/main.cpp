// lockstep_bench: lockstep's stacks and queues and their peers under contention, in one binary
// and run.
//
// Benchmark names carry the whole configuration, one key per path segment, so scripts/plot
// needs nothing but the name:
//   stack/<workload>/<structure>/threads:<n>/pin:<policy>   throughput (items_per_second)
//   reclaim/<workload>/<structure>/threads:<n>/pin:<policy> the same, for the reclamation
//       comparison: treiber_<policy> for each policy of reclaimers.hpp, and xenium's
//       Michael-Scott queue over its hazard pointers and its epochs (xenium has no stack)
//   queue/<workload>/<structure>/threads:<n>/pin:<policy>   the queues (queue_workloads.hpp)
//   c2c/roundtrip/pus:<a>-<b>                               cache-line round trip (roundtrip_ns)
//   seam/cas_inc/<std_atomic|sync_atomic>/threads:<n>/pin:scatter   the sync:: seam's cost
//   channel/<workload>/<structure>/cap:<c>/threads:<n>/pin:none     the channels
//       (channel_workloads.hpp); bench/go writes the same names with the structure `go`
// The result's context records the topology, the policies' PU orders and each structure's
// family (lockfree, locked, peer), which is how the plots group them, and each group's baseline.
//
// The VM this is developed on changes speed several-fold from minute to minute, so numbers
// from different runs are not comparable: run everything together with
// --benchmark_enable_random_interleaving=true and compare ratios within a run (scripts/bench).
// For the same reason every benchmark has a fixed iteration count (a fixed amount of work per
// repetition) rather than Google Benchmark's min-time estimate: the estimate extrapolates from
// a first fast iteration, and when the machine then slows down, or a FIFO spin lock falls into
// a convoy, one benchmark ran for 30 s instead of 0.3 s. Spread comes from repetitions.
#include <benchmark/benchmark.h>

#include <lockstep/locked/bounded_queue.hpp>
#include <lockstep/locked/channel.hpp>
#include <lockstep/locked/flat_combining.hpp>
#include <lockstep/locked/mcs_lock.hpp>
#include <lockstep/locked/queue.hpp>
#include <lockstep/locked/select.hpp>
#include <lockstep/locked/stack.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/locked/tatas_lock.hpp>
#include <lockstep/locked/ticket_lock.hpp>
#include <lockstep/locked/two_lock_queue.hpp>
#include <lockstep/lockfree/bounded_queue.hpp>
// The lock-free channel joins the channel group once it and its select (which the pub/sub
// broker needs) are in the tree.
#if __has_include(<lockstep/lockfree/channel.hpp>) && __has_include(<lockstep/lockfree/select.hpp>)
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/lockfree/select.hpp>
#define LOCKSTEP_BENCH_LOCKFREE_CHANNEL 1
#endif
#include <lockstep/lockfree/elimination_stack.hpp>
#include <lockstep/lockfree/faa_queue.hpp>
#include <lockstep/lockfree/ms_queue.hpp>
#include <lockstep/lockfree/scq.hpp>
#include <lockstep/lockfree/spsc_queue.hpp>
#include <lockstep/lockfree/treiber_stack.hpp>
#include <lockstep/sync/atomic.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "channel_workloads.hpp"
#include "harness.hpp"
#include "peers.hpp"
#include "placement.hpp"
#include "queue_workloads.hpp"
#include "queues.hpp"
#include "reclaimers.hpp"

namespace lockstep::bench {
namespace {

struct options {
  // Per thread per iteration (a push-pop pair, or one push or pop): enough that on an
  // oversubscribed machine each thread outlives several scheduler quanta and gets preempted
  // mid-run, as it would in a real program, instead of finishing inside its first slice.
  std::size_t ops = 1 << 17;
  // Stack operations per repetition, all threads together: 8 iterations of one thread, 1 of
  // eight (each thread doing `ops`).
  std::size_t work = 1 << 20;
  std::size_t seam_ops = 1 << 18;      // CAS increments per thread per iteration
  std::size_t roundtrips = 1 << 14;    // c2c round trips per iteration
  std::size_t probe_iterations = 20;   // iterations per repetition of c2c and seam
  std::size_t progress_total = 0;      // repetitions expected; > 0 turns on progress lines
  std::chrono::milliseconds cap{500};  // wall-time cap of one team run
  std::vector<std::size_t> threads{1, 2, 4, 8};
  std::vector<pin_policy> pins{all_pin_policies.begin(), all_pin_policies.end()};
  // The reclamation comparison is a second matrix, kept small: its question (what a policy
  // costs per operation) is answered without the oversubscribed and pinned corners.
  std::vector<std::size_t> reclaim_threads{1, 2, 4};
  std::vector<pin_policy> reclaim_pins{pin_policy::none, pin_policy::scatter};
  // The queue group has its own, smaller budget: it has three times the structures of the
  // stack group. 2^16 operations per thread still outlive several scheduler quanta with 8
  // threads on 2 cores; the cap stops a collapsed structure sooner than the stacks' cap, and it
  // still reports what it did by then.
  std::size_t queue_ops = 1 << 16;
  std::size_t queue_work = 1 << 19;
  std::chrono::milliseconds queue_cap{250};
  std::vector<std::size_t> queue_threads{1, 2, 4, 8};
  std::vector<pin_policy> queue_pins{pin_policy::none, pin_policy::scatter};
  // The channels (channel_workloads.hpp), with the same defaults as bench/go's flags, which
  // scripts/bench passes to both. Messages per iteration are all senders' together; the
  // unbuffered workload at 8 threads on 2 cores hands each message over through a sleeping
  // thread, so the cap is long enough for that and stops only a stuck run.
  std::size_t channel_ops = 1 << 15;
  std::size_t channel_work = 1 << 17;
  std::size_t channel_roundtrips = 1 << 12;
  std::chrono::milliseconds channel_cap{2000};
  std::vector<std::size_t> channel_threads{1, 2, 4, 8};
  std::vector<std::size_t> channel_caps{1, 64, 1024};
  std::size_t channel_pattern_cap = 64;
};

struct environment {
  topology topo;
  options opt;
};

// One line on stderr per finished repetition. Google Benchmark itself reports a benchmark only
// when all its repetitions are done, which under random interleaving is mostly at the very end.
class progress {
 public:
  void set_total(std::size_t total) { total_ = total; }
  void done(const std::string& name) {
    if (total_ == 0) return;
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(clock::now() - start_).count();
    std::fprintf(stderr, "[%4zu/%zu %3lld:%02lld] %s\n", ++done_, total_,
                 static_cast<long long>(s / 60), static_cast<long long>(s % 60), name.c_str());
  }

 private:
  std::size_t total_ = 0;
  std::size_t done_ = 0;
  clock::time_point start_ = clock::now();
};

progress& reporter() {
  static progress p;
  return p;
}

// Registers fn under name with the suite's timing: fixed iterations, manual (team wall) time.
template <class Fn>
void add(const std::string& name, std::size_t iterations, Fn fn) {
  benchmark::RegisterBenchmark(name.c_str(),
                               [name, fn](benchmark::State& s) {
                                 fn(s);
                                 reporter().done(name);
                               })
      ->Iterations(static_cast<benchmark::IterationCount>(iterations))
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

template <class Stack>
struct lockstep_stack {
  using hooks = no_thread_hooks;
  Stack s;

  bool push(std::uint64_t v) {
    s.push(v);
    return true;
  }
  std::optional<std::uint64_t> try_pop() { return s.try_pop(); }
  // fc_stack has no emptiness test. The harness asks only after draining, where finding an
  // element is already the failure it reports, so a pop that finds nothing stands in for one.
  bool empty() {
    if constexpr (requires(const Stack& c) { c.empty(); }) {
      return s.empty();
    } else {
      return !s.try_pop();
    }
  }
};

using bench_fn = void (*)(benchmark::State&, const environment&, workload, std::size_t,
                          pin_policy);

struct structure {
  std::string name;
  const char* family;
  bench_fn run;
};

template <class Adapter>
void stack_bench(benchmark::State& state, const environment& env, workload w,
                 std::size_t threads, pin_policy pin) {
  const std::vector<unsigned> pus = plan(env.topo.get(), pin, threads);
  std::uint64_t items = 0;
  std::uint64_t capped = 0;
  for (auto _ : state) {
    const stack_run r = run_stack<Adapter>(env.topo.get(), w, pus, threads, env.opt.ops,
                                           env.opt.cap);
    if (r.error) {
      state.SkipWithError(r.error->c_str());
      break;
    }
    state.SetIterationTime(r.seconds);
    items += r.items;
    capped += r.capped ? 1 : 0;
  }
  if (state.error_occurred()) return;
  state.SetItemsProcessed(static_cast<std::int64_t>(items));
  state.counters["capped_runs"] = static_cast<double>(capped);
  state.SetLabel(pus.empty() ? "pus=any" : "pus=" + join(pus));
}

const structure structures[] = {
    {"treiber", "lockfree",
     &stack_bench<lockstep_stack<lockfree::treiber_stack<std::uint64_t>>>},
    {"elimination", "lockfree",
     &stack_bench<lockstep_stack<lockfree::elimination_stack<std::uint64_t>>>},
    {"locked_std_mutex", "locked",
     &stack_bench<lockstep_stack<locked::stack<std::uint64_t, locked::std_mutex>>>},
    {"locked_tatas", "locked",
     &stack_bench<lockstep_stack<locked::stack<std::uint64_t, locked::tatas_lock>>>},
    {"locked_ticket", "locked",
     &stack_bench<lockstep_stack<locked::stack<std::uint64_t, locked::ticket_lock>>>},
    {"locked_mcs", "locked",
     &stack_bench<lockstep_stack<locked::stack<std::uint64_t, locked::mcs_lock>>>},
    {"flat_combining", "locked", &stack_bench<lockstep_stack<locked::fc_stack<std::uint64_t>>>},
    {"boost_lockfree", "peer", &stack_bench<boost_lockfree_stack>},
    {"cds_treiber", "peer", &stack_bench<cds_treiber_stack<false>>},
    {"cds_treiber_elim", "peer", &stack_bench<cds_treiber_stack<true>>},
};

const std::string reclaim_baseline = "treiber_" + std::string(baseline_reclaimer);

std::vector<structure> reclaim_structures() {
  std::vector<structure> out;
  for_each_reclaimer([&out](auto tag) {
    using stack = lockfree::treiber_stack<std::uint64_t, typename decltype(tag)::type>;
    out.push_back(
        {"treiber_" + std::string(tag.name), "lockfree", &stack_bench<lockstep_stack<stack>>});
  });
  out.push_back({"xenium_msqueue_hp", "peer", &stack_bench<xenium_ms_queue_hp>});
  out.push_back({"xenium_msqueue_epoch", "peer", &stack_bench<xenium_ms_queue_epoch>});
  return out;
}

// The queue group: every structure runs queue_workloads.hpp's loop through its queues.hpp
// adapter. kind says which workloads it can run (spsc: one producer and one consumer only).
struct queue_structure {
  std::string name;
  const char* family;
  queue_kind kind;
  bench_fn run;
};

template <class Adapter>
void queue_bench(benchmark::State& state, const environment& env, workload w, std::size_t threads,
                 pin_policy pin) {
  const std::vector<unsigned> pus = plan(env.topo.get(), pin, threads);
  std::uint64_t items = 0;
  std::uint64_t capped = 0;
  std::uint64_t full = 0;
  std::uint64_t empty = 0;
  for (auto _ : state) {
    const queue_run r =
        run_queue<Adapter>(env.topo.get(), w, pus, threads, env.opt.queue_ops, env.opt.queue_cap);
    if (r.error) {
      state.SkipWithError(r.error->c_str());
      break;
    }
    state.SetIterationTime(r.seconds);
    items += r.items;
    full += r.full;
    empty += r.empty;
    capped += r.capped ? 1 : 0;
  }
  if (state.error_occurred()) return;
  state.SetItemsProcessed(static_cast<std::int64_t>(items));
  state.counters["capped_runs"] = static_cast<double>(capped);
  // Failed attempts per successful operation: how often a thread found the queue full or empty
  // and backed off.
  const double per_item = items ? 1.0 / static_cast<double>(items) : 0.0;
  state.counters["full_per_op"] = static_cast<double>(full) * per_item;
  state.counters["empty_per_op"] = static_cast<double>(empty) * per_item;
  state.SetLabel(pus.empty() ? "pus=any" : "pus=" + join(pus));
}

template <class Adapter>
queue_structure queue_entry(std::string name, const char* family) {
  return {std::move(name), family, Adapter::kind, &queue_bench<Adapter>};
}

// The structures whose ratios plot.py's goal table reads are named in its QUEUE_GOALS; a rename
// here must be made there too.
std::vector<queue_structure> queue_structures() {
  using T = std::uint64_t;
  std::vector<queue_structure> out;
  // The Michael-Scott queue with four of the reclamation policies (wide_tagged_pool, the fifth,
  // measures the same as tagged_pool plus a wider CAS, which the reclamation group shows).
  auto ms_queue = [&out](auto tag) {
    using queue = lockfree::ms_queue<T, typename decltype(tag)::type>;
    out.push_back(
        queue_entry<lockstep_unbounded<queue>>("ms_queue_" + std::string(tag.name), "lockfree"));
  };
  ms_queue(reclaimer_tag<hazard::tagged_pool>{"tagged_pool"});
  ms_queue(reclaimer_tag<hazard::hazard_pointers>{"hazard_pointers"});
  ms_queue(reclaimer_tag<hazard::epochs>{"epochs"});
  ms_queue(reclaimer_tag<hazard::leaking>{"leaking"});
  out.push_back(queue_entry<lockstep_unbounded<lockfree::faa_queue<T, hazard::hazard_pointers>>>(
      "faa_queue_hazard_pointers", "lockfree"));
  out.push_back(
      queue_entry<lockstep_bounded<lockfree::bounded_queue<T>>>("bounded_queue", "lockfree"));
  out.push_back(queue_entry<lockstep_bounded<lockfree::scq<T>>>("scq", "lockfree"));
  out.push_back(queue_entry<lockstep_bounded<lockfree::spsc_queue<T>, queue_kind::spsc>>(
      "spsc_queue", "lockfree"));
  out.push_back(queue_entry<lockstep_unbounded<locked::queue<T, locked::std_mutex>>>(
      "locked_queue_std_mutex", "locked"));
  out.push_back(queue_entry<lockstep_unbounded<locked::queue<T, locked::tatas_lock>>>(
      "locked_queue_tatas", "locked"));
  out.push_back(queue_entry<lockstep_unbounded<locked::two_lock_queue<T, locked::std_mutex>>>(
      "two_lock_queue_std_mutex", "locked"));
  out.push_back(queue_entry<lockstep_unbounded<locked::two_lock_queue<T, locked::tatas_lock>>>(
      "two_lock_queue_tatas", "locked"));
  out.push_back(queue_entry<lockstep_unbounded<locked::fc_queue<T, locked::std_mutex>>>(
      "fc_queue_std_mutex", "locked"));
  out.push_back(queue_entry<lockstep_bounded<locked::bounded_queue<T, locked::std_mutex>>>(
      "locked_bounded_queue_std_mutex", "locked"));
  out.push_back(queue_entry<boost_queue>("boost_queue", "peer"));
  out.push_back(queue_entry<boost_spsc_queue>("boost_spsc_queue", "peer"));
  out.push_back(queue_entry<moodycamel_queue>("moodycamel", "peer"));
  out.push_back(queue_entry<atomic_queue_peer>("atomic_queue", "peer"));
  out.push_back(queue_entry<xenium_ms_queue_peer>("xenium_msqueue_hp", "peer"));
  out.push_back(queue_entry<xenium_ramalhete_queue>("xenium_ramalhete_hp", "peer"));
  out.push_back(queue_entry<xenium_vyukov_queue>("xenium_vyukov_bounded", "peer"));
  out.push_back(queue_entry<cds_ms_queue>("cds_msqueue", "peer"));
  out.push_back(queue_entry<cds_fc_queue>("cds_fcqueue", "peer"));
  out.push_back(queue_entry<tbb_queue>("tbb_queue", "peer"));
  out.push_back(queue_entry<tbb_bounded_queue>("tbb_bounded_queue", "peer"));
  out.push_back(queue_entry<std_mutex_deque>("std_mutex_deque", "peer"));
  return out;
}

// The channel group: each family runs channel_workloads.hpp's workloads, unpinned (Go cannot
// pin its goroutines, and the comparison with bench/go is the point of the group).
using channel_fn = void (*)(benchmark::State&, const environment&, const channel_case&);

struct channel_structure {
  std::string name;
  const char* family;
  channel_fn run;
};

template <template <class> class Channel>
void channel_bench(benchmark::State& state, const environment& env, const channel_case& c) {
  std::uint64_t items = 0;
  std::uint64_t capped = 0;
  double seconds = 0;
  for (auto _ : state) {
    const channel_run r = run_channel<Channel>(env.topo.get(), {}, c, env.opt.channel_ops,
                                               env.opt.channel_roundtrips, env.opt.channel_cap);
    if (r.error) {
      state.SkipWithError(r.error->c_str());
      break;
    }
    state.SetIterationTime(r.seconds);
    seconds += r.seconds;
    items += r.items;
    capped += r.capped ? 1 : 0;
  }
  if (state.error_occurred()) return;
  state.SetItemsProcessed(static_cast<std::int64_t>(items));
  state.counters["capped_runs"] = static_cast<double>(capped);
  if (c.workload == channel_workload::pingpong && items) {
    state.counters["roundtrip_ns"] = seconds * 1e9 / static_cast<double>(items);
  }
  state.SetLabel("pus=any");
}

// plot.py's channel goals name these structures and bench/go's `go`; a rename here must be
// made there too.
std::vector<channel_structure> channel_structures() {
  std::vector<channel_structure> out;
  out.push_back({"locked_channel", "locked", &channel_bench<locked::channel>});
#ifdef LOCKSTEP_BENCH_LOCKFREE_CHANNEL
  out.push_back({"lockfree_channel", "lockfree", &channel_bench<lockfree::channel>});
#endif
  return out;
}

// Two threads on two different cores hand one cache line back and forth: the physical floor
// of any cross-core handoff, and a reading of how fast the (shared, noisy) machine is now.
void c2c_bench(benchmark::State& state, const environment& env, std::vector<unsigned> pus) {
  struct alignas(64) line_t {
    std::atomic<std::uint64_t> v{0};
  };
  const std::uint64_t n = env.opt.roundtrips;
  double total_seconds = 0;
  std::uint64_t total_roundtrips = 0;
  for (auto _ : state) {
    line_t line;
    double seconds = 0;
    std::uint64_t done = 0;
    std::vector<thread_record> records;
    // Round trip 0 only brings both threads up; the clock runs from its end, in the pinging
    // thread, so thread wake-up latency is not counted.
    run_team<no_thread_hooks>(
        env.topo.get(), pus, 2, env.opt.cap, records,
        [&](std::size_t i, const std::atomic<bool>& stop, thread_record&) {
          clock::time_point start{};
          for (std::uint64_t r = 0; r <= n; ++r) {
            const std::uint64_t ping = 2 * r + 1;
            const std::uint64_t want = i == 0 ? ping + 1 : ping;
            if (i == 0) line.v.store(ping, std::memory_order_release);
            std::size_t spins = 0;
            while (line.v.load(std::memory_order_acquire) != want) {
              if (++spins % 4096 == 0 && stop.load(std::memory_order_relaxed)) return;
              sync::cpu_relax();
            }
            if (i == 1) line.v.store(ping + 1, std::memory_order_release);
            if (i == 0 && r == 0) start = clock::now();
          }
          if (i == 0) {
            seconds = std::chrono::duration<double>(clock::now() - start).count();
            done = n;
          }
        });
    if (done != n) {
      state.SkipWithError("round trips did not complete within the cap");
      break;
    }
    state.SetIterationTime(seconds);
    total_seconds += seconds;
    total_roundtrips += done;
  }
  if (state.error_occurred()) return;
  state.SetItemsProcessed(static_cast<std::int64_t>(total_roundtrips));
  state.counters["roundtrip_ns"] = total_seconds * 1e9 / static_cast<double>(total_roundtrips);
  state.SetLabel("pus=" + join(pus));
}

// A CAS-loop increment on one shared counter: lockstep's sync::atomic against std::atomic.
// Natively the former is an alias of the latter, so the two must measure the same.
template <class Atomic>
void seam_bench(benchmark::State& state, const environment& env, std::size_t threads) {
  const std::vector<unsigned> pus = plan(env.topo.get(), pin_policy::scatter, threads);
  std::uint64_t items = 0;
  for (auto _ : state) {
    struct alignas(64) counter_t {
      Atomic v{0};
    } counter;
    std::vector<thread_record> records;
    const team_result team = run_team<no_thread_hooks>(
        env.topo.get(), pus, threads, env.opt.cap, records,
        [&](std::size_t, const std::atomic<bool>& stop, thread_record& rec) {
          for (std::size_t j = 0; j < env.opt.seam_ops; ++j) {
            if (j % stop_check_period == 0 && stop.load(std::memory_order_relaxed)) break;
            std::uint64_t v = counter.v.load(std::memory_order_relaxed);
            while (!counter.v.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel,
                                                    std::memory_order_relaxed)) {
            }
            ++rec.pushed.count;
          }
        });
    std::uint64_t increments = 0;
    for (const thread_record& rec : records) increments += rec.pushed.count;
    if (counter.v.load() != increments) {
      state.SkipWithError("lost or extra increments");
      break;
    }
    state.SetIterationTime(team.seconds);
    items += increments;
  }
  if (state.error_occurred()) return;
  state.SetItemsProcessed(static_cast<std::int64_t>(items));
  state.SetLabel("pus=" + join(pus));
}

template <class T>
std::optional<T> parse_number(std::string_view s) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v == 0) return std::nullopt;
  return v;
}

template <class T, class Parse>
std::optional<std::vector<T>> parse_list(std::string_view s, Parse parse) {
  std::vector<T> out;
  while (!s.empty()) {
    const std::size_t comma = s.find(',');
    const std::optional<T> v = parse(s.substr(0, comma));
    if (!v) return std::nullopt;
    out.push_back(*v);
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

constexpr const char* usage =
    "lockstep_bench [google benchmark flags] [--ops=N] [--work=N] [--seam_ops=N]\n"
    "               [--roundtrips=N] [--probe_iterations=N] [--cap_ms=N]\n"
    "               [--threads=1,2,4,8] [--pin=none,compact,scatter] [--progress_total=N]\n"
    "               [--reclaim_threads=1,2,4] [--reclaim_pin=none,scatter]\n"
    "               [--queue_ops=N] [--queue_work=N] [--queue_cap_ms=N]\n"
    "               [--queue_threads=1,2,4,8] [--queue_pin=none,scatter]\n"
    "               [--channel_ops=N] [--channel_work=N] [--channel_roundtrips=N]\n"
    "               [--channel_cap_ms=N] [--channel_threads=1,2,4,8]\n"
    "               [--channel_caps=1,64,1024] [--channel_pattern_cap=N]\n";

// Takes lockstep's own flags out of argv; benchmark::Initialize has taken its own already.
bool parse_options(int& argc, char** argv, options& opt) {
  int kept = 1;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::string_view flag) -> std::optional<std::string_view> {
      if (arg.substr(0, flag.size()) == flag && arg.size() > flag.size() &&
          arg[flag.size()] == '=') {
        return arg.substr(flag.size() + 1);
      }
      return std::nullopt;
    };
    auto set = [&](auto& field, auto parsed) {
      if (parsed) {
        field = *parsed;
      } else {
        std::fprintf(stderr, "bad value: %s\n", argv[i]);
        ok = false;
      }
    };
    if (auto v = value("--ops")) {
      set(opt.ops, parse_number<std::size_t>(*v));
    } else if (auto v = value("--progress_total")) {
      set(opt.progress_total, parse_number<std::size_t>(*v));
    } else if (auto v = value("--work")) {
      set(opt.work, parse_number<std::size_t>(*v));
    } else if (auto v = value("--probe_iterations")) {
      set(opt.probe_iterations, parse_number<std::size_t>(*v));
    } else if (auto v = value("--seam_ops")) {
      set(opt.seam_ops, parse_number<std::size_t>(*v));
    } else if (auto v = value("--roundtrips")) {
      set(opt.roundtrips, parse_number<std::size_t>(*v));
    } else if (auto v = value("--cap_ms")) {
      const auto ms = parse_number<unsigned>(*v);
      set(opt.cap, ms ? std::optional(std::chrono::milliseconds(*ms)) : std::nullopt);
    } else if (auto v = value("--threads")) {
      set(opt.threads, parse_list<std::size_t>(*v, parse_number<std::size_t>));
    } else if (auto v = value("--pin")) {
      set(opt.pins, parse_list<pin_policy>(*v, parse_pin_policy));
    } else if (auto v = value("--reclaim_threads")) {
      set(opt.reclaim_threads, parse_list<std::size_t>(*v, parse_number<std::size_t>));
    } else if (auto v = value("--reclaim_pin")) {
      set(opt.reclaim_pins, parse_list<pin_policy>(*v, parse_pin_policy));
    } else if (auto v = value("--queue_ops")) {
      set(opt.queue_ops, parse_number<std::size_t>(*v));
    } else if (auto v = value("--queue_work")) {
      set(opt.queue_work, parse_number<std::size_t>(*v));
    } else if (auto v = value("--queue_cap_ms")) {
      const auto ms = parse_number<unsigned>(*v);
      set(opt.queue_cap, ms ? std::optional(std::chrono::milliseconds(*ms)) : std::nullopt);
    } else if (auto v = value("--queue_threads")) {
      set(opt.queue_threads, parse_list<std::size_t>(*v, parse_number<std::size_t>));
    } else if (auto v = value("--queue_pin")) {
      set(opt.queue_pins, parse_list<pin_policy>(*v, parse_pin_policy));
    } else if (auto v = value("--channel_ops")) {
      set(opt.channel_ops, parse_number<std::size_t>(*v));
    } else if (auto v = value("--channel_work")) {
      set(opt.channel_work, parse_number<std::size_t>(*v));
    } else if (auto v = value("--channel_roundtrips")) {
      set(opt.channel_roundtrips, parse_number<std::size_t>(*v));
    } else if (auto v = value("--channel_cap_ms")) {
      const auto ms = parse_number<unsigned>(*v);
      set(opt.channel_cap, ms ? std::optional(std::chrono::milliseconds(*ms)) : std::nullopt);
    } else if (auto v = value("--channel_threads")) {
      set(opt.channel_threads, parse_list<std::size_t>(*v, parse_number<std::size_t>));
    } else if (auto v = value("--channel_caps")) {
      set(opt.channel_caps, parse_list<std::size_t>(*v, parse_number<std::size_t>));
    } else if (auto v = value("--channel_pattern_cap")) {
      set(opt.channel_pattern_cap, parse_number<std::size_t>(*v));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return ok;
}

template <class Structures>
std::string families(const Structures& list) {
  std::string s;
  for (const auto& st : list) {
    if (!s.empty()) s += ',';
    s += st.name + ':' + st.family;
  }
  return s;
}

template <class Structures>
void register_matrix(const environment& env, const std::string& kind, const Structures& list,
                     const std::vector<std::size_t>& threads, const std::vector<pin_policy>& pins) {
  for (const structure& st : list) {
    for (workload w : {workload::pairs, workload::prodcons}) {
      for (std::size_t n : threads) {
        // A producer/consumer split needs one of each.
        if (w == workload::prodcons && n < 2) continue;
        for (pin_policy p : pins) {
          add(kind + "/" + std::string(name(w)) + "/" + st.name + "/threads:" +
                  std::to_string(n) + "/pin:" + std::string(name(p)),
              std::max<std::size_t>(1, env.opt.work / (n * env.opt.ops)),
              [&env, run = st.run, w, n, p](benchmark::State& s) { run(s, env, w, n, p); });
        }
      }
    }
  }
}

// pairs at every thread count; prodcons from 2 threads (half producers, half consumers); the
// single-producer single-consumer queues only prodcons at 2 threads, one of each.
void register_queues(const environment& env) {
  for (const queue_structure& st : queue_structures()) {
    for (workload w : {workload::pairs, workload::prodcons}) {
      for (std::size_t n : env.opt.queue_threads) {
        if (w == workload::prodcons && n < 2) continue;
        if (st.kind == queue_kind::spsc && (w != workload::prodcons || n != 2)) continue;
        for (pin_policy p : env.opt.queue_pins) {
          add("queue/" + std::string(name(w)) + "/" + st.name + "/threads:" +
                  std::to_string(n) + "/pin:" + std::string(name(p)),
              std::max<std::size_t>(1, env.opt.queue_work / (n * env.opt.queue_ops)),
              [&env, run = st.run, w, n, p](benchmark::State& s) { run(s, env, w, n, p); });
        }
      }
    }
  }
}

// bench/go/main.go's matrix registers the same cases under the same names: a change here must
// be made there too.
void register_channels(const environment& env) {
  const options& o = env.opt;
  const std::size_t transfer_iterations = std::max<std::size_t>(1, o.channel_work / o.channel_ops);
  std::vector<std::pair<channel_case, std::size_t>> cases;
  // Senders and receivers come in pairs; one thread alone sends and receives in turn, which
  // only a buffered channel allows.
  for (std::size_t c : o.channel_caps) {
    for (std::size_t n : o.channel_threads) {
      if (n == 1 || n % 2 == 0) {
        cases.push_back({{channel_workload::buffered, c, n}, transfer_iterations});
      }
    }
  }
  for (std::size_t n : o.channel_threads) {
    if (n >= 2 && n % 2 == 0) {
      cases.push_back({{channel_workload::unbuffered, 0, n}, transfer_iterations});
    }
  }
  cases.push_back({{channel_workload::pingpong, 0, 2},
                   std::max<std::size_t>(1, o.channel_work / (2 * o.channel_roundtrips))});
  for (channel_workload w : channel_patterns) {
    for (std::size_t n : o.channel_threads) {
      cases.push_back({{w, o.channel_pattern_cap, n}, transfer_iterations});
    }
  }
  for (const channel_structure& st : channel_structures()) {
    for (const auto& [c, iterations] : cases) {
      add("channel/" + std::string(name(c.workload)) + "/" + st.name + "/cap:" +
              std::to_string(c.capacity) + "/threads:" + std::to_string(c.threads) + "/pin:none",
          iterations, [&env, run = st.run, c](benchmark::State& s) { run(s, env, c); });
    }
  }
}

void register_all(const environment& env) {
  register_matrix(env, "stack", structures, env.opt.threads, env.opt.pins);
  register_matrix(env, "reclaim", reclaim_structures(), env.opt.reclaim_threads,
                  env.opt.reclaim_pins);
  register_queues(env);
  register_channels(env);

  // The first two PUs of the scatter order are on different cores whenever the machine has two.
  const std::vector<unsigned> c2c_pus = plan(env.topo.get(), pin_policy::scatter, 2);
  add("c2c/roundtrip/pus:" + join(c2c_pus, '-'), env.opt.probe_iterations,
      [&env, c2c_pus](benchmark::State& s) {
        if (describe_pus(env.topo.get()).size() < 2 || c2c_pus[0] == c2c_pus[1]) {
          s.SkipWithError("needs two PUs");
          return;
        }
        c2c_bench(s, env, c2c_pus);
      });

  for (std::size_t n : {1, 2}) {
    const std::string suffix = "/threads:" + std::to_string(n) + "/pin:scatter";
    add("seam/cas_inc/std_atomic" + suffix, env.opt.probe_iterations,
        [&env, n](benchmark::State& s) { seam_bench<std::atomic<std::uint64_t>>(s, env, n); });
    add("seam/cas_inc/sync_atomic" + suffix, env.opt.probe_iterations,
        [&env, n](benchmark::State& s) { seam_bench<sync::atomic<std::uint64_t>>(s, env, n); });
  }
}

void add_context(const environment& env) {
  const hwloc_topology_t t = env.topo.get();
  benchmark::AddCustomContext("lockstep_topology", summary(t));
  benchmark::AddCustomContext("lockstep_pin_order_compact", join(pu_order(t, pin_policy::compact)));
  benchmark::AddCustomContext("lockstep_pin_order_scatter", join(pu_order(t, pin_policy::scatter)));
  std::string pins;
  for (pin_policy p : env.opt.pins) pins += (pins.empty() ? "" : ",") + std::string(name(p));
  benchmark::AddCustomContext("lockstep_pin_policies", pins);
  benchmark::AddCustomContext("lockstep_structures", families(structures));
  benchmark::AddCustomContext("lockstep_baseline", "locked_std_mutex");
  benchmark::AddCustomContext("lockstep_reclaim_structures", families(reclaim_structures()));
  benchmark::AddCustomContext("lockstep_reclaim_baseline", reclaim_baseline);
  std::string reclaim_pins;
  for (pin_policy p : env.opt.reclaim_pins) {
    reclaim_pins += (reclaim_pins.empty() ? "" : ",") + std::string(name(p));
  }
  benchmark::AddCustomContext("lockstep_reclaim_pin_policies", reclaim_pins);
  std::string queue_kinds, queue_pins;
  for (const queue_structure& st : queue_structures()) {
    queue_kinds += (queue_kinds.empty() ? "" : ",") + st.name + ':' + std::string(name(st.kind));
  }
  for (pin_policy p : env.opt.queue_pins) {
    queue_pins += (queue_pins.empty() ? "" : ",") + std::string(name(p));
  }
  benchmark::AddCustomContext("lockstep_queue_structures", families(queue_structures()));
  benchmark::AddCustomContext("lockstep_queue_kinds", queue_kinds);
  benchmark::AddCustomContext("lockstep_queue_baseline", "std_mutex_deque");
  benchmark::AddCustomContext("lockstep_queue_pin_policies", queue_pins);
  benchmark::AddCustomContext("lockstep_queue_capacity", std::to_string(queue_capacity));
  benchmark::AddCustomContext("lockstep_queue_ops_per_thread", std::to_string(env.opt.queue_ops));
  benchmark::AddCustomContext("lockstep_queue_work_per_repetition",
                              std::to_string(env.opt.queue_work));
  benchmark::AddCustomContext("lockstep_queue_cap_ms", std::to_string(env.opt.queue_cap.count()));
  benchmark::AddCustomContext("lockstep_channel_structures", families(channel_structures()));
  benchmark::AddCustomContext("lockstep_channel_ops_per_iteration",
                              std::to_string(env.opt.channel_ops));
  benchmark::AddCustomContext("lockstep_channel_work_per_repetition",
                              std::to_string(env.opt.channel_work));
  benchmark::AddCustomContext("lockstep_channel_roundtrips",
                              std::to_string(env.opt.channel_roundtrips));
  benchmark::AddCustomContext("lockstep_channel_cap_ms",
                              std::to_string(env.opt.channel_cap.count()));
  benchmark::AddCustomContext("lockstep_ops_per_thread", std::to_string(env.opt.ops));
  benchmark::AddCustomContext("lockstep_work_per_repetition", std::to_string(env.opt.work));
  benchmark::AddCustomContext("lockstep_cap_ms", std::to_string(env.opt.cap.count()));
  benchmark::AddCustomContext("lockstep_build_type", LOCKSTEP_BENCH_BUILD_TYPE);
  benchmark::AddCustomContext("lockstep_hwloc_api", std::to_string(HWLOC_API_VERSION));
  // When true the two seam benchmarks run one and the same instantiation, and any difference
  // between them is the run's noise floor.
  benchmark::AddCustomContext(
      "lockstep_seam_is_alias",
      std::is_same_v<sync::atomic<std::uint64_t>, std::atomic<std::uint64_t>> ? "true" : "false");
}

}  // namespace
}  // namespace lockstep::bench

int main(int argc, char** argv) {
  using namespace lockstep::bench;
  benchmark::Initialize(&argc, argv);
  options opt;
  if (!parse_options(argc, argv, opt) || benchmark::ReportUnrecognizedArguments(argc, argv)) {
    std::fputs(usage, stderr);
    return 1;
  }
  const cds_runtime cds;
  const environment env{topology{}, opt};
  add_context(env);
  register_all(env);
  reporter().set_total(opt.progress_total);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
