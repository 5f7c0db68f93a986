// elimination_stack<T, Reclaimer, Slots>: the elimination-backoff stack of D. Hendler, N. Shavit
// and L. Yerushalmi, "A Scalable Lock-free Stack Algorithm", SPAA 2004.
//
// A Treiber stack (lockfree::treiber_stack, used as it is) whose contention handling is an
// elimination array: after a failed CAS on the head, instead of only backing off, a push offers
// its node (value already inside) in a slot of a small array and waits a bounded number of
// iterations for a pop to take it; a pop whose CAS failed looks into a slot for such an offer.
// A push and a pop that meet cancel out without touching the head, so under contention pairs
// of operations complete in parallel instead of serialising on one cache line. A slot is chosen
// by a cheap per-thread random number; HSY also adapt the range of slots in use to the load,
// which this version leaves to the Slots parameter.
//
// A slot is a small state machine on one atomic word, with fixed roles (the asymmetric form of
// the exchanger in Herlihy & Shavit's book, "The Art of Multiprocessor Programming", 11.4):
//   EMPTY (null) --push offers, CAS-->      OFFER(n)
//   OFFER(n)     --pop claims, CAS-->       CLAIMED   (the exchange)
//   OFFER(n)     --pusher withdraws, CAS--> EMPTY     (no partner in time: retry on the stack)
//   CLAIMED      --pusher acknowledges-->   EMPTY
// Withdrawal and claim are both CASes from OFFER(n), so exactly one succeeds: a node is never
// both withdrawn and taken. Only the owner of n installs OFFER(n), and only that owner leaves
// CLAIMED, so while it waits the slot holds n or CLAIMED and nothing else: its withdrawing CAS
// cannot be fooled by a recycled n (no ABA tag needed). A pop that read OFFER(n) and claims it
// after n was withdrawn, recycled and offered again claims the live offer, which is correct.
//
// Progress: push and try_pop are lock-free. Every round of either one succeeds on the head,
// or failed there because another operation's CAS on the head succeeded, and then spends a
// bounded number of iterations (the patience) in the elimination array before retrying. A
// descheduled pusher can leave its slot CLAIMED until it acknowledges; other operations then
// simply miss that slot and use the stack. (As in treiber_stack, push allocates from the
// reclaimer, which with tagged_pool falls back to the system allocator when the pool is empty.)
//
// Linearization points:
//   - a push that succeeds on the stack: its successful CAS on the head (treiber_stack);
//   - a try_pop that succeeds on the stack: its successful CAS on the head; an empty try_pop:
//     the load that saw a null head (a pop never eliminates against an empty stack);
//   - an eliminated pair: the pop's claiming CAS, with the push linearized immediately before
//     the pop. At that instant both operations are pending (the pusher is between its offer
//     and noticing the claim), and push-then-pop leaves the abstract stack as it was, so the
//     pair is invisible to every other operation and the pop returns the pushed value.
//
// Ordering of the hand-off: the pusher writes the value into its node, then offers the node
// with a release CAS; the pop claims it with an acquire CAS. A CAS is a read-modify-write, so
// the claim reads the live offer (the last write to the slot before it), and the offer
// synchronises with the claim: the value happens-before the popper moves it out. The popper's
// history flows back too: the exchange linearizes the pair at the claim, so whatever the popper
// did before (a push of its own, say) must happen before the pusher's return, or the pusher's
// next pop may miss a value on the stack from before the exchange (the lin check of
// verify/relacy/lin_containers.cpp found that with three threads). So the popper issues a
// release fence before its claiming CAS, and the pusher, having learned of the claim by a
// relaxed read of CLAIMED (its poll, or its withdrawal's failed CAS), issues an acquire fence:
// the fences synchronise through the CAS's write (on x86-64 both compile to nothing). The
// acknowledging store is relaxed: only this pusher leaves CLAIMED. A withdrawn node was touched
// by nobody else (no claim succeeded), so the withdrawal is relaxed too, and the node is
// published again by treiber_stack's release CAS when it goes on the stack.
//
// Exceptions: a push moves the value into a node before linking or offering it; if T's move
// constructor throws there the node goes back to the reclaimer and nothing was published. A
// pop that claimed a node empties it with treiber_stack::take, which puts the node back on the
// stack if T's move constructor throws: the eliminated push stays done, its value stays on the
// stack, nothing is lost.
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
    // Release: publishes the value written into n to the pop whose acquire CAS claims it.
    // Weak: a spurious failure only means this round does not eliminate.
    if (!s.state.compare_exchange_weak(expected, n, sync::release, sync::relaxed)) return false;
    for (unsigned waited = 0; waited < patience_; ++waited) {
      if (s.state.load(sync::relaxed) != n) return acknowledge(s);
      sync::cpu_relax();
    }
    expected = n;
    // Strong: a spurious failure would be taken for a claim, and the node would be lost.
    if (s.state.compare_exchange_strong(expected, nullptr, sync::relaxed)) return false;
    return acknowledge(s);
  }

  // The slot holds CLAIMED and only this pusher may empty it (see the state machine above).
  static bool acknowledge(slot& s) {
    // Acquire: the relaxed read that showed CLAIMED (the poll, or the failed withdrawal) read the
    // claim's CAS, so this synchronises with the popper's release fence before it.
    sync::fence(sync::acquire);
    s.state.store(nullptr, sync::relaxed);
    return true;
  }

  // The popper's side, called by treiber_stack after its CAS on the head failed. Returns a node
  // this thread now owns, which treiber_stack empties with take(), or null to retry on the stack.
  node* claim() {
    slot& s = slots_[pick_slot()];
    // Release: through the write of a claiming CAS below, this thread's history (what it did
    // before the exchange) happens before the pusher's acquire fence in acknowledge().
    sync::fence(sync::release);
    for (unsigned waited = 0;; ++waited) {
      node* seen = s.state.load(sync::relaxed);
      // Acquire: synchronises with the offer's release CAS, so the value is visible.
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

  // A per-thread xorshift32 (Marsaglia 2003), seeded by the thread's index: spreads meetings
  // over the slots without a shared counter. Under Relacy thread_local is shared by the
  // simulated threads; any slot is a correct choice, and the model checks use one slot.
  static std::size_t pick_slot() noexcept {
    if constexpr (Slots == 1) {
      return 0;
    } else {
      thread_local std::uint32_t state = 0x9E3779B9u * (sync::thread_index() + 1u);
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      return state % Slots;
    }
  }

  stack_type stack_;
  std::array<slot, Slots> slots_;
  const unsigned patience_;
  alignas(sync::cache_line) sync::atomic<std::size_t> eliminations_{0};
  node claimed_mark_;
};

}  // namespace lockstep::lockfree
