// lockfree::chase_lev_deque<T, Reclaimer> — growable work-stealing deque: one owner pushes
// and pops at the bottom, any thread steals at the top; lock-free.
//
// Paper: D. Chase and Y. Lev, "Dynamic Circular Work-Stealing Deque", SPAA 2005, with the C11
//   orderings of N. M. Lê, A. Pop, A. Cohen and F. Zappa Nardelli, "Correct and Efficient
//   Work-Stealing for Weak Memory Models", PPoPP 2013, Fig. 1. Contract: push and pop by the
//   owner only (one thread at a time); steal and size by any thread.
// Progress: push wait-free apart from growth (an allocation and a copy); pop wait-free; steal
//   lock-free (one CAS, no loop: a lost race returns empty) apart from the reclaimer's
//   protect(). size() wait-free.
// Linearization: L1 push — its store of the bottom; L2 pop of one of several elements — its
//   store of the bottom (the claim O3 orders); L3 pop of the last element — the CAS on the top
//   (O4), and a failed CAS is an empty pop; L4 empty pop — the load of the top after O3;
//   L5 steal — the CAS on the top (O8); L6 empty steal — the load of the bottom (O7); a steal
//   whose CAS failed is a spurious empty (sync::work_stealing_deque allows it).
// Ordering: O2 release fence in push → O7 (the thief's acquire load of the bottom): the element
//   and any grown array happen-before the steal that sees the new bottom. O3 seq_cst fence in
//   pop and O6 seq_cst fence in steal, ordered in S: the owner and a thief cannot both miss
//   each other's claim on the last element (store buffering). O4, O8 seq_cst CAS on the top
//   decide the last element (acq_rel would do: see O4); O1 acquire load of the top in push
//   pairs with O8: a thief's read of a slot happens-before the owner overwrites it; O5 acquire
//   load of the top in steal, as in the paper, pairs with O4 and O8 (relaxed would do: see
//   O5). O9 release store of a grown array → protect()'s acquire load in steal: the copied
//   slots and the array's fields.
// Memory and ABA: indices are std::int64_t and only the top ever grows past the bottom by one;
//   at one push a nanosecond the bottom needs 292 years to overflow. A grown array replaces the
//   old one, which is retired to the reclaimer: a thief reads an array only under protect().
//   The top only grows, so a CAS on it has no ABA. The live array is freed by the destructor.
// Exceptions: push may throw (growth's allocation, std::length_error past max_capacity) and
//   then changes nothing; pop, steal and size never throw (bar the reclaimer's protect()).
// Policy: T trivially copyable (slots are sync::atomic<T>: a thief may read a slot the owner
//   overwrites, and then its CAS fails). Reclaimer defaults to hazard::hazard_pointers: a
//   stalled thief holds back at most the one array it protects, where under epochs it would
//   hold back every array retired after it; growth is rare, so the per-steal hazard costs one
//   fence. The pools (tagged_pool) reuse a node unchanged while a thief may still read it and
//   are rejected at compile time. Capacity (default 64) rounds up to a power of two.
// Deviations: from Lê et al., the array load in steal is protect()'s acquire, not consume;
//   the owner retires replaced arrays (the paper leaks them); push's load of the top is
//   acquire, as in the paper's code.
// More: docs/algorithms/chase_lev_deque.md (the full argument), docs/deques.md (the pair).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/hazard/reclaimer.hpp>
#include <lockstep/sync/containers.hpp>
#include <lockstep/sync/sync.hpp>
#include <lockstep/sync/tsan.hpp>

namespace lockstep::lockfree {

template <class T, class Reclaimer = hazard::hazard_pointers>
requires std::is_trivially_copyable_v<T>
class chase_lev_deque {
 public:
  // The circular array: written by the owner before it is published (O9) and never after,
  // apart from its slots.
  struct ring {
    sync::plain<std::size_t> mask{0};
    sync::plain<std::unique_ptr<sync::atomic<T>[]>> slots;
  };

