// The queue interface that the queue workloads (queue_workloads.hpp) drive, and the adapters
// that give it to any queue modelling sync::unbounded_queue or sync::bounded_queue (lockstep's,
// or a user's registered through registry.hpp) and to the std::mutex + std::deque baseline.
// The peers' adapters, which need the peers' libraries, are in peer_queues.hpp.
//
//   static constexpr queue_kind kind;   unbounded, bounded (capacity queue_capacity) or spsc
//                                        (one producer and one consumer at most, and bounded)
//   using hooks;                         per-thread enter/leave, outside the timed region
//   bool try_push(std::uint64_t v);      false only when the queue is full (the value stays
//                                        with the caller, who backs off and retries)
//   std::optional<std::uint64_t> try_pop();   empty when the queue was (or looked) empty
//   static constexpr bool keeps_producer_order = false;   only where the queue does not keep
//                                        each producer's values in order (atomic_queue)
//
// An unbounded queue's push always succeeds; its adapter returns true. Every adapter is
// default-constructed empty, bounded ones with queue_capacity slots. The values are the
// workloads' 64-bit tokens: nonzero and below 2^63 (queue_workloads.hpp), which two peers need.
//
// std::mutex + std::deque: the textbook lock-based queue, a std::deque guarded by one mutex, the
// baseline every queue's ratio is read against; it needs nothing but the standard library, so
// it runs wherever the queue group runs, with or without the peers.
#pragma once

#include <lockstep/sync/containers.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string_view>

#include "harness.hpp"

namespace lockstep::bench {

enum class queue_kind { unbounded, bounded, spsc };

constexpr std::string_view name(queue_kind k) noexcept {
  switch (k) {
    case queue_kind::unbounded: return "unbounded";
    case queue_kind::bounded: return "bounded";
    case queue_kind::spsc: return "spsc";
  }
  return "?";
}

// The capacity of every bounded queue (a power of two, so no queue rounds).
inline constexpr std::size_t queue_capacity = 1024;

template <sync::unbounded_queue Q>
struct unbounded_adapter {
  using hooks = no_thread_hooks;
  static constexpr queue_kind kind = queue_kind::unbounded;
  Q q;

  bool try_push(std::uint64_t v) {
    q.push(v);
    return true;
  }
  std::optional<std::uint64_t> try_pop() { return q.try_pop(); }
};

template <sync::bounded_queue Q, queue_kind Kind = queue_kind::bounded>
struct bounded_adapter {
  using hooks = no_thread_hooks;
  static constexpr queue_kind kind = Kind;
  Q q{queue_capacity};

  bool try_push(std::uint64_t v) { return q.try_push(v); }
  std::optional<std::uint64_t> try_pop() { return q.try_pop(); }
};

struct std_mutex_deque {
  using hooks = no_thread_hooks;
  static constexpr queue_kind kind = queue_kind::unbounded;
  std::mutex m;
  std::deque<std::uint64_t> q;

  bool try_push(std::uint64_t v) {
    std::lock_guard lock(m);
    q.push_back(v);
    return true;
  }
  std::optional<std::uint64_t> try_pop() {
    std::lock_guard lock(m);
    if (q.empty()) return std::nullopt;
    const std::uint64_t v = q.front();
    q.pop_front();
    return v;
  }
};

}  // namespace lockstep::bench
