// The contention harness: a team of std::threads, each pinned by the placement plan, released
// together, timed from release to the last thread's finish, and checked afterwards.
//
// Google Benchmark's own ->Threads() is not used: it cannot pin, cannot split a team into
// producers and consumers, and times each thread separately. Here every benchmark iteration is
// one team run, and its wall time goes to SetIterationTime (UseManualTime), so thread start-up,
// structure construction and the correctness check are outside the measurement.
//
// A structure that loses, duplicates or invents an element must not post a number: every run
// tallies what was pushed and what was popped (count, sum and sum of squares of the values, all
// distinct), drains what is left, and reports an error when the two sides differ.
//
// The machine this runs on is small (2 cores) and oversubscribed on purpose (8 threads). A spin
// lock whose holder is descheduled can then take a scheduler quantum per handoff, so a team run
// has a wall-time cap: past it, threads stop at their next check and the run counts what was
// done, which keeps a pathological structure from eating the suite's time budget while still
// reporting its (low) throughput honestly.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <lockstep/sync/thread.hpp>

#include "names.hpp"
#include "placement.hpp"

namespace lockstep::bench {

using clock = std::chrono::steady_clock;

enum class workload { pairs, prodcons };

// The names are bench/go/names.json's, in the enum's order.
static_assert(std::size(names::workloads) == 2);
constexpr std::string_view name(workload w) noexcept {
  return names::workloads[static_cast<std::size_t>(w)];
}

// Order-independent fingerprint of a multiset of values (arithmetic wraps mod 2^64).
struct tally {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
  std::uint64_t sum_sq = 0;

  void add(std::uint64_t v) noexcept {
    ++count;
    sum += v;
    sum_sq += v * v;
  }
  tally& operator+=(const tally& o) noexcept {
    count += o.count;
    sum += o.sum;
    sum_sq += o.sum_sq;
    return *this;
  }
  friend bool operator==(const tally&, const tally&) = default;
};

// Per-thread counters, a cache line each so the tallies do not add contention of their own.
struct alignas(64) thread_record {
  tally pushed;
  tally popped;
  bool push_failed = false;
  clock::time_point end{};
};

struct team_result {
  double seconds = 0;    // release to the last thread's finish
  bool capped = false;   // the wall-time cap stopped the team early
  bool bind_failed = false;
};

// Threads that a structure needs to know about (libcds registers each with its GC) provide
// enter/leave hooks, called outside the timed region.
struct no_thread_hooks {
  static void enter() {}
  static void leave() {}
};

// Runs body(index, stop, record) on n threads; thread i is bound to pus[i] unless pus is empty.
// body must poll `stop` (relaxed) now and then and return soon after it is set.
template <class Hooks, class Body>
team_result run_team(hwloc_topology_t topo, const std::vector<unsigned>& pus, std::size_t n,
                     std::chrono::milliseconds cap, std::vector<thread_record>& records,
                     Body&& body) {
  records.assign(n, thread_record{});
  std::atomic<std::size_t> ready{0};
  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
  std::atomic<bool> bind_failed{false};
  std::mutex m;
  std::condition_variable all_done;
  std::size_t finished = 0;

  std::vector<std::thread> threads;
  threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      if (!pus.empty() && !bind_current_thread(topo, pus[i])) bind_failed.store(true);
      Hooks::enter();
      ready.fetch_add(1);
      // Runnable, not asleep, until the release: waking sleepers would put the kernel's
      // wake-up latency and first placement of every thread inside the timed region.
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      body(i, stop, records[i]);
      records[i].end = clock::now();
      Hooks::leave();
      std::lock_guard lock(m);
      if (++finished == n) all_done.notify_one();
    });
  }
  while (ready.load() < n) std::this_thread::yield();
  const clock::time_point start = clock::now();
  go.store(true, std::memory_order_release);

  team_result r;
  {
    // Sleeping, not polling: on 2 cores a polling main thread would steal time from the team.
    std::unique_lock lock(m);
    if (!all_done.wait_for(lock, cap, [&] { return finished == n; })) {
      stop.store(true);
      r.capped = true;
    }
  }
  for (std::thread& t : threads) t.join();
  clock::time_point end = start;
  for (const thread_record& rec : records) end = std::max(end, rec.end);
  r.seconds = std::chrono::duration<double>(end - start).count();
  r.bind_failed = bind_failed.load();
  return r;
}

