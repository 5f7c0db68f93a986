// Model-check pieces for lockfree::ms_queue (ms_queue.cpp and the ms_queue mutations): a
// three-thread scenario in which a node is recycled under a pending CAS, a hazard-pointer policy
// that scans at every retire, and a counter of the executions in which nodes were freed during
// the run. pop_pop_push is written against any unbounded queue of int (queue_scenarios.hpp's
// ledger), so other queues may use it too.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <lockstep/hazard/hazard_pointers.hpp>

#include "queue_scenarios.hpp"

namespace lockstep::verify {

// basic_hazard_pointers<1> that scans at every retire, as hazard_scenarios.hpp's writers do: the
// domain's own threshold, 2H retires per thread, is never reached by a model check's few pops,
// and a check that frees nothing cannot find a use after free.
struct scanning_hazard_pointers {
  template <class Node>
  class domain : public hazard::basic_hazard_pointers<1>::domain<Node> {
    using base = hazard::basic_hazard_pointers<1>::domain<Node>;

   public:
    void retire(Node* n) {
      base::retire(n);
      this->reclamation_domain().reclaim();
    }
  };
};

// The queue starts as [a, b] (the dummy D, then A holding a, B holding b). Thread 0 pops once;
// thread 1 pops SecondPop ? twice : once; thread 2 pushes once. Thread 0 can read head = D and
// D's next = A and be overtaken: thread 1 pops a, D is given back, and thread 2's push takes D
// from the pool (its next reset, its tag bumped) and links it at the end, all under thread 0's
// pending CAS on head and its pending re-validation. With a second pop, A is given back too,
// while thread 0 may still hold it as the node whose value it is about to take.
template <class Queue, bool SecondPop = true>
struct pop_pop_push : rl::test_suite<pop_pop_push<Queue, SecondPop>, 3> {
  Queue q;
  queue_ledger<3, 2> ledger;

  void before() {
    for (unsigned i = 0; i < 2; ++i) {
      q.push(queue_value(3, i));
      ledger.push(3, i, true);
    }
  }

  void thread(unsigned t) {
    if (t == 2) {
      q.push(queue_value(2, 0));
      ledger.push(2, 0, true);
      return;
    }
    ledger.pop(t, q.try_pop());
    if (t == 1 && SecondPop) ledger.pop(t, q.try_pop());
  }

  void after() { ledger.check(q); }
};

// A scenario that also counts the executions in which the reclaimer freed a node during the run
// (before the queue was destroyed): every pop gives one node back, so fewer unreclaimed nodes
// than pops means some were freed. A check where that never happens could not find a use after
// free, so the count is required to be non-zero for the policies that free.
template <class Scenario>
struct counting : Scenario, freed_tally<counting<Scenario>> {
  void after() {
    std::size_t pops = 0;
    for (unsigned n : this->ledger.pops) pops += n;
    this->record(this->q.unreclaimed() < pops);
    Scenario::after();
  }
};

// empty() beside a push and a pop, for any unbounded queue of int with empty(): the queue
// starts empty; thread 0 pushes a, then asks empty(); thread 1 pops once, then asks empty().
// Only thread 1 pops, so an empty answer to thread 0 (linearizable "true") proves that thread 1
// took a; and a pop that took a leaves nothing, so thread 1 must see the queue empty. Both of
// thread 0's answers must occur over the search, or the first assertion was never tested.
template <class Queue>
struct push_empty_pop_empty : rl::test_suite<push_empty_pop_empty<Queue>, 2> {
  static inline unsigned saw_empty = 0;
  static inline unsigned saw_value = 0;

  Queue q;
  bool pusher_saw_empty = false;
  bool popper_saw_empty = false;
  std::optional<int> popped;

  void thread(unsigned t) {
    if (t == 0) {
      q.push(queue_value(0, 0));
      pusher_saw_empty = q.empty();
    } else {
      popped = q.try_pop();
      popper_saw_empty = q.empty();
    }
  }

  void after() {
    if (pusher_saw_empty) RL_ASSERT(popped == queue_value(0, 0));
    if (popped) {
      RL_ASSERT(*popped == queue_value(0, 0));
      RL_ASSERT(popper_saw_empty);
    } else {
      RL_ASSERT(!q.empty());
      RL_ASSERT(q.try_pop() == queue_value(0, 0));
    }
    RL_ASSERT(q.empty());
    ++(pusher_saw_empty ? saw_empty : saw_value);
  }
};

}  // namespace lockstep::verify
