// Model-check scenarios for any queue of int: sync::unbounded_queue (push) or
// sync::bounded_queue (try_push), constructed by default — a check of a bounded queue passes a
// small wrapper whose default constructor chooses the capacity. The queue contract, asserted
// after every explored execution:
//   - nothing lost, nothing duplicated: every value pushed comes out exactly once, popped
//     during the scenario or drained in after(), and nothing else comes out;
//   - FIFO per producer: each consumer receives a producer's values in the order they were
//     pushed, and what was popped of each producer's values during the scenario is a prefix of
//     them (a later value cannot leave the queue while an earlier one is still in it), and the
//     drain returns the rest in order;
//   - empty answers are consistent: a thread that pushed and then saw the queue empty must find
//     every one of its own values popped by someone;
//   - full answers are consistent (bounded): a try_push cannot fail while fewer than capacity()
//     values can be in the queue, and one that succeeds after the queue was filled proves that
//     a pop completed first; a thread that popped and then pushes finds room.
#pragma once

#include <lockstep/verify/model_check.hpp>

#include <array>
#include <cstddef>
#include <optional>

#include <lockstep/sync/containers.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::verify {

// Values are 1 + thread * 16 + sequence, so each is unique and names its pusher.
inline int queue_value(unsigned thread, unsigned sequence) {
  return static_cast<int>(1 + thread * 16 + sequence);
}
inline unsigned producer_of(int v) { return static_cast<unsigned>(v - 1) / 16; }
inline unsigned sequence_of(int v) { return static_cast<unsigned>(v - 1) % 16; }

// Enqueues v and says whether it went in. An unbounded queue always takes it.
template <class Queue>
bool enqueue(Queue& q, int v) {
  if constexpr (sync::unbounded_queue<Queue>) {
    q.push(v);
    return true;
  } else {
    return q.try_push(v);
  }
}

// The ledger of one execution. Threads record what they popped, in order, per consumer; after()
// checks conservation and FIFO, then drains the queue.
template <unsigned Threads, unsigned Ops>
struct queue_ledger {
  static constexpr unsigned producers = Threads + 1;  // one extra producer: before()'s values
  std::array<std::array<bool, Ops>, producers> pushed{};
  std::array<std::array<int, Ops * producers>, Threads> popped{};
  std::array<unsigned, Threads> pops{};

  void push(unsigned producer, unsigned seq, bool ok) { pushed[producer][seq] = ok; }

  void pop(unsigned consumer, std::optional<int> v) {
    if (v) popped[consumer][pops[consumer]++] = *v;
  }

  bool pushed_value(int v) const {
    return v > 0 && producer_of(v) < producers && sequence_of(v) < Ops &&
           pushed[producer_of(v)][sequence_of(v)];
  }

  template <class Queue>
  void check(Queue& q) {
    std::array<std::array<int, Ops>, producers> seen{};
    std::array<int, producers> last_drained{};
    for (unsigned c = 0; c < Threads; ++c) {
      std::array<int, producers> last{};
      for (unsigned i = 0; i < pops[c]; ++i) {
        const int v = popped[c][i];
        RL_ASSERT(pushed_value(v));
        RL_ASSERT(++seen[producer_of(v)][sequence_of(v)] == 1);
        RL_ASSERT(v > last[producer_of(v)]);  // FIFO per producer, seen by one consumer
        last[producer_of(v)] = v;
      }
    }
    // Prefix: a popped value's predecessors from the same producer were popped too.
    for (unsigned p = 0; p < producers; ++p) {
      for (unsigned s = 1; s < Ops; ++s) {
        if (seen[p][s] == 1) RL_ASSERT(seen[p][s - 1] == 1 || !pushed[p][s - 1]);
      }
    }
    while (std::optional<int> v = q.try_pop()) {
      RL_ASSERT(pushed_value(*v));
      RL_ASSERT(++seen[producer_of(*v)][sequence_of(*v)] == 1);
      RL_ASSERT(*v > last_drained[producer_of(*v)]);
      last_drained[producer_of(*v)] = *v;
    }
    for (unsigned p = 0; p < producers; ++p) {
      for (unsigned s = 0; s < Ops; ++s) RL_ASSERT(seen[p][s] == (pushed[p][s] ? 1 : 0));
    }
  }
};

