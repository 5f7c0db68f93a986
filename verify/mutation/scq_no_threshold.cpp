// Mutation: an SCQ whose threshold no longer covers the distance a dequeuer may have to go. Every
// finished enqueue re-arms the ring's Threshold to 0 instead of 3n-1, so a dequeuer gives up
// after a single failed attempt. Breaks the Threshold's re-arm (scq.hpp O5, O6 against O9, O16).
//
// MUTATE lockfree/scq.hpp
// - threshold_reset_(3 * static_cast<std::int64_t>(capacity) - 1),
// + threshold_reset_(0),
//
// A failed attempt does not mean the queue is empty: a pusher that drew an earlier position
// than another may still be on its way, and the dequeuer that draws that earlier position burns
// it while the later pusher's value sits one position ahead. With the Threshold spent, try_pop
// answers empty although a push has completed: a thread that pushed its value and then finds
// the queue empty, without anyone having popped that value, fails push_then_pop's assertion
// (USER ASSERT FAILED). Random schedules find it within a few hundred iterations; a
// context-bounded search at bound 2 does not (the window needs the slow pusher preempted
// between its FAA and its CAS while the other thread pushes and pops).
//
// Why not the threshold removed outright, as the paper's livelock story suggests: without the
// Threshold (no early "< 0" answer, no giving up) the dequeue is still correct, only not
// lock-free: a dequeuer and an enqueuer can chase each other forever, but only if every round of
// the chase is preempted at exactly the right two points. Relacy reports LIVELOCK when one
// execution passes 2000 scheduling points; a context-bounded search allows a handful of
// preemptions per execution and random schedules do not sustain the chase, so that mutant
// passes every check here (measured: push_then_pop(2 threads) at bound 3, 3.97 M iterations;
// a 1-pusher/1-popper chase at bound 3, 33 M iterations, and 1 M random schedules: all SUCCESS).
// A mutation that cannot be caught proves nothing, so the corpus holds this one.
#include <lockstep/lockfree/scq.hpp>

#include "../relacy/queue_scenarios.hpp"

using namespace lockstep;

using scq2 = verify::constructed_with<lockfree::scq<int>, 2>;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::push_then_pop<scq2, 2, 1>>(
      "scq re-arming its threshold to 0: a completed push's value is answered empty",
      verify::search::random(200'000), rl::test_result_user_assert_failed);
  return checks.result();
}
