// bounded_queue<T>: the bounded multi-producer multi-consumer ring of D. Vyukov, "Bounded MPMC
// queue", 1024cores.net (2010), https://www.1024cores.net/home/lock-free-algorithms/queues/
// bounded-mpmc-queue.
//
// A ring of cells, each holding a sequence number and room for one value, and two free-running
// positions: enqueue_pos_ (the next position a producer claims) and dequeue_pos_ (the next one
// a consumer claims). Position p lives in cell p mod capacity. A cell's sequence number says
// whose turn it is:
//   free_for(p)  = 2p      the cell is empty and position p's producer may fill it;
//   ready_at(p)  = 2p + 1  position p's value is in the cell and its consumer may take it;
// and the consumer of p hands the cell to the next lap with free_for(p + capacity).
// An operation reads its position, compares the cell's sequence number with the turn it
// expects, and claims the position by advancing the shared position with compare_exchange_weak
// (LL/SC style: fresh load, weak CAS, a spurious failure just retries). The claimed cell is the
// claimer's alone until it publishes the next turn with a release store.
// Deviation from the published text: Vyukov's sequence numbers are p (free) and p + 1 (ready),
// with the consumer publishing p + capacity; at capacity 1 "ready at p" and "free for p + 1"
// are then the same number and a second push overwrites the first, which is why his code asserts
// a capacity of at least 2. Counting in half-steps (2p, 2p + 1) keeps the turns distinct for
// every capacity, 1 included.
//
// Progress of the weak form — read this before calling it lock-free. No operation ever waits:
// try_push and try_pop return after a bounded number of steps unless other operations keep
// succeeding (a CAS fails, or a position turns out stale, only because another operation claimed
// it), so each is lock-free in the usual operational sense. But the *structure* is blocking in the
// worst case: a producer that claimed position p and stalls (is descheduled, dies) before
// publishing leaves cell p not ready, and every consumer then answers "empty" — although values
// pushed at p + 1, p + 2, ... may be complete — until that producer resumes. Symmetrically a
// consumer that claimed position p and stalls before handing the cell on makes producers answer
// "full" once the ring comes round to that cell, even though fewer than capacity() values are in
// the queue. Nothing is lost or reordered; the answers are merely pessimistic while a claimer is
// stalled.
//
// Weak and strong answers (the Answers parameter; D. Vyukov's code and the above are the weak
// form, the default; xenium's vyukov_bounded_queue offers both and defaults to strong).
// bounded_queue<T, answers::strong> changes only what try_pop does when its position p is
// claimed but not (visibly) ready, and what try_push does when its cell is not yet handed on:
// - try_pop re-reads dequeue_pos_ and, if it still holds p, enqueue_pos_: if that is p too, no
//   producer has claimed p and the answer is "empty"; otherwise p's producer has claimed it and
//   try_pop waits (sync::backoff: spins, then yields the core) until the value is published.
// - try_push re-reads enqueue_pos_ and, if it still holds p, dequeue_pos_: if p is capacity()
//   positions ahead of it the answer is "full"; otherwise a consumer has claimed position
//   p - capacity() and try_push waits until it hands the cell on.
// Progress of the strong form: blocking. A try_pop whose position is claimed by a producer that
// has not yet published waits for that producer, and a try_push whose cell's previous consumer
// has claimed it and not yet handed it on waits for that consumer; a claimer that stalls stalls
// them, and one that dies blocks them forever. Otherwise (no such claimer) each returns like the
// weak form. What it buys: "empty" is linearizable, at the load of enqueue_pos_ that read p while
// dequeue_pos_ still held p (at that point neither position counter had passed p, so no position
// was claimed that had not been taken), and "full" likewise at the load of dequeue_pos_ that
// read p - capacity() or less while enqueue_pos_ held p. A push that happens before a try_pop
// has claimed its position, so the try_pop's load of enqueue_pos_ reads past it (coherence): a
// thread's own completed push is never followed by its own "empty" while its value is queued
// (verify/stress/bounded_queue_xenium_test.cpp ports xenium's tests of this, and
// verify/relacy/bounded_queue.cpp checks it of the strong form and refutes it of the weak one).
// Why a parameter rather than separate calls: the suites, the linearizability checker and the
// benchmarks drive queues through sync::bounded_queue (try_push, try_pop), so a strong queue
// drops into all of them, and the progress guarantee stays a property of the type rather than
// of each call site.
//
// Linearization points. A successful try_push at its successful CAS on enqueue_pos_ (the claim),
// a successful try_pop at its successful CAS on dequeue_pos_: claims are totally ordered per
// position counter, a consumer claims p only after p's producer published, and the abstract
// queue at any instant is the positions [dequeue_pos_, enqueue_pos_) in order. These points make
// every history of successful operations linearizable. The weak form's "empty" is given at the load
// of the cell's sequence number that did not show position p's value ready, p being the
// operation's position. It is linearizable there when no producer held p claimed with its value
// unpublished — the queue was then empty: no position at or after p was claimed. Otherwise it is
// the blocking case above, and "unpublished" includes "published, but the store has not yet
// reached this thread": the load is not ordered after the publication by happens-before (the
// positions are relaxed, so reading a newer position carries no visibility of the cells).
// Either way the answer is not linearizable: a thread can push, see its push complete, and then
// be told "empty" by its own try_pop, its value queued behind another producer's cell
// (verify/relacy/bounded_queue.cpp demonstrates it). What does hold: when every try_push that
// claimed a position happens before the try_pop (no push is concurrent with it), "empty" is
// exact — every claimed cell's publication then happens before the load, which must see it.
// Likewise the weak "full", at the load that did not show the cell handed on, is linearizable when
// no consumer held position p - capacity claimed but unfinished, and exact when no try_pop is
// concurrent with the try_push.
//
// Memory ordering. The sequence number carries all the synchronisation: a producer constructs
// the value and then publishes ready_at(p) with a release store; a consumer's acquire load that
// reads it makes the construction visible before it moves the value out. The consumer then
// destroys the value and publishes free_for(p + capacity) with a release store, which the next
// lap's producer reads with an acquire load before it constructs into the cell. The claims on the
// positions are relaxed: a position counter orders nothing but the claims on it, which its
// modification order already totally orders, and the cell's ownership follows from the claim
// (the CAS) plus the turn check (the acquire load) that preceded it. The strong form's answers
// read both positions and so need more: its claims are release, and its re-read of its own side's
// position is acquire. A strong try_push that reads enqueue_pos_ = p then synchronises with the
// claims of every position before p (the claims are RMWs, so each continues the release
// sequences of those before it), so every pop that those producers completed before their pushes
// is seen by its load of dequeue_pos_. Relaxed claims would let that load return a position older
// than pops that, through the pushes after them, the answer already counts: a "full" that no
// instant of the queue justifies. The strong try_pop mirrors it.
// The answers' fences. Each strong answer, after the acquire re-read of its own side's position,
// issues a seq_cst fence and then reads the other side's. Without the fence two answers can see
// the two counters' updates in opposite orders (store buffering): a "full" that read
// enqueue_pos_ = p and then a stale dequeue_pos_ = d, and an "empty" that read dequeue_pos_ past
// d and then enqueue_pos_ below p — an order no instant of the queue has (the lin check of
// verify/relacy/lin_containers.cpp found it with three threads).
// With the fences, the full's fence F and the empty's fence E are ordered in the single total
// order S of seq_cst operations, and [atomics.order] (a seq_cst fence X happens before A, B
// happens before a seq_cst fence Y, A is coherence-ordered before B: then X precedes Y in S)
// forbids the pair: if F precedes E, the empty's load of enqueue_pos_ (after E) cannot read a
// value older than the one the full's re-read (before F) read, so it reads p or later; if E
// precedes F, the full's load of dequeue_pos_ likewise reads at least what the empty's re-read
// did, past d. The answers' snapshots of the two counters are thus ordered as their fences are.
// The loads after the fences stay relaxed: the fence orders them, and they hand over no cell.
// Only these answer paths pay (on x86-64 a locked instruction: GCC 12 emits lock or $0 to the
// stack top, about the cost of a claim's lock cmpxchg); claims and successful operations do not.
//
// Exceptions. try_push constructs T in the claimed cell. If that constructor throws, the claim
// cannot be undone (later positions may already be claimed), so the producer publishes the cell
// as a hole: directly as free_for(p + capacity), as though consumed. No value is added, none is
// lost or reordered, and the caller's value is as T's constructor left it (untouched, for a T
// with the strong guarantee). The hole still takes its slot until a consumer passes it (a
// consumer that finds its position already handed on but not yet claimed by a consumer advances
// past it), so until then the queue holds one value fewer before it says "full". try_pop moves
// the value out into the returned optional; if T's move constructor throws there, the position is
// already claimed and cannot be handed back, so the value is destroyed and the exception
// propagates: that one value is lost (the basic guarantee). T's destructor must not throw.
//
// Capacity: sync::ring_capacity rounds a request up to a power of two, at most max_capacity:
// the largest power of two whose cell array fits in a ptrdiff_t of bytes. Positions count modulo
// 2^N (N = the bits of size_t) and wrap harmlessly, since the capacity divides 2^N and every
// comparison is a difference of at most 2 * capacity + 1 read as signed, far below 2^(N-1).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include <lockstep/sync/sync.hpp>

