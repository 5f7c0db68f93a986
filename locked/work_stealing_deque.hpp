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

#include <optional>
#include <type_traits>

#include <lockstep/locked/guarded_deque.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

// guarded_deque pushed at its back: pop is its try_pop (the back), steal takes the front.
template <class T, class Lock = std_mutex>
  requires std::is_trivially_copyable_v<T>
class work_stealing_deque : private guarded_deque<T, Lock, deque_end::back> {
  using base = guarded_deque<T, Lock, deque_end::back>;

 public:
  using typename base::lock_type;
  using typename base::value_type;

  using base::push;
  using base::size;

  // The owner's end: the element pushed last.
  std::optional<T> pop() { return base::try_pop(); }

  // The thieves' end: the element pushed first.
  std::optional<T> steal() { return base::template take<deque_end::front>(); }
};

}  // namespace lockstep::locked
