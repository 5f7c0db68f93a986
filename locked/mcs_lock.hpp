// mcs_lock: the Mellor-Crummey & Scott queue lock.
//
// Mellor-Crummey & Scott 1991, "Algorithms for scalable synchronization on shared-memory
// multiprocessors" (ACM TOCS 9(1)), section 2.4. Waiters form a linked queue of per-acquisition
// nodes; the lock word is the queue's tail. Each waiter spins on a flag in its *own* node, so a
// release invalidates one waiter's cache line instead of all of them (the ticket lock's and
// TATAS's weakness on many cores), and the holder hands the lock to its successor directly.
//
// Two interfaces:
// - `mcs_lock::guard` is the paper's: the queue node lives in the guard, on the caller's stack,
//   for exactly one acquisition.
// - lock() / try_lock() / unlock() make the lock Lockable (std::scoped_lock, the twins' Lock
//   parameter). The node then comes from a small per-thread pool and the holder records it in
//   the lock, which is safe without synchronisation because only the holder touches that field.
//   Natively the pool is thread_local (max_held_per_thread nodes: that many mcs_locks may be
//   held at once by one thread through this interface; one more throws std::system_error, and
//   the guard has no such limit). Under the model checker thread_local would be one pool shared
//   by all simulated threads, so each lock keeps a node per simulated thread instead, indexed by
//   sync::thread_index().
//
// Progress: lock() is starvation-free (FIFO: a waiter is served after exactly the waiters that
// swapped themselves into the tail before it). Joining the queue is wait-free: one exchange.
// try_lock() is wait-free (one CAS). unlock() is wait-free unless a successor has swapped
// itself into the tail but not yet linked itself behind the holder; then the holder must wait
// for that link, so unlock() is blocking in that window.
//
// Memory ordering: the handoff is a release store to the successor's flag, read by the
// successor's acquire load; the uncontended release is a release CAS of the tail back to
// empty, read by the next acquirer's exchange. Either way the critical sections are ordered.
// The tail exchange is acq_rel and the link store a release because they publish the nodes:
// a successor must see its predecessor's node initialised before writing into it, and the
// predecessor must see its successor's flag set before clearing it, or the two writes could be
// ordered the wrong way and the successor would wait forever.
//
// Oversubscription: the lock is FIFO, so it shares the ticket lock's weakness — when the
// holder hands the lock to a descheduled waiter, everyone behind waits a scheduling quantum.
// Waiters spin on their own flag briefly and then yield, and a releasing holder that waits for
// its successor's link yields too, so the threads the queue waits for get the cores sooner.
// Prefer std_mutex when threads outnumber cores.
#pragma once

#include <cstddef>
#include <cstdint>
#include <system_error>

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
    node* const predecessor = tail_.exchange(&mine, sync::acq_rel);
    if (predecessor == nullptr) return;
    predecessor->next.store(&mine, sync::release);
    sync::backoff backoff(spin_cap);
    while (mine.waiting.load(sync::acquire)) backoff.pause();
  }

  bool try_acquire(node& mine) {
    mine.next.store(nullptr, sync::relaxed);
    node* expected = nullptr;
    // Strong CAS: a spurious failure would report a free lock as held. Release publishes the
    // initialised node to a successor that finds it in the tail; acquire orders the previous
    // critical section before ours.
    return tail_.compare_exchange_strong(expected, &mine, sync::acq_rel, sync::relaxed);
  }

  void release(node& mine) {
    node* successor = mine.next.load(sync::acquire);
    if (successor == nullptr) {
      node* expected = &mine;
      // Strong CAS: after a spurious failure the holder would wait for a successor that does
      // not exist.
      if (tail_.compare_exchange_strong(expected, nullptr, sync::release, sync::relaxed)) return;
      sync::backoff backoff(spin_cap);
      while ((successor = mine.next.load(sync::acquire)) == nullptr) backoff.pause();
    }
    successor->waiting.store(false, sync::release);
  }

  // A critical section of a lock-based twin lasts tens of nanoseconds, and the successor's link
  // follows its tail exchange by a few instructions: a wait longer than about a hundred pauses
  // is most likely a wait for a descheduled thread, so it stops spinning sooner than
  // sync::backoff's default.
  static constexpr std::uint32_t spin_cap = 64;

#ifdef LOCKSTEP_RELACY
  static constexpr std::size_t model_threads = 8;

  node& claim_node() {
    const std::size_t index = sync::thread_index();
    if (index >= model_threads) {
      throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                              "lockstep::locked::mcs_lock: more simulated threads than nodes");
    }
    return model_nodes_[index];
  }
  static void return_node(node&) noexcept {}

  node model_nodes_[model_threads];
#else
  struct thread_pool {
    node nodes[max_held_per_thread];
    std::uint32_t in_use = 0;
  };
  static thread_pool& pool() noexcept {
    thread_local thread_pool nodes;
    return nodes;
  }

  static node& claim_node() {
    thread_pool& p = pool();
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
  static void return_node(node& n) noexcept {
    thread_pool& p = pool();
    p.in_use &= ~(1u << static_cast<unsigned>(&n - p.nodes));
  }
#endif

  alignas(sync::cache_line) sync::atomic<node*> tail_{nullptr};
  // The node of the thread holding the lock through lock(); read and written only by the holder.
  sync::plain<node*> holder_{nullptr};
};

}  // namespace lockstep::locked
