// Mutation: the suspension's gate never continues a coroutine whose waker came first.
// suspend() must return false when the waker has already arrived (E1: the second arrival
// continues the coroutine); here the waiter always suspends.
//
// MUTATE sync/executor.hpp
// - return arrivals_.fetch_add(1, acq_rel) == 0;
// + arrivals_.fetch_add(1, acq_rel); return true;
// Only the mutated header is copied into the mutant's tree, so its copy names its siblings by
// their full path:
// - #include "atomic.hpp"
// + #include <lockstep/sync/atomic.hpp>
// - #include "thread.hpp"
// + #include <lockstep/sync/thread.hpp>
//
// A sender that completes the receiver's record between its publication and suspend() arrives
// first and, rightly, does not make it ready; the waiter then suspends anyway, and nobody is
// left to resume it: a lost resume, found by the model executor after the execution. The check
// passes only if Relacy reports it.
#include <lockstep/locked/channel.hpp>

#include "../relacy/coroutine_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<recv_racing_close<constructed_with<locked::channel<token>, 0>>>(
      "suspension never continuing after the waker's arrival: lost resume", search::bounded(2),
      rl::test_result_user_assert_failed);
  return checks.result();
}
