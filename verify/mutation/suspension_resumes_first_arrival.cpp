// Mutation: the suspension's gate lets the waker continue the coroutine on either arrival.
// resume() must call make_ready only when it arrives second (E1), after the waiter's suspend();
// here it always does.
//
// MUTATE sync/executor.hpp
// - if (arrivals_.fetch_add(1, acq_rel) == 1) k.resume();
// + arrivals_.fetch_add(1, acq_rel); k.resume();
// Only the mutated header is copied into the mutant's tree, so its copy names its siblings by
// their full path:
// - #include "atomic.hpp"
// + #include <lockstep/sync/atomic.hpp>
// - #include "thread.hpp"
// + #include <lockstep/sync/thread.hpp>
//
// A sender that completes the receiver's cell before the coroutine reaches suspend() makes it
// ready; suspend() then sees the waker and continues the coroutine at once, so it runs twice
// (and the second run may be on a frame that is gone). The model executor asserts where the
// coroutine continues with a make_ready pending, or at a make_ready for a coroutine not
// suspended. The check passes only if Relacy reports it.
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>

#include "../relacy/coroutine_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<
      recv_racing_close<constructed_with<lockfree::channel<token, hazard::leaking, 2>, 0>>>(
      "suspension resuming on the first arrival: resumed twice", search::bounded(2),
      rl::test_result_user_assert_failed);
  return checks.result();
}
