// lockfree::ms_queue<T, Reclaimer> — unbounded MPMC FIFO queue, lock-free.
//
// Paper: M. M. Michael and M. L. Scott, "Simple, Fast, and Practical Non-Blocking and
//   Blocking Concurrent Queue Algorithms", PODC 1996. A linked list behind a dummy node.
// Progress: push lock-free (allocation as the reclaimer's); try_pop lock-free; empty()
//   lock-free. A lagging tail is swung forward by whoever meets it.
// Linearization: L1 push — the CAS that links the node (O12); L2 try_pop — the CAS on head
//   (O5); L3 empty try_pop and empty() — the load of the dummy's next that reads null (O2, O6),
//   validated by head still holding the dummy (O3, O7).
// Ordering: O12 release CAS linking a node → O2, O6, O9 (acquire loads of next);
//   O4, O11, O13 release swings of tail → O1, O10 and protect(tail_);
//   O5 release swing of head → O3, O7 and protect(head_) (head = h implies tail at h or later);
//   O8 release reset of a recycled node's next → O9, so the re-read of tail O10 is fresh;
//   O14 acq_rel owners count: the first owner's accesses happen before the last one's retire.
// Memory and ABA: nodes come from the reclaimer (hazard/reclaimer.hpp). A node has two owners
//   (the dequeuer taking its value, the one swinging head past it); the last retires it. One
//   protection at a time. With the pools every link carries a tag, so a stale CAS fails.
// Exceptions: push may throw (allocation, T's constructor) and then changes nothing. A
//   throwing move in try_pop destroys that value; the dequeue has happened.
// Policy: Reclaimer defaults to hazard::tagged_pool: cheapest per operation, memory bounded by
//   the peak length; needs 48-bit addresses (wide_tagged_pool does not).
// Deviations: the two-owner hand-off of a node; the value is read after the CAS on head.
// More: docs/algorithms/ms_queue.md (the full argument)
#pragma once

#include <concepts>
#include <cstddef>
#include <optional>
#include <utility>

