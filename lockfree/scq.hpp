// lockfree::scq<T> — bounded MPMC FIFO queue, lock-free (Scalable Circular Queue).
//
// Paper: R. Nikolaev, "A Scalable, Portable, and Memory-Efficient Lock-Free FIFO Queue",
//   DISC 2019. Two rings of slot numbers (free_, allocated_) over an array of n slots; a ring
//   is 2n entries of (Cycle, IsSafe, Index), taken by FAA on Head and Tail.
// Progress: try_push and try_pop lock-free (the Threshold bounds a dequeuer's attempts);
//   empty() and size() wait-free.
// Linearization: L1 ring enqueue — its successful entry CAS; L2 ring dequeue — the entry load
//   that shows its index; L3 empty ring — the Tail load with Tail <= H+1 (or, with a spent
//   Threshold, a point the paper's threshold lemma gives). try_push: L1 on allocated_; try_pop:
//   L2 on allocated_; empty: L3 on allocated_; full: L3 on free_.
// Ordering: every ring access is seq_cst, as the paper's proof assumes (store-load decisions).
//   O1, O10 FAAs on Tail and Head; O3 Head vs O10 (may an unsafe entry be taken?);
//   O4 entry CAS publishes the slot → O11 (through O12, O13's release sequence);
//   O5, O6 Threshold reset vs O9, O15, O16 (decrements); O14 Tail vs O1, O17 (empty?);
//   O7, O8 Head then Tail for size(); O18 reloads in catch_up.
//   Not machine-checked: no check fails with any one ring access below seq_cst. Three chains
//   of S need them (kept seq_cst too because it is the paper's proof, and free on x86-64):
//   - the unsafe entry: a dequeuer's draw (O10), its entry load (O11) that passes a late index
//     without a write, the late dequeuer's consume (O12), the enqueuer's loads (O2, O3): S
//     orders them so, and O3 sees Head > t. Weaker, O3 may read Head <= t and put the index
//     where no dequeuer looks (lost). It needs an index two cycles late on one entry, eight
//     or more draws of Head and Tail: more than the checks run.
//   - the Threshold (store buffering): O4 then O5 against O15 or O16 then O10, O11; S forbids
//     both reading the old value (O5 the Threshold before the decrement, O11 the entry before
//     O4), which lets the Threshold run out with an index queued (O9 then answers empty).
//   - the empty ring: O14's Tail <= h+1 (L3) is linearizable as S orders it after every O1
//     and O17 whose Tail it does not read; acquire/acq_rel leave only happens-before, which
//     lets it miss an enqueue that completed before it in real time.
// Memory and ABA: nothing is freed while the queue lives. Each entry carries its cycle, so a
//   stale CAS fails; cycles outlast the 2^63 counters at any capacity (up to 2^30).
// Exceptions: try_push is strong (a throwing constructor returns the slot number). A throwing
//   move in try_pop re-enqueues the value at the tail and rethrows. Full: false, value untouched.
// Policy: none (no reclamation); capacity is rounded to a power of two.
// Deviations: no LSCQ "finalize"; Cache_Remap spreads neighbours over cache lines.
// More: docs/algorithms/scq.md (the full argument)
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include <lockstep/sync/sync.hpp>

namespace lockstep::lockfree {

namespace detail {

// The paper's ring of indices (SCQ's Figure 8 without the LSCQ "finalize" extension).
class scq_ring {
 public:
  enum class initially { empty, full };

  // A ring for the indices [0, capacity), capacity a power of two; `full` holds them all, in
  // order, `empty` none.
  scq_ring(std::size_t capacity, initially state)
      : ring_order_(static_cast<unsigned>(std::countr_zero(capacity)) + 1),
        bottom_((std::uint64_t{1} << ring_order_) - 1),
        safe_bit_(std::uint64_t{1} << ring_order_),
        threshold_reset_(3 * static_cast<std::int64_t>(capacity) - 1),
        line_count_(ring_size() > entries_per_line ? ring_size() / entries_per_line : 1),
        line_shift_(static_cast<unsigned>(std::countr_zero(line_count_))),
        lines_(std::make_unique<line[]>(line_count_)) {
    const std::uint64_t start = ring_size();  // cycle 1: every entry's cycle 0 is older
    const std::uint64_t held = state == initially::full ? capacity : 0;
    for (std::uint64_t c = start; c < start + ring_size(); ++c) {
      const std::uint64_t i = c - start;
      entry(c).store(i < held ? pack(1, true, i) : pack(0, true, bottom_), sync::relaxed);
    }
    head_.store(start, sync::relaxed);
    tail_.store(start + held, sync::relaxed);
    threshold_.store(held != 0 ? threshold_reset_ : -1, sync::relaxed);
  }

