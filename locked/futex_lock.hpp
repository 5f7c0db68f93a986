// locked::futex_lock — a mutex that spins, then yields, then sleeps on a futex; the lock of
// locked::channel.
//
// Paper: U. Drepper, "Futexes Are Tricky", 2011 — its third mutex (0 free, 1 held,
//   2 held and perhaps with sleepers).
// Progress: lock blocking, deadlock-free, not starvation-free (a running thread can pass a
//   sleeping one). try_lock one CAS; unlock one exchange and, with sleepers, one wake-up.
// Linearization: L1 lock, L2 try_lock — the CAS or exchange that reads 0 takes the lock;
//   L3 unlock — its exchange of 0.
// Ordering: O1–O5 acquire CAS or exchange taking the lock (lock's fast path, spin, entry to
//   and loop of its sleep; try_lock) ← O6; O6 release exchange in unlock → O1–O5: each
//   critical section happens before the next. Other accesses only decide to retry or sleep.
//   No lost wake-up: the futex compares the word with 2 and sleeps atomically, so an unlock
//   that stores 0 after the waiter's exchange either precedes the compare or wakes a sleeper.
// Memory and ABA: one word; nothing is allocated or reclaimed.
// Exceptions: none thrown.
// Policy: spin `spins` pauses, yield `yields` times (sync::spin_then_yield), then sleep.
// Deviations: the spin-then-yield phase before sleeping (as glibc's adaptive mutex and Go's
//   runtime lock do); Drepper sleeps at once.
// More: docs/algorithms/futex_lock.md (why 2 and never 1, why the channel spins first).
#pragma once

#include <cstdint>

#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

class futex_lock {
 public:
  futex_lock() = default;
  futex_lock(const futex_lock&) = delete;
  futex_lock& operator=(const futex_lock&) = delete;

  void lock(sync::location loc = {}) {
    std::uint32_t seen = free;
    // O1 acquire, L1 on success: pairs with O6.
    if (word_.compare_exchange_strong(seen, held, sync::acquire, loc)) return;
    for (sync::spin_then_yield patience(spins, yields); patience.pause(loc);) {
      seen = word_.load(sync::relaxed, loc);
      // O2 acquire, L1 on success: pairs with O6.
      if (seen == free && word_.compare_exchange_strong(seen, held, sync::acquire, loc)) return;
    }
    // O3 acquire, L1 when it reads 0: pairs with O6. From here the word says 2.
    if (seen != held_with_sleepers) seen = word_.exchange(held_with_sleepers, sync::acquire, loc);
    while (seen != free) {
      // Relaxed: only decides whether to sleep; O4 orders the data.
      word_.wait(held_with_sleepers, sync::relaxed, loc);
      // O4 acquire, L1 when it reads 0: pairs with O6. It writes 2: a woken waiter cannot know
      // whether others still sleep, and 1 would let the next unlock skip their wake-up.
      seen = word_.exchange(held_with_sleepers, sync::acquire, loc);  // 2, never 1: see above
    }
  }

  bool try_lock(sync::location loc = {}) {
    std::uint32_t seen = free;
    // O5 acquire, L2 on success: pairs with O6.
    return word_.compare_exchange_strong(seen, held, sync::acquire, loc);
  }

  // O6 release, L3: publishes the critical section to the next O1–O5 that reads 0. Wakes a
  // sleeper only if it found 2.
  void unlock(sync::location loc = {}) {
    if (word_.exchange(free, sync::release, loc) == held_with_sleepers) word_.notify_one(loc);
  }

 private:
  static constexpr std::uint32_t free = 0;
  static constexpr std::uint32_t held = 1;
  static constexpr std::uint32_t held_with_sleepers = 2;

  // Shorter than a channel operation's wait: a lock is held for nanoseconds, so a waiter that
  // has not got it after a hundred pauses is likely waiting for a descheduled holder, which
  // yielding helps and spinning does not.
  static constexpr std::uint32_t spins = 100;
  static constexpr std::uint32_t yields = 4;

  sync::parking_word word_{free};
};

}  // namespace lockstep::locked
