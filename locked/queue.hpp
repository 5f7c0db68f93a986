// locked::queue: the single-lock twin of the unbounded lock-free queues (Michael & Scott 1996
// and its successors).
//
// A sequential FIFO queue behind one lock: guarded_deque popped at its front, whose header gives
// the storage, progress (the lock's; linearizable at the critical section), memory-ordering and
// exception-safety arguments. It follows no paper; it is the baseline that the unbounded
// lock-free queues are measured and specified against — the same sequential specification, the
// same push / try_pop interface (sync::unbounded_queue). Its siblings: locked::two_lock_queue
// lets one enqueuer and one dequeuer run in parallel, locked::fc_queue combines.
#pragma once

#include <lockstep/locked/guarded_deque.hpp>
#include <lockstep/locked/std_mutex.hpp>

namespace lockstep::locked {

template <class T, class Lock = std_mutex>
class queue : public guarded_deque<T, Lock, deque_end::front> {};

}  // namespace lockstep::locked
