// Mutation: an MS queue whose enqueue trusts last->next without re-reading tail (the paper's
// line E7 removed: removes ms_queue.hpp's O10).
//
// MUTATE lockfree/ms_queue.hpp
// - if (tail_.load(sync::acquire) != t) continue;
// + if (false && tail_.load(sync::acquire) != t) continue;
//
// A schedule that shows it (verify::recycled_tail; two threads, two preemptions): thread 0,
// pushing a1, reads tail = D (the initial dummy) and is preempted. Thread 1 pushes b, pops it —
// head moves past D, which goes back to the pool — and starts pushing c: the pool hands it D
// again, next reset to null, not yet linked; it is preempted there. Thread 0 reads D's next, null, and links a1 behind D, a
// node outside the queue; its swing of tail fails, and push(a1) returns. It pushes a2, which is
// linked behind b at once. Thread 1 then links D (c, and a1 behind it) after a2: the queue
// holds a2, c, a1 — thread 0's values come out in the wrong order, which the ledger's FIFO
// check reports. The linearizability suite under ThreadSanitizer found this bug in the real
// queue (commit e8243f9); this check keeps the fix from being lost.
// Strong CAS, as ms_queue's strong-CAS model check: spurious failures of the weak CASes would
// multiply a search that must run to completion in the repaired twin.
#define LOCKSTEP_RELACY_STRONG_CAS
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/lockfree/ms_queue.hpp>

#include "../relacy/queue_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::recycled_tail<lockfree::ms_queue<int, hazard::tagged_pool>>>(
      "ms_queue<tagged_pool> linking behind a recycled tail: a push overtakes an earlier one",
      verify::search::bounded(2), rl::test_result_user_assert_failed);
  return checks.result();
}