  scq_ring(const scq_ring&) = delete;
  scq_ring& operator=(const scq_ring&) = delete;

  // Always finds room: the ring never holds more than capacity indices in its 2 * capacity
  // entries.
  void enqueue(std::uint64_t index) {
    sync::backoff contention;
    for (;;) {
      // O1 seq_cst: draws position t; in S with O14 and O17 (a dequeuer's Tail <= H+1).
      // Not machine-checked: O1 is in the card's empty-ring order.
      const std::uint64_t t = tail_.fetch_add(1, sync::seq_cst);
      const std::uint64_t cycle = counter_cycle(t);
      sync::atomic<std::uint64_t>& slot = entry(t);
      // O2 seq_cst: reads the entry before O3 reads Head; in S with O12, O13.
      // Not machine-checked: O2 is in the card's unsafe-entry chain (O12 before O2 in S).
      std::uint64_t e = slot.load(sync::seq_cst);
      // An entry of an older cycle without an index. If a dequeuer marked it unsafe (it held a
      // still older index when the dequeuer passed), it may be taken only while no dequeuer has
      // drawn this position: Head <= t.
      // O3 seq_cst: a store-load check against O10 (Head's FAA) and O13: either this sees
      // Head > t, or that dequeuer's O13 sees this thread's O4.
      // Not machine-checked: O3 ends the card's unsafe-entry chain, where the dequeuer of t
      // passed the entry without a write; an acquire load may then read Head <= t.
      while (entry_cycle(e) < cycle && entry_index(e) == bottom_ &&
             ((e & safe_bit_) != 0 || head_.load(sync::seq_cst) <= t)) {
        // O4 seq_cst (release): L1; publishes the slot's value (allocated_) or its emptiness
        // (free_) to O11, directly or through O12's and O13's release sequence.
        // Not machine-checked: O4 in S is the entry's store of the card's Threshold pair; its
        // release is checked (verify/mutation/scq_relaxed_publish.cpp).
        if (slot.compare_exchange_weak(e, pack(cycle, true, index), sync::seq_cst, sync::seq_cst)) {
          // O5, O6 seq_cst: re-arm the Threshold; in S with O9, O15, O16.
          // Not machine-checked: O5, O6 are the Threshold's side of the card's Threshold pair.
          if (threshold_.load(sync::seq_cst) != threshold_reset_) {
            threshold_.store(threshold_reset_, sync::seq_cst);
          }
          return;
        }
      }
      // A dequeuer burnt this position (or a later cycle took it): draw the next one.
      contention.pause();
    }
  }

  // Tail - Head: the positions enqueuers have drawn beyond the dequeuers' (see scq::size()).
  std::int64_t drawn_ahead() const {
    // O7, O8 seq_cst, like every access of the ring (in S with O1, O10, O17): Head first, so
    // that a Tail read after it that the dequeuers have caught up with reads as at most Head.
    const std::uint64_t head = head_.load(sync::seq_cst);
    return static_cast<std::int64_t>(tail_.load(sync::seq_cst) - head);
  }