namespace lockstep::lockfree {

// What try_pop and try_push do when their cell is claimed by another thread and not yet ready:
// answer "empty" or "full" (weak, lock-free operations) or wait for that thread unless the queue
// is empty or full (strong, blocking). See "Weak and strong answers" in the header comment.
enum class answers { weak, strong };

template <class T, answers Answers = answers::weak>
class bounded_queue {
  // Room for one T, constructed by push and destroyed by pop: T needs no default constructor.
  struct storage {
    alignas(T) unsigned char bytes[sizeof(T)];
  };

  struct cell {
    sync::atomic<std::size_t> sequence;
    sync::plain<storage> value;
  };

 public:
  using value_type = T;

  static constexpr std::size_t max_capacity = std::bit_floor(
      static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) / sizeof(cell));

  // Throws std::invalid_argument for 0 and std::length_error above max_capacity.
  explicit bounded_queue(std::size_t capacity)
      : mask_(sync::ring_capacity(capacity, max_capacity, "lockstep::lockfree::bounded_queue") - 1),
        cells_(new cell[mask_ + 1]) {
    for (std::size_t p = 0; p <= mask_; ++p) cells_[p].sequence.store(free_for(p), sync::relaxed);
  }

  bounded_queue(const bounded_queue&) = delete;
  bounded_queue& operator=(const bounded_queue&) = delete;

