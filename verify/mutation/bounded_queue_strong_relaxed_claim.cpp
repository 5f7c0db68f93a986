// Mutation: the strong bounded_queue claims its positions with relaxed CASes, as the weak form
// does: removes the release of O2, O5, O7 (→ O3, O8).
//
// MUTATE lockfree/bounded_queue.hpp
// - Answers == answers::strong ? sync::release : sync::relaxed;
// + sync::relaxed;
//
// A strong try_push that reads enqueue_pos_ = p then no longer synchronises with the producers
// of the positions before p, so its load of dequeue_pos_ may miss pops those producers completed
// before their pushes, and it answers "full" from positions that were already taken: three
// threads each pop once and then push once into a full ring of 4, and a push fails.
#include <lockstep/lockfree/bounded_queue.hpp>

#include "../relacy/queue_scenarios.hpp"

using namespace lockstep;

namespace {
using ring = verify::constructed_with<lockfree::bounded_queue<int, lockfree::answers::strong>, 4>;
}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::pop_then_push<ring, 3>>(
      "strong bounded_queue with relaxed claims: 'full' after the thread's own pop",
      verify::search::random(50'000), rl::test_result_user_assert_failed);
  return checks.result();
}