  std::optional<std::uint64_t> dequeue() {
    // O9 seq_cst: L3 by the threshold lemma; in S with O5, O6 (re-arm) and O15, O16.
    // Not machine-checked: O9's empty rests on the card's Threshold pair (store buffering).
    if (threshold_.load(sync::seq_cst) < 0) return std::nullopt;
    sync::backoff contention;
    for (;;) {
      // O10 seq_cst: draws position h; in S with O3 (an enqueuer's Head <= t).
      // Not machine-checked: O10 begins the card's unsafe-entry chain.
      const std::uint64_t h = head_.fetch_add(1, sync::seq_cst);
      const std::uint64_t cycle = counter_cycle(h);
      sync::atomic<std::uint64_t>& slot = entry(h);
      // O11 seq_cst (acquire): L2 when it shows cycle h; pairs with O4, so the slot's value
      // (or, on free_, its emptying) happens before this thread uses the slot.
      // Not machine-checked: O11 in S is in the card's unsafe-entry chain and Threshold pair;
      // its acquire half is checked.
      std::uint64_t e = slot.load(sync::seq_cst);
      for (;;) {
        if (entry_cycle(e) == cycle) {
          // Only the enqueuer of position h writes cycle h with an index. Consume it with an
          // atomic OR rather than a store: a dequeuer of a later cycle may mark the entry unsafe
          // meanwhile, and the mark must survive.
          // O12 seq_cst: an RMW, so it continues O4's release sequence; in S with O2.
          // Not machine-checked: O12 in S links the card's unsafe-entry chain (after O11).
          slot.fetch_or(bottom_, sync::seq_cst);
          return entry_index(e);
        }
        if (entry_cycle(e) > cycle) break;  // a later cycle is already here
        // Deny position h to its late enqueuer: advance an empty entry to h's cycle, or mark one
        // still holding an older cycle's index unsafe (its own dequeuer is late too).
        const std::uint64_t denied =
            entry_index(e) == bottom_ ? pack(cycle, (e & safe_bit_) != 0, bottom_) : e & ~safe_bit_;
        if (denied == e) break;
        // O13 seq_cst: denies position h; in S with O2, O3 (see O3); an RMW in O4's sequence.
        // Not machine-checked: O13 against O4 is decided by the entry's modification order
        // (both RMWs, one fails); seq_cst only as every ring access (card).
        if (slot.compare_exchange_weak(e, denied, sync::seq_cst, sync::seq_cst)) break;
      }
      // O14 seq_cst: L3 when t <= h + 1; in S with O1 and O4 (no enqueue drew a position past
      // h that this dequeuer could miss).
      // Not machine-checked: O14 is the load of the card's empty-ring order.
      const std::uint64_t t = tail_.load(sync::seq_cst);
      if (t <= h + 1) {
        catch_up(t, h + 1);
        // O15 seq_cst: in S with O5, O6 and O9.
        // Not machine-checked: O15 is a decrement of the card's Threshold pair.
        threshold_.fetch_sub(1, sync::seq_cst);
        return std::nullopt;
      }
      // O16 seq_cst: in S with O5, O6 and O9; L3 by the threshold lemma when it was <= 0.
      // Not machine-checked: O16 is a decrement of the card's Threshold pair.
      if (threshold_.fetch_sub(1, sync::seq_cst) <= 0) return std::nullopt;
      // An enqueuer between its FAA and its CAS is behind us: give it a moment.
      contention.pause();
    }
  }

 private:
  // Natively 8 entries per 64-byte line; under the model checker 2 per 16 bytes.
  static constexpr std::size_t entries_per_line = sync::cache_line / sizeof(std::uint64_t);
  static_assert(entries_per_line >= 1 && std::has_single_bit(entries_per_line));

  struct alignas(sync::cache_line) line {
    sync::atomic<std::uint64_t> entries[entries_per_line];
  };

  std::uint64_t ring_size() const noexcept { return std::uint64_t{1} << ring_order_; }

  std::uint64_t counter_cycle(std::uint64_t counter) const noexcept {
    return counter >> ring_order_;
  }
  std::uint64_t entry_cycle(std::uint64_t e) const noexcept { return e >> (ring_order_ + 1); }
  std::uint64_t entry_index(std::uint64_t e) const noexcept { return e & bottom_; }
  std::uint64_t pack(std::uint64_t cycle, bool safe, std::uint64_t index) const noexcept {
    return (cycle << (ring_order_ + 1)) | (safe ? safe_bit_ : 0) | index;
  }

  // Cache_Remap: position p in line p mod L, at offset p / L.
  sync::atomic<std::uint64_t>& entry(std::uint64_t counter) const noexcept {
    const std::uint64_t position = counter & (ring_size() - 1);
    return lines_[position & (line_count_ - 1)].entries[position >> line_shift_];
  }

  // Moves Tail up to `head` after a dequeuer found the ring empty, so enqueuers do not draw the
  // positions dequeuers have burnt; stops as soon as Tail is no longer behind Head.
  void catch_up(std::uint64_t tail, std::uint64_t head) {
    // O17 seq_cst: moves Tail up; in S with O1 (enqueuers' FAAs) and O14.
    // Not machine-checked: O17 is in the card's empty-ring order.
    while (!tail_.compare_exchange_weak(tail, head, sync::seq_cst, sync::seq_cst)) {
      // O18 seq_cst: the reloads, in S with O10 and O1. Not machine-checked: O18 is in the
      // card's empty-ring order.
      head = head_.load(sync::seq_cst);
      tail = tail_.load(sync::seq_cst);
      if (tail >= head) return;
    }
  }

