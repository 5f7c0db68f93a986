// Mutation: a coroutine's timer resumes it without winning its withdrawal. The fire of a timed
// async_recv_for / async_send_for withdraws the wait (O6, a CAS against the waker's claim O1)
// and must resume the coroutine only if that CAS won; here it resumes whatever the CAS says.
//
// MUTATE locked/channel.hpp
// - if (p.withdraw()) p.suspension_.read()->resume();
// + p.withdraw(); p.suspension_.read()->resume();
//
// A sender claims the suspended receiver and hands it the value (O1, O2), and resumes it; the
// timer fires in the meantime, loses O6 and resumes it again: the coroutine is made ready twice
// for one suspension, which the model executor asserts at the second make_ready (or the frame is
// already gone and the fire reads freed memory). The check passes only if Relacy reports it.
#include <lockstep/locked/channel.hpp>

#include "../relacy/coroutine_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<timed_recv_meets_value<constructed_with<locked::channel<token>, 0>>>(
      "locked::channel timer resuming after a lost withdrawal: resumed twice",
      search::random(20'000), rl::test_result_user_assert_failed);
  return checks.result();
}
