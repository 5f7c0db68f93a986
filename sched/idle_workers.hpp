// sched::idle_workers — Go's spinning-worker accounting and futex parking for M workers.
//
// Use: a worker out of work asks try_spin; a spinner that finds work calls spinner_found_work;
//   a worker that found nothing calls park, which returns true with the caller a spinner again
//   (it searches, then calls spinner_found_work or park(true, ...)), false once stopped. A
//   submitter calls notify_work after its work is visible. has_work() scans every queue.
// Paper: Go's runtime/proc.go ("Worker thread parking/unparking"; wakep, resetspinning and
//   findRunnable's "drop spinning, then re-check all queues"). No published paper.
// Progress: notify_work, try_spin, spinner_found_work lock-free, no system call unless a
//   worker sleeps; park blocking (a futex); stop lock-free, wakes every sleeper.
// Linearization: L1 a wake — its claim CAS on the idle count; L2 a park's announcement — O2.
//   Store buffering decides between them: the submitter sees the announcement, or the
//   parker's has_work() sees the work.
// Ordering: O1 seq_cst fence in wake (notify_work; the last spinner finding work): the work,
//   or the dropped spinner count, before the reads of the counts; pairs with O2.
//   O2 seq_cst fence in park: the announcement (idle up, spinners down) before has_work()'s
//   reads; pairs with O1. park calls has_work() after O2, so the caller adds no fence.
//   O3 release post of a wake token → O4, O5 (acquire load and CAS of the token word): the
//   waker's count of the woken worker as a spinner comes first. The counts are relaxed.
//   Not machine-checked (O3, O4, O5): they put the waker's increment of the spinner count
//   before the woken worker's decrement in modification order. Weaker, the decrement may come
//   first: the count wraps below zero for a while, and a wake() that reads it skips a wake
//   (a lost wake-up). Relacy's modification order follows the schedule (relacy-limits.md).
// Memory and ABA: three words. Invariant: idle + posted tokens = workers in park past the
//   announcement. A waker claims an idle count, then posts a token; a parker leaves by
//   withdrawing an idle count or by taking a token, either way as one spinner. Tokens are a
//   count, so which parker takes one is immaterial. A spinner count drops only before a fence
//   and a re-check (park) or a wake (the last spinner): so work a submitter did not wake for
//   is seen by a re-check ordered after its fence.
// Exceptions: the constructor throws std::invalid_argument for 0 workers or 2^31 and more;
//   an exception from has_work() propagates after park withdrew (the caller is a spinner).
// Policy: try_spin admits a spinner while 2 × spinners < busy workers (Go's rule).
// Deviations: park returns bool (the interface had void): a woken worker is counted as
//   a spinner by its waker, as in Go's wakep, so the caller must know. Every parker re-checks,
//   spinning or not (Go: spinners only, plus needspinning). Wakers race: two submitters may
//   each wake a worker (Go gates with a CAS on nmspinning). Parking is anonymous (a counting
//   semaphore on a futex), not a list of idle Ms.
// More: docs/algorithms/idle_workers.md (the full argument)
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <utility>

#include <lockstep/sync/sync.hpp>

namespace lockstep::sched {

class idle_workers {
 public:
  explicit idle_workers(std::size_t workers) : workers_(checked(workers)) {}
  idle_workers(const idle_workers&) = delete;
  idle_workers& operator=(const idle_workers&) = delete;

  // After making work visible to every worker: wakes a parked one unless a spinner will find it.
  void notify_work() { wake(); }

  // A worker out of local work: true when it now counts as a spinner (and must search).
  bool try_spin() {
    const std::uint32_t spinning = spinning_.load(sync::relaxed);
    const std::uint32_t idle = idle_.load(sync::relaxed);
    const std::uint32_t busy = idle < workers_ ? workers_ - idle : 0;
    if (2 * static_cast<std::uint64_t>(spinning) >= busy) return false;
    spinning_.fetch_add(1, sync::relaxed);
    return true;
  }

  // Go's resetspinning: the last spinner to find work wakes another, for the work it left.
  void spinner_found_work() {
    if (spinning_.fetch_sub(1, sync::relaxed) == 1) wake();
  }

