// The benchmark bodies every group shares, lockstep's and a user's alike: one Google Benchmark
// per (group, workload, structure, threads, pinning), each iteration one checked team run of
// harness.hpp, with the team's wall time as the iteration's (manual) time.
//
// The VM this is developed on changes speed several-fold from minute to minute, so numbers
// from different runs are not comparable: run everything together with
// --benchmark_enable_random_interleaving=true and compare ratios within a run (scripts/bench).
// For the same reason every benchmark has a fixed iteration count (a fixed amount of work per
// repetition) rather than Google Benchmark's min-time estimate: the estimate extrapolates from
// a first fast iteration, and when the machine then slows down, or a FIFO spin lock falls into
// a convoy, one benchmark ran for 30 s instead of 0.3 s. Spread comes from repetitions.
#pragma once

#include <benchmark/benchmark.h>

#include <lockstep/sync/atomic.hpp>
#include <lockstep/sync/thread.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>  // isatty

#include "channel_workloads.hpp"
#include "harness.hpp"
#include "options.hpp"
#include "placement.hpp"
#include "queue_workloads.hpp"
#include "queues.hpp"

namespace lockstep::bench {

struct environment {
  topology topo;
  options opt;
};

// A progress line on stderr per finished repetition: done/total, the time elapsed and an
// estimate of the time left at the pace so far (random interleaving spreads the slow benchmarks
// over the whole run, so the pace holds). On a terminal each line overwrites the last. Google
// Benchmark itself reports a benchmark only when all its repetitions are done, which under
// random interleaving is mostly at the very end.
class progress {
 public:
  progress() = default;
  progress(const progress&) = delete;
  progress& operator=(const progress&) = delete;
  ~progress() {
    if (open_) std::fputc('\n', stderr);
  }

  void set_total(std::size_t total) {
    total_ = total;
    tty_ = isatty(fileno(stderr)) != 0;
  }
  void done(const std::string& name) {
    if (total_ == 0) return;
    ++done_;
    const double elapsed = std::chrono::duration<double>(clock::now() - start_).count();
    const double left =
        done_ < total_ ? elapsed / static_cast<double>(done_) * static_cast<double>(total_ - done_)
                       : 0.0;
    std::fprintf(stderr, "%s[%4zu/%zu %s elapsed, ~%s left] %s%s", tty_ ? "\r" : "", done_, total_,
                 minutes(elapsed).c_str(), minutes(left).c_str(), name.c_str(),
                 tty_ ? "\033[K" : "\n");
    open_ = tty_ && done_ < total_;
    if (tty_ && !open_) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  static std::string minutes(double seconds) {
    const auto s = static_cast<long long>(seconds + 0.5);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
    return buf;
  }

  std::size_t total_ = 0;
  std::size_t done_ = 0;
  bool tty_ = false;
  bool open_ = false;  // a terminal line without its newline yet
  clock::time_point start_ = clock::now();
};

inline progress& reporter() {
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

// Any stack modelling sync::stack (lockstep's, or a user's registered through registry.hpp).
template <class Stack>
struct stack_adapter {
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

// One channel case, run and checked: channel_workloads.hpp's run_channel<Channel> is one.
using channel_runner = channel_run (*)(hwloc_topology_t, const std::vector<unsigned>&,
                                       const channel_case&, std::size_t, std::size_t,
                                       std::chrono::milliseconds);
using channel_fn = void (*)(benchmark::State&, const environment&, const channel_case&);

// The channel group runs unpinned: Go cannot pin its goroutines, and the comparison with bench/go
// is the point of the group.
// Run is run_channel<Channel> (channel_workloads.hpp) or, in lockstep's own build,
// run_channel_or_pattern<Channel> (channel_patterns.hpp).
template <channel_runner Run>
void channel_bench(benchmark::State& state, const environment& env, const channel_case& c) {
  std::uint64_t items = 0;
  std::uint64_t capped = 0;
  double seconds = 0;
  for (auto _ : state) {
    const channel_run r = Run(env.topo.get(), {}, c, env.opt.channel_ops,
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

// Two threads on two different cores hand one cache line back and forth: the physical floor
// of any cross-core handoff, and a reading of how fast the (shared, noisy) machine is now.
inline void c2c_bench(benchmark::State& state, const environment& env, std::vector<unsigned> pus) {
  struct alignas(64) line_t {
    std::atomic<std::uint64_t> v{0};
  };
  const std::uint64_t n = env.opt.roundtrips;
  double total_seconds = 0;
  std::uint64_t total_roundtrips = 0;
  std::uint64_t capped = 0;
  for (auto _ : state) {
    line_t line;
    double seconds = 0;
    std::uint64_t done = 0;
    std::vector<thread_record> records;
    // Round trip 0 only brings both threads up; the clock runs from its end, in the pinging
    // thread, so thread wake-up latency is not counted. On a loaded machine a descheduled
    // partner can hold the line past the cap: the round trips completed by then still count,
    // as a capped team run's operations do.
    run_team<no_thread_hooks>(
        env.topo.get(), pus, 2, env.opt.cap, records,
        [&](std::size_t i, const std::atomic<bool>& stop, thread_record&) {
          auto await = [&](std::uint64_t want) {
            std::size_t spins = 0;
            while (line.v.load(std::memory_order_acquire) != want) {
              if (++spins % 4096 == 0 && stop.load(std::memory_order_relaxed)) return false;
              sync::cpu_relax();
            }
            return true;
          };
          clock::time_point start{};
          std::uint64_t r = 0;
          for (; r <= n; ++r) {
            const std::uint64_t ping = 2 * r + 1;
            if (i == 0) line.v.store(ping, std::memory_order_release);
            if (!await(i == 0 ? ping + 1 : ping)) break;
            if (i == 1) line.v.store(ping + 1, std::memory_order_release);
            if (i == 0 && r == 0) start = clock::now();
          }
          // Round trips 1 to r - 1 completed (all n when the loop ran out).
          if (i == 0 && r > 0) {
            seconds = std::chrono::duration<double>(clock::now() - start).count();
            done = r - 1;
          }
        });
    if (done == 0) {
      state.SkipWithError("no round trip completed within the cap");
      break;
    }
    state.SetIterationTime(seconds);
    total_seconds += seconds;
    total_roundtrips += done;
    capped += done < n ? 1 : 0;
  }
  if (state.error_occurred()) return;
  state.SetItemsProcessed(static_cast<std::int64_t>(total_roundtrips));
  state.counters["roundtrip_ns"] = total_seconds * 1e9 / static_cast<double>(total_roundtrips);
  state.counters["capped_runs"] = static_cast<double>(capped);
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

}  // namespace lockstep::bench
