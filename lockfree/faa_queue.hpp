// faa_queue<T, Reclaimer, SegmentSize>: an unbounded lock-free FIFO queue of linked array
// segments indexed by fetch-and-add: P. Ramalhete and A. Correia, "FAAArrayQueue - MPMC
// lock-free queue (part 4 of 4)", Concurrency Freaks, 2016. The idea is that of A. Morrison and
// Y. Afek, "Fast Concurrent Queues for x86 Processors", PPoPP 2013 (LCRQ; also R. Romanov and
// N. Koval, "The State-of-the-Art LCRQ Concurrent Queue Algorithm Does NOT Require CAS2",
// PPoPP 2023, LPRQ): an infinite array whose enqueuers and dequeuers each take a cell by one
// FAA on their index, so contended threads spread over cells instead of retrying one CAS (C. Yang
// and J. Mellor-Crummey, "A Wait-free Queue as Fast as Fetch-and-Add", PPoPP 2016, builds a
// wait-free queue on the same array). The infinite array is a Michael-Scott list of finite
// segments of SegmentSize cells.
//
// A segment holds SegmentSize cells, an enqueue index and a dequeue index, and `next`. push
// FAAs the tail segment's enqueue index; an index i < SegmentSize is its cell, into which it
// writes the value and then CASes the cell's state from vacant to full. An index past the end
// means the segment is full: push appends a new segment whose cell 0 already holds its value
// with a CAS on `next` (or, if another push appended first, swings tail_ forward and retries).
// try_pop reads the head segment's indices and, unless the queue is empty, FAAs the dequeue
// index and exchanges its cell's state with `taken`: a full cell is its value; a vacant one is
// poisoned, so the push that claimed it (or will) fails its CAS and retries at a later cell. A
// dequeue index past the end means the segment is drained: try_pop swings head_ to `next` and
// retires the segment. No operation ever waits for another: a dequeuer that meets a cell whose
// enqueuer took the index but has not yet written it poisons the cell and moves on, so a
// descheduled enqueuer delays nobody (with 8 threads on 2 cores a waiting dequeuer would spin
// through the time slice of the thread it waits for).
//
// Helping. Between the CAS on `next` and the swing of tail_, tail_ lags one segment. push swings
// it when it finds the tail segment full with a non-null `next`, and try_pop swings it before
// moving head_ past the segment tail_ still names. So tail_ is never behind head_, and a segment
// is retired only once it is unreachable from both, as every reclaimer requires. (The paper's
// code, and as far as we can tell xenium's ramalhete_queue, move head without this help. Hazard
// pointers happen to tolerate it, since the appender's own hazard pointer holds the old tail
// segment until its swing; epochs do not: a push whose section opened after the retire, one
// epoch later, can read the segment from tail_ and still use it after the appender has left and
// the epoch has advanced twice, when the segment is freed.)
//
// Progress: push and try_pop are lock-free. Their FAAs always succeed. A push retries only
// because a dequeuer poisoned its cell, and every cell is poisoned at most once; within one
// segment at most SegmentSize cells can be lost, and then the segment is full and some push's
// CAS on `next` succeeds: that push is complete, and its CAS, which no dequeuer can spoil, fails
// only because another push appended (so completed) first. This is why the appender puts its
// value in cell 0 before linking: appending an empty segment would let dequeuers poison every
// later cell too, and a push and a pop could livelock. A try_pop retries after a poisoned cell
// (an index gone) or a drained segment (head_ moved, by it or by another pop), and returns empty
// once the indices meet. (push allocates a segment every SegmentSize cells: lock-free as far as
// the allocator is; a push that loses the race to append retires the segment it allocated.)
//
// Linearization points. Cells are ordered by segment, then index; FAAs hand out the cells of a
// segment in index order, and a segment's cells are handed out only after every cell of its
// predecessor was (a segment is appended, and head_ moves onto it, only after an FAA past the end
// of the previous one). A push is linearized at the FAA that gave it the cell its value is read
// from (for an appender, its CAS on `next`): the queue's order is the cell order. A try_pop that
// takes a value from cell c is linearized at the later of its own FAA that gave it c and the
// pusher's FAA that did. Both sequences of FAAs are in cell order, so these points are too, and
// each lies inside its operation (the pusher's CAS precedes the pop's exchange). An empty try_pop
// is linearized at its load of the enqueue index that found it not above the dequeue index
// read before it (or at its FAA that returned an index past the end), followed by a load of
// `next` that was null: every cell handed to a pusher by then was handed to a dequeuer before,
// and no later segment existed. So the points are not all steps of the operation's own thread,
// and the slot CAS that publishes a value is not the push's point: two pushes may CAS their
// cells in either order, and the values still leave in cell order (as in Herlihy and Wing's
// array queue, whose linearization is not fixed in advance either). The argument is about the
// single total order S of seq_cst operations, which is why the FAAs, the empty check's loads
// and the CAS on `next` are seq_cst; on x86 an FAA and a CAS are locked instructions and a
// seq_cst load a plain load, so this costs nothing there.
//
// Ordering. A value is written into its cell's plain storage, then published by the release
// CAS on the cell's state; the dequeuer's exchange is acquire, so the value is visible when it
// reads full. A vacant or taken answer orders nothing: a poisoned cell's storage belongs to its
// pusher alone, which takes its value back. A segment's initial state (and an appender's cell
// 0) is published by the CAS on `next`, loaded acquire, and carried on by the release CASes
// that swing head_ and tail_ onto the segment, which the reclaimer's protect() loads acquire.
//
// Values. A cell is a state word and a sync::plain<std::optional<T>> storage in the segment
// itself: no allocation per value (FAAArrayQueue stores T* and leaves the allocation to the
// caller; a heap cell per value would cost a malloc and a free per item, as much as ms_queue's
// node). The cost: a cell is sizeof(std::optional<T>) + 1 bytes, rounded to T's alignment, even
// when it is empty or poisoned, and a value may be copied or moved twice when its first cell is
// lost. The value between attempts stays in the caller's object: push(const T&) copies it into
// each claimed cell (a lost cell's copy is destroyed); push(T&&) moves it in and, from a lost
// cell, back, so it moves only when T's move constructor and move assignment cannot throw, and
// otherwise copies (as std::move_if_noexcept chooses). A T that is neither is rejected.
//
// Exceptions. push gives the strong guarantee: if T's copy constructor or a segment's
// allocation throws, the queue holds what it held (at most a claimed cell stays empty, to be
// poisoned) and the caller's value is untouched. try_pop moves the value out after its cell was
// taken: if T's move constructor throws there, the value is lost (destroyed with the segment)
// and the exception propagates; a queue cannot put a value back at its front.
//
// Memory. Every cell is used once. Poisoned cells carry no value, so a segment may be retired
// with fewer than SegmentSize values having passed through it (in the worst case, a push and a
// pop racing on every cell, one per segment); an empty queue polled by try_pop consumes no cells,
// since a pop checks the indices before its FAA. A segment is about SegmentSize cells plus four
// cache lines. Segments are allocated and retired through the reclaimer (hazard/reclaimer.hpp),
// one protection at a time: each pass of a loop protects the one segment it works on, from
// head_ or tail_, and drops it before the next, so hazard::hazard_pointers (one slot per thread)
// suffices. The default: hazard pointers bound what waits to be freed (a thread holds at most
// 2H retired segments, and a stalled thread pins one segment), where epochs let one stalled
// thread hold back every segment, and segments are large; retires are rare (one per SegmentSize
// pops), so either policy's cost is its protect(): a store and a fence per operation. epochs and
// leaking work too. The pools (tagged_pool) do not fit and are rejected: a recycled segment
// would have to be reset, and an FAA on a stale segment's index is not a CAS that a tag could
// fail, so a late push could claim a cell of the segment's next life.
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

  // Whether push(T&&) may move: see "Values" in the header comment.
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
      if (head->dequeued.load(sync::seq_cst) >= head->enqueued.load(sync::seq_cst) &&
          head->next.load(sync::seq_cst) == nullptr) {
        return out;
      }
      const std::size_t i = head->dequeued.fetch_add(1, sync::seq_cst);
      if (i >= SegmentSize) {
        segment* next = head->next.load(sync::seq_cst);
        if (next == nullptr) return out;
        advance_head(head, next);
        continue;
      }
      cell& c = head->cells[i];
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
    // seq_cst, as in try_pop: the emptiness argument is about the total order S of these loads
    // and the FAAs (see "Linearization points").
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
      const std::size_t i = tail->enqueued.fetch_add(1, sync::seq_cst);
      if (i < SegmentSize) {
        cell& c = tail->cells[i];
        place(c, value);
        state expected = vacant;
        if (c.status.compare_exchange_strong(expected, full, sync::release, sync::relaxed)) {
          return;
        }
        take_back(c, value);  // a dequeuer poisoned the cell: try a later one
        continue;
      }
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
    first.status.store(full, sync::relaxed);
    fresh->enqueued.store(1, sync::relaxed);
    segment* expected = nullptr;
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
    if (head_.compare_exchange_strong(expected, next, sync::release, sync::relaxed)) {
      domain_.retire(head);
    }
  }

  // One attempt: a failure means another thread moved `end` on already.
  static void swing(sync::atomic<segment*>& end, segment* from, segment* to) {
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
