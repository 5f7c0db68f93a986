// tatas_lock: test-and-test-and-set spinlock with exponential backoff.
//
// Rudolph & Segall 1984 ("Dynamic decentralized cache schemes for MIMD parallel processors")
// spin on an ordinary read of the lock word, which stays in the waiter's cache, and attempt the
// test-and-set only once the word reads free; Anderson 1990 ("The performance of spin lock
// alternatives for shared-memory multiprocessors") adds exponential backoff so that a release
// does not send every waiter into a test-and-set at once. One atomic flag, no queue, no
// fairness.
//
// Progress: lock() is deadlock-free but not starvation-free — any waiter may win each release,
// so an unlucky one can lose forever. try_lock() and unlock() are wait-free (one load and at
// most one exchange; one store).
//
// Memory ordering: the exchange that takes the lock is an acquire and the store that frees it a
// release, so each critical section happens before the next one: the acquiring exchange reads
// the releasing store (or a later value in its release sequence). The waiting loads are
// relaxed because they only decide when to retry; a waiter learns nothing from them that it
// relies on until its own exchange succeeds.
//
// Oversubscription: the backoff spins with a pause instruction, doubling up to a cap, and then
// yields the core on every further retry. With more threads than cores the holder may be
// descheduled; waiters that keep spinning would burn the holder's time slice, so past the cap
// they give it back. There is no handoff, so a descheduled *waiter* costs nobody anything —
// the lock simply goes to whoever runs.
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
    while (locked_.exchange(true, sync::acquire)) {
      // Spin on a read, not on the exchange: reads share the line in every waiter's cache, an
      // exchange takes it exclusively and slows the holder's release.
      do {
        backoff.pause();
      } while (locked_.load(sync::relaxed));
    }
  }

  // Fails without writing when the lock reads held, so a polling caller does not take the line
  // away from the holder.
  bool try_lock() {
    return !locked_.load(sync::relaxed) && !locked_.exchange(true, sync::acquire);
  }

  void unlock() { locked_.store(false, sync::release); }

 private:
  alignas(sync::cache_line) sync::atomic<bool> locked_{false};
};

}  // namespace lockstep::locked
