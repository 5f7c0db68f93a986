// locked::bounded_queue<T, Lock> — a ring of capacity() slots behind one lock; the single-lock
// twin of the bounded lock-free queues (Vyukov's bounded MPMC queue, SCQ), with their
// interface (sync::bounded_queue).
//
// Progress: every operation takes the lock once and has its guarantee (blocking;
//   starvation-free with ticket_lock and mcs_lock).
// Linearization: every operation inside its critical section. "Full" and "empty" are exact
//   there, never spurious.
// Ordering: the lock's. The ring is touched only inside critical sections, which the lock
//   orders, so try_push's construction happens before the try_pop that moves the value out.
//   Under Relacy the ring is a sync::plain: a lock that failed to order is a data race.
// Memory and ABA: one std::optional<T> per slot, allocated once; a slot holds a value exactly
//   while it is between head and tail. The capacity follows sync::ring_capacity (a power of
//   two; 0 and oversized requests throw at construction). head and tail count operations;
//   as std::size_t they wrap after 2^64, and the mask stays correct across the wrap.
// Exceptions: strong for try_push and try_pop: a throwing copy or move leaves the queue as it
//   was. A full try_push returns false without touching its argument (it takes a reference).
// Policy: Lock is any Lockable: std_mutex (default), tatas_lock, ticket_lock, mcs_lock.
// Deviations: none; it follows no paper.
// More: docs/queues.md.
#pragma once

#include <bit>
#include <cstddef>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

template <class T, class Lock = std_mutex>
class bounded_queue {
 public:
  using value_type = T;
  using lock_type = Lock;

  // The largest capacity accepted: the biggest power of two whose slot array's size in bytes
  // still fits in std::ptrdiff_t (a larger array could not be allocated anyway).
  static constexpr std::size_t largest_capacity =
      std::bit_floor(static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) /
                     sizeof(std::optional<T>));

  explicit bounded_queue(std::size_t capacity)
      : capacity_(
            sync::ring_capacity(capacity, largest_capacity, "lockstep::locked::bounded_queue")),
        ring_(capacity_) {}

  bounded_queue(const bounded_queue&) = delete;
  bounded_queue& operator=(const bounded_queue&) = delete;

  bool try_push(const T& value) { return push_if_room(value); }
  bool try_push(T&& value) { return push_if_room(std::move(value)); }

  // The value is moved straight into the returned optional (a prvalue, so no further move) and
  // its slot freed only after that move succeeded.
  std::optional<T> try_pop() {
    std::scoped_lock hold(lock_);
    ring& r = ring_.write();
    if (r.head == r.tail) return std::nullopt;
    const free_head_on_success free{r, mask()};
    return std::optional<T>(std::move(*r.slots[r.head & mask()]));
  }

  std::size_t capacity() const noexcept { return capacity_; }

  // Each takes the lock once (the lock's progress) and is linearizable at its critical section:
  // exact there, though the queue may have changed by the time the caller acts on the answer.
  bool empty() const {
    std::scoped_lock hold(lock_);
    const ring& r = ring_.read();
    return r.head == r.tail;
  }
  std::size_t size() const {
    std::scoped_lock hold(lock_);
    const ring& r = ring_.read();
    return r.tail - r.head;
  }

 private:
  struct ring {
    explicit ring(std::size_t capacity) : slots(std::make_unique<std::optional<T>[]>(capacity)) {}
    std::unique_ptr<std::optional<T>[]> slots;
    std::size_t head = 0;  // pops ever done: the next value out is at slots[head & mask]
    std::size_t tail = 0;  // pushes ever done: the next value in goes to slots[tail & mask]
  };

  // Runs after the return value is constructed; an exception from that construction is still
  // in flight during its destructor, which then leaves the value in its slot.
  struct free_head_on_success {
    ring& r;
    std::size_t mask;
    int exceptions = std::uncaught_exceptions();
    ~free_head_on_success() {
      if (std::uncaught_exceptions() != exceptions) return;
      r.slots[r.head & mask].reset();
      ++r.head;
    }
  };

  std::size_t mask() const noexcept { return capacity_ - 1; }

  // The full check comes first, so a refused value is never touched; emplace leaves the
  // optional empty if T's constructor throws, and tail moves only after it succeeded.
  template <class V>
  bool push_if_room(V&& value) {
    std::scoped_lock hold(lock_);
    ring& r = ring_.write();
    if (r.tail - r.head == capacity_) return false;
    r.slots[r.tail & mask()].emplace(std::forward<V>(value));
    ++r.tail;
    return true;
  }

  const std::size_t capacity_;
  mutable Lock lock_;
  sync::plain<ring> ring_;
};

}  // namespace lockstep::locked
