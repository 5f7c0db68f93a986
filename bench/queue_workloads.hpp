// The queue workloads: one team run of a workload on a fresh queue, timed and checked. Every
// structure, lockstep's or a peer's, runs this same code through its adapter (queues.hpp).
//
// Workloads (the thread team, pinning and wall-time cap are harness.hpp's):
// - pairs: every thread alternates try_push and try_pop, `ops` pushes each. A pop that finds
//   the queue empty is not retried: the thread backs off and goes on to its next push. A push
//   that finds a bounded queue full backs off and pops once before it retries, so that threads
//   which all hold a push cannot wait on a full queue forever (a ring can look empty to a
//   popper while a descheduled pusher still owns its slot, and the values queued behind that
//   slot then fill the ring).
// - prodcons: the first half of the threads (rounded down) push `ops` values each; the others
//   pop until every producer is done and the queue reads empty. With 2 threads this is one
//   producer and one consumer, the only configuration the single-producer single-consumer
//   queues run; with 4 threads two and two.
//
// Failure back-off, the same for every structure: after a try_push that reports full or a
// try_pop that reports empty, a thread spins briefly (spin_rounds rounds of spins_per_round
// pause instructions) and from then on yields its time slice (std::this_thread::yield) after
// every further failure, until an operation succeeds. On this 2-core machine with 8 threads,
// the thread that would make the queue non-empty (or non-full) is often descheduled: yielding
// gives it the core instead of burning the slice.
//
// What is counted: successful pushes plus successful pops (items), over the team's wall time.
// Failed attempts are counted separately (full, empty) and reported, not included.
//
// What is checked, after every run: the values are tokens (producer << 40 | sequence number,
// sequence from 1), so every value is distinct, nonzero and below 2^63. The multiset popped
// during the run plus the multiset drained afterwards must equal the multiset pushed (count,
// sum and sum of squares, harness.hpp's tally): a queue that loses, duplicates or invents a
// value fails its benchmark instead of posting a number. Each popping thread also checks that
// it sees each producer's values in increasing order, which a FIFO queue guarantees (a
// producer's pushes are ordered, so FIFO hands their values out in that order, and one
// consumer's pops are ordered too), as does moodycamel's queue, which is FIFO only per producer. atomic_queue does not (its
// adapter says why, and turns the check off).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <lockstep/sync/thread.hpp>

#include "harness.hpp"
#include "placement.hpp"
#include "queues.hpp"

namespace lockstep::bench {

// A token's producer and sequence number; 40 bits of sequence is more than any run pushes.
inline constexpr unsigned token_shift = 40;
inline constexpr std::uint64_t token_sequence_mask = (std::uint64_t{1} << token_shift) - 1;

constexpr std::uint64_t token(std::size_t producer, std::size_t sequence) noexcept {
  return (static_cast<std::uint64_t>(producer) << token_shift) | (sequence + 1);
}

class retry_backoff {
 public:
  void reset() noexcept { failures_ = 0; }
  void pause() {
    if (failures_ < spin_rounds) {
      ++failures_;
      for (unsigned i = 0; i < spins_per_round; ++i) sync::cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }

 private:
  static constexpr unsigned spin_rounds = 4;
  static constexpr unsigned spins_per_round = 16;
  unsigned failures_ = 0;
};

// Per popping thread: the last sequence number seen from each producer.
struct alignas(64) order_record {
  std::vector<std::uint64_t> last;
  std::uint64_t out_of_order = 0;
  std::uint64_t full = 0;   // try_push reported full
  std::uint64_t empty = 0;  // try_pop reported empty

