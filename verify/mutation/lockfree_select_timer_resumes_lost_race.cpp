// Mutation: a coroutine select's timer resumes it without winning the give-up. The fire of
// async_select_for gives the select up (select.hpp O2, against a channel's claim) and must
// resume the coroutine only if that won; here it resumes whatever the give-up says.
//
// MUTATE lockfree/select.hpp
// - if (a.select_.give_up()) a.suspension_->resume();
// + a.select_.give_up(); a.suspension_->resume();
//
// A sender claims the suspended select, completes its clause and resumes it; the timer fires
// in the meantime, loses the give-up and resumes it again: made ready twice for one suspension,
// which the model executor asserts at the second make_ready (or the fire reads a frame already
// freed). The check passes only if Relacy reports it.
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/lockfree/select.hpp>

#include "../relacy/coroutine_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<
      timed_select_meets_value<constructed_with<lockfree::channel<token, hazard::leaking, 2>, 0>>>(
      "lockfree::async_select_for's timer resuming after a lost give-up: resumed twice",
      search::random(20'000), rl::test_result_user_assert_failed);
  return checks.result();
}
