// Mutation: a coroutine's timer resumes it without winning its withdrawal. The fire of a timed
// async_recv_for / async_send_for withdraws the cell (O4, L4, a CAS against a resume's O5 on
// the one word) and must resume the coroutine only if that CAS won; here it resumes whatever
// the CAS says.
//
// MUTATE lockfree/channel.hpp
// - if (w.withdraw()) w.suspension_->resume();
// + w.withdraw(); w.suspension_->resume();
//
// A sender's resume (O5) wins the cell and resumes the suspended receiver; the timer fires in the
// meantime, loses O4 and resumes it again: made ready twice for one suspension, which the model
// executor asserts at the second make_ready (or the fire reads a frame already freed). The check
// passes only if Relacy reports it.
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>

#include "../relacy/coroutine_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<
      timed_recv_meets_value<constructed_with<lockfree::channel<token, hazard::leaking, 2>, 0>>>(
      "lockfree::channel timer resuming after a lost withdrawal: resumed twice",
      search::random(20'000), rl::test_result_user_assert_failed);
  return checks.result();
}
