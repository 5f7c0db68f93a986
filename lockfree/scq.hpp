// scq<T>: the Scalable Circular Queue of R. Nikolaev, "A Scalable, Portable, and Memory-Efficient
// Lock-Free FIFO Queue", 33rd International Symposium on Distributed Computing (DISC 2019),
// LIPIcs vol. 146, pp. 28:1-28:16. A bounded multi-producer multi-consumer FIFO queue built from
// fetch-and-add on two counters and single-width CAS on ring entries: no double-width CAS (which
// LCRQ needs), no memory reclamation (nothing is ever freed while the queue lives).
//
// Structure. scq_ring is the paper's queue of indices (its Figure 8): a ring of 2n entries for n
// indices, each entry one 64-bit word packing (Cycle, IsSafe, Index). The queue of values is two
// such rings and an array of n slots: `free_` (the free slot numbers, initially all n) and
// `allocated_` (the slot numbers holding values, in FIFO order, initially none). try_push takes a
// slot number from free_ (none: the queue is full), constructs the value in that slot, and
// enqueues the number on allocated_; try_pop takes a number from allocated_ (none: empty), moves
// the value out, and gives the number back to free_. Each ring holds at most n indices in 2n
// entries, so a ring's enqueue always finds room: "full" is only ever free_ being empty.
//
// The index ring (counters Head and Tail, ring position p = counter mod 2n, Cycle = counter / 2n):
//   enqueue(i): T = FAA(Tail); if the entry at T holds no index (⊥), its cycle is older than T's,
//     and it is safe or no dequeuer has passed T yet (Head <= T), CAS it to (Cycle(T), safe, i)
//     and reset Threshold to 3n-1; otherwise take the next position.
//   dequeue(): if Threshold < 0, empty. H = FAA(Head); if the entry's cycle is H's, the index is
//     ours: atomically OR ⊥ into it (the paper's Atomic_OR: it keeps a concurrent "unsafe" mark)
//     and return the index. Otherwise make the entry useless to a late enqueuer of position H:
//     an empty entry is advanced to H's cycle, one that still holds an older cycle's index is
//     marked unsafe. Then if Tail <= H+1 the ring is empty: move Tail up to Head (catch_up) so
//     enqueuers skip the burnt positions, decrement Threshold, return empty; else decrement
//     Threshold and, if it was already <= 0, return empty, otherwise try the next position.
//
// Progress: enqueue and dequeue of a ring, hence try_push and try_pop, are lock-free.
// - The Threshold is what makes the dequeue lock-free. Without it, a dequeuer and an enqueuer
//   can chase each other forever: the dequeuer reaches each position just before the enqueuer
//   that drew it and burns it, the enqueuer draws the next position, the dequeuer sees Tail ahead
//   of it and tries again. The paper shows that once an enqueue has finished, its index lies at
//   most 3n-1 dequeue attempts ahead, so a dequeuer may give up after Threshold (reset to 3n-1
//   by every finished enqueue, decremented by every failed dequeue attempt) runs out: a
//   failed dequeue attempt costs the Threshold one unit, and only a completed enqueue refills it.
// - An enqueue fails at a position only because a dequeuer burnt it, and dequeuers stop burning
//   positions once the Threshold runs out, so enqueuers then succeed within a ring's length.
// - catch_up's CAS fails only if Tail moved (another operation progressed).
// - The atomic OR (fetch_or) that consumes an entry is a single read-modify-write: on x86 a
//   `lock or`, on AArch64 an LSE ldsetal or an exclusive-access loop that fails only if the
//   entry changed, which for a consumed entry is a dequeuer of a later cycle marking it.
// Linearization points. The paper's proof orders a ring's operations by the positions their FAAs
// drew, with the entry CAS and load deciding which positions carry an index: a ring enqueue takes
// effect at its successful entry CAS; a dequeue that returns an index at its load of the entry
// that shows the index (its FAA drew that position); an empty answer at the dequeuer's load of
// Tail that shows Tail <= H+1, or, when the answer comes from a spent Threshold, at a point within
// the call where the paper's threshold lemma shows the ring empty. For the value queue: try_push at
// the enqueue of the slot number on allocated_ (the value is in the slot before that), a successful
// try_pop at the dequeue from allocated_, an empty try_pop at allocated_'s empty answer, and a full
// try_push at free_'s empty answer. "Full" is conservative: slot numbers on their way back (a
// try_pop between its two ring operations, a try_push between its two) are in neither ring, so
// try_push may say full while fewer than capacity() values are queued, but only while such
// operations are in flight.
//
// Memory ordering. Every atomic operation of the ring is seq_cst. The paper's correctness proof
// is for a sequentially consistent machine, and its decisions read one variable to decide about
// another (the enqueuer's Head <= T decides whether the entry it loaded can still be taken; the
// dequeuer's Tail <= H+1 decides that the entry it burnt was the last chance; Threshold < 0
// decides emptiness from no entry at all): store-load patterns that acquire/release does not
// order. Nikolaev's x86 code relies on every RMW being a full barrier there. What seq_cst costs:
// on x86-64 nothing for the FAAs, CASes and fetch_or (a locked instruction is a full barrier
// whatever the order) nor for the loads (plain moves); only the Threshold reset store becomes an
// xchg, and it is skipped when the Threshold is already 3n-1. On AArch64 a seq_cst RMW is the same
// acquire-release exclusive pair (or LSE ...al instruction) as an acq_rel one, and a seq_cst load
// the same ldar as an acquire load. So no weakening is claimed here; what is argued and checked is
// the part the value queue adds on top: the slot handover. try_push constructs the value and then
// enqueues the slot number with a CAS (release); try_pop's load of the entry that holds the number
// (acquire) reads that CAS or a later RMW of the entry (a dequeuer's unsafe mark), which continue
// its release sequence, so the construction happens before the move out. Symmetrically try_pop
// destroys the value before the number goes back to free_ by a release CAS, and the next try_push
// acquires it from there before constructing a new value in the slot. Under the model checker the
// slots are sync::plain: a broken handover is a data race (mutation/scq_relaxed_publish.cpp).
//
// Capacity: sync::ring_capacity, a power of two n; the rings have 2n entries. Layout of an entry,
// for a ring of 2n = 2^(k+1) entries: bits [0, k+1) the index, whose all-ones value 2n-1 is ⊥ (an
// index is < n, so OR-ing ⊥ into any entry empties it); bit k+1 IsSafe; bits [k+2, 64) the cycle.
// A counter value c has cycle c >> (k+1), which fits the entry's 62-k cycle bits while c < 2^63,
// whatever k is: the layout depends on the capacity so that the cycles last as long as the
// counters do. Head and Tail start at 2n and advance once per ring operation attempt, so a ring
// runs correctly for 2^63 - 2n FAAs on either counter: 290 years at 10^9 FAAs per second. Past
// that a new cycle would be truncated, compare older than the entries' cycles, and the queue would
// stop taking values (enqueuers would find no position older than theirs); this is not handled.
// The largest capacity is 2^30: two rings of 2^31 eight-byte entries (32 GiB) plus 2^30 slots of
// a cache line each (64 GiB) is beyond any memory this runs on, and the bound keeps 2n and the
// Threshold (3n-1) representable where std::size_t is 32 bits.
//
// Cache_Remap: consecutive positions are spread over different cache lines, so the FAA's
// neighbours do not contend on one line: with L = 2n / (entries per line) lines, position p lives
// in line p mod L at offset p / L (a bijection when 2n is a multiple of the entries per line; a
// ring of at most one line is not remapped). Under the model checker sync::cache_line is 16 bytes,
// two entries per line, so the remapping runs even at the checks' capacity of 2 (a ring of 4).
//
// Exception safety: try_push is strong: if T's constructor throws, the slot number goes back to
// free_ and the queue's values are unchanged. try_pop loses nothing: if T's move constructor
// throws, the value stays in its slot and its number is enqueued on allocated_ again, at the
// tail (a lock-free queue cannot put it back at the head), and the exception propagates. A full
// try_push returns false without touching its argument (it takes a reference, the rvalue
// overload too). The destructor destroys the values still queued (the slots are optionals).
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
      const std::uint64_t t = tail_.fetch_add(1, sync::seq_cst);
      const std::uint64_t cycle = counter_cycle(t);
      sync::atomic<std::uint64_t>& slot = entry(t);
      std::uint64_t e = slot.load(sync::seq_cst);
      // An entry of an older cycle without an index. If a dequeuer marked it unsafe (it held a
      // still older index when the dequeuer passed), it may be taken only while no dequeuer has
      // drawn this position: Head <= t.
      while (entry_cycle(e) < cycle && entry_index(e) == bottom_ &&
             ((e & safe_bit_) != 0 || head_.load(sync::seq_cst) <= t)) {
        if (slot.compare_exchange_weak(e, pack(cycle, true, index), sync::seq_cst, sync::seq_cst)) {
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
    // seq_cst, like every access of the ring; Head first, so that a Tail read after it that
    // the dequeuers have caught up with reads as at most Head.
    const std::uint64_t head = head_.load(sync::seq_cst);
    return static_cast<std::int64_t>(tail_.load(sync::seq_cst) - head);
  }

  std::optional<std::uint64_t> dequeue() {
    if (threshold_.load(sync::seq_cst) < 0) return std::nullopt;
    sync::backoff contention;
    for (;;) {
      const std::uint64_t h = head_.fetch_add(1, sync::seq_cst);
      const std::uint64_t cycle = counter_cycle(h);
      sync::atomic<std::uint64_t>& slot = entry(h);
      std::uint64_t e = slot.load(sync::seq_cst);
      for (;;) {
        if (entry_cycle(e) == cycle) {
          // Only the enqueuer of position h writes cycle h with an index. Consume it with an
          // atomic OR rather than a store: a dequeuer of a later cycle may mark the entry unsafe
          // meanwhile, and the mark must survive.
          slot.fetch_or(bottom_, sync::seq_cst);
          return entry_index(e);
        }
        if (entry_cycle(e) > cycle) break;  // a later cycle is already here
        // Deny position h to its late enqueuer: advance an empty entry to h's cycle, or mark one
        // still holding an older cycle's index unsafe (its own dequeuer is late too).
        const std::uint64_t denied =
            entry_index(e) == bottom_ ? pack(cycle, (e & safe_bit_) != 0, bottom_) : e & ~safe_bit_;
        if (denied == e) break;
        if (slot.compare_exchange_weak(e, denied, sync::seq_cst, sync::seq_cst)) break;
      }
      const std::uint64_t t = tail_.load(sync::seq_cst);
      if (t <= h + 1) {
        catch_up(t, h + 1);
        threshold_.fetch_sub(1, sync::seq_cst);
        return std::nullopt;
      }
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
    while (!tail_.compare_exchange_weak(tail, head, sync::seq_cst, sync::seq_cst)) {
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

  // See the header comment: the cycles outlast the counters at any capacity; this bound is the
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