  // Destroys the values left in the queue. No operation may run concurrently.
  ~bounded_queue() {
    const std::size_t end = enqueue_pos_.load(sync::relaxed);
    for (std::size_t p = dequeue_pos_.load(sync::relaxed); p != end; ++p) {
      cell& c = at(p);
      if (c.sequence.load(sync::relaxed) == ready_at(p)) std::destroy_at(object(c));
    }
  }

  // false when the queue is full at the operation's position (see the header comment for when
  // that answer is pessimistic); the caller's value is then untouched, for the rvalue overload
  // too. Takes a reference, not a T by value, so a throwing constructor leaves it with the caller.
  bool try_push(const T& value) { return push(value); }
  bool try_push(T&& value) { return push(std::move(value)); }

  std::optional<T> try_pop() {
    std::size_t pos = dequeue_pos_.load(sync::relaxed);
    sync::backoff contention;
    for (;;) {
      cell& c = at(pos);
      // Acquire: synchronises with the producer's publishing store, so its value is visible.
      const std::size_t seq = c.sequence.load(sync::acquire);
      const auto turn = static_cast<std::ptrdiff_t>(seq - ready_at(pos));
      if (turn == 0) {
        if (dequeue_pos_.compare_exchange_weak(pos, pos + 1, claim, sync::relaxed)) {
          return take(c, pos);
        }
        contention.pause();
      } else if (turn < 0) {
        if constexpr (Answers == answers::weak) {
          return std::nullopt;
        } else {
          // Acquire: synchronises with the release claims of every position before the one it
          // reads, so the pushes their consumers made before them are seen by the next load.
          const std::size_t now = dequeue_pos_.load(sync::acquire);
          if (now != pos) {
            pos = now;  // another consumer claimed pos meanwhile
            continue;
          }
          // The strong "empty", linearized here: dequeue_pos_ held pos and no producer has
          // claimed pos either. Otherwise pos's producer has claimed it and not yet published.
          // Seq_cst fence, then relaxed: see "Memory ordering" (the answers' fences).
          sync::fence(sync::seq_cst);  // between the loads of dequeue_pos_ and enqueue_pos_
          if (enqueue_pos_.load(sync::relaxed) == pos) return std::nullopt;
          contention.pause();
        }
      } else if (dequeue_pos_.compare_exchange_weak(pos, pos + 1, claim, sync::relaxed)) {
        // The cell is past position pos's turn, yet no consumer had claimed pos: its producer
        // left a hole there (a constructor threw). Passing it is the claim, with nothing to take.
        ++pos;
      }
      // Otherwise another consumer claimed pos first, and the failed CAS loaded the new position.
    }
  }