  // Announces the caller idle (no longer a spinner), re-checks, and sleeps until woken. True:
  // the caller is a spinner again (woken, or has_work() was true); false: stopped.
  template <class Recheck>
  [[nodiscard]] bool park(bool spinning, Recheck&& has_work) {
    if (stopped()) return false;
    idle_.fetch_add(1, sync::relaxed);
    if (spinning) spinning_.fetch_sub(1, sync::relaxed);
    // L2: the announcement, before the re-check's reads.
    sync::fence(sync::seq_cst);  // O2 seq_cst fence: pairs with O1 (store buffering)
    bool found = true;
    try {
      found = std::forward<Recheck>(has_work)();
    } catch (...) {
      leave();
      throw;
    }
    return found ? leave() : sleep();
  }

  // Every park returns false, now and later.
  void stop() {
    std::uint32_t word = wakes_.load(sync::relaxed);
    while (!wakes_.compare_exchange_strong(word, word | stop_bit, sync::relaxed)) {
    }
    wakes_.notify_all();
  }

  bool stopped() const { return (wakes_.load(sync::relaxed) & stop_bit) != 0; }

  // A hint: workers announced in park and not yet woken.
  std::size_t idle() const { return idle_.load(sync::relaxed); }

 private:
  static constexpr std::uint32_t stop_bit = std::uint32_t{1} << 31;

  static std::uint32_t checked(std::size_t workers) {
    if (workers == 0 || workers >= stop_bit) {
      throw std::invalid_argument("idle_workers: the worker count must be in [1, 2^31)");
    }
    return static_cast<std::uint32_t>(workers);
  }

  // Wakes one parked worker, counted as a spinner, unless a spinner exists or none is parked.
  void wake() {
    // The caller's work (or its spinner count dropped) before the reads of the counts.
    sync::fence(sync::seq_cst);  // O1 seq_cst fence: pairs with O2 (store buffering)
    if (spinning_.load(sync::relaxed) != 0) return;
    std::uint32_t idle = idle_.load(sync::relaxed);
    do {
      if (idle == 0) return;  // every worker is busy, or will re-check after announcing
      // L1: the claim of a parked worker.
    } while (!idle_.compare_exchange_strong(idle, idle - 1, sync::relaxed));
    spinning_.fetch_add(1, sync::relaxed);
    std::uint32_t word = wakes_.load(sync::relaxed);
    // O3 release: the woken worker's spinner count before its token; pairs with O4, O5.
    // Not machine-checked: see the card (Ordering).
    while (!wakes_.compare_exchange_strong(word, word + 1, sync::release, sync::relaxed)) {
    }
    wakes_.notify_one();
  }

  // has_work() was true: withdraw the announcement. If a waker claimed it first, its token is
  // this worker's (posted, or about to be).
  bool leave() {
    std::uint32_t idle = idle_.load(sync::relaxed);
    while (idle != 0) {
      if (idle_.compare_exchange_strong(idle, idle - 1, sync::relaxed)) {
        spinning_.fetch_add(1, sync::relaxed);
        return true;
      }
    }
    return sleep();
  }

  // Takes a token (the waker counted this worker as a spinner) or returns false once stopped.
  bool sleep() {
    for (;;) {
      // O4 acquire: pairs with O3; the waker's count of this worker first.
      // Not machine-checked: see the card (Ordering).
      std::uint32_t word = wakes_.load(sync::acquire);
      if ((word & stop_bit) != 0) return false;
      if (word == 0) {
        // O4, at the wait. Not machine-checked: stronger than needed: O4 at the loop head reads
        // the word again. Kept: a futex wait costs the same at any order.
        wakes_.wait(0, sync::acquire);
        continue;
      }
      // O5 acquire CAS: pairs with O3, as O4. Not machine-checked: see the card (Ordering).
      if (wakes_.compare_exchange_strong(word, word - 1, sync::acquire, sync::relaxed)) {
        return true;
      }
    }
  }

  std::uint32_t workers_;
  alignas(sync::cache_line) sync::atomic<std::uint32_t> spinning_{0};  // spinners, incl. woken
  alignas(sync::cache_line) sync::atomic<std::uint32_t> idle_{0};      // announced, unclaimed
  alignas(sync::cache_line) sync::parking_word wakes_{0};  // tokens | stop_bit
};

}  // namespace lockstep::sched
