// lockfree::bounded_queue<T, Answers> — bounded MPMC FIFO ring (D. Vyukov's), no allocation.
//
// Paper: D. Vyukov, "Bounded MPMC queue", 1024cores.net, 2010. A ring of cells with sequence
//   numbers; producers and consumers claim positions by CAS on two free-running counters.
// Progress: weak form (default): try_push and try_pop never wait and are lock-free as steps,
//   but a claimer stalled before publishing makes others answer "empty"/"full" pessimistically.
//   Strong form: blocking (waits for such a claimer); empty(), size() wait-free.
// Linearization: L1 try_push — its claim CAS on enqueue_pos_ (O7); L2 try_pop — its claim CAS
//   on dequeue_pos_ (O2); L3 strong "empty" — the load of enqueue_pos_ after O4 that reads p;
//   L4 strong "full" — the load of dequeue_pos_ after O9. Weak "empty"/"full" (O1, O6) are
//   linearizable only with no claimer pending at that position.
// Ordering: O11 release ready_at(p) → O1 (the consumer's acquire load): the value;
//   O12 release free_for(p + capacity) → O6 (the next lap's producer): the move out;
//   O10 release hole → O1, O6; O2, O5, O7 claims: relaxed (weak) or release (strong) → O3, O8
//   (strong re-reads, acquire); O4, O9 seq_cst fences, ordered in S with each other.
// Memory and ABA: one array allocated at construction; nothing freed while the queue lives.
//   Sequence numbers name the position (2p, 2p + 1), so a stale cell never looks current.
// Exceptions: a throwing constructor in try_push leaves a hole (no value added or lost, the
//   caller's value as the constructor left it). A throwing move in try_pop loses that value.
// Policy: Answers defaults to answers::weak (Vyukov's); capacity rounds up to a power of two.
// Deviations: half-step sequence numbers (capacity 1 works); the strong answers; holes.
// More: docs/algorithms/bounded_queue.md (the full argument)
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
// is empty or full (strong, blocking). See docs/algorithms/bounded_queue.md, "Weak and strong
// answers".
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

  // false when the queue is full at the operation's position (see the card's Progress for when
  // that answer is pessimistic); the caller's value is then untouched, for the rvalue overload
  // too. Takes a reference, not a T by value, so a throwing constructor leaves it with the caller.
  bool try_push(const T& value) { return push(value); }
  bool try_push(T&& value) { return push(std::move(value)); }

  std::optional<T> try_pop() {
    std::size_t pos = dequeue_pos_.load(sync::relaxed);
    sync::backoff contention;
    for (;;) {
      cell& c = at(pos);
      // O1 acquire: pairs with O11 (the producer's ready_at), so its value is visible; and with
      // O10 (a hole). The weak "empty" is this load not showing ready_at(pos).
      const std::size_t seq = c.sequence.load(sync::acquire);
      const auto turn = static_cast<std::ptrdiff_t>(seq - ready_at(pos));
      if (turn == 0) {
        // O2 claim (release when strong) → O3: L2, a successful try_pop.
        // Not machine-checked: O2 is needed: relaxed, a strong try_pop whose O3 reads it need not
        // see the push this consumer made before it (A: push a, push x, pop; B's pop, begun
        // after push x, reads x's cell and enqueue_pos_ stale: a false "empty").
        if (dequeue_pos_.compare_exchange_weak(pos, pos + 1, claim, sync::relaxed)) {
          return take(c, pos);
        }
        contention.pause();
      } else if (turn < 0) {
        if constexpr (Answers == answers::weak) {
          return std::nullopt;
        } else {
          // O3 acquire: pairs with the claims O2, O5 of every position before the one it reads,
          // so the pushes their consumers made before them are seen by the next load.
          // Not machine-checked: O3 is stronger than needed: relaxed, the O4 fence after it is
          // an acquire fence that synchronizes with the claim it read ([atomics.fences]); the
          // other branch only moves pos. Kept as the documented pair; free on x86-64.
          const std::size_t now = dequeue_pos_.load(sync::acquire);
          if (now != pos) {
            pos = now;  // another consumer claimed pos meanwhile
            continue;
          }
          // The strong "empty", linearized here: dequeue_pos_ held pos and no producer has
          // claimed pos either. Otherwise pos's producer has claimed it and not yet published.
          // O4 seq_cst fence: ordered in S with push's O9, so the two answers' snapshots of the
          // counters agree. The load after it is relaxed, ordered by O4; L3 when it reads pos.
          // Not machine-checked: O4 with O9 forbids the store-buffering pair, a "full" and
          // an "empty" each reading the other's counter old; acq_rel takes O4 out of S. It
          // needs three threads and two stale reads at once (bounded_queue_strong_unfenced).
          sync::fence(sync::seq_cst);  // between the loads of dequeue_pos_ and enqueue_pos_
          if (enqueue_pos_.load(sync::relaxed) == pos) return std::nullopt;
          contention.pause();
        }
        // O5: the claim below, as O2 (release when strong) → O3; it passes a hole.
        // Not machine-checked: O5 relaxed loses the edge O2 relaxed loses, at a hole's
        // position; it needs a throwing constructor besides that history.
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
  // How far `to` is ahead of `from`, as signed: positions wrap modulo 2^N harmlessly
  // (docs/algorithms/bounded_queue.md, "Capacity").
  static constexpr std::ptrdiff_t distance(std::size_t from, std::size_t to) noexcept {
    return static_cast<std::ptrdiff_t>(to - from);
  }

  // A successful claim of a position (O2, O5, O7): relaxed in the weak form; release in the
  // strong one, for its acquire re-reads of the positions (O3, O8).
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
      // O6 acquire: pairs with O12 (the previous lap's consumer handing the cell on) or O10, so
      // its move out and destruction happen before this construction. Weak "full" if too old.
      const std::size_t seq = c.sequence.load(sync::acquire);
      const auto turn = static_cast<std::ptrdiff_t>(seq - free_for(pos));
      if (turn == 0) {
        // O7 claim (release when strong) → O8: L1, a successful try_push.
        if (enqueue_pos_.compare_exchange_weak(pos, pos + 1, claim, sync::relaxed)) {
          fill(c, pos, std::forward<V>(value));
          return true;
        }
        contention.pause();
      } else if (turn < 0) {
        if constexpr (Answers == answers::weak) {
          return false;
        } else {
          // O8 acquire: pairs with the claims O7 of every position before the one it reads, so
          // the pops their producers made before them are seen by the next load.
          // Not machine-checked: O8 is stronger than needed: relaxed, the O9 fence after it is
          // an acquire fence that synchronizes with the claim it read ([atomics.fences]); the
          // other branch only moves pos. Kept as the documented pair; free on x86-64.
          const std::size_t now = enqueue_pos_.load(sync::acquire);
          if (now != pos) {
            pos = now;  // another producer claimed pos meanwhile
            continue;
          }
          // The strong "full", linearized here: enqueue_pos_ held pos and the positions
          // [dequeue_pos_, pos) fill the ring. Otherwise the consumer of pos - capacity() has
          // claimed it and not yet handed the cell on.
          // O9 seq_cst fence: ordered in S with try_pop's O4 (see there). The load after it is
          // relaxed, ordered by O9; L4 when the ring is full.
          // Not machine-checked: O9 is O4's partner in S (see O4); acq_rel takes O9 out of S.
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
        // O10 release: a hole; what the failed constructor wrote happens before the next lap's
        // reuse (O6) and before a consumer passes it (O1, O5).
        c.sequence.store(free_for(pos + capacity()), sync::release);
        throw;
      }
    }
    // O11 release: publishes the constructed value to the consumer of pos (O1).
    c.sequence.store(ready_at(pos), sync::release);
  }

  // Runs after the returned optional is constructed, even if that construction threw.
  struct hand_on {
    bounded_queue& q;
    cell& c;
    std::size_t pos;
    ~hand_on() {
      std::destroy_at(object(c));
      // O12 release: the move out and destruction happen before the next lap's producer
      // writes (O6).
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
