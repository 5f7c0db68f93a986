// ms_queue<T, Reclaimer>: the lock-free FIFO queue of M. M. Michael and M. L. Scott, "Simple,
// Fast, and Practical Non-Blocking and Blocking Concurrent Queue Algorithms", PODC 1996.
//
// A singly linked list that always holds a dummy node at its front. head points at the dummy,
// whose value has already been dequeued; tail points at the last node or, for a moment, at its
// predecessor. An enqueue links its node to the last node's next with one CAS and then swings
// tail to it with a second; a dequeue swings head from the dummy to its successor, which becomes
// the new dummy, and takes the value out of that successor. Every CAS loop is written LL/SC-style:
// a fresh load (the load-linked), then compare_exchange_weak (the store-conditional), which may
// fail spuriously and on Arm without LSE compiles to an ldaxr/stlxr pair.
//
// Helping. Between an enqueuer's two CASes tail lags one node behind the last node. Whoever sees
// that swings tail forward before doing anything else: an enqueue that finds tail's next
// non-null, and a dequeue that finds head == tail with a non-null next. So a descheduled
// enqueuer delays nobody, and tail is never behind head: head moves past a node only once tail
// has, so a node head has passed is unreachable from both ends when it is given back. (The
// mutation verify/mutation/ms_queue_tail_no_help.cpp drops the dequeue's help: over the pool an
// enqueuer then takes back the node tail still names and links behind it, losing values.
// Hazard pointers and epochs happen to survive that bug, because the enqueuer whose swing is
// pending still protects the node tail names.)
//
// Progress: push and try_pop are lock-free. A retry follows a failed CAS or a changed head,
// and each means that another operation's CAS succeeded; a lagging tail is fixed by whoever
// meets it. (push allocates from the reclaimer; with the pools that is lock-free while the pool
// has free nodes and falls back to the system allocator when it is empty, as in treiber_stack.)
// Linearization points: push at its successful CAS on the last node's next; a successful
// try_pop at its successful CAS on head; an empty try_pop at its load of the dummy's next that
// saw null while head still held that dummy (checked by re-reading head), when the dummy was the
// last node and so head == tail.
//
// The value and who frees a node. The winner of the CAS on head takes the value out of the new
// dummy after the CAS (before it, every racing dequeuer could read it, and a move-only value can
// be moved out only once). By then another dequeuer may already have swung head past that node;
// had it retired the node at once, the pools could hand it to an enqueuer that overwrites the
// value under the winner's read, and hazard pointers could free it. (Boost.Lockfree copies the
// value before its CAS, which restricts it to trivially copyable types and reads a node that may
// be recycled meanwhile; xenium keeps a second hazard pointer on the node while it moves.)
// Here a node has two owners, the dequeuer that takes its value and the one that swings head
// past it, counted in `owners` (the initial dummy has only the second); each lets go with an
// acq_rel fetch_sub and the last one retires the node. So one algorithm serves every policy,
// the value is never read under a pending recycle, and no operation holds more than one
// protection at a time: hazard::hazard_pointers (one slot per thread) suffices, and so does any
// basic_hazard_pointers<N>. The hand-off costs two uncontended RMWs per dequeue (the mutation
// verify/mutation/ms_queue_early_retire.cpp retires the old dummy at once).
//
// Ordering. push writes the value, resets the node's next and sets its owners, then publishes
// the node with the release CAS that links it; a dequeue's load of the dummy's next is acquire,
// so the winner finds the value and both owners find `owners` initialised. Swings of tail and
// head are release and their loads acquire: a thread that reads head = h also sees tail at h or
// beyond (the dequeuer that swung head onto h had seen tail past the old dummy), so a dequeue
// that read tail != head after validating head may swing head without overtaking tail. The
// owners' fetch_subs are acq_rel, so the first owner's accesses to the node happen-before the
// retire by the second, and through the reclaimer before the node's reuse or free.
// Memory and ABA are the reclaimer's business (hazard/reclaimer.hpp). With the pools head, tail
// and every node's next carry a tag bumped by every update (a recycled node's next is reset
// through successor() too), so a stale CAS on any of them fails: an enqueuer that read a
// recycled last node's null next cannot link behind it. Hazard pointers and epochs free a
// node only once no operation can still hold it; leaking never frees (the measurement baseline).
//
// Exceptions. push builds its value in the node before linking it: if T's constructor throws,
// the node goes back to the reclaimer and the queue is unchanged. try_pop moves the value out
// after its linearization point: if T's move constructor throws there, the value is destroyed
// and the exception propagates; the dequeue has happened (a queue cannot put a value back at
// its front), and everything else in the queue stays in order.
//
// The default reclaimer is tagged_pool, as for treiber_stack: the cheapest per operation (no
// fence, no retired lists; Boost.Lockfree's choice), with memory bounded by the queue's peak
// length. It needs 48-bit addresses (it throws otherwise) and is fooled only by 2^16 updates of
// one link between a thread's load and its CAS; wide_tagged_pool removes both limits, and
// hazard_pointers or epochs return memory to the system while the queue lives.
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
      // tail before next: a tail read after a null next could already be past the dummy.
      link t = tail_.load(sync::acquire);
      node* first = domain_type::pointer(dummy->next.load(sync::acquire));
      // head still holds the dummy, so the next just read is the live one: with the pools the
      // dummy may have been recycled since head was loaded, and only then can head differ.
      if (head_.load(sync::acquire) == h) {
        if (first == nullptr) return std::nullopt;
        if (domain_type::pointer(t) == dummy) {
          // tail lags behind the last node: swing it before head may pass it.
          tail_.compare_exchange_weak(t, domain_type::successor(t, first), sync::release,
                                      sync::relaxed);
          continue;
        }
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
      // Acquire, as in try_pop: the re-read of head below cannot be done before this load, so it
      // validates this next.
      const bool last =
          domain_type::pointer(domain_type::pointer(h)->next.load(sync::acquire)) == nullptr;
      if (head_.load(sync::acquire) == h) return last;
    }
  }

  // Nodes given back but not yet freed or reusable: what the reclaimer holds back (a statistic).
  std::size_t unreclaimed() const { return domain_.unreclaimed(); }

 private:
  // A node from the reclaimer with `owners` set and a null next. A recycled node's next is
  // replaced through successor(), which bumps a pool's tag: an enqueuer that read the null next
  // of the node's previous life must fail its CAS. The store is a release for an enqueuer that
  // still holds the node as the tail it read and reads this null next (E7 in enqueue): its
  // acquire load then synchronises with the recycler, whose node came from the pool after tail
  // had moved past it, so the enqueuer's re-read of tail cannot return the stale value. With a
  // relaxed store Relacy found the re-read stale and the push linked behind a node outside the
  // queue (verify/mutation/ms_queue_no_tail_revalidation.cpp's scenario, bound 2, iteration
  // 59 M); x86 orders every store this way, weaker hardware does not.
  node* fresh_node(unsigned owners) {
    node* n = domain_.allocate();
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
      link next = last->next.load(sync::acquire);
      // The paper's E7: `next` counts only if `last` was still the tail when it was read. With
      // the type-stable pools `last` may meanwhile have been dequeued, recycled and be waiting,
      // unlinked, as another enqueuer's new node; linking after it would return before the
      // value is in the queue, and the value would then come out behind later pushes.
      if (tail_.load(sync::acquire) != t) continue;
      if (domain_type::pointer(next) != nullptr) {
        // tail lags behind the last node: help the enqueuer that linked it, then retry.
        tail_.compare_exchange_weak(t, domain_type::successor(t, domain_type::pointer(next)),
                                    sync::release, sync::relaxed);
        continue;
      }
      if (last->next.compare_exchange_weak(next, domain_type::successor(next, n), sync::release,
                                           sync::relaxed)) {
        // One attempt: if it fails, another thread has already helped tail past `last`. Strong,
        // so that a spurious failure does not leave the help to others.
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

  void release(node* n) {
    if (n->owners.fetch_sub(1, sync::acq_rel) == 1) domain_.retire(n);
  }

  // Mutable: empty(), logically const, protects the node it reads as every operation does.
  mutable domain_type domain_;
  alignas(sync::cache_line) sync::atomic<link> head_{link()};
  alignas(sync::cache_line) sync::atomic<link> tail_{link()};
};

}  // namespace lockstep::lockfree