  // Read-only after construction, on their own line.
  const unsigned ring_order_;  // the ring has 2^ring_order_ = 2n entries
  const std::uint64_t bottom_;
  const std::uint64_t safe_bit_;
  const std::int64_t threshold_reset_;
  const std::uint64_t line_count_;
  const unsigned line_shift_;
  const std::unique_ptr<line[]> lines_;

  alignas(sync::cache_line) sync::atomic<std::uint64_t> head_{0};
  alignas(sync::cache_line) sync::atomic<std::uint64_t> tail_{0};
  alignas(sync::cache_line) sync::atomic<std::int64_t> threshold_{-1};
};

}  // namespace detail

template <class T>
class scq {
 public:
  using value_type = T;

  // See docs/algorithms/scq.md, "Capacity": the cycles outlast the counters at any capacity; this bound is the
  // memory's.
  static constexpr std::size_t largest_capacity = std::size_t{1} << 30;

  explicit scq(std::size_t capacity)
      : capacity_(sync::ring_capacity(capacity, largest_capacity, "lockstep::lockfree::scq")),
        free_(capacity_, detail::scq_ring::initially::full),
        allocated_(capacity_, detail::scq_ring::initially::empty),
        slots_(std::make_unique<slot[]>(capacity_)) {}

  scq(const scq&) = delete;
  scq& operator=(const scq&) = delete;

  bool try_push(const T& value) { return push_into_free_slot(value); }
  bool try_push(T&& value) { return push_into_free_slot(std::move(value)); }

  std::optional<T> try_pop() {
    const std::optional<std::uint64_t> number = allocated_.dequeue();
    if (!number) return std::nullopt;
    sync::plain<std::optional<T>>& slot = slots_[*number].value;
    std::optional<T> out;
    try {
      out.emplace(std::move(*slot.write()));
    } catch (...) {
      allocated_.enqueue(*number);
      throw;
    }
    slot.write().reset();
    free_.enqueue(*number);
    return out;
  }

  std::size_t capacity() const noexcept { return capacity_; }

  // Whether allocated_'s Tail is not ahead of its Head: every position an enqueue of a slot
  // number has drawn, a dequeue has drawn too. Wait-free. A snapshot of two counters, not
  // linearizable: a value whose dequeuer has drawn its position but not yet taken it is no
  // longer counted, and a position drawn by an enqueuer that has not yet written it (and may
  // lose it to a dequeuer) is. Exact after a history without concurrent operations.
  bool empty() const { return allocated_.drawn_ahead() <= 0; }

  // The values queued, approximately: allocated_'s Tail - Head clamped to [0, capacity()].
  // Wait-free; a snapshot like empty() that counts positions drawn rather than values. Exact
  // after a history without concurrent operations; during one it may be stale and count
  // in-flight operations either way, and after one it may still count a position that an
  // enqueuer gave up (a later cycle's enqueuer took its entry) until the dequeuers pass it.
  std::size_t size() const {
    const std::int64_t ahead = allocated_.drawn_ahead();
    if (ahead <= 0) return 0;
    return std::min(static_cast<std::size_t>(ahead), capacity_);
  }

 private:
  template <class V>
  bool push_into_free_slot(V&& value) {
    const std::optional<std::uint64_t> number = free_.dequeue();
    if (!number) return false;
    try {
      slots_[*number].value.write().emplace(std::forward<V>(value));
    } catch (...) {
      free_.enqueue(*number);
      throw;
    }
    allocated_.enqueue(*number);
    return true;
  }

  // One slot per cache line: consecutive slot numbers, which the free ring hands out in turn, go
  // to different producers and are read back by different consumers.
  struct alignas(sync::cache_line) slot {
    sync::plain<std::optional<T>> value;
  };

  const std::size_t capacity_;
  detail::scq_ring free_;
  detail::scq_ring allocated_;
  const std::unique_ptr<slot[]> slots_;
};

}  // namespace lockstep::lockfree
