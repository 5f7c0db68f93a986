// Every channel is linearizable with respect to the one channel specification
// (verify/lin/channel_spec.hpp): the random driver of verify/lin over every channel of
// channel_types.hpp, unbuffered (hand-overs as dual operations, which must overlap in time) and
// buffered with capacities 1 and 2, so that full and empty answers are frequent and checked.
#include <lockstep/verify/lin/channel_spec.hpp>
#include <lockstep/verify/lin/scenario.hpp>
#include "../unit/channel_types.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>

namespace {

using lockstep::verify::channel_families;
using lockstep::verify::channel_family_names;
namespace lin = lockstep::verify::lin;

template <class Family>
lin::scenario_report check(std::size_t capacity) {
  using channel = typename Family::template type<std::int64_t>;
  lin::scenario_options options;
  options.capacity = capacity;
  const lin::scenario_report r = lin::run_scenarios<lin::channel_workload>(
      [](std::size_t c) { return std::make_unique<channel>(c); }, options);
  std::printf("capacity %zu: %u scenarios, %u runs (seed %llu)\n", capacity, r.scenarios_run,
              r.runs, static_cast<unsigned long long>(r.seed));
  return r;
}

template <class Family>
class lin_channel : public ::testing::Test {};
TYPED_TEST_SUITE(lin_channel, channel_families, channel_family_names);

TYPED_TEST(lin_channel, unbuffered_histories_are_linearizable) {
  const lin::scenario_report r = check<TypeParam>(0);
  EXPECT_TRUE(r) << r.counterexample;
}

TYPED_TEST(lin_channel, buffered_histories_are_linearizable) {
  for (std::size_t capacity : {1u, 2u}) {
    const lin::scenario_report r = check<TypeParam>(capacity);
    EXPECT_TRUE(r) << r.counterexample;
  }
}

}  // namespace