struct stack_run {
  double seconds = 0;
  std::uint64_t items = 0;  // successful pushes + successful pops
  bool capped = false;
  std::optional<std::string> error;
};

inline constexpr std::size_t stop_check_period = 64;

// One team run of a workload on a fresh structure, checked. Adapter provides push(v) -> bool,
// try_pop() -> optional<uint64_t> and the thread hooks; its constructor builds an empty stack.
template <class Adapter>
stack_run run_stack(hwloc_topology_t topo, workload w, const std::vector<unsigned>& pus,
                    std::size_t threads, std::size_t ops, std::chrono::milliseconds cap) {
  Adapter s;
  std::vector<thread_record> records;
  const std::size_t producers = w == workload::pairs ? threads : threads / 2;
  std::atomic<std::size_t> producers_done{0};

  auto produce = [&](std::size_t i, const std::atomic<bool>& stop, thread_record& rec,
                     bool also_pop) {
    // Distinct, non-zero values across the team, so the fingerprint sees duplicates.
    const std::uint64_t base = static_cast<std::uint64_t>(i) * ops + 1;
    for (std::size_t j = 0; j < ops; ++j) {
      if (j % stop_check_period == 0 && stop.load(std::memory_order_relaxed)) break;
      const std::uint64_t v = base + j;
      if (!s.push(v)) {
        rec.push_failed = true;
        break;
      }
      rec.pushed.add(v);
      if (also_pop) {
        if (std::optional<std::uint64_t> x = s.try_pop()) rec.popped.add(*x);
      }
    }
  };
  auto consume = [&](const std::atomic<bool>& stop, thread_record& rec) {
    std::size_t idle = 0;
    for (;;) {
      if (std::optional<std::uint64_t> x = s.try_pop()) {
        rec.popped.add(*x);
        idle = 0;
        continue;
      }
      // Empty after every producer finished means empty for good.
      if (producers_done.load(std::memory_order_acquire) == producers) {
        if (std::optional<std::uint64_t> x = s.try_pop()) {
          rec.popped.add(*x);
          continue;
        }
        break;
      }
      if (stop.load(std::memory_order_relaxed)) break;
      // An idle consumer on an oversubscribed machine gives its quantum to a producer.
      if (++idle % stop_check_period == 0) {
        std::this_thread::yield();
      } else {
        sync::cpu_relax();
      }
    }
  };

  const team_result team = run_team<typename Adapter::hooks>(
      topo, pus, threads, cap, records,
      [&](std::size_t i, const std::atomic<bool>& stop, thread_record& rec) {
        if (w == workload::pairs) {
          produce(i, stop, rec, true);
        } else if (i < producers) {
          produce(i, stop, rec, false);
          producers_done.fetch_add(1, std::memory_order_release);
        } else {
          consume(stop, rec);
        }
      });

  stack_run r;
  r.seconds = team.seconds;
  r.capped = team.capped;
  tally pushed, popped, left;
  bool push_failed = false;
  for (const thread_record& rec : records) {
    pushed += rec.pushed;
    popped += rec.popped;
    push_failed = push_failed || rec.push_failed;
  }
  while (std::optional<std::uint64_t> x = s.try_pop()) left.add(*x);
  r.items = pushed.count + popped.count;

  tally out = popped;
  out += left;
  if (team.bind_failed) {
    r.error = "hwloc could not bind a thread";
  } else if (push_failed) {
    r.error = "push reported failure";
  } else if (out != pushed) {
    r.error = "popped+left != pushed: pushed " + std::to_string(pushed.count) + " (sum " +
              std::to_string(pushed.sum) + "), popped " + std::to_string(popped.count) +
              " + left " + std::to_string(left.count) + " (sum " + std::to_string(out.sum) + ")";
  } else if (!s.empty()) {
    r.error = "empty() is false after draining";
  }
  return r;
}

}  // namespace lockstep::bench