  std::size_t capacity() const noexcept { return mask_ + 1; }

  // Whether every claimed position has been claimed by a consumer too (claimed but unpublished
  // values count as queued, as do holes not yet passed). Wait-free. Exact when no operation runs
  // concurrently; otherwise a snapshot of the two positions, read one after the other, that may
  // be stale and is not linearizable. What holds under concurrency: "true" never hides a value
  // whose push happens before the call and that no pop has claimed (the load of enqueue_pos_
  // reads past that push's claim, and dequeue_pos_, read as equal, had passed it). The weak
  // try_pop may still answer "empty" after a false here (its position claimed, not published).
  bool empty() const {
    // Relaxed: an answer about the counters alone, which hands over no value.
    const std::size_t front = dequeue_pos_.load(sync::relaxed);
    return distance(front, enqueue_pos_.load(sync::relaxed)) <= 0;
  }

  // The positions claimed and not yet taken, in [0, capacity()]; wait-free. A snapshot like
  // empty(): exact when no operation runs concurrently, otherwise possibly stale (it may count a
  // value already taken or miss one already pushed), not linearizable.
  std::size_t size() const {
    // Relaxed: as in empty().
    const std::size_t front = dequeue_pos_.load(sync::relaxed);
    const std::ptrdiff_t held = distance(front, enqueue_pos_.load(sync::relaxed));
    if (held <= 0) return 0;
    return std::min(static_cast<std::size_t>(held), capacity());
  }

 private:
  // How far `to` is ahead of `from`, as signed: positions wrap modulo 2^N (see Capacity).
  static constexpr std::ptrdiff_t distance(std::size_t from, std::size_t to) noexcept {
    return static_cast<std::ptrdiff_t>(to - from);
  }

  // A successful claim of a position: relaxed in the weak form; release in the strong one, for
  // its re-reads of the positions (see "Memory ordering").
  static constexpr sync::memory_order claim =
      Answers == answers::strong ? sync::release : sync::relaxed;

  static constexpr std::size_t free_for(std::size_t pos) noexcept { return 2 * pos; }
  static constexpr std::size_t ready_at(std::size_t pos) noexcept { return 2 * pos + 1; }