 private:
  static_assert(
      hazard::reclaimer<Reclaimer, ring>,
      "chase_lev_deque: Reclaimer does not model hazard::reclaimer (hazard/reclaimer.hpp)");
  using domain_type = typename Reclaimer::template domain<ring>;
  static_assert(std::is_same_v<typename domain_type::link, ring*>,
                "chase_lev_deque: a pool (tagged_pool) reuses an array while a thief may still "
                "read it; use hazard::hazard_pointers or hazard::epochs");

 public:
  using value_type = T;
  using index = std::int64_t;

  static constexpr std::size_t default_capacity = 64;
  static constexpr std::size_t max_capacity =
      std::bit_floor(static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) /
                     sizeof(sync::atomic<T>));

  chase_lev_deque() : chase_lev_deque(default_capacity) {}

  // Throws std::invalid_argument for 0 and std::length_error above max_capacity.
  explicit chase_lev_deque(std::size_t capacity)
      : array_(make_ring(
            sync::ring_capacity(capacity, max_capacity, "lockstep::lockfree::chase_lev_deque"))) {}

  chase_lev_deque(const chase_lev_deque&) = delete;
  chase_lev_deque& operator=(const chase_lev_deque&) = delete;

  // No operation may run concurrently. Retired arrays go with the domain.
  ~chase_lev_deque() { domain_.retire(array_.load(sync::relaxed)); }

  // The owner only. Grows the array when it is full.
  void push(const T& value) {
    const index b = bottom_.load(sync::relaxed);
    // O1 acquire: pairs with O8 (a thief's CAS): the thief's read of the slot below the new top
    // happens-before this push overwrites it. Not machine-checked: relaxed, the thief's slot
    // load may read this later overwrite and its CAS still win (load buffering: Relacy never
    // produces it, and the slot is an atomic, so no race is reported).
    const index t = top_.load(sync::acquire);
    // Relaxed: only the owner stores the array.
    ring* a = array_.load(sync::relaxed);
    if (b - t > static_cast<index>(a->mask.read())) a = grow(a, t, b);
    slot(a, b).store(value, sync::relaxed);
    // O2 release fence: the slot (and a grown array, O9) happen-before a thief's acquire load
    // of the bottom (O7) that reads this store or a later one.
    sync::fence(sync::release);
    // TSan does not model fences: tells it O2's edge to O7.
    sync::tsan_release(&bottom_);
    // L1.
    bottom_.store(b + 1, sync::relaxed);
  }

  // The owner only: the element pushed last.
  std::optional<T> pop() {
    const index b = bottom_.load(sync::relaxed) - 1;
    ring* a = array_.load(sync::relaxed);
    // L2: claims slot b before the top is read.
    bottom_.store(b, sync::relaxed);
    // O3 seq_cst fence: ordered in S with O6, a thief's fence: either the thief's load of the
    // bottom (O7) sees the claim, or this load of the top sees the thief's CAS (O8).
    sync::fence(sync::seq_cst);  // pairs with steal's fence
    // L4 when empty.
    index t = top_.load(sync::relaxed);
    std::optional<T> out;
    if (t <= b) {
      out = slot(a, b).load(sync::relaxed);
      if (t == b) {
        // O4 seq_cst CAS, L3: the last element goes to the owner or to one thief (O8), never both.
        // Not machine-checked: stronger than needed. The fences O3, O6 carry the S argument,
        // and the release/acquire halves pair with O1 and O5. Kept: Lê et al.'s order, and
        // O4 and O8 are locked instructions on x86-64 at any order; as RMWs on the top, their
        // modification order alone picks one winner.
        if (!top_.compare_exchange_strong(t, t + 1, sync::seq_cst, sync::relaxed)) out.reset();
        bottom_.store(b + 1, sync::relaxed);
      }
    } else {
      bottom_.store(b + 1, sync::relaxed);
    }
    return out;
  }

