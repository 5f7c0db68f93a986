// The work-stealing deque workloads (sync::work_stealing_deque): one team run of a workload on
// fresh deques, timed and checked, and the benchmark body. Every deque, lock-free or locked,
// runs this same code.
//
// Workloads (the thread team, pinning and wall-time cap are harness.hpp's):
// - owner: every thread owns a deque of its own and pushes `ops` values, popping them back in
//   bursts of 32 (a task that spawns 32 children, then runs them itself): the owner's path, with
//   no thief anywhere, which is what a scheduler's worker does while nobody is idle.
// - steal: one deque; thread 0, its owner, pushes `ops` values and never pops; the other
//   threads steal until the owner is done and the deque is empty: the thieves' end under
//   contention, from 2 threads (one thief) up.
// - mixed: one deque; the owner pushes `ops` values and pops after every second push (spawn
//   two, run one), while the other threads steal: both ends at once, from 2 threads up.
// A thief whose steal comes back empty (the deque was, or it lost a race) backs off as a queue
// consumer does (queue_workloads.hpp's retry_backoff: spins, then yields), and stops once the
// owner is done and size() reads 0.
//
// What is counted: successful pushes, pops and steals (items), over the team's wall time.
// Empty steals are counted separately (empty_per_op), not included.
//
// What is checked, after every run: values are tokens (owner << 40 | sequence), all distinct.
// What was popped and stolen during the run plus what the main thread pops afterwards (the
// owner's role handed over by the team's join) must equal what was pushed: a deque that loses,
// duplicates or invents a value fails its benchmark instead of posting a number. Each thief
// must see the owner's values in increasing order (FIFO at the thieves' end: every value in the
// deque was pushed after the one on top of it), and in the owner workload every pop must
// return exactly the value pushed last and not yet popped (LIFO at the owner's end).
#pragma once

#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <lockstep/sync/containers.hpp>

#include "benchmarks.hpp"
#include "harness.hpp"
#include "names.hpp"
#include "placement.hpp"
#include "queue_workloads.hpp"

