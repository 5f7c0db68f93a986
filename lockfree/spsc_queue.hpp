// lockfree::spsc_queue<T> — bounded single-producer single-consumer FIFO ring, wait-free.
//
// Paper: L. Lamport, "Specifying Concurrent Program Modules", ACM TOPLAS 5(2), 1983; each side
//   caches the other's index as in FastForward (PPoPP 2008) and MCRingBuffer (IPDPS 2010).
//   Contract: one producer and one consumer at a time; more is a data race, not detected.
// Progress: try_push and try_pop wait-free (no loop); empty() and size() wait-free.
// Linearization: L1 try_push — its store of the tail (O4); L2 try_pop — its store of the head
//   (O5); L3 "empty" — the load of the tail that confirmed it (O1); L4 "full" — the load of
//   the head that confirmed it (O3). empty()/size(): exact for the two sides, a snapshot else.
// Ordering: O4 release store of the tail → O1 (the consumer's acquire load): the value;
//   O5 release store of the head → O3 (the producer's acquire load) and O2 (size()): the slot
//   handed back. A side's loads of its own index are relaxed: only it writes that index.
// Memory and ABA: one slot array, allocated at construction; the indices only grow.
// Exceptions: the strong guarantee both ways (a throwing constructor leaves the queue as it was).
// Policy: capacity rounds up to a power of two (1 works).
// Deviations: none.
// More: docs/algorithms/spsc_queue.md (the full argument)
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <utility>

#include <lockstep/sync/sync.hpp>

namespace lockstep::lockfree {

template <class T>
class spsc_queue {
  // Room for one T, constructed by push and destroyed by pop: T needs no default constructor.
  struct storage {
    alignas(T) unsigned char bytes[sizeof(T)];
  };
  using slot = sync::plain<storage>;

 public:
  using value_type = T;

  static constexpr std::size_t max_capacity = std::bit_floor(
      static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) / sizeof(slot));

  // Throws std::invalid_argument for 0 and std::length_error above max_capacity.
  explicit spsc_queue(std::size_t capacity)
      : mask_(sync::ring_capacity(capacity, max_capacity, "lockstep::lockfree::spsc_queue") - 1),
        slots_(new slot[mask_ + 1]) {}

  spsc_queue(const spsc_queue&) = delete;
  spsc_queue& operator=(const spsc_queue&) = delete;

  // Destroys the values left in the queue. No operation may run concurrently.
  ~spsc_queue() {
    const std::size_t tail = tail_.load(sync::relaxed);
    for (std::size_t i = head_.load(sync::relaxed); i != tail; ++i) std::destroy_at(object(i));
  }

  // The producer's side. false when full; the caller's value is then untouched, for the rvalue
  // overload too.
  bool try_push(const T& value) { return push(value); }
  bool try_push(T&& value) { return push(std::move(value)); }

  // The consumer's side.
  std::optional<T> try_pop() {
    const std::size_t head = head_.load(sync::relaxed);
    if (tail_copy_.read() == head) {
      // O1 acquire: pairs with O4 (the producer's publishing store of the tail); L3 if empty.
      tail_copy_.write() = tail_.load(sync::acquire);
      if (tail_copy_.read() == head) return std::nullopt;
    }
    const hand_back_on_success done{*this, head};
    return std::optional<T>(std::move(*object(head)));
  }

  std::size_t capacity() const noexcept { return mask_ + 1; }

  // Whether the queue holds no value. Any thread may call it, beside the producer and the
  // consumer. Wait-free. Linearizable when called by the producer (at the load of the head:
  // the tail, its own, cannot change during the call) or by the consumer (at the load of the
  // tail: the head is its own); from a third thread "true" is linearizable (at the load of the
  // tail, which read the head loaded before it, and the head never passes the tail) and "false"
  // is a snapshot that may be stale.
  bool empty() const { return size() == 0; }

  // The values queued, with the same guarantees as empty(): exact for the producer and the
  // consumer, a snapshot in [0, capacity()] for any other thread. Wait-free.
  std::size_t size() const {
    // O2 acquire: pairs with O5 (the consumer's release store of this head), made after reading
    // a tail at least as large, so the tail loaded next is not behind it.
    const std::size_t head = head_.load(sync::acquire);
    // Relaxed: an answer about the indices, which hands over no value. The clamp is for a third
    // thread only: the head may move on, and the producer push again, between its two loads.
    return std::min(tail_.load(sync::relaxed) - head, capacity());
  }

 private:
  T* object(std::size_t index) const noexcept {
    return std::launder(reinterpret_cast<T*>(slots_[index & mask_].write().bytes));
  }

  template <class V>
  bool push(V&& value) {
    const std::size_t tail = tail_.load(sync::relaxed);
    if (tail - head_copy_.read() == capacity()) {
      // O3 acquire: pairs with O5 (the consumer's store of the head that handed the slot back);
      // L4 if full.
      head_copy_.write() = head_.load(sync::acquire);
      if (tail - head_copy_.read() == capacity()) return false;
    }
    ::new (static_cast<void*>(object(tail))) T(std::forward<V>(value));
    // O4 release, L1: publishes the constructed value to the consumer (O1).
    tail_.store(tail + 1, sync::release);
    return true;
  }

  // Runs after the returned optional is constructed; if that construction threw, the value
  // stays in the queue.
  struct hand_back_on_success {
    spsc_queue& q;
    std::size_t head;
    int exceptions = std::uncaught_exceptions();
    ~hand_back_on_success() {
      if (std::uncaught_exceptions() != exceptions) return;
      std::destroy_at(q.object(head));
      // O5 release, L2: the move out and destruction happen before the producer reuses the
      // slot (O3, O2).
      q.head_.store(head + 1, sync::release);
    }
  };

  // Read by both sides, written once: on their own line, away from the indices.
  const std::size_t mask_;
  const std::unique_ptr<slot[]> slots_;
  // The producer's line: the tail it writes and its copy of the head.
  alignas(sync::cache_line) sync::atomic<std::size_t> tail_{0};
  sync::plain<std::size_t> head_copy_{0};
  // The consumer's line: the head it writes and its copy of the tail. (The class's alignment
  // pads its end, so what follows the queue in memory is off this line too.)
  alignas(sync::cache_line) sync::atomic<std::size_t> head_{0};
  sync::plain<std::size_t> tail_copy_{0};
};

}  // namespace lockstep::lockfree
