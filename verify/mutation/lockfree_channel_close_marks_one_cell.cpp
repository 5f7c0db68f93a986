// Mutation: close() marks only the first cell between the counters, as if at most one party
// could be waiting for a partner that the close denies it.
//
// MUTATE lockfree/channel.hpp
// - for (std::uint64_t i = std::min(received, closed_at); i < last; ++i) {
// + for (std::uint64_t i = std::min(received, closed_at); i < last; i = last) {
//
// Two receivers parked on an empty channel hold cells 0 and 1; close marks cell 0 closed and
// wakes its receiver, and leaves the other parked on cell 1, which Relacy reports as a
// deadlock. close_parked_receivers catches it within a hundred random schedules. The existing
// relacy_lockfree_channel passes against this mutant (39 of 39 checks): its close races park at
// most one waiter of a kind when the channel closes.
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>

#include "../relacy/channel_scenarios.hpp"

using namespace lockstep;
using namespace lockstep::verify;

namespace {

using rendezvous = constructed_with<lockfree::channel<token, hazard::leaking, 2>, 0>;

}  // namespace

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.catches<close_parked_receivers<rendezvous>>(
      "lockfree::channel close marking one of two waiting receivers' cells", search::random(50'000),
      rl::test_result_deadlock);
  return checks.result();
}