  void take(thread_record& rec, std::uint64_t v) {
    rec.popped.add(v);
    const std::uint64_t producer = v >> token_shift;
    const std::uint64_t sequence = v & token_sequence_mask;
    if (producer >= last.size() || sequence <= last[producer]) {
      ++out_of_order;
    } else {
      last[producer] = sequence;
    }
  }
};

template <class Adapter>
constexpr bool keeps_producer_order() {
  if constexpr (requires { Adapter::keeps_producer_order; }) {
    return Adapter::keeps_producer_order;
  } else {
    return true;
  }
}

struct queue_run {
  double seconds = 0;
  std::uint64_t items = 0;  // successful pushes + successful pops
  std::uint64_t full = 0;
  std::uint64_t empty = 0;
  bool capped = false;
  std::optional<std::string> error;
};

template <class Adapter>
queue_run run_queue(hwloc_topology_t topo, workload w, const std::vector<unsigned>& pus,
                    std::size_t threads, std::size_t ops, std::chrono::milliseconds cap) {
  // On the heap: some adapters hold their ring inline, over-aligned.
  const auto q = std::make_unique<Adapter>();
  const std::size_t producers = w == workload::pairs ? threads : threads / 2;
  std::atomic<std::size_t> producers_done{0};
  std::vector<thread_record> records;
  std::vector<order_record> orders(threads);
  for (order_record& o : orders) o.last.assign(producers, 0);

  auto produce = [&](std::size_t i, const std::atomic<bool>& stop, thread_record& rec,
                     order_record& order, bool pairs) {
    retry_backoff backoff;
    for (std::size_t j = 0; j < ops; ++j) {
      if (j % stop_check_period == 0 && stop.load(std::memory_order_relaxed)) return;
      const std::uint64_t v = token(i, j);
      while (!q->try_push(v)) {
        ++order.full;
        if (stop.load(std::memory_order_relaxed)) return;
        backoff.pause();
        if (pairs) {
          if (std::optional<std::uint64_t> x = q->try_pop()) order.take(rec, *x);
        }
      }
      rec.pushed.add(v);
      backoff.reset();
      if (pairs) {
        if (std::optional<std::uint64_t> x = q->try_pop()) {
          order.take(rec, *x);
        } else {
          ++order.empty;
          backoff.pause();
        }
      }
    }
  };
  auto consume = [&](const std::atomic<bool>& stop, thread_record& rec, order_record& order) {
    retry_backoff backoff;
    for (;;) {
      if (std::optional<std::uint64_t> x = q->try_pop()) {
        order.take(rec, *x);
        backoff.reset();
        continue;
      }
      ++order.empty;
      // Empty after every producer finished means empty for good; what a popper still holds
      // half-taken is its own.
      if (producers_done.load(std::memory_order_acquire) == producers) {
        if (std::optional<std::uint64_t> x = q->try_pop()) {
          order.take(rec, *x);
          continue;
        }
        return;
      }
      if (stop.load(std::memory_order_relaxed)) return;
      backoff.pause();
    }
  };

  const team_result team = run_team<typename Adapter::hooks>(
      topo, pus, threads, cap, records,
      [&](std::size_t i, const std::atomic<bool>& stop, thread_record& rec) {
        if (w == workload::pairs) {
          produce(i, stop, rec, orders[i], true);
        } else if (i < producers) {
          produce(i, stop, rec, orders[i], false);
          producers_done.fetch_add(1, std::memory_order_release);
        } else {
          consume(stop, rec, orders[i]);
        }
      });

  queue_run r;
  r.seconds = team.seconds;
  r.capped = team.capped;
  tally pushed, popped, left;
  std::uint64_t out_of_order = 0;
  for (std::size_t i = 0; i < threads; ++i) {
    pushed += records[i].pushed;
    popped += records[i].popped;
    out_of_order += orders[i].out_of_order;
    r.full += orders[i].full;
    r.empty += orders[i].empty;
  }
  // The main thread drains (libcds: cds_runtime keeps it attached).
  order_record drain;
  drain.last.assign(producers, 0);
  thread_record drained;
  while (std::optional<std::uint64_t> x = q->try_pop()) drain.take(drained, *x);
  left = drained.popped;
  r.items = pushed.count + popped.count;

  tally out = popped;
  out += left;
  if (team.bind_failed) {
    r.error = "hwloc could not bind a thread";
  } else if (out != pushed) {
    r.error = "popped+left != pushed: pushed " + std::to_string(pushed.count) + " (sum " +
              std::to_string(pushed.sum) + "), popped " + std::to_string(popped.count) +
              " + left " + std::to_string(left.count) + " (sum " + std::to_string(out.sum) + ")";
  } else if (keeps_producer_order<Adapter>() && out_of_order != 0) {
    r.error = std::to_string(out_of_order) + " values popped out of their producer's order";
  } else if (keeps_producer_order<Adapter>() && drain.out_of_order != 0) {
    r.error = std::to_string(drain.out_of_order) +
              " values left in the queue out of their producer's order";
  }
  return r;
}

}  // namespace lockstep::bench
