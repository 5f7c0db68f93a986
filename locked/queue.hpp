// locked::queue<T, Lock> — FIFO queue behind one lock; the single-lock twin of the unbounded
// lock-free queues (Michael & Scott 1996 and successors), with their interface
// (sync::unbounded_queue).
//
// Progress, Linearization, Ordering, Exceptions: those of guarded_deque popped at its front
//   (locked/guarded_deque.hpp): the lock's progress, linearizable at the critical section.
// Policy: Lock defaults to std_mutex, which suits any number of threads per core.
// Deviations: none; it follows no paper. Siblings: locked::two_lock_queue lets one enqueuer
//   and one dequeuer run in parallel; locked::fc_queue combines.
// More: docs/queues.md.
#pragma once

#include <lockstep/locked/guarded_deque.hpp>
#include <lockstep/locked/std_mutex.hpp>

namespace lockstep::locked {

template <class T, class Lock = std_mutex>
class queue : public guarded_deque<T, Lock, deque_end::front> {};

}  // namespace lockstep::locked
