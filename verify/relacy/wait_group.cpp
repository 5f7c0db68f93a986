// Model checks of locked::wait_group (add, done, wait; go() starts real threads and is native
// only): what the workers wrote before done() is visible after wait() returns — the tasks' data
// is a sync::plain, so a wait that returned early, or a done() that did not synchronise with
// it, is a data race — and a waiter is never left asleep once the counter is zero (Relacy
// reports a deadlock otherwise, and its condition variable wakes spuriously, so a wait that
// trusted one wake-up would be found too).
#include <lockstep/verify/model_check.hpp>

#include <array>

#include <lockstep/locked/wait_group.hpp>
#include <lockstep/sync/sync.hpp>

using namespace lockstep;

namespace {

// Workers workers each write their slot and call done(); Waiters threads wait and read every
// slot.
template <unsigned Workers, unsigned Waiters>
struct workers_then_wait : rl::test_suite<workers_then_wait<Workers, Waiters>, Workers + Waiters> {
  locked::wait_group group;
  std::array<sync::plain<int>, Workers> results;

  void before() { group.add(Workers); }

  void thread(unsigned t) {
    if (t < Workers) {
      results[t].write() = static_cast<int>(t + 1);
      group.done();
    } else {
      group.wait();
      for (unsigned w = 0; w < Workers; ++w) RL_ASSERT(results[w].read() == static_cast<int>(w + 1));
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.pass<workers_then_wait<2, 1>>("2 workers, 1 waiter", verify::search::full());
  checks.pass<workers_then_wait<1, 2>>("1 worker, 2 waiters", checks.bounded(3, 4));
  checks.pass<workers_then_wait<3, 1>>("3 workers, 1 waiter", checks.bounded(3, 4));
  return checks.result();
}
