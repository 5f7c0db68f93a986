// locked::queue: the single-lock twin of the unbounded lock-free queues (Michael & Scott 1996
// and its successors).
//
// A sequential FIFO queue behind one lock, the Lock policy being any Lockable: std_mutex
// (default), tatas_lock, ticket_lock, mcs_lock. It follows no paper; it is the baseline that
// the unbounded lock-free queues are measured and specified against — the same sequential
// specification, the same push / try_pop interface (sync::unbounded_queue). Its two-lock
// sibling, locked::two_lock_queue, lets one enqueuer and one dequeuer run in parallel.
//
// Storage is a std::deque: pushing at the back and popping at the front are O(1) and never
// relocate the other elements, so (1) no critical section runs an O(n) copy that every waiter
// would pay for, and (2) push keeps the strong exception guarantee even for a T whose move
// constructor may throw and that cannot be copied.
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
// constructor, or from allocation, leaves the queue as it was, and leaves the caller's value
// untouched if T's own constructor promises that. push therefore takes a reference, never T by
// value: a by-value parameter would already have taken the caller's value when the move into
// the queue threw.
#pragma once

#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>

#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

template <class T, class Lock = std_mutex>
class queue {
 public:
  using value_type = T;
  using lock_type = Lock;

  queue() = default;
  queue(const queue&) = delete;
  queue& operator=(const queue&) = delete;

  void push(const T& value) {
    std::scoped_lock hold(lock_);
    items_.write().push_back(value);
  }

  void push(T&& value) {
    std::scoped_lock hold(lock_);
    items_.write().push_back(std::move(value));
  }

  // The value is moved straight into the returned optional (a prvalue, so no further move) and
  // removed from the queue only after that move succeeded.
  std::optional<T> try_pop() {
    std::scoped_lock hold(lock_);
    std::deque<T>& items = items_.write();
    if (items.empty()) return std::nullopt;
    const remove_front_on_success remove{items};
    return std::optional<T>(std::move(items.front()));
  }

  // Hints under concurrency: true when observed, possibly stale by the time the caller looks.
  bool empty() const {
    std::scoped_lock hold(lock_);
    return items_.read().empty();
  }
  std::size_t size() const {
    std::scoped_lock hold(lock_);
    return items_.read().size();
  }

 private:
  // Runs after the return value is constructed; an exception from that construction is still
  // in flight during its destructor, which then leaves the element in place.
  struct remove_front_on_success {
    std::deque<T>& items;
    int exceptions = std::uncaught_exceptions();
    ~remove_front_on_success() {
      if (std::uncaught_exceptions() == exceptions) items.pop_front();
    }
  };

  mutable Lock lock_;
  sync::plain<std::deque<T>> items_;
};

}  // namespace lockstep::locked
