// ticket_lock: FIFO spinlock with proportional backoff.
//
// Mellor-Crummey & Scott 1991, "Algorithms for scalable synchronization on shared-memory
// multiprocessors" (ACM TOCS 9(1)), section 2.2: a thread takes a ticket from one counter and
// waits until a second counter, "now serving", shows that ticket; the holder releases by
// advancing now serving. Waiters back off in proportion to their distance from the head of the
// line, as the paper recommends, because a thread k places back cannot be served before k
// critical sections have run.
//
// Progress: lock() is starvation-free — tickets are served in the order they were taken, so a
// waiter is overtaken by nobody that arrived after it (provided every holder releases).
// try_lock() is wait-free: it takes a ticket only if that ticket would be served at once, with
// one compare-and-swap. unlock() is wait-free (one load, one store).
//
// Memory ordering: unlock() advances now serving with a release store; the waiter whose ticket
// it announces reads it with an acquire load, so the previous critical section happens before
// its own. Taking a ticket is relaxed: the ticket counter only orders waiters, it publishes no
// data. try_lock() reads now serving with acquire for the same reason as lock(); its CAS on the
// ticket counter only has to make the ticket exclusively its own.
//
// Oversubscription: this is the ticket lock's weakness, and it is structural. The lock is
// granted to the next ticket whether or not its thread is running; if that waiter is
// descheduled, every thread behind it waits a whole scheduling quantum, even with cores idle.
// The mitigation here is yielding: a waiter more than one place from the head yields at once
// instead of spinning, and the waiter at the head spins briefly and then yields too, so the
// threads that must run next (the holder and the next in line) get the cores. It makes the
// convoy shorter; it cannot remove it. Prefer std_mutex when threads outnumber cores.
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
    if (now_serving_.load(sync::acquire) != ticket) return false;
    // Strong CAS: a spurious failure would report a free lock as held.
    return next_ticket_.compare_exchange_strong(ticket, ticket + 1, sync::relaxed, sync::relaxed);
  }

  // Only the holder writes now serving, so it reads back the value it was granted.
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
