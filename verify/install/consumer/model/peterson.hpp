// Peterson's mutual exclusion for two threads, written against lockstep's sync/ seam: natively
// sync::atomic is std::atomic, under LOCKSTEP_RELACY it is the model checker's.
//
// The memory orders are template arguments because they are the whole bug. With seq_cst all
// the stores and loads are in one total order, so the two threads cannot both miss each other's
// flag. With release stores and acquire loads the lock is the store-buffering litmus test: a
// thread's store to its own flag may not yet be visible when the other thread loads it, both
// load `false`, and both enter.
#pragma once

#include <lockstep/sync/sync.hpp>

template <std::memory_order Store, std::memory_order Load>
class basic_peterson {
 public:
  void lock(unsigned me) {
    const unsigned other = 1 - me;
    flag_[me].store(true, Store);  // Store: announce interest before reading the other's flag
    turn_.store(other, Store);     // Store: on a tie, the later writer of turn_ waits
    // Load: the other's flag and the turn, which must see the other's stores above
    while (flag_[other].load(Load) && turn_.load(Load) == other) lockstep::sync::yield();
  }

  // Store: publishes the critical section to the next thread that reads the flag
  void unlock(unsigned me) { flag_[me].store(false, Store); }

 private:
  lockstep::sync::atomic<bool> flag_[2]{false, false};
  lockstep::sync::atomic<unsigned> turn_{0};
};

using peterson = basic_peterson<std::memory_order_seq_cst, std::memory_order_seq_cst>;
using peterson_release_acquire =
    basic_peterson<std::memory_order_release, std::memory_order_acquire>;
