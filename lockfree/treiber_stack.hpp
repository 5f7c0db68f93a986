// lockfree::treiber_stack<T, Reclaimer> — unbounded MPMC LIFO stack, lock-free.
//
// Paper: R. K. Treiber, "Systems Programming: Coping with Parallelism", IBM RJ 5118, 1986.
//   A singly linked list whose head is swung by CAS (LL/SC-style loops).
// Progress: push lock-free (allocation as the reclaimer's); try_pop lock-free; empty()
//   wait-free.
// Linearization: L1 push — its successful CAS on the head (O3); L2 try_pop — its successful
//   CAS on the head (O2); L3 empty try_pop — the protecting load that saw a null head.
// Ordering: O3 release CAS linking a node → the reclaimer's acquire protect() of head_ and O2;
//   O2 acquire CAS: later pops stay in O3's release sequence (every CAS is an RMW);
//   O1 acquire load in empty(), like protect(). `next` is relaxed (see its site).
// Memory and ABA: nodes come from the reclaimer (hazard/reclaimer.hpp): the pools tag the head,
//   hazard pointers and epochs free a node only when no pop can hold it.
// Exceptions: push may throw (allocation, T's constructor) and then changes nothing. A
//   throwing move in take() puts the node back on the stack: nothing is lost.
// Policy: Reclaimer defaults to hazard::tagged_pool: the cheapest per operation (no fence, no
//   retired lists), memory bounded by the peak size.
// Deviations: none; push and try_pop take contention hooks (used by elimination_stack).
// More: docs/algorithms/treiber_stack.md (the full argument)
#pragma once

#include <concepts>
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

#include <lockstep/hazard/reclaimer.hpp>
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::lockfree {

template <class T, class Reclaimer = hazard::tagged_pool>
class treiber_stack {
 public:
  struct node {
    sync::atomic<node*> next{nullptr};
    sync::plain<std::optional<T>> value;
  };

 private:
  static_assert(hazard::reclaimer<Reclaimer, node>,
                "treiber_stack: Reclaimer does not model hazard::reclaimer (hazard/reclaimer.hpp)");
  using domain_type = typename Reclaimer::template domain<node>;
  using link = typename domain_type::link;

 public:
  using value_type = T;

  treiber_stack() = default;
  treiber_stack(const treiber_stack&) = delete;
  treiber_stack& operator=(const treiber_stack&) = delete;

  // Destroys the values left on the stack. No operation may run concurrently.
  ~treiber_stack() {
    node* n = domain_type::pointer(head_.load(sync::relaxed));
    while (n != nullptr) {
      node* next = n->next.load(sync::relaxed);
      n->value.write().reset();
      domain_.retire(n);
      n = next;
    }
  }

  // push takes a reference, not a T by value: if T's constructor throws while the value is
  // moved into the node, the caller's object is still the caller's, and the stack is unchanged.
  void push(const T& value) { push(value, never_handed_over); }
  void push(T&& value) { push(std::move(value), never_handed_over); }

  std::optional<T> try_pop() {
    return try_pop([]() -> node* { return nullptr; });
  }

  // A hint: true if the stack was empty at some instant during the call. Another thread may
  // push or pop before the caller acts on it.
  // O1 acquire, like protect()'s load: pairs with O3; no node is read.
  bool empty() const { return domain_type::pointer(head_.load(sync::acquire)) == nullptr; }

  // Nodes popped but not yet freed or reusable: what the reclaimer holds back (a statistic).
  std::size_t unreclaimed() const { return domain_.unreclaimed(); }

  // Takes the reclaimer's protection of the current top node and holds it for as long as the
  // returned guard lives, as a reader stalled inside its read-side section would: with hazard
  // pointers that pins one node, with epochs it stops every grace period. For the reclamation
  // experiments; the guard must be destroyed by the thread that made it.
  [[nodiscard]] auto pin_top() { return domain_.protect(head_); }

  // Composition hooks for contention managers such as elimination (Hendler, Shavit and
  // Yerushalmi 2004). After a failed CAS, push calls `contended(n)` with its node (value
  // already inside); returning true means the node was handed to a popper, which completes
  // the push. try_pop calls `contended()`, which returns a node handed over by a pusher or
  // nullptr to retry on the stack; take() empties such a node. Between attempts both back off.
  template <class V, class Contended>
    requires std::constructible_from<T, V&&>
  void push(V&& value, Contended&& contended) {
    node* n = domain_.allocate();
    try {
      n->value.write().emplace(std::forward<V>(value));
    } catch (...) {
      domain_.retire(n);
      throw;
    }
    link_node(n, contended);
  }

  template <class Contended>
  std::optional<T> try_pop(Contended&& contended) {
    std::optional<T> out;
    sync::backoff contention;
    for (;;) {
      auto guard = domain_.protect(head_);
      link top = guard.get();
      node* n = domain_type::pointer(top);
      if (n == nullptr) return out;
      // Relaxed: protect()'s acquire load already saw O3; atomic because a losing pop may read
      // it while the winner recycles the node.
      node* next = n->next.load(sync::relaxed);
      // O2 acquire, L2: pairs with O3 (the push that published n, through the head's RMWs).
      // Not machine-checked: stronger than needed: protect()'s acquire load read `top`, in the
      // release sequence of n's O3. Kept: the stack does not rest on the reclaimer's contract
      // alone (mutation treiber_relaxed_pop weakens both together).
      if (head_.compare_exchange_weak(top, domain_type::successor(top, next), sync::acquire,
                                      sync::relaxed)) {
        take(n, out);
        return out;
      }
      if (node* handed = contended()) {
        take(handed, out);
        return out;
      }
      contention.pause();
    }
  }

  // Moves the value out of a node this thread owns and retires the node. If T's move
  // constructor throws, the node goes back on the stack with its value: nothing is lost.
  void take(node* n, std::optional<T>& out) {
    try {
      out.emplace(std::move(*n->value.write()));
    } catch (...) {
      link_node(n, never_handed_over);
      throw;
    }
    n->value.write().reset();
    domain_.retire(n);
  }

 private:
  static bool never_handed_over(node*) noexcept { return false; }

  template <class Contended>
  void link_node(node* n, Contended&& contended) {
    link top = head_.load(sync::relaxed);
    sync::backoff contention;
    for (;;) {
      n->next.store(domain_type::pointer(top), sync::relaxed);
      // O3 release, L1: publishes the value and next to protect()'s acquire load and O2.
      if (head_.compare_exchange_weak(top, domain_type::successor(top, n), sync::release,
                                      sync::relaxed)) {
        return;
      }
      if (contended(n)) return;
      contention.pause();
    }
  }

  sync::atomic<link> head_{link()};
  domain_type domain_;
};

}  // namespace lockstep::lockfree