// Producers threads push Ops values each while Consumers threads try_pop Ops times each.
template <class Queue, unsigned Producers, unsigned Consumers, unsigned Ops>
struct produce_consume
    : rl::test_suite<produce_consume<Queue, Producers, Consumers, Ops>, Producers + Consumers> {
  static constexpr unsigned threads = Producers + Consumers;
  Queue q;
  queue_ledger<threads, Ops> ledger;

  void thread(unsigned t) {
    if (t < Producers) {
      for (unsigned i = 0; i < Ops; ++i) {
        const bool ok = enqueue(q, queue_value(t, i));
        RL_ASSERT(ok);  // the scenarios are sized below capacity
        ledger.push(t, i, ok);
      }
    } else {
      for (unsigned i = 0; i < Ops; ++i) ledger.pop(t, q.try_pop());
    }
  }

  void after() { ledger.check(q); }
};

// Enqueue-dequeue pairs: each of Threads threads pushes Ops values, then pops Ops times. A
// thread that finds the queue empty must find all its own values popped by then.
template <class Queue, unsigned Threads, unsigned Ops>
struct push_then_pop : rl::test_suite<push_then_pop<Queue, Threads, Ops>, Threads> {
  Queue q;
  queue_ledger<Threads, Ops> ledger;
  std::array<bool, Threads> saw_empty{};

  void thread(unsigned t) {
    for (unsigned i = 0; i < Ops; ++i) {
      const bool ok = enqueue(q, queue_value(t, i));
      RL_ASSERT(ok);
      ledger.push(t, i, ok);
    }
    for (unsigned i = 0; i < Ops; ++i) {
      std::optional<int> v = q.try_pop();
      if (!v) saw_empty[t] = true;
      ledger.pop(t, v);
    }
  }

  void after() {
    std::array<std::array<bool, Ops>, Threads> taken{};
    for (unsigned c = 0; c < Threads; ++c) {
      for (unsigned i = 0; i < ledger.pops[c]; ++i) {
        const int v = ledger.popped[c][i];
        if (producer_of(v) < Threads && sequence_of(v) < Ops) {
          taken[producer_of(v)][sequence_of(v)] = true;
        }
      }
    }
    for (unsigned t = 0; t < Threads; ++t) {
      if (!saw_empty[t]) continue;
      for (unsigned i = 0; i < Ops; ++i) RL_ASSERT(taken[t][i]);
    }
    ledger.check(q);
  }
};

// Bounded queues, the mirror of push_then_pop: the queue starts full (capacity() values from
// before()'s producer), and each of Threads threads pops once and then try_pushes once. A thread
// that has taken a value out has made room for its own push (every thread pops before it
// pushes, so pushes never outnumber completed pops), so no try_push may answer "full". Threads
// must not exceed capacity().
template <class Queue, unsigned Threads>
struct pop_then_push : rl::test_suite<pop_then_push<Queue, Threads>, Threads> {
  static constexpr unsigned max_capacity = 4;
  Queue q;
  queue_ledger<Threads, max_capacity> ledger;

  void before() {
    const unsigned capacity = static_cast<unsigned>(q.capacity());
    RL_ASSERT(Threads <= capacity && capacity <= max_capacity);
    for (unsigned i = 0; i < capacity; ++i) {
      const bool ok = q.try_push(queue_value(Threads, i));
      RL_ASSERT(ok);
      ledger.push(Threads, i, ok);
    }
  }

  void thread(unsigned t) {
    std::optional<int> v = q.try_pop();
    RL_ASSERT(v.has_value());  // the queue held capacity() >= Threads values
    ledger.pop(t, v);
    const bool ok = q.try_push(queue_value(t, 0));
    RL_ASSERT(ok);
    ledger.push(t, 0, ok);
  }

  void after() { ledger.check(q); }
};

