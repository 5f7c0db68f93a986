// locked::ticket_lock — FIFO spinlock; waiters back off by their distance from the head.
//
// Paper: J. M. Mellor-Crummey and M. L. Scott, "Algorithms for Scalable Synchronization on
//   Shared-Memory Multiprocessors", ACM TOCS 9(1), 1991, section 2.2.
// Progress: lock starvation-free: tickets are served in the order they were taken.
//   try_lock wait-free (one CAS); unlock wait-free (one load, one store).
// Linearization: L1 lock — the load of now serving that reads the caller's ticket;
//   L2 try_lock — its CAS on the ticket counter; L3 unlock — the store to now serving.
// Ordering: O1, O2 acquire loads of now serving (lock, try_lock) ← O3;
//   O3 release store in unlock → O1, O2: each critical section happens before the next.
//   Taking a ticket is relaxed: the ticket counter orders waiters and publishes no data.
// Memory and ABA: two 32-bit counters that may wrap; differences stay correct (see lock).
// Exceptions: none thrown.
// Policy: a waiter more than one place from the head yields at once; the head waiter spins
//   up to head_spin_cap pauses, then yields. Prefer std_mutex when threads outnumber cores.
// Deviations: the paper delays in proportion to the distance; here a waiter yields instead.
// More: docs/algorithms/ticket_lock.md (the backoff, the oversubscription convoy).
#pragma once

#include <cstdint>

#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

class ticket_lock {
 public:
  ticket_lock() = default;
  ticket_lock(const ticket_lock&) = delete;
  ticket_lock& operator=(const ticket_lock&) = delete;

  void lock() {
    const std::uint32_t ticket = next_ticket_.fetch_add(1, sync::relaxed);
    sync::backoff backoff(head_spin_cap);
    for (;;) {
      // O1 acquire, L1 when it reads `ticket`: pairs with O3, the previous holder's grant.
      const std::uint32_t serving = now_serving_.load(sync::acquire);
      if (serving == ticket) return;
      // Unsigned subtraction: correct across the counters' wrap-around, since fewer than 2^32
      // threads can be waiting.
      if (ticket - serving > 1) {
        sync::yield();
      } else {
        backoff.pause();
      }
    }
  }

  bool try_lock() {
    std::uint32_t ticket = next_ticket_.load(sync::relaxed);
    // O2 acquire: pairs with O3, as O1 does.
    if (now_serving_.load(sync::acquire) != ticket) return false;
    // L2. Relaxed: the CAS only makes the ticket exclusively the caller's; O2 ordered the data.
    // Strong CAS: a spurious failure would report a free lock as held.
    return next_ticket_.compare_exchange_strong(ticket, ticket + 1, sync::relaxed, sync::relaxed);
  }

  // Only the holder writes now serving, so it reads back the value it was granted.
  // O3 release, L3: grants the next ticket and publishes the critical section to O1, O2.
  void unlock() {
    now_serving_.store(now_serving_.load(sync::relaxed) + 1, sync::release);
  }

 private:
  // A critical section of a lock-based twin lasts tens of nanoseconds: a head waiter still not
  // served after about a hundred pauses is most likely waiting for a descheduled thread, so it
  // stops spinning sooner than sync::backoff's default.
  static constexpr std::uint32_t head_spin_cap = 64;

  // Separate lines: arriving threads hammer the ticket counter, waiters poll now serving.
  alignas(sync::cache_line) sync::atomic<std::uint32_t> next_ticket_{0};
  alignas(sync::cache_line) sync::atomic<std::uint32_t> now_serving_{0};
};

}  // namespace lockstep::locked
