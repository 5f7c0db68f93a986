// Mutation: a lockfree::try_select that reports "no case ready" without its second collect. The
// cases are each polled once, at their own instants, which is what try_select did before it
// took a snapshot.
//
// MUTATE lockfree/select.hpp
// - if (collect() == before) return std::nullopt;
// + return std::nullopt;
// - const std::array<detail::channel_counters, size> before = collect();
// + [[maybe_unused]] const std::array<detail::channel_counters, size> before = collect();
//
// Go's TestNonblockSelectRace as a model check: the select polls b (empty), the other thread
// sends on b and drains a, then the select polls a (empty) and reports nullopt, although one of
// the two was ready at every instant. The scenario asserts that try_select fired.
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/lockfree/select.hpp>

#include "../relacy/select_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

namespace {

struct buffered : lockfree::channel<token, hazard::leaking, 2> {
  buffered() : lockfree::channel<token, hazard::leaking, 2>(1) {}
};

}  // namespace

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<try_select_snapshot<buffered, buffered, false>>(
      "lockfree::try_select without the second collect: nullopt while a case was ready",
      search::bounded(2), rl::test_result_user_assert_failed);
  return checks.result();
}