// Bounded queues, three threads on a ring of capacity() >= 2: thread 0 pushes and then pops,
// thread 1 pops Pops times, thread 2 pushes. Small as it is, this is the shape some ring bugs
// need: a consumer that burns positions ahead of both producers, while one of them is also a
// consumer. Two values never fill the ring, so no push may answer "full". With ExactEmpty, a
// thread 0 that finds the queue empty after its own push must find its value taken by thread 1;
// the weak Vyukov ring may answer "empty" while thread 2's cell is claimed and unpublished
// (bounded_queue.hpp), so its checks pass false.
template <class Queue, unsigned Pops = 2, bool ExactEmpty = true>
struct enqueue_dequeue_trio : rl::test_suite<enqueue_dequeue_trio<Queue, Pops, ExactEmpty>, 3> {
  Queue q;
  queue_ledger<3, Pops> ledger;
  bool saw_empty = false;

  void thread(unsigned t) {
    if (t != 1) {
      const bool ok = q.try_push(queue_value(t, 0));
      RL_ASSERT(ok);
      ledger.push(t, 0, ok);
    }
    if (t == 0) {
      std::optional<int> v = q.try_pop();
      saw_empty = !v;
      ledger.pop(0, v);
    } else if (t == 1) {
      for (unsigned i = 0; i < Pops; ++i) ledger.pop(1, q.try_pop());
    }
  }

  void after() {
    if (ExactEmpty && saw_empty) {
      bool taken = false;
      for (unsigned i = 0; i < ledger.pops[1]; ++i) {
        taken = taken || ledger.popped[1][i] == queue_value(0, 0);
      }
      RL_ASSERT(taken);
    }
    ledger.check(q);
  }
};

// Bounded queues: thread 0 try_pushes capacity() + 1 values into the empty queue while thread 1
// pops once. The first capacity() pushes cannot fail (only thread 0 pushes, so the queue holds
// fewer values than its capacity before each of them); the last succeeds only if the pop took a
// value before it.
template <class Queue>
struct fill_while_popping : rl::test_suite<fill_while_popping<Queue>, 2> {
  static constexpr unsigned max_capacity = 8;
  Queue q;
  queue_ledger<2, max_capacity + 1> ledger;
  bool last_push = false;
  bool popped = false;

  void thread(unsigned t) {
    const unsigned capacity = static_cast<unsigned>(q.capacity());
    RL_ASSERT(capacity < max_capacity);
    if (t == 0) {
      for (unsigned i = 0; i < capacity; ++i) {
        const bool ok = q.try_push(queue_value(0, i));
        RL_ASSERT(ok);
        ledger.push(0, i, ok);
      }
      last_push = q.try_push(queue_value(0, capacity));
      ledger.push(0, capacity, last_push);
    } else {
      std::optional<int> v = q.try_pop();
      popped = v.has_value();
      ledger.pop(1, v);
    }
  }

  void after() {
    if (last_push) RL_ASSERT(popped);
    ledger.check(q);
  }
};

// Bounded queues: one producer pushes Values values in order, retrying while the queue is full;
// one consumer pops until it has them all, retrying while it is empty. With Values > capacity()
// the ring laps (Values / capacity times), so every cell goes through several turns — sequence
// numbers, cycles, cached copies of the other side's index — and every value must come out
// once, in order.
template <class Queue, int Values>
struct laps : rl::test_suite<laps<Queue, Values>, 2> {
  Queue q;

  void thread(unsigned t) {
    if (t == 0) {
      for (int v = 1; v <= Values; ++v) {
        while (!q.try_push(v)) sync::yield();
      }
    } else {
      for (int expected = 1; expected <= Values; ++expected) {
        std::optional<int> v;
        while (!(v = q.try_pop())) sync::yield();
        RL_ASSERT(*v == expected);
      }
    }
  }

  void after() { RL_ASSERT(!q.try_pop()); }
};

// Thread 0 pushes twice; thread 1 pushes, pops and pushes again. The pop frees the initial
// dummy that thread 0 may still hold as the tail it read, and with a recycling reclaimer the
// second push reuses it: the scenario of an enqueuer meeting its tail in a later life.
template <class Queue>
struct recycled_tail : rl::test_suite<recycled_tail<Queue>, 2> {
  Queue q;
  queue_ledger<2, 2> ledger;

  void thread(unsigned t) {
    push(t, 0);
    if (t == 1) ledger.pop(t, q.try_pop());
    push(t, 1);
  }
  void push(unsigned t, unsigned seq) {
    q.push(queue_value(t, seq));
    ledger.push(t, seq, true);
  }
  void after() { ledger.check(q); }
};

}  // namespace lockstep::verify
