// lockfree::faa_queue<T, Reclaimer, SegmentSize> — unbounded MPMC FIFO queue, lock-free.
//
// Paper: P. Ramalhete and A. Correia, "FAAArrayQueue - MPMC lock-free queue (part 4 of 4)",
//   Concurrency Freaks, 2016. A Michael-Scott list of array segments; push and try_pop each
//   take a cell by one fetch-and-add on the segment's index.
// Progress: push lock-free (as far as the allocator is); try_pop lock-free; empty() lock-free.
//   No operation waits for another: a pop poisons a cell whose push has not written it yet.
// Linearization: L1 push — the FAA that gave it its cell (an appender: its CAS on next);
//   L2 try_pop — the later of its FAA and its pusher's FAA on the same cell;
//   L3 empty try_pop — the load of the enqueue index not above the dequeue index, then a null
//   next. The order is the cells' order (segment, then index), not the cells' CASes' order.
// Ordering: O1, O5 seq_cst loads (empty check) — in S with O2, O6 and O9;
//   O2 seq_cst FAA on the dequeue index; O6 seq_cst FAA on the enqueue index;
//   O7 release CAS vacant→full publishes a value → O4 (the pop's acquire exchange);
//   O9 seq_cst CAS on next publishes a new segment and its cell 0 → O3, O8;
//   O10, O11 release CASes swing head_ and tail_ → the reclaimer's acquire protect().
//   Not machine-checked (O1, O2, O3, O6, O9): S makes L3 exact: each load reads the last O2, O6
//   or O9 before it in S, so the indices and next it reads held together at L3. Weaker, a load may
//   miss an FAA or O9 that precedes it only in S: "empty" after a push that another thread saw
//   complete through a seq_cst access elsewhere. The checks order operations by happens-before
//   only; no scenario has such an observer.
// Memory and ABA: segments come from the reclaimer (hazard/reclaimer.hpp), one protection at
//   a time; a segment is retired once unreachable from head_ and tail_. Each cell is used once,
//   so no ABA. The node pools are rejected: an FAA on a recycled segment cannot be failed.
// Exceptions: push gives the strong guarantee (allocation or T's copy may throw). A throwing
//   move in try_pop loses that value. T must be copyable or nothrow-movable.
// Policy: Reclaimer defaults to hazard::hazard_pointers: a stalled thread pins one (large)
//   segment, where epochs let it hold back all of them.
// Deviations: try_pop swings tail_ before moving head_ past it (needed by epochs); values live
//   in the cells, not behind T*.
// More: docs/algorithms/faa_queue.md (the full argument)
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/hazard/reclaimer.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::lockfree {

template <class T, class Reclaimer = hazard::hazard_pointers, std::size_t SegmentSize = 1024>
class faa_queue {
  static_assert(SegmentSize > 0, "faa_queue: a segment needs at least one cell");

  // A cell's life: vacant, then full (a push published its value) or taken (a pop poisoned it
  // first); a full cell becomes taken when its value is dequeued. (Unscoped, so that Relacy
  // can print it in a history.)
  enum state : unsigned char { vacant, full, taken };

  struct cell {
    sync::atomic<state> status{vacant};
    sync::plain<std::optional<T>> value;
  };

  struct segment {
    alignas(sync::cache_line) sync::atomic<std::size_t> enqueued{0};
    alignas(sync::cache_line) sync::atomic<std::size_t> dequeued{0};
    alignas(sync::cache_line) sync::atomic<segment*> next{nullptr};
    alignas(sync::cache_line) std::array<cell, SegmentSize> cells;
  };

  static_assert(hazard::reclaimer<Reclaimer, segment>,
                "faa_queue: Reclaimer does not model hazard::reclaimer (hazard/reclaimer.hpp)");
  using domain_type = typename Reclaimer::template domain<segment>;
  static_assert(std::is_same_v<typename domain_type::link, segment*>,
                "faa_queue: the node pools do not fit this queue (see the header comment); use "
                "hazard_pointers, epochs or leaking");

  // Whether push(T&&) may move: see docs/algorithms/faa_queue.md, "Values and exceptions".
  static constexpr bool moves_safely =
      std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T>;
  static_assert(moves_safely || std::is_copy_constructible_v<T>,
                "faa_queue: T must be copy-constructible, or nothrow move-constructible and "
                "nothrow move-assignable (a value is moved back from a poisoned cell)");

 public:
  using value_type = T;
  static constexpr std::size_t segment_size = SegmentSize;

  faa_queue() {
    segment* first = domain_.allocate();
    head_.store(first, sync::relaxed);
    tail_.store(first, sync::relaxed);
  }
  faa_queue(const faa_queue&) = delete;
  faa_queue& operator=(const faa_queue&) = delete;

  // Retires every segment; the domain, destroyed next, frees them, and each full cell's value
  // is destroyed with its segment. No operation may run concurrently.
  ~faa_queue() {
    segment* s = head_.load(sync::relaxed);
    while (s != nullptr) {
      segment* next = s->next.load(sync::relaxed);
      domain_.retire(s);
      s = next;
    }
  }

  void push(const T& value) { enqueue(value); }
  void push(T&& value) {
    if constexpr (moves_safely) {
      enqueue(value);
    } else {
      enqueue(std::as_const(value));
    }
  }

  std::optional<T> try_pop() {
    std::optional<T> out;
    for (;;) {
      auto guard = domain_.protect(head_);
      segment* head = guard.get();
      // O1 seq_cst: in S with the FAAs O2, O6 and the CAS O9 (see L3).
      // L3: an empty try_pop — this load of enqueued, then the null next.
      // Not machine-checked: needs an observer ordered by S only; see the card (Ordering).
      if (head->dequeued.load(sync::seq_cst) >= head->enqueued.load(sync::seq_cst) &&
          head->next.load(sync::seq_cst) == nullptr) {
        return out;
      }
      // O2 seq_cst: in S with O1, O5, O6; L2 (with its pusher's O6). Not machine-checked: see
      // the card (Ordering).
      const std::size_t i = head->dequeued.fetch_add(1, sync::seq_cst);
      if (i >= SegmentSize) {
        // O3 seq_cst: in S (L3 after O2); acquire of O9, so the next segment is visible.
        // Not machine-checked (seq_cst beyond acquire): see the card (Ordering).
        segment* next = head->next.load(sync::seq_cst);
        if (next == nullptr) return out;
        advance_head(head, next);
        continue;
      }
      cell& c = head->cells[i];
      // O4 acquire: pairs with O7 (the push's release CAS), so a full cell's value is visible.
      if (c.status.exchange(taken, sync::acquire) == full) {
        std::optional<T>& held = c.value.write();
        out.emplace(std::move(*held));
        held.reset();
        return out;
      }
    }
  }

  // Whether the queue holds no value: try_pop's own emptiness check, on the head segment. Lock-free
  // (protect() is). "true" is linearizable, at the same point as an empty try_pop: the load of the
  // enqueue index that was not above the dequeue index read before it, followed by a null next.
  // "false" is a snapshot, not linearizable: the cells it counts may be claimed by pushes that
  // have not yet written them and may still lose them to a poisoning try_pop, and head_ may have
  // moved on meanwhile; a try_pop right after it may answer "empty". (No size(): the counts are
  // per segment, and summing them would walk segments under one protection at a time.)
  bool empty() const {
    const auto held = domain_.protect(head_);
    segment* head = held.get();
    // O5 seq_cst, as O1: the emptiness argument is about the total order S of these loads,
    // the FAAs O2, O6 and the CAS O9 (L3).
    return head->dequeued.load(sync::seq_cst) >= head->enqueued.load(sync::seq_cst) &&
           head->next.load(sync::seq_cst) == nullptr;
  }

  // Segments retired and not yet freed: what the reclaimer holds back (a statistic).
  std::size_t unreclaimed() const { return domain_.unreclaimed(); }

 private:
  // Value is const T (copied into each claimed cell) or T (moved in, and back from a lost cell):
  // the value stays the caller's until a cell or a new segment is published with it.
  template <class Value>
  void enqueue(Value& value) {
    for (;;) {
      auto guard = domain_.protect(tail_);
      segment* tail = guard.get();
      // O6 seq_cst: in S with O1, O2, O5; L1 — the cell this FAA hands out is the push's place.
      // Not machine-checked: see the card (Ordering).
      const std::size_t i = tail->enqueued.fetch_add(1, sync::seq_cst);
      if (i < SegmentSize) {
        cell& c = tail->cells[i];
        place(c, value);
        state expected = vacant;
        // O7 release: publishes the value just placed; pairs with O4 (the pop's exchange).
        if (c.status.compare_exchange_strong(expected, full, sync::release, sync::relaxed)) {
          return;
        }
        take_back(c, value);  // a dequeuer poisoned the cell: try a later one
        continue;
      }
      // O8 acquire: pairs with O9, so the appended segment's initial state is visible.
      segment* next = tail->next.load(sync::acquire);
      if (next == nullptr) {
        if (append(tail, value)) return;
        continue;
      }
      swing(tail_, tail, next);
    }
  }

  // Links a new segment whose cell 0 holds the value after `tail`; false if another push
  // appended first (the new segment is retired, never having been reachable, and the value is
  // the caller's again).
  template <class Value>
  bool append(segment* tail, Value& value) {
    segment* fresh = domain_.allocate();
    cell& first = fresh->cells[0];
    try {
      place(first, value);
    } catch (...) {
      domain_.retire(fresh);
      throw;
    }
    // Relaxed: the fresh segment is nobody else's until O9 publishes it.
    first.status.store(full, sync::relaxed);
    fresh->enqueued.store(1, sync::relaxed);
    segment* expected = nullptr;
    // O9 seq_cst: publishes the segment and cell 0 → O3, O8; in S with O1, O5; L1 (appender).
    // Not machine-checked (seq_cst beyond release): see the card (Ordering).
    if (tail->next.compare_exchange_strong(expected, fresh, sync::seq_cst, sync::relaxed)) {
      swing(tail_, tail, fresh);
      return true;
    }
    take_back(first, value);
    domain_.retire(fresh);
    return false;
  }

  // head_ moves from a drained segment to its successor; whoever moves it retires the segment.
  // tail_ goes first if it still names the segment (its appender has not swung it yet), so that
  // the retired segment is reachable from neither.
  void advance_head(segment* head, segment* next) {
    swing(tail_, head, next);
    segment* expected = head;
    // O10 release: carries O9's publication to the reclaimer's acquire protect() of head_.
    if (head_.compare_exchange_strong(expected, next, sync::release, sync::relaxed)) {
      domain_.retire(head);
    }
  }

  // One attempt: a failure means another thread moved `end` on already.
  static void swing(sync::atomic<segment*>& end, segment* from, segment* to) {
    // O11 release: carries O9's publication to the reclaimer's acquire protect() of tail_.
    end.compare_exchange_strong(from, to, sync::release, sync::relaxed);
  }

  template <class Value>
  static void place(cell& c, Value& value) {
    if constexpr (std::is_const_v<Value>) {
      c.value.write().emplace(value);
    } else {
      c.value.write().emplace(std::move(value));
    }
  }

  // Undoes place() in a cell that was not published: a moved value goes back to the caller's
  // object, a copy is destroyed.
  template <class Value>
  static void take_back(cell& c, Value& value) noexcept {
    std::optional<T>& held = c.value.write();
    if constexpr (!std::is_const_v<Value>) value = std::move(*held);
    held.reset();
  }

  // Mutable: empty(), logically const, protects the segment it reads as every operation does.
  mutable domain_type domain_;
  alignas(sync::cache_line) sync::atomic<segment*> head_{nullptr};
  alignas(sync::cache_line) sync::atomic<segment*> tail_{nullptr};
};

}  // namespace lockstep::lockfree
