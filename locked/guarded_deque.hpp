// locked::guarded_deque<T, Lock, End> — a std::deque behind one lock, pushed at its back and
// popped at End: locked::stack (End = back) and locked::queue (End = front) with a name.
// take_from<End> is also the pop that flat combining applies for fc_stack and fc_queue.
//
// Progress: every operation takes the lock once and has its guarantee (blocking;
//   starvation-free with ticket_lock and mcs_lock).
// Linearization: every operation inside its critical section, which the lock orders.
// Ordering: the lock's. Elements are touched only inside critical sections, which the lock
//   orders, so a push's construction happens before the try_pop that moves the value out.
//   Under Relacy the deque is a sync::plain: a lock that failed to order is a data race.
// Memory and ABA: a std::deque; it never relocates elements, so a push runs no O(n) copy
//   inside the critical section.
// Exceptions: strong for push and try_pop, even for a T whose move may throw and that cannot
//   be copied (a deque relocates nothing; a vector would give only the basic guarantee). A
//   throwing copy, move or allocation leaves the structure as it was. push takes a reference,
//   never T by value, so a throwing move leaves the caller's value with the caller.
// Policy: Lock is any Lockable: std_mutex (default), tatas_lock, ticket_lock, mcs_lock.
// Deviations: none; it follows no paper. It is the baseline the lock-free stacks and queues
//   are measured and specified against.
// More: docs/queues.md, docs/stacks.md.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

enum class deque_end { front, back };

// Moves the value at End into `out` and removes it from `items` only once that move succeeded
// (strong guarantee); leaves `out` empty if `items` is. `out` is meant to be the caller's return
// object (one named return: NRVO), so the value is moved exactly once, into the caller's hands.
template <deque_end End, class T>
void take_from(std::deque<T>& items, std::optional<T>& out) {
  if (items.empty()) return;
  if constexpr (End == deque_end::front) {
    out.emplace(std::move(items.front()));
    items.pop_front();
  } else {
    out.emplace(std::move(items.back()));
    items.pop_back();
  }
}

template <class T, class Lock, deque_end End>
class guarded_deque {
 public:
  using value_type = T;
  using lock_type = Lock;

  guarded_deque() = default;
  guarded_deque(const guarded_deque&) = delete;
  guarded_deque& operator=(const guarded_deque&) = delete;

  void push(const T& value) {
    std::scoped_lock hold(lock_);
    items_.write().push_back(value);
  }

  void push(T&& value) {
    std::scoped_lock hold(lock_);
    items_.write().push_back(std::move(value));
  }

  std::optional<T> try_pop() { return take<End>(); }

  // Each takes the lock once (the lock's progress) and is linearizable at its critical section:
  // exact there, though the queue may have changed by the time the caller acts on the answer.
  bool empty() const {
    std::scoped_lock hold(lock_);
    return items_.read().empty();
  }
  std::size_t size() const {
    std::scoped_lock hold(lock_);
    return items_.read().size();
  }

 protected:
  // Takes the element at From under the lock: try_pop's End, or the other end for a twin that
  // takes from both (locked::work_stealing_deque).
  template <deque_end From>
  std::optional<T> take() {
    std::optional<T> out;
    std::scoped_lock hold(lock_);
    take_from<From>(items_.write(), out);
    return out;
  }

 private:
  mutable Lock lock_;
  sync::plain<std::deque<T>> items_;
};

}  // namespace lockstep::locked
