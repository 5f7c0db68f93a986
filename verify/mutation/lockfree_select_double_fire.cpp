// Mutation: a lockfree::select that can fire two cases. A resumer that owns a select's cell
// claims the select (breaks O9's one winner) also when another clause has already fired it.
//
// MUTATE lockfree/detail/cell_protocol.hpp
// - return false;  // another clause fired, or select_for gave up
// + return true;  // another clause fired, or select_for gave up
//
// Two senders, one per channel, meet the select's two registrations; each owns its cell, and
// the second to claim finds the select claimed or fired by the first. Claiming anyway, it delivers its
// value and returns as if received, while the select finishes only the clause it woke for and
// never looks at the other cell: the value is dropped, and the selector's plain receive from the
// other channel waits for it forever. Relacy reports the deadlock.
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/lockfree/select.hpp>

#include "../relacy/select_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

namespace {

struct rendezvous : lockfree::channel<token, hazard::leaking, 2> {
  rendezvous() : lockfree::channel<token, hazard::leaking, 2>(0) {}
};

}  // namespace

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<select_receives<rendezvous>>(
      "lockfree::select claimed after another clause fired: two cases fire",
      search::random(200'000), rl::test_result_deadlock);
  return checks.result();
}
