// The peers' queues behind the interface of queues.hpp, which the queue workloads
// (queue_workloads.hpp) drive:
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
// The peers' quirks, and what the adapters do about them:
// - Boost.Lockfree queue (Michael and Scott 1996 over a freelist of tagged nodes; nodes are
//   recycled and never returned while the queue lives): constructed with a small initial
//   freelist so it allocates on demand like the others. Its push fails only when allocation
//   fails. spsc_queue is Lamport's ring for one producer and one consumer, capacity given at
//   run time (it holds exactly that many).
// - moodycamel::ConcurrentQueue: used without tokens, as a program that does not manage them
//   would. Each enqueuing thread then gets an implicit per-thread producer sub-queue (found by a
//   hash of the thread id), and try_dequeue picks a sub-queue by their approximate sizes. It is
//   not a linearizable FIFO across producers: only the values of one producer come out in order.
//   Unbounded (it allocates blocks), enqueue fails only when allocation does.
// - atomic_queue (Egorushkin): AtomicQueue<std::uint64_t, 1024> with its defaults. It stores
//   values in the slots themselves and marks an empty slot with a special value (NIL, 0 by
//   default), so 0 can never be enqueued: the workloads' tokens are nonzero. (AtomicQueueB2 would
//   take any value, with a state byte per slot.) try_push/try_pop claim a slot by CAS on the
//   head or tail counter and then spin, with no yield, until the slot's previous occupant has
//   been taken or its value stored: a thread that claimed a slot and was descheduled holds up
//   the one that claims the same slot next. The slots carry no lap number, so while the
//   thread that claimed index i is descheduled, the threads that claim index i + 1024 (the
//   same slot, one lap later) can store into it or take from it first: a value can then leave
//   before one enqueued earlier by the same producer. Measured here with 4 and 8 threads; the
//   workloads' order check is off for it (conservation is still checked).
// - xenium: michael_scott_queue over its hazard_pointer<> (the peer of lockstep's ms_queue with
//   hazard pointers); ramalhete_queue (Ramalhete and Correia's FAAArrayQueue, the peer of
//   faa_queue) over hazard_pointer<> too. ramalhete_queue holds only raw pointers (or trivially
//   copyable values smaller than a pointer, so not a 64-bit integer) and keeps a mark in the
//   top bit: the adapter passes each token as a pointer that nothing ever dereferences, which the
//   queue only stores and compares with nullptr; the tokens being nonzero and below 2^63 is what
//   makes that sound. vyukov_bounded_queue is Vyukov's bounded MPMC ring, with its default
//   strong try_push/try_pop, which spin while the slot they claimed is still being written or
//   read by another thread.
// - libcds: MSQueue over its hazard pointers (cds::gc::HP); every thread must be attached to
//   libcds's thread manager (cds_thread_hooks, peers.hpp) and main() owns the library state
//   (cds_runtime). FCQueue is flat combining (Hendler, Incze, Shavit, Tzafrir 2010) over a
//   std::queue; its default wait strategy sleeps 2 ms per back-off step, which would measure the
//   sleep, so it waits with libcds's spin-then-yield exponential back-off instead (as the stack
//   peers do for elimination).
// - oneTBB: concurrent_queue (unbounded) and concurrent_bounded_queue with set_capacity(1024).
//   Both give each operation a ticket and make it wait, spinning with pause and then yielding,
//   until the operation with the previous ticket on the same sub-queue has finished: a
//   descheduled thread holds up every ticket behind it.
#pragma once

#include <atomic_queue/atomic_queue.h>
#include <cds/container/fcqueue.h>
#include <cds/container/msqueue.h>
#include <cds/gc/hp.h>
#include <concurrentqueue/concurrentqueue.h>
#include <oneapi/tbb/concurrent_queue.h>
#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/spsc_queue.hpp>
#include <xenium/michael_scott_queue.hpp>
#include <xenium/policy.hpp>
#include <xenium/ramalhete_queue.hpp>
#include <xenium/reclamation/hazard_pointer.hpp>
#include <xenium/vyukov_bounded_queue.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>

#include "harness.hpp"
#include "peer_stacks.hpp"
#include "queues.hpp"

namespace lockstep::bench {

// For the peers whose pop writes through a reference and returns whether it did: pop(v)
// (Boost, libcds) or try_pop(v) (atomic_queue, xenium, oneTBB).
template <class Q>
std::optional<std::uint64_t> pop_out(Q& q) {
  std::uint64_t v = 0;
  if (q.pop(v)) return v;
  return std::nullopt;
}

template <class Q>
std::optional<std::uint64_t> try_pop_out(Q& q) {
  std::uint64_t v = 0;
  if (q.try_pop(v)) return v;
  return std::nullopt;
}

struct boost_queue {
  using hooks = no_thread_hooks;
  static constexpr queue_kind kind = queue_kind::unbounded;
  static constexpr std::size_t initial_nodes = 64;
  boost::lockfree::queue<std::uint64_t> q{initial_nodes};

