// locked::mcs_lock — the Mellor-Crummey & Scott queue lock: FIFO, local spinning.
//
// Paper: J. M. Mellor-Crummey and M. L. Scott, "Algorithms for Scalable Synchronization on
//   Shared-Memory Multiprocessors", ACM TOCS 9(1), 1991, section 2.4.
// Progress: lock() starvation-free (FIFO); joining the queue wait-free (one exchange);
//   try_lock() wait-free (one CAS); unlock() wait-free, except that it waits for a successor
//   that has swapped itself into the tail but not yet linked itself (blocking in that window).
// Linearization: L1 lock() takes effect at O1 (the tail exchange) if the queue was empty, else
//   at O4 (the load that sees its flag cleared); L2 try_lock() at O2; L3 unlock() at O6 (the
//   CAS emptying the tail) or O7 (the handoff store).
// Ordering: O7 release handoff → O4 (the successor's acquire spin): critical sections are
//   ordered. O6 release CAS emptying the tail → O1, O2 (the next acquirer's exchange or CAS).
//   O1 acq_rel exchange and O3 release link publish the nodes: O3 → O5 (the holder's acquire
//   load of next), so the holder sees its successor's flag set before it clears it.
//   Not machine-checked (O1, O2, O3, O5): each puts a node's initialisation (next = null,
//   waiting = true) before another thread's store to the same field (the link O3, the hand-off
//   O7) in modification order. Weaker, the init may land last: a lost link or hand-off, a hang.
//   Relacy's modification order follows the schedule (docs/relacy-limits.md, "MCS-style
//   hand-off"), so no check can show it.
// Memory and ABA: each acquisition queues its own node. The guard's lives on the caller's
//   stack; lock() takes one from a sync::per_thread pool of max_held_per_thread nodes, and the
//   holder records it in holder_, touched by the holder only.
// Exceptions: lock() and try_lock() throw std::system_error when the thread already holds
//   max_held_per_thread mcs_locks through them; the guard has no such limit.
// Policy: none. Waiters spin on their own flag briefly, then yield: the lock is FIFO, so a
//   descheduled waiter stalls everyone behind it; prefer std_mutex when threads outnumber cores.
// Deviations: the Lockable interface (per-thread node pool) is an addition.
// More: docs/algorithms/mcs_lock.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <system_error>

#include <lockstep/sync/per_thread.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::locked {

class mcs_lock {
 public:
  // One acquisition's place in the queue.
  struct alignas(sync::cache_line) node {
    sync::atomic<node*> next{nullptr};
    sync::atomic<bool> waiting{false};
  };

  // Holds the lock for its lifetime, queued on its own node.
  class guard {
   public:
    explicit guard(mcs_lock& lock) : lock_(lock) { lock_.acquire(node_); }
    ~guard() { lock_.release(node_); }
    guard(const guard&) = delete;
    guard& operator=(const guard&) = delete;

   private:
    mcs_lock& lock_;
    node node_;
  };

  static constexpr std::size_t max_held_per_thread = 8;

  mcs_lock() = default;
  mcs_lock(const mcs_lock&) = delete;
  mcs_lock& operator=(const mcs_lock&) = delete;

  void lock() {
    node& mine = claim_node();
    acquire(mine);
    holder_.write() = &mine;
  }

  bool try_lock() {
    node& mine = claim_node();
    if (!try_acquire(mine)) {
      return_node(mine);
      return false;
    }
    holder_.write() = &mine;
    return true;
  }

  void unlock() {
    node& mine = *holder_.read();
    release(mine);
    return_node(mine);
  }

 private:
  void acquire(node& mine) {
    mine.next.store(nullptr, sync::relaxed);
    mine.waiting.store(true, sync::relaxed);
    // O1 acq_rel: L1 if the queue was empty. Acquire pairs with O6; release publishes the
    // initialised node to the successor that swaps in after it. Not machine-checked: without
    // release, next = null may follow the successor's O3 and the link is lost; see the card.
    node* const predecessor = tail_.exchange(&mine, sync::acq_rel);
    if (predecessor == nullptr) return;
    // O3 release: links behind the predecessor; pairs with O5, so the holder sees waiting set.
    // Not machine-checked: relaxed, waiting = true may follow the hand-off O7 in modification
    // order and this thread spins forever; see the card.
    predecessor->next.store(&mine, sync::release);
    sync::backoff backoff(spin_cap);
    // O4 acquire: L1 when it reads false; pairs with O7, the predecessor's handoff.
    while (mine.waiting.load(sync::acquire)) backoff.pause();
  }

  bool try_acquire(node& mine) {
    mine.next.store(nullptr, sync::relaxed);
    node* expected = nullptr;
    // O2 acq_rel: L2. Strong: a spurious failure would report a free lock as held. Release
    // publishes the node to a successor (as O1); acquire pairs with O6. Not machine-checked:
    // as O1, see the card.
    return tail_.compare_exchange_strong(expected, &mine, sync::acq_rel, sync::relaxed);
  }

  void release(node& mine) {
    // O5 acquire: pairs with O3. Not machine-checked: relaxed, O7 need not follow the
    // successor's waiting = true in modification order (a lost hand-off); see the card.
    node* successor = mine.next.load(sync::acquire);
    if (successor == nullptr) {
      node* expected = &mine;
      // O6 release: L3 with no successor; pairs with O1, O2. Strong: after a spurious failure
      // the holder would wait for a successor that does not exist.
      if (tail_.compare_exchange_strong(expected, nullptr, sync::release, sync::relaxed)) return;
      sync::backoff backoff(spin_cap);
      // O5 acquire, again: pairs with O3. Not machine-checked: as above; see the card.
      while ((successor = mine.next.load(sync::acquire)) == nullptr) backoff.pause();
    }
    // O7 release: L3, the handoff; pairs with O4.
    successor->waiting.store(false, sync::release);
  }

  // A critical section of a lock-based twin lasts tens of nanoseconds, and the successor's link
  // follows its tail exchange by a few instructions: a wait longer than about a hundred pauses
  // is most likely a wait for a descheduled thread, so it stops spinning sooner than
  // sync::backoff's default.
  static constexpr std::uint32_t spin_cap = 64;

  struct thread_pool {
    node nodes[max_held_per_thread];
    std::uint32_t in_use = 0;
  };

  node& claim_node() {
    thread_pool& p = pool_.local();
    for (std::size_t i = 0; i < max_held_per_thread; ++i) {
      if ((p.in_use & (1u << i)) == 0) {
        p.in_use |= 1u << i;
        return p.nodes[i];
      }
    }
    throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                            "lockstep::locked::mcs_lock: a thread holds more than "
                            "max_held_per_thread mcs_locks through lock(); use mcs_lock::guard");
  }
  void return_node(node& n) noexcept {
    thread_pool& p = pool_.local();
    p.in_use &= ~(1u << static_cast<unsigned>(&n - p.nodes));
  }

  // Each thread's nodes for lock(): natively one pool per thread shared by every mcs_lock.
  [[no_unique_address]] sync::per_thread<thread_pool> pool_;

  alignas(sync::cache_line) sync::atomic<node*> tail_{nullptr};
  // The node of the thread holding the lock through lock(); read and written only by the holder.
  sync::plain<node*> holder_{nullptr};
};

}  // namespace lockstep::locked