#include <lockstep/hazard/reclaimer.hpp>
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::lockfree {

template <class T, class Reclaimer = hazard::tagged_pool>
class ms_queue {
  struct node;
  using domain_type = typename Reclaimer::template domain<node>;
  using link = typename domain_type::link;

  struct node {
    sync::atomic<link> next{link()};
    // The owners that have not let go yet: the dequeuer that takes the value, the dequeuer that
    // swings head past the node. The last to let go retires it.
    sync::atomic<unsigned> owners{0};
    sync::plain<std::optional<T>> value;
  };

  static_assert(hazard::reclaimer<Reclaimer, node>,
                "ms_queue: Reclaimer does not model hazard::reclaimer (hazard/reclaimer.hpp)");

 public:
  using value_type = T;

  ms_queue() {
    // The dummy's value was never there: only the dequeuer that swings head past it owns it.
    const link first = domain_type::successor(link(), fresh_node(1));
    head_.store(first, sync::relaxed);
    tail_.store(first, sync::relaxed);
  }

  ms_queue(const ms_queue&) = delete;
  ms_queue& operator=(const ms_queue&) = delete;

  // Destroys the values left in the queue and gives every node back. No operation may run
  // concurrently.
  ~ms_queue() {
    node* n = domain_type::pointer(head_.load(sync::relaxed));
    while (n != nullptr) {
      node* next = domain_type::pointer(n->next.load(sync::relaxed));
      n->value.write().reset();
      domain_.retire(n);
      n = next;
    }
  }

  // push takes a reference, not a T by value: if T's constructor throws while the value is put
  // into the node, the caller's object is still the caller's, and the queue is unchanged.
  void push(const T& value) { enqueue(value); }
  void push(T&& value) { enqueue(std::move(value)); }

  std::optional<T> try_pop() {
    sync::backoff contention;
    for (;;) {
      auto guard = domain_.protect(head_);
      link h = guard.get();
      node* dummy = domain_type::pointer(h);
      // O1 acquire: pairs with the tail swings O4, O11, O13. Tail before next: a tail read after
      // a null next could already be past the dummy. Not machine-checked: it puts the swing past
      // the dummy before the dummy's retire (through O5, O14), so a reclaimer's scan or advance
      // is ordered after it. Relaxed, an enqueuer's protect(tail_) may read the retired dummy
      // unseen. Needs an enqueuer stalled on the old tail across a dequeue and a free.
      link t = tail_.load(sync::acquire);
      // O2 acquire: pairs with O12 (the link), so the value and `owners` are visible; L3 if null.
      node* first = domain_type::pointer(dummy->next.load(sync::acquire));
      // O3 acquire: pairs with O5; validates O2 (L3). head still holds the dummy, so the next just
      // read is the live one: with the pools the dummy may have been recycled since head was
      // loaded, and only then can head differ. Not machine-checked: stronger than needed: an
      // equal head is the write protect() already acquired (a tag, or a protected node, rules
      // out ABA), and O2 keeps this load after it. Kept: M&S's re-read; a plain load on x86-64.
      if (head_.load(sync::acquire) == h) {
        if (first == nullptr) return std::nullopt;
        if (domain_type::pointer(t) == dummy) {
          // tail lags behind the last node: swing it before head may pass it. O4 release: pairs
          // with O1, O10 and protect(tail_).
          tail_.compare_exchange_weak(t, domain_type::successor(t, first), sync::release,
                                      sync::relaxed);
          continue;
        }
        // O5 release, L2: pairs with O3, O7 and protect(head_); whoever reads head = first also
        // sees tail past the dummy (this thread's O1 read it there). Not machine-checked:
        // relaxed, the next dequeuer's O1 may read a tail older than this thread read, skip the
        // swing and move head past a lagging tail. Needs three dequeues and a lagging tail.
        if (head_.compare_exchange_weak(h, domain_type::successor(h, first), sync::release,
                                        sync::relaxed)) {
          return take(dummy, first);
        }
      }
      contention.pause();
    }
  }

  // Whether the queue holds no value. Lock-free (it retries only after head moved, that is after
  // a dequeue succeeded). Linearizable, at the same point as an empty try_pop: the load of the
  // dummy's next, validated by head still holding that dummy afterwards; a null next there means
  // the dummy was the last node, a non-null one that its successor held a value. The answer may
  // be stale by the time the caller acts on it. (No size(): the list keeps no count.)
  bool empty() const {
    for (;;) {
      auto guard = domain_.protect(head_);
      const link h = guard.get();
      // O6 acquire, as O2: pairs with O12; the re-read of head below cannot be done before this
      // load, so it validates this next (L3).
      const bool last =
          domain_type::pointer(domain_type::pointer(h)->next.load(sync::acquire)) == nullptr;
      // O7 acquire, as O3: pairs with O5.
      if (head_.load(sync::acquire) == h) return last;
    }
  }

  // Nodes given back but not yet freed or reusable: what the reclaimer holds back (a statistic).
  std::size_t unreclaimed() const { return domain_.unreclaimed(); }

 private:
  // A node from the reclaimer with `owners` set and a null next. A recycled node's next is
  // replaced through successor(), which bumps a pool's tag: an enqueuer that read the null next
  // of the node's previous life must fail its CAS.
  // O8 release: pairs with O9 in an enqueuer that still holds this node as the tail it read.
  // The recycler took the node after tail moved past it, so that enqueuer's re-read of tail
  // (O10) cannot return the stale value.
  node* fresh_node(unsigned owners) {
    node* n = domain_.allocate();
    // O8 at this store. Not machine-checked: relaxed, O10 may return the stale tail and the
    // enqueuer links behind a recycled, unlinked node (a value out of order). Needs an enqueuer
    // stalled across a dequeue and the node's reuse by another push.
    n->next.store(domain_type::successor(n->next.load(sync::relaxed), nullptr), sync::release);
    n->owners.store(owners, sync::relaxed);
    return n;
  }

  template <class V>
    requires std::constructible_from<T, V&&>
  void enqueue(V&& value) {
    node* n = fresh_node(2);
    try {
      n->value.write().emplace(std::forward<V>(value));
    } catch (...) {
      domain_.retire(n);
      throw;
    }
    sync::backoff contention;
    for (;;) {
      auto guard = domain_.protect(tail_);
      link t = guard.get();
      node* last = domain_type::pointer(t);
      // O9 acquire: pairs with O12 (a link) and O8 (a recycled node's reset).
      link next = last->next.load(sync::acquire);
      // The paper's E7: `next` counts only if `last` was still the tail when it was read. With
      // the type-stable pools `last` may meanwhile have been dequeued, recycled and be waiting,
      // unlinked, as another enqueuer's new node; linking after it would return before the
      // value is in the queue, and the value would then come out behind later pushes.
      // O10 acquire: pairs with the tail swings O4, O11, O13; fresh after O9 (see O8).
      // Not machine-checked: stronger than needed: freshness comes from O9's synchronization
      // (coherence binds a relaxed load too), and the value is only compared. Kept: M&S's
      // order; a plain load on x86-64.
      if (tail_.load(sync::acquire) != t) continue;
      if (domain_type::pointer(next) != nullptr) {
        // tail lags behind the last node: help the enqueuer that linked it, then retry.
        // O11 release: pairs with O1, O10 and protect(tail_).
        tail_.compare_exchange_weak(t, domain_type::successor(t, domain_type::pointer(next)),
                                    sync::release, sync::relaxed);
        continue;
      }
      // O12 release, L1: publishes the value, next and owners; pairs with O2, O6, O9.
      if (last->next.compare_exchange_weak(next, domain_type::successor(next, n), sync::release,
                                           sync::relaxed)) {
        // One attempt: if it fails, another thread has already helped tail past `last`. Strong,
        // so that a spurious failure does not leave the help to others. O13 release: pairs
        // with O1, O10 and protect(tail_).
        tail_.compare_exchange_strong(t, domain_type::successor(t, n), sync::release,
                                      sync::relaxed);
        return;
      }
      contention.pause();
    }
  }

  // The winner of the CAS on head: moves the value out of the new dummy, then lets go of both
  // nodes, also if T's move constructor throws (the value is then destroyed with the node).
  std::optional<T> take(node* dummy, node* first) {
    std::optional<T> out;
    try {
      out.emplace(std::move(*first->value.write()));
    } catch (...) {
      let_go(dummy, first);
      throw;
    }
    let_go(dummy, first);
    return out;
  }

  void let_go(node* dummy, node* first) {
    first->value.write().reset();
    release(first);  // its value is taken
    release(dummy);  // head has passed it
  }

  // O14 acq_rel: pairs with the other owner's O14, so its accesses happen before the retire.
  void release(node* n) {
    // O14 at this count. Not machine-checked: a reference count's pair: without release, the
    // first owner's reset of the value races with the node's next life; without acquire, the
    // retirer's. Relacy does not race-check a free: only a recycled node's next write shows it.
    if (n->owners.fetch_sub(1, sync::acq_rel) == 1) domain_.retire(n);
  }

  // Mutable: empty(), logically const, protects the node it reads as every operation does.
  mutable domain_type domain_;
  alignas(sync::cache_line) sync::atomic<link> head_{link()};
  alignas(sync::cache_line) sync::atomic<link> tail_{link()};
};

}  // namespace lockstep::lockfree
