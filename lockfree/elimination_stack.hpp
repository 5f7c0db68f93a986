// lockfree::elimination_stack<T, Reclaimer, Slots> — unbounded MPMC LIFO stack, lock-free,
//   a treiber_stack with an elimination array for contention.
//
// Paper: D. Hendler, N. Shavit and L. Yerushalmi, "A Scalable Lock-free Stack Algorithm",
//   SPAA 2004. After a failed CAS on the head, a push offers its node in a random slot and a
//   pop looks there; a pair that meets cancels out without touching the head.
// Progress: push and try_pop lock-free: each round fails on the head only because another
//   operation succeeded, then waits at most `patience` iterations in the array. empty() is a
//   wait-free hint.
// Linearization: L1 push and L2 try_pop on the stack — their CAS on the head (treiber_stack);
//   L3 empty try_pop — the load that saw a null head; L4 an eliminated pair — the pop's claim
//   (O4), with the push just before it.
// Ordering: O1 release CAS offering a node → O4 (the pop's acquire claiming CAS): the value;
//   O3 release fence before the claim → O2 (the pusher's acquire fence), through O4's write:
//   the popper's history happens before the pusher returns. Poll, withdrawal and
//   acknowledgement are relaxed (see their sites).
// Memory and ABA: nodes are treiber_stack's, from the reclaimer. A slot needs no tag: only the
//   owner of n offers n or leaves CLAIMED, so while it waits the slot holds n or CLAIMED.
// Exceptions: push may throw (allocation, T's constructor) and then changes nothing. A
//   throwing move in a pop puts the node back on the stack: nothing is lost.
// Policy: Reclaimer defaults to hazard::tagged_pool, as treiber_stack; the slot is drawn with
//   sync::random_below (a choice the model checker explores); patience is 64 iterations.
// Deviations: a fixed range of Slots (HSY adapt it to the load); an asymmetric exchanger.
// More: docs/algorithms/elimination_stack.md (the full argument)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/lockfree/treiber_stack.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::lockfree {

template <class T, class Reclaimer = hazard::tagged_pool, std::size_t Slots = 4>
class elimination_stack {
  static_assert(Slots > 0, "the elimination array needs at least one slot");

  using stack_type = treiber_stack<T, Reclaimer>;
  using node = typename stack_type::node;

 public:
  using value_type = T;
  static constexpr std::size_t slots = Slots;

  // How many spin iterations (sync::cpu_relax) an offer waits for a pop, and a pop for an
  // offer: a few microseconds at most, enough for a partner on another core to see the slot's
  // cache line, short enough that a missed meeting costs about what the backoff it replaces
  // does. Counted in iterations, never in time, so the model checker's search stays bounded
  // (under Relacy each iteration is a yield to the scheduler).
  static constexpr unsigned default_patience = 64;

  explicit elimination_stack(unsigned patience = default_patience) : patience_(patience) {}
  elimination_stack(const elimination_stack&) = delete;
  elimination_stack& operator=(const elimination_stack&) = delete;

  // Destroys the values left on the stack (treiber_stack's destructor). No offer can be
  // pending: offers live only inside a push call, and no operation may run concurrently.
  ~elimination_stack() = default;

  // A reference, not a T by value, as in treiber_stack: a throwing constructor of T leaves the
  // caller's object with the caller.
  void push(const T& value) {
    stack_.push(value, [this](node* n) { return offer(n); });
  }
  void push(T&& value) {
    stack_.push(std::move(value), [this](node* n) { return offer(n); });
  }

  std::optional<T> try_pop() {
    return stack_.try_pop([this] { return claim(); });
  }

  // A hint: true if the stack was empty at some instant during the call. A pending push that
  // is waiting in the elimination array is not on the stack yet.
  bool empty() const { return stack_.empty(); }

  // Statistics: how many push/pop pairs met in the elimination array so far.
  std::size_t eliminations() const { return eliminations_.load(sync::relaxed); }

 private:
  struct alignas(sync::cache_line) slot {
    sync::atomic<node*> state{nullptr};
  };

  // The pusher's side, called by treiber_stack after its CAS on the head failed. Returns true
  // if a pop took the node, which completes the push.
  bool offer(node* n) {
    slot& s = slots_[pick_slot()];
    node* expected = nullptr;
    // O1 release: publishes the value written into n to the pop whose acquire CAS (O4) claims
    // it. Weak: a spurious failure only means this round does not eliminate.
    if (!s.state.compare_exchange_weak(expected, n, sync::release, sync::relaxed)) return false;
    for (unsigned waited = 0; waited < patience_; ++waited) {
      // Relaxed: a poll; seeing CLAIMED, acknowledge() orders by its fence O2.
      if (s.state.load(sync::relaxed) != n) return acknowledge(s);
      sync::cpu_relax();
    }
    expected = n;
    // Strong: a spurious failure would be taken for a claim, and the node would be lost.
    // Relaxed: a withdrawn node was touched by nobody else; a failure means O4 and goes to O2.
    if (s.state.compare_exchange_strong(expected, nullptr, sync::relaxed)) return false;
    return acknowledge(s);
  }

  // The slot holds CLAIMED and only this pusher may empty it (the slot's state machine is in
  // docs/algorithms/elimination_stack.md).
  static bool acknowledge(slot& s) {
    // O2 acquire fence: the relaxed read that showed CLAIMED (the poll, or the failed withdrawal)
    // read the claim's CAS (O4), so this synchronises with the popper's release fence O3.
    // Not machine-checked by the sweep's short search: mutation elimination_unfenced_ack
    // removes this fence, and lin_containers' three-thread history catches it.
    sync::fence(sync::acquire);
    s.state.store(nullptr, sync::relaxed);  // relaxed: only this pusher leaves CLAIMED
    return true;
  }

  // The popper's side, called by treiber_stack after its CAS on the head failed. Returns a node
  // this thread now owns, which treiber_stack empties with take(), or null to retry on the stack.
  node* claim() {
    slot& s = slots_[pick_slot()];
    // O3 release fence: through the write of a claiming CAS below (O4), this thread's history
    // (what it did before the exchange) happens before the pusher's acquire fence O2.
    // Not machine-checked: without it, the history of elimination_unfenced_ack (the popper's
    // own push missed by the pusher's next pop) returns; no mutation removes this fence.
    sync::fence(sync::release);
    for (unsigned waited = 0;; ++waited) {
      node* seen = s.state.load(sync::relaxed);
      // O4 acquire, L4: pairs with O1 (the offer's release CAS), so the value is visible.
      if (seen != nullptr && seen != claimed() &&
          s.state.compare_exchange_weak(seen, claimed(), sync::acquire, sync::relaxed)) {
        eliminations_.fetch_add(1, sync::relaxed);
        return seen;
      }
      if (waited == patience_) return nullptr;
      sync::cpu_relax();
    }
  }

  // CLAIMED is the address of a node that is never on the stack and never offered.
  node* claimed() noexcept { return &claimed_mark_; }

  // The seam's random draw spreads meetings over the slots without a shared counter: natively
  // a per-thread generator, under Relacy a choice the model checker explores. Any slot is a
  // correct choice; the model checks use one slot, where nothing is drawn.
  static std::size_t pick_slot() {
    if constexpr (Slots == 1) {
      return 0;
    } else {
      return sync::random_below(static_cast<std::uint32_t>(Slots));
    }
  }

  stack_type stack_;
  std::array<slot, Slots> slots_;
  const unsigned patience_;
  alignas(sync::cache_line) sync::atomic<std::size_t> eliminations_{0};
  node claimed_mark_;
};

}  // namespace lockstep::lockfree
