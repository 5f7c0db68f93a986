// Every stack is linearizable with respect to the one LIFO specification: the random driver of
// verify/lin (small Lincheck-style scenarios of 2 to 4 threads under real threads, each history
// checked by Wing & Gong's search with Lowe's memoisation) over every stack of stack_types.hpp,
// the lock-free ones and the lock-based twin with each lock alike.
#include <lockstep/verify/lin/scenario.hpp>
#include "../unit/stack_types.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>

namespace {

using lockstep::verify::stack_families;
using lockstep::verify::stack_family_names;
namespace lin = lockstep::verify::lin;

template <class Family>
class lin_stack : public ::testing::Test {};
TYPED_TEST_SUITE(lin_stack, stack_families, stack_family_names);

TYPED_TEST(lin_stack, every_history_is_linearizable) {
  using stack = typename TypeParam::template type<std::int64_t>;
  const lin::scenario_report r =
      lin::check_stack([](std::size_t) { return std::make_unique<stack>(); });
  EXPECT_TRUE(r) << r.counterexample;
  std::printf("%u scenarios, %u runs (seed %llu)\n", r.scenarios_run, r.runs,
              static_cast<unsigned long long>(r.seed));
}

}  // namespace
