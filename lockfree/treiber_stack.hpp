// treiber_stack<T, Reclaimer>: the lock-free LIFO stack of R. K. Treiber, "Systems Programming:
// Coping with Parallelism", IBM RJ 5118, 1986.
//
// A singly linked list whose head is swung by CAS. Both loops are written LL/SC-style: a fresh
// load of the head (the load-linked), then compare_exchange_weak (the store-conditional), which
// may fail spuriously and on Arm without LSE compiles to an ldaxr/stlxr pair.
//
// Progress: push and try_pop are lock-free — a CAS fails only because another operation's CAS
// succeeded. (push allocates from the reclaimer; with tagged_pool that is lock-free while the
// pool has free nodes, and falls back to the system allocator when it is empty.)
// Linearization points: push at its successful CAS on the head; a successful try_pop at its
// successful CAS; an empty try_pop at the load that saw a null head.
// Ordering: push writes the value, then links the node with a release CAS; try_pop's
// protecting load is acquire, so the value and the node's `next` are visible before the node
// is read. Every successful CAS is a read-modify-write, so later pops stay in the release
// sequence of the push that published the node they take. `next` is atomic (relaxed) because
// a losing pop may read it while the winner recycles the node.
// Memory and ABA are the reclaimer's business (hazard/reclaimer.hpp): the pools recycle nodes
// and bump a tag on every head update; hazard pointers and epochs free a popped node only once
// no pop can still hold it, so its address cannot come back under a pending CAS; leaking never
// frees (the measurement baseline).
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
      node* next = n->next.load(sync::relaxed);
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
