// Mutation: the last done() does not wake the waiters.
//
// MUTATE locked/wait_group.hpp
// - if (now + delta == 0) zero_.notify_all();
// + if (now + delta == 0) {}
//
// A waiter that found the counter above zero sleeps on the condition variable; nothing wakes
// it when the counter reaches zero, and Relacy reports the deadlock once the workers finish.
#include <lockstep/locked/wait_group.hpp>

#include <lockstep/verify/model_check.hpp>

using namespace lockstep;

namespace {

struct worker_then_wait : rl::test_suite<worker_then_wait, 2> {
  locked::wait_group group;
  void before() { group.add(1); }
  void thread(unsigned t) {
    if (t == 0) {
      group.done();
    } else {
      group.wait();
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<worker_then_wait>("wait_group without the wake-up", verify::search::full(),
                                   rl::test_result_deadlock);
  return checks.result();
}