namespace lockstep::bench {

enum class deque_workload { owner, steal, mixed };

inline constexpr std::array<deque_workload, 3> all_deque_workloads{
    deque_workload::owner, deque_workload::steal, deque_workload::mixed};
static_assert(std::size(names::deque_workloads) == all_deque_workloads.size(),
              "names.json's deque_workloads, one per deque_workload");

constexpr std::string_view name(deque_workload w) noexcept {
  return names::deque_workloads[static_cast<std::size_t>(w)];
}

// The owner workload's burst: pushes before it pops them all back.
inline constexpr std::size_t owner_burst = 32;

struct deque_run {
  double seconds = 0;
  std::uint64_t items = 0;  // successful pushes + pops + steals
  std::uint64_t empty = 0;  // steals that came back empty
  bool capped = false;
  std::optional<std::string> error;
};

// Per thread: what it stole and popped, and the order it saw them in.
struct alignas(64) deque_record {
  std::uint64_t last_stolen = 0;
  std::uint64_t out_of_order = 0;  // a steal not above the thread's previous one, a LIFO miss
  std::uint64_t empty = 0;
};

template <class Deque>
  requires sync::work_stealing_deque<Deque>
deque_run run_deque(hwloc_topology_t topo, deque_workload w, const std::vector<unsigned>& pus,
                    std::size_t threads, std::size_t ops, std::chrono::milliseconds cap) {
  // One deque per owner: every thread in the owner workload, thread 0 otherwise.
  const std::size_t owners = w == deque_workload::owner ? threads : 1;
  std::vector<std::unique_ptr<Deque>> deques;
  for (std::size_t i = 0; i < owners; ++i) deques.push_back(std::make_unique<Deque>());
  std::atomic<bool> owner_done{false};
  std::vector<thread_record> records;
  std::vector<deque_record> orders(threads);

  auto own = [&](std::size_t i, const std::atomic<bool>& stop, thread_record& rec,
                 deque_record& order) {
    Deque& d = *deques[i];
    for (std::size_t j = 0; j < ops; ++j) {
      if (j % stop_check_period == 0 && stop.load(std::memory_order_relaxed)) return;
      d.push(token(i, j));
      rec.pushed.add(token(i, j));
      if ((j + 1) % owner_burst != 0) continue;
      for (std::size_t k = 0; k < owner_burst; ++k) {
        const std::optional<std::uint64_t> v = d.pop();
        if (v) rec.popped.add(*v);
        if (v != token(i, j - k)) ++order.out_of_order;
      }
    }
  };
  auto push_and_pop = [&](const std::atomic<bool>& stop, thread_record& rec) {
    Deque& d = *deques[0];
    for (std::size_t j = 0; j < ops; ++j) {
      if (j % stop_check_period == 0 && stop.load(std::memory_order_relaxed)) break;
      d.push(token(0, j));
      rec.pushed.add(token(0, j));
      if (w == deque_workload::mixed && j % 2 == 1) {
        if (const std::optional<std::uint64_t> v = d.pop()) rec.popped.add(*v);
      }
    }
    // release: the last push happens before a thief's check that finds the deque drained.
    owner_done.store(true, std::memory_order_release);
  };
  auto steal = [&](const std::atomic<bool>& stop, thread_record& rec, deque_record& order) {
    Deque& d = *deques[0];
    retry_backoff backoff;
    for (std::size_t n = 1;; ++n) {
      if (n % stop_check_period == 0 && stop.load(std::memory_order_relaxed)) return;
      if (const std::optional<std::uint64_t> v = d.steal()) {
        rec.popped.add(*v);
        if (*v <= order.last_stolen) ++order.out_of_order;
        order.last_stolen = *v;
        backoff.reset();
        continue;
      }
      ++order.empty;
      // Empty once the owner is done and nothing is left: a lost race leaves size() above 0.
      if (owner_done.load(std::memory_order_acquire) && d.size() == 0) return;
      if (stop.load(std::memory_order_relaxed)) return;
      backoff.pause();
    }
  };

  const team_result team = run_team<no_thread_hooks>(
      topo, pus, threads, cap, records,
      [&](std::size_t i, const std::atomic<bool>& stop, thread_record& rec) {
        if (w == deque_workload::owner) {
          own(i, stop, rec, orders[i]);
        } else if (i == 0) {
          push_and_pop(stop, rec);
        } else {
          steal(stop, rec, orders[i]);
        }
      });

  deque_run r;
  r.seconds = team.seconds;
  r.capped = team.capped;
  tally pushed, taken, left;
  std::uint64_t out_of_order = 0;
  for (std::size_t i = 0; i < threads; ++i) {
    pushed += records[i].pushed;
    taken += records[i].popped;
    out_of_order += orders[i].out_of_order;
    r.empty += orders[i].empty;
  }
  for (const std::unique_ptr<Deque>& d : deques) {
    while (const std::optional<std::uint64_t> v = d->pop()) left.add(*v);
  }
  r.items = pushed.count + taken.count;

  tally out = taken;
  out += left;
  if (team.bind_failed) {
    r.error = "hwloc could not bind a thread";
  } else if (out != pushed) {
    r.error = "taken+left != pushed: pushed " + std::to_string(pushed.count) + " (sum " +
              std::to_string(pushed.sum) + "), taken " + std::to_string(taken.count) + " + left " +
              std::to_string(left.count) + " (sum " + std::to_string(out.sum) + ")";
  } else if (out_of_order != 0) {
    r.error = std::to_string(out_of_order) +
              (w == deque_workload::owner ? " pops not the value pushed last (LIFO)"
                                          : " values stolen out of the owner's order (FIFO)");
  }
  return r;
}

using deque_fn = void (*)(benchmark::State&, const environment&, deque_workload, std::size_t,
                          pin_policy);

template <class Deque>
void deque_bench(benchmark::State& state, const environment& env, deque_workload w,
                 std::size_t threads, pin_policy pin) {
  const std::vector<unsigned> pus = plan(env.topo.get(), pin, threads);
  std::uint64_t items = 0;
  std::uint64_t capped = 0;
  std::uint64_t empty = 0;
  for (auto _ : state) {
    const deque_run r =
        run_deque<Deque>(env.topo.get(), w, pus, threads, env.opt.deque_ops, env.opt.deque_cap);
    if (r.error) {
      state.SkipWithError(r.error->c_str());
      break;
    }
    state.SetIterationTime(r.seconds);
    items += r.items;
    empty += r.empty;
    capped += r.capped ? 1 : 0;
  }
  if (state.error_occurred()) return;
  state.SetItemsProcessed(static_cast<std::int64_t>(items));
  state.counters["capped_runs"] = static_cast<double>(capped);
  // Empty steals per successful operation: how often a thief found nothing (or lost a race).
  state.counters["empty_per_op"] =
      items ? static_cast<double>(empty) / static_cast<double>(items) : 0.0;
  state.SetLabel(pus.empty() ? "pus=any" : "pus=" + join(pus));
}

}  // namespace lockstep::bench
