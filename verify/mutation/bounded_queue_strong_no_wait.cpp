// Mutation: the strong bounded_queue's try_pop answers "empty" without waiting for the producer
// that claimed its position, i.e. the weak answer under the strong name: breaks L3.
//
// MUTATE lockfree/bounded_queue.hpp
// - if (enqueue_pos_.load(sync::relaxed) == pos) return std::nullopt;
// + return std::nullopt;
//
// A thread that pushed at position p + 1 while another thread holds p claimed and unpublished
// then pops and is told "empty" although its own value is queued: push_then_pop's assertion
// that a thread seeing "empty" finds its own values taken fails.
#include <lockstep/lockfree/bounded_queue.hpp>

#include "../relacy/queue_scenarios.hpp"

using namespace lockstep;

namespace {
using ring = verify::constructed_with<lockfree::bounded_queue<int, lockfree::answers::strong>, 2>;
}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::push_then_pop<ring, 2, 1>>(
      "strong bounded_queue whose try_pop does not wait: 'empty' after the thread's own push",
      verify::search::bounded(2), rl::test_result_user_assert_failed);
  return checks.result();
}