  // Any thread: the element pushed first. Empty when the deque was, or when another pop or
  // steal took the element first.
  std::optional<T> steal() {
    // O5 acquire: as in the paper; pairs with O4 and O8, the CAS that wrote this top.
    // Not machine-checked: stronger than needed. The top read is only an index and O8's
    // expected value: a stale one makes O8 fail (the top only grows); the slot comes through O7,
    // the array through protect(), and O6 orders this load even relaxed. Kept: the paper's order.
    index t = top_.load(sync::acquire);
    // O6 seq_cst fence: see O3.
    sync::fence(sync::seq_cst);  // pairs with pop's fence
    // O7 acquire, L6 when empty: pairs with O2 (push's release fence): the slot is written.
    // Not machine-checked: relaxed, the slot load may return the slot's previous value (an
    // element already taken, returned twice). Relacy hides it: a thief's seq_cst fence
    // synchronizes with the owner's last pop's (relacy-limits.md) unless the owner refilled the
    // slot since, and then O7 is the one edge left.
    const index b = bottom_.load(sync::acquire);
    sync::tsan_acquire(&bottom_);
    if (t >= b) return std::nullopt;
    // protect() is an acquire load: pairs with O9, the publication of a grown array.
    auto guard = domain_.protect(array_);
    ring* a = domain_type::pointer(guard.get());
    const T value = slot(a, t).load(sync::relaxed);
    // O8 seq_cst CAS, L5: claims the element; fails if the owner (O4) or a thief took it.
    // Not machine-checked: stronger than needed (acq_rel would do); see O4.
    if (!top_.compare_exchange_strong(t, t + 1, sync::seq_cst, sync::relaxed)) return std::nullopt;
    return value;
  }

  // A hint: the elements between the top and the bottom at two nearby instants.
  std::size_t size() const {
    const index b = bottom_.load(sync::relaxed);
    const index t = top_.load(sync::relaxed);
    return b > t ? static_cast<std::size_t>(b - t) : 0;
  }

  // Arrays replaced by growth and not yet freed (a statistic).
  std::size_t unreclaimed() const { return domain_.unreclaimed(); }

 private:
  static sync::atomic<T>& slot(ring* a, index i) {
    return a->slots.read()[static_cast<std::size_t>(i) & a->mask.read()];
  }

  ring* make_ring(std::size_t capacity) {
    ring* a = domain_.allocate();
    try {
      a->slots.write() = std::make_unique<sync::atomic<T>[]>(capacity);
    } catch (...) {
      domain_.retire(a);
      throw;
    }
    a->mask.write() = capacity - 1;
    return a;
  }

  // The owner only: copies [t, b) into an array twice as large, publishes it, and retires the
  // old one. A thief that still reads the old array reads the same values there.
  ring* grow(ring* old, index t, index b) {
    const std::size_t capacity = old->mask.read() + 1;
    if (capacity > max_capacity / 2) {
      throw std::length_error(
          "lockstep::lockfree::chase_lev_deque: more than max_capacity elements");
    }
    ring* grown = make_ring(capacity * 2);
    // Relaxed: the owner wrote these slots; thieves only read them.
    for (index i = t; i != b; ++i)
      slot(grown, i).store(slot(old, i).load(sync::relaxed), sync::relaxed);
    // O9 release: the copied slots and the array's fields happen-before a thief's protect().
    array_.store(grown, sync::release);
    // Unpublished: a thief reaching it holds a guard from before the store.
    domain_.retire(old);
    return grown;
  }

  domain_type domain_;
  // The owner's line: the bottom and the array it alone stores.
  alignas(sync::cache_line) sync::atomic<index> bottom_{0};
  sync::atomic<ring*> array_;
  // The thieves' line.
  alignas(sync::cache_line) sync::atomic<index> top_{0};
};

}  // namespace lockstep::lockfree
