// Model checks of the bounded rings' paths that the queue scenarios do not take (issue 19, no
// zero rows): the snapshot queries empty() and size() of lockfree::bounded_queue and
// lockfree::scq, and scq's enqueue onto an entry that a lapping dequeuer marked unsafe.
#include "queue_scenarios.hpp"

#include <cstddef>

#include <lockstep/lockfree/bounded_queue.hpp>
#include <lockstep/lockfree/scq.hpp>

using namespace lockstep;
using verify::search;

namespace {

template <std::size_t Capacity>
using ring = verify::constructed_with<lockfree::bounded_queue<int>, Capacity>;
template <std::size_t Capacity>
using strong_ring =
    verify::constructed_with<lockfree::bounded_queue<int, lockfree::answers::strong>, Capacity>;
template <std::size_t Capacity>
using scq_of = verify::constructed_with<lockfree::scq<int>, Capacity>;

// Two threads push one value each, nothing pops: after its own push succeeded, a thread's
// snapshot must count that value (the documented guarantee: "empty" never hides a value whose
// push happens before the call and that no pop has claimed).
template <class Queue>
struct own_push_counted : rl::test_suite<own_push_counted<Queue>, 2> {
  Queue q;

  void thread(unsigned t) {
    if (!q.try_push(verify::queue_value(t, 0))) return;
    RL_ASSERT(!q.empty());
    const std::size_t n = q.size();
    RL_ASSERT(n >= 1 && n <= q.capacity());
  }
};

// One thread pushes two values while another pops one and takes snapshots: a snapshot taken
// during the run stays within [0, capacity()], one taken after it counts at least the values
// left (exactly, for the Vyukov ring), and once drained both queries answer "empty".
template <class Queue, bool Exact>
struct snapshots_bounded : rl::test_suite<snapshots_bounded<Queue, Exact>, 2> {
  Queue q;
  verify::queue_ledger<2, 2> ledger;

  void thread(unsigned t) {
    if (t == 0) {
      for (unsigned i = 0; i < 2; ++i) ledger.push(0, i, q.try_push(verify::queue_value(0, i)));
    } else {
      ledger.pop(1, q.try_pop());
      RL_ASSERT(q.size() <= q.capacity());
    }
  }

  void after() {
    unsigned left = 0;
    for (unsigned i = 0; i < 2; ++i) left += ledger.pushed[0][i] ? 1 : 0;
    left -= ledger.pops[1];
    const std::size_t n = q.size();
    RL_ASSERT(Exact ? n == left : n >= left);
    RL_ASSERT(n <= q.capacity());
    if (left != 0) RL_ASSERT(!q.empty());
    ledger.check(q);
    RL_ASSERT(q.empty() && q.size() == 0);
  }
};

// A dequeuer that drew its position and stalls while the other thread's two failed pops lap the
// capacity-1 ring (two entries) and mark the stalled value's entry unsafe; the stalled dequeuer
// then takes its value, and its thread's third push draws that entry again, which it may use
// only after reading Head. One preemption suffices, so bound 1 reaches it. Nothing lost,
// duplicated or reordered (the ledger), and no push refused while the slot is free.
struct unsafe_entry_reused : rl::test_suite<unsafe_entry_reused, 2> {
  scq_of<1> q;
  verify::queue_ledger<2, 3> ledger;
  bool popping = false;  // thread 0 is inside a try_pop

  void thread(unsigned t) {
    if (t == 0) {
      for (unsigned i = 0; i < 2; ++i) {
        popping = true;
        ledger.pop(0, q.try_pop());
        popping = false;
      }
    } else {
      for (unsigned i = 0; i < 3; ++i) {
        const bool ok = q.try_push(verify::queue_value(1, i));
        ledger.push(1, i, ok);
        // "Full" is linearizable (L3 on free_), and this thread's pop took its last value or
        // answered "empty": so the single slot is refused only while the other thread's pop,
        // which took that value, has not yet returned the slot.
        if (!ok) RL_ASSERT(popping);
        if (i < 2) ledger.pop(1, q.try_pop());
      }
    }
  }

  void after() { ledger.check(q); }
};

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);

  checks.pass<own_push_counted<ring<2>>>("bounded_queue(2) a thread's own push is counted",
                                         checks.bounded(2, 3));
  checks.pass<snapshots_bounded<ring<2>, true>>(
      "bounded_queue(2) empty(), size() beside 2 pushes and a pop", checks.bounded(2, 3));
  checks.pass<snapshots_bounded<strong_ring<2>, true>>(
      "bounded_queue(2, strong) empty(), size() beside 2 pushes and a pop", checks.bounded(2, 3));
  checks.pass<own_push_counted<scq_of<2>>>("scq(2) a thread's own push is counted",
                                           checks.bounded(2, 3));
  checks.pass<snapshots_bounded<scq_of<2>, false>>(
      "scq(2) empty(), size() beside 2 pushes and a pop", checks.bounded(1, 2));
  checks.pass<unsafe_entry_reused>("scq(1) an entry marked unsafe is reused after Head's check",
                                   checks.bounded(1, 2));
  return checks.result();
}
