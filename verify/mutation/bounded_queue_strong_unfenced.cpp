// Mutation: the strong bounded_queue's answers read the other side's position with no seq_cst
// fence after the re-read of their own, as before the fix: removes O4 and O9.
//
// MUTATE lockfree/bounded_queue.hpp
// - sync::fence(sync::seq_cst);  // between the loads of dequeue_pos_ and enqueue_pos_
// + // (no fence)
// - sync::fence(sync::seq_cst);  // between the loads of enqueue_pos_ and dequeue_pos_
// + // (no fence)
//
// A "full" and an "empty" in two threads can then see the two counters' updates in opposite
// orders (store buffering), and the pair has no linearization: the lin check with three threads
// reports it (a try_push -> false that needs two values queued at once, and a later try_pop ->
// none while one of them is still there). The scenario checks never pair the two answers.
#include <lockstep/lockfree/bounded_queue.hpp>
#include <lockstep/verify/lin/container_operations.hpp>
#include <lockstep/verify/lin/model.hpp>

using namespace lockstep;
namespace lin = verify::lin;

namespace {
using ring = verify::constructed_with<lockfree::bounded_queue<int, lockfree::answers::strong>, 2>;
}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  lin::model_options options;
  options.final_calls = 2;
  lin::model_check<3>(checks, "strong bounded_queue, answers unfenced: full and empty unordered",
                      lin::queue_operations<ring>(2), options,
                      rl::test_result_user_assert_failed);
  return checks.result();
}
