// locked::guarded_deque<T, Lock, End>: a sequential std::deque behind one lock, pushed at its
// back and popped at End. The single-lock stack (locked::stack: End = back, LIFO) and queue
// (locked::queue: End = front, FIFO) are this structure with a name; take_from<End> is also the
// pop that flat combining applies for fc_stack and fc_queue. The Lock policy is any Lockable:
// std_mutex (default), tatas_lock, ticket_lock, mcs_lock. It follows no paper: it is the baseline
// that the lock-free stacks and queues are measured and specified against.
//
// Storage is a std::deque, not a std::vector: a deque never relocates its elements, so
// (1) a push never runs an O(n) copy inside the critical section, which every waiter would pay
// for, and (2) push keeps the strong exception guarantee even for a T whose move constructor
// may throw and that cannot be copied (a vector may then only give the basic guarantee).
//
// Progress: every operation takes the lock once, so it inherits the lock's guarantee (blocking;
// starvation-free with ticket_lock and mcs_lock). Each is linearizable at its critical section.
//
// Memory ordering: the lock's. Everything an operation does to the elements happens inside the
// critical section, and the lock orders critical sections, so a value's construction by push
// happens before its move out by try_pop. Under the model checker the deque is a sync::plain:
// a lock that failed to order its critical sections would be reported as a data race on it.
//
// Exception safety: strong for push and try_pop. An exception from T's copy or move
// constructor, or from allocation, leaves the structure as it was, and leaves the caller's value
// untouched if T's own constructor promises that. push therefore takes a reference, never T by
// value: a by-value parameter would already have taken the caller's value when the move into
// the deque threw, and the value would be lost.
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

  std::optional<T> try_pop() {
    std::optional<T> out;
    std::scoped_lock hold(lock_);
    take_from<End>(items_.write(), out);
    return out;
  }

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

 private:
  mutable Lock lock_;
  sync::plain<std::deque<T>> items_;
};

}  // namespace lockstep::locked
