// locked::tatas_lock — test-and-test-and-set spinlock with exponential backoff.
//
// Paper: L. Rudolph and Z. Segall, "Dynamic Decentralized Cache Schemes for MIMD Parallel
//   Processors", ISCA 1984 (spin on a read); T. E. Anderson, "The Performance of Spin Lock
//   Alternatives for Shared-Memory Multiprocessors", IEEE TPDS 1(1), 1990 (backoff).
// Progress: lock deadlock-free, not starvation-free: any waiter may win each release.
//   try_lock and unlock wait-free (one load and at most one exchange; one store).
// Linearization: L1 lock, L2 try_lock — the exchange that reads false takes the lock;
//   L3 unlock — the store of false frees it.
// Ordering: O1, O2 acquire exchanges (lock, try_lock) ← O3;
//   O3 release store in unlock → O1, O2: each critical section happens before the next.
//   The waiting loads are relaxed: they only decide when to retry.
// Memory and ABA: one flag; nothing is allocated or reclaimed.
// Exceptions: none thrown.
// Policy: backoff pauses, doubling to a cap, then yields the core on every retry.
// Deviations: none.
// More: docs/algorithms/tatas_lock.md (the cache argument, oversubscription).
#pragma once

#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

class tatas_lock {
 public:
  tatas_lock() = default;
  tatas_lock(const tatas_lock&) = delete;
  tatas_lock& operator=(const tatas_lock&) = delete;

  void lock() {
    sync::backoff backoff;
    // O1 acquire, L1 when it reads false: pairs with O3, the previous holder's release.
    while (locked_.exchange(true, sync::acquire)) {
      // Spin on a read, not on the exchange: reads share the line in every waiter's cache, an
      // exchange takes it exclusively and slows the holder's release.
      do {
        backoff.pause();
      } while (locked_.load(sync::relaxed));
    }
  }

  // Fails without writing when the lock reads held, so a polling caller does not take the line
  // away from the holder. O2 acquire, L2 when the exchange reads false: pairs with O3.
  bool try_lock() {
    return !locked_.load(sync::relaxed) && !locked_.exchange(true, sync::acquire);
  }

  // O3 release, L3: publishes the critical section to the next O1 or O2 that reads false.
  void unlock() { locked_.store(false, sync::release); }

 private:
  alignas(sync::cache_line) sync::atomic<bool> locked_{false};
};

}  // namespace lockstep::locked
