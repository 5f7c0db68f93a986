// locked::stack<T, Lock> — LIFO stack behind one lock; the lock-based twin of the lock-free
// stacks (Treiber 1986 and its variants), with their interface (sync::stack).
//
// Progress, Linearization, Ordering, Exceptions: those of guarded_deque popped at its back
//   (locked/guarded_deque.hpp): the lock's progress, linearizable at the critical section.
// Policy: Lock defaults to std_mutex, which suits any number of threads per core.
// Deviations: none; it follows no paper. locked::fc_stack is its flat-combining sibling.
// More: docs/stacks.md.
#pragma once

#include <lockstep/locked/guarded_deque.hpp>
#include <lockstep/locked/std_mutex.hpp>

namespace lockstep::locked {

template <class T, class Lock = std_mutex>
class stack : public guarded_deque<T, Lock, deque_end::back> {};

}  // namespace lockstep::locked
