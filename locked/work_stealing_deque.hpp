// locked::work_stealing_deque<T, Lock> — a work-stealing deque behind one lock; the lock-based
// twin of lockfree::chase_lev_deque, with its interface (sync::work_stealing_deque).
//
// Progress: every operation takes the lock once and has its guarantee (blocking;
//   starvation-free with ticket_lock and mcs_lock).
// Linearization: every operation inside its critical section, which the lock orders.
// Ordering: the lock's. Elements are touched only inside critical sections; under Relacy the
//   deque is a sync::plain, so a lock that failed to order is a data race.
// Memory and ABA: a std::deque; push allocates a block now and then, never relocates.
// Exceptions: push may throw (allocation) and then changes nothing; T is trivially copyable.
// Policy: Lock is any Lockable: std_mutex (default), tatas_lock, ticket_lock, mcs_lock. Unlike
//   the lock-free deque, any thread may push and pop: the owner-only rule is the interface's,
//   and this twin does not need it.
// Deviations: none; it follows no paper. A steal comes back empty only when the deque was.
// More: docs/deques.md.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <type_traits>

#include <lockstep/locked/guarded_deque.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

template <class T, class Lock = std_mutex>
  requires std::is_trivially_copyable_v<T>
class work_stealing_deque {
 public:
  using value_type = T;
  using lock_type = Lock;

  work_stealing_deque() = default;
  work_stealing_deque(const work_stealing_deque&) = delete;
  work_stealing_deque& operator=(const work_stealing_deque&) = delete;

  void push(const T& value) {
    std::scoped_lock hold(lock_);
    items_.write().push_back(value);
  }

  // The owner's end: the element pushed last.
  std::optional<T> pop() {
    std::optional<T> out;
    std::scoped_lock hold(lock_);
    take_from<deque_end::back>(items_.write(), out);
    return out;
  }

  // The thieves' end: the element pushed first.
  std::optional<T> steal() {
    std::optional<T> out;
    std::scoped_lock hold(lock_);
    take_from<deque_end::front>(items_.write(), out);
    return out;
  }

  // Exact at its critical section; a hint by the time the caller acts on it.
  std::size_t size() const {
    std::scoped_lock hold(lock_);
    return items_.read().size();
  }

 private:
  mutable Lock lock_;
  sync::plain<std::deque<T>> items_;
};

}  // namespace lockstep::locked