  bool try_push(std::uint64_t v) { return q.push(v); }
  std::optional<std::uint64_t> try_pop() { return pop_out(q); }
};

struct boost_spsc_queue {
  using hooks = no_thread_hooks;
  static constexpr queue_kind kind = queue_kind::spsc;
  boost::lockfree::spsc_queue<std::uint64_t> q{queue_capacity};

  bool try_push(std::uint64_t v) { return q.push(v); }
  std::optional<std::uint64_t> try_pop() { return pop_out(q); }
};

struct moodycamel_queue {
  using hooks = no_thread_hooks;
  static constexpr queue_kind kind = queue_kind::unbounded;
  moodycamel::ConcurrentQueue<std::uint64_t> q;

  bool try_push(std::uint64_t v) { return q.enqueue(v); }
  std::optional<std::uint64_t> try_pop() {
    std::uint64_t v = 0;
    if (q.try_dequeue(v)) return v;
    return std::nullopt;
  }
};

struct atomic_queue_peer {
  using hooks = no_thread_hooks;
  static constexpr queue_kind kind = queue_kind::bounded;
  static constexpr bool keeps_producer_order = false;
  atomic_queue::AtomicQueue<std::uint64_t, queue_capacity> q;

  bool try_push(std::uint64_t v) { return q.try_push(v); }
  std::optional<std::uint64_t> try_pop() { return try_pop_out(q); }
};

using xenium_hp = xenium::policy::reclaimer<xenium::reclamation::hazard_pointer<>>;

struct xenium_ms_queue_peer {
  using hooks = no_thread_hooks;
  static constexpr queue_kind kind = queue_kind::unbounded;
  xenium::michael_scott_queue<std::uint64_t, xenium_hp> q;

  bool try_push(std::uint64_t v) {
    q.push(v);
    return true;
  }
  std::optional<std::uint64_t> try_pop() { return try_pop_out(q); }
};

struct xenium_ramalhete_queue {
  using hooks = no_thread_hooks;
  static constexpr queue_kind kind = queue_kind::unbounded;
  // What the queue stores a pointer to: never anything, the pointer is the token.
  struct opaque;
  xenium::ramalhete_queue<opaque*, xenium_hp> q;

  bool try_push(std::uint64_t v) {
    q.push(reinterpret_cast<opaque*>(static_cast<std::uintptr_t>(v)));
    return true;
  }
  std::optional<std::uint64_t> try_pop() {
    opaque* p = nullptr;
    if (q.try_pop(p)) return static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(p));
    return std::nullopt;
  }
};

struct xenium_vyukov_queue {
  using hooks = no_thread_hooks;
  static constexpr queue_kind kind = queue_kind::bounded;
  xenium::vyukov_bounded_queue<std::uint64_t> q{queue_capacity};

  bool try_push(std::uint64_t v) { return q.try_push(v); }
  std::optional<std::uint64_t> try_pop() { return try_pop_out(q); }
};

struct cds_ms_queue {
  using hooks = cds_thread_hooks;
  static constexpr queue_kind kind = queue_kind::unbounded;
  cds::container::MSQueue<cds::gc::HP, std::uint64_t> q;

  bool try_push(std::uint64_t v) { return q.push(v); }
  std::optional<std::uint64_t> try_pop() { return pop_out(q); }
};

struct cds_fc_queue {
  using hooks = cds_thread_hooks;
  static constexpr queue_kind kind = queue_kind::unbounded;
  using traits = cds::container::fcqueue::make_traits<cds::opt::wait_strategy<
      cds::algo::flat_combining::wait_strategy::backoff<cds::backoff::Default>>>::type;
  cds::container::FCQueue<std::uint64_t, std::queue<std::uint64_t>, traits> q;

  bool try_push(std::uint64_t v) { return q.push(v); }
  std::optional<std::uint64_t> try_pop() { return pop_out(q); }
};

struct tbb_queue {
  using hooks = no_thread_hooks;
  static constexpr queue_kind kind = queue_kind::unbounded;
  oneapi::tbb::concurrent_queue<std::uint64_t> q;

  bool try_push(std::uint64_t v) {
    q.push(v);
    return true;
  }
  std::optional<std::uint64_t> try_pop() { return try_pop_out(q); }
};

struct tbb_bounded_queue {
  using hooks = no_thread_hooks;
  static constexpr queue_kind kind = queue_kind::bounded;
  oneapi::tbb::concurrent_bounded_queue<std::uint64_t> q;

  tbb_bounded_queue() { q.set_capacity(static_cast<std::ptrdiff_t>(queue_capacity)); }
  bool try_push(std::uint64_t v) { return q.try_push(v); }
  std::optional<std::uint64_t> try_pop() { return try_pop_out(q); }
};

}  // namespace lockstep::bench