  cell& at(std::size_t pos) const noexcept { return cells_[pos & mask_]; }
  static T* object(storage& s) noexcept { return std::launder(reinterpret_cast<T*>(s.bytes)); }
  static T* object(cell& c) noexcept { return object(c.value.write()); }

  template <class V>
  bool push(V&& value) {
    std::size_t pos = enqueue_pos_.load(sync::relaxed);
    sync::backoff contention;
    for (;;) {
      cell& c = at(pos);
      // Acquire: synchronises with the previous lap's consumer handing the cell on, so its
      // move out and destruction happen before this construction.
      const std::size_t seq = c.sequence.load(sync::acquire);
      const auto turn = static_cast<std::ptrdiff_t>(seq - free_for(pos));
      if (turn == 0) {
        if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, claim, sync::relaxed)) {
          fill(c, pos, std::forward<V>(value));
          return true;
        }
        contention.pause();
      } else if (turn < 0) {
        if constexpr (Answers == answers::weak) {
          return false;
        } else {
          // Acquire: synchronises with the release claims of every position before the one it
          // reads, so the pops their producers made before them are seen by the next load.
          const std::size_t now = enqueue_pos_.load(sync::acquire);
          if (now != pos) {
            pos = now;  // another producer claimed pos meanwhile
            continue;
          }
          // The strong "full", linearized here: enqueue_pos_ held pos and the positions
          // [dequeue_pos_, pos) fill the ring. Otherwise the consumer of pos - capacity() has
          // claimed it and not yet handed the cell on.
          // Seq_cst fence, then relaxed: see "Memory ordering" (the answers' fences).
          sync::fence(sync::seq_cst);  // between the loads of enqueue_pos_ and dequeue_pos_
          const std::ptrdiff_t held = distance(dequeue_pos_.load(sync::relaxed), pos);
          if (held >= static_cast<std::ptrdiff_t>(capacity())) return false;
          contention.pause();
        }
      } else {
        // Another producer claimed pos since it was read: read the current position.
        pos = enqueue_pos_.load(sync::relaxed);
      }
    }
  }

  template <class V>
  void fill(cell& c, std::size_t pos, V&& value) {
    if constexpr (std::is_nothrow_constructible_v<T, V&&>) {
      ::new (static_cast<void*>(c.value.write().bytes)) T(std::forward<V>(value));
    } else {
      try {
        ::new (static_cast<void*>(c.value.write().bytes)) T(std::forward<V>(value));
      } catch (...) {
        // Release: whatever the failed constructor wrote happens before the next lap's reuse.
        c.sequence.store(free_for(pos + capacity()), sync::release);
        throw;
      }
    }
    // Release: publishes the constructed value to the consumer of pos.
    c.sequence.store(ready_at(pos), sync::release);
  }

  // Runs after the returned optional is constructed, even if that construction threw.
  struct hand_on {
    bounded_queue& q;
    cell& c;
    std::size_t pos;
    ~hand_on() {
      std::destroy_at(object(c));
      // Release: the move out and destruction happen before the next lap's producer writes.
      c.sequence.store(free_for(pos + q.capacity()), sync::release);
    }
  };

  std::optional<T> take(cell& c, std::size_t pos) {
    const hand_on done{*this, c, pos};
    return std::optional<T>(std::move(*object(c)));
  }

  // Read by both sides, written once: on their own line, away from the positions.
  const std::size_t mask_;
  const std::unique_ptr<cell[]> cells_;
  // Each position on its own cache line: producers hammer one, consumers the other.
  alignas(sync::cache_line) sync::atomic<std::size_t> enqueue_pos_{0};
  // (The class's alignment pads its end, so what follows it in memory is off this line too.)
  alignas(sync::cache_line) sync::atomic<std::size_t> dequeue_pos_{0};
};

}  // namespace lockstep::lockfree
