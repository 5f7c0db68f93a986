// locked::stack: the lock-based twin of the lock-free stacks (Treiber 1986 and its variants).
//
// A sequential LIFO stack behind one lock: guarded_deque popped at its back, whose header gives
// the storage, progress (the lock's; linearizable at the critical section), memory-ordering and
// exception-safety arguments. It follows no paper; it is the baseline that the lock-free stacks
// are measured and specified against — the same sequential specification, the same
// push / try_pop interface (sync::stack). locked::fc_stack is its flat-combining sibling.
#pragma once

#include <lockstep/locked/guarded_deque.hpp>
#include <lockstep/locked/std_mutex.hpp>

namespace lockstep::locked {

template <class T, class Lock = std_mutex>
class stack : public guarded_deque<T, Lock, deque_end::back> {};

}  // namespace lockstep::locked
