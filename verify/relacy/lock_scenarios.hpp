// Model-check scenarios for any Lockable: mutual exclusion, seen the way a broken lock shows
// it. The critical section increments a sync::plain counter (a read, then a write): critical
// sections not ordered by happens-before are a data race on it, and overlapping ones that the
// race detector missed would lose increments, which after() sees.
#pragma once

#include <lockstep/sync/sync.hpp>

#include <lockstep/verify/model_check.hpp>

namespace lockstep::verify {

// Each thread enters the critical section Ops times through lock() / unlock().
template <class Lock, unsigned Threads, unsigned Ops>
struct mutual_exclusion : rl::test_suite<mutual_exclusion<Lock, Threads, Ops>, Threads> {
  Lock lock;
  sync::plain<unsigned> counter{0u};

  void thread(unsigned) {
    for (unsigned i = 0; i < Ops; ++i) {
      lock.lock();
      counter.store(counter.load() + 1);
      lock.unlock();
    }
  }
  void after() { RL_ASSERT(counter.load() == Threads * Ops); }
};

}  // namespace lockstep::verify
