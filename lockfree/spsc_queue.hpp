// spsc_queue<T>: a bounded single-producer single-consumer ring. The algorithm is L. Lamport's,
// "Specifying Concurrent Program Modules", ACM TOPLAS 5(2), 1983: the producer alone advances
// the tail, the consumer alone advances the head, so neither needs a read-modify-write. With
// the refinement of FastForward (J. Giacomoni, T. Moseley, M. Vachharajani, "FastForward for
// Efficient Pipeline Parallelism: A Cache-Optimized Concurrent Lock-Free Queue", PPoPP 2008)
// and MCRingBuffer (P. P. C. Lee, T. Bu, G. Chandranmenon, "A Lock-Free, Cache-Efficient
// Multi-Core Synchronization Mechanism for Line-Rate Network Traffic Monitoring", IPDPS 2010):
// each side keeps a private copy of the other side's index and reads the shared one only when
// its copy says "full" (producer) or "empty" (consumer). While the ring is neither nearly full
// nor nearly empty, the two sides then touch each other's cache line once per lap, not once per
// operation.
//
// The contract: at most one thread calls try_push and at most one thread calls try_pop at any
// time (they may be different threads, and the roles may pass from thread to thread if the
// hand-over synchronises, e.g. by joining a thread). Two concurrent producers or consumers race
// on the indices and on the slots; the model checks (verify/relacy/spsc_queue.cpp) and TSan
// report that as a data race, nothing here detects it at run time.
//
// Progress: wait-free for its one producer and one consumer — each operation is a fixed number
// of steps with no loop.
// Linearization points: a successful try_push at its store of the tail; a successful try_pop at
// its store of the head; "full" at the load of the shared head that confirmed it, "empty" at the
// load of the shared tail that confirmed it. The indices only grow, so a stale private copy can
// only understate the room or the values available, never overstate them; and neither answer is
// given on the private copy alone, so "full" and "empty" are exact at those loads.
//
// Memory ordering: the producer constructs the value, then publishes it with a release store of
// the tail; the consumer's acquire load of the tail makes the construction visible before it
// moves the value out. Symmetrically the consumer moves the value out and destroys it, then
// hands the slot back with a release store of the head; the producer's acquire load of the head
// orders that before it constructs into the slot again. Each side's loads of its own index are
// relaxed: only it writes that index.
//
// Exceptions: the strong guarantee both ways. try_push publishes only after T's constructor
// returned, and try_pop removes the value only after it was moved into the returned optional, so
// a throwing constructor leaves the queue as it was (and the caller's value as T left it).
//
// Capacity: sync::ring_capacity rounds a request up to a power of two, at most max_capacity (the
// largest power of two whose slot array fits in a ptrdiff_t of bytes); 1 works. The indices
// count modulo 2^N (N = the bits of size_t) and wrap harmlessly: the capacity divides 2^N, and
// tail - head is at most the capacity.
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
      // Acquire: synchronises with the producer's publishing store of the tail.
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
    // Acquire: synchronises with the consumer's release store of this head, which it made after
    // reading a tail at least as large, so the tail loaded next is not behind it.
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
      // Acquire: synchronises with the consumer's store of the head that handed the slot back.
      head_copy_.write() = head_.load(sync::acquire);
      if (tail - head_copy_.read() == capacity()) return false;
    }
    ::new (static_cast<void*>(object(tail))) T(std::forward<V>(value));
    // Release: publishes the constructed value to the consumer.
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
      // Release: the move out and destruction happen before the producer reuses the slot.
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
