// Every queue is linearizable with respect to the one FIFO specification: the random driver of
// verify/lin (small Lincheck-style scenarios of 2 to 4 threads under real threads, each history
// checked by Wing & Gong's search with Lowe's memoisation) over every queue of queue_types.hpp,
// lock-free and lock-based alike; bounded queues with capacity 2, so that "full" is answered
// often and checked. The queues that only one producer and one consumer may share, and every
// other queue too, also run the producer/consumer mode (one thread pushes, one pops).
//
// Vyukov's ring (lockfree::bounded_queue) and SCQ document pessimistic answers: "empty" or
// "full" while another thread's call is in flight, which is not linearizable (their headers say
// when). They are checked against the pessimistic FIFO specification (verify/lin/specs.hpp),
// which accepts exactly those answers and nothing else.
#include <lockstep/verify/lin/scenario.hpp>
#include "../unit/queue_types.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>

namespace {

using lockstep::verify::queue_families;
using lockstep::verify::queue_family_names;
using lockstep::verify::spsc_capable_families;
using lockstep::verify::spsc_capable_family_names;
namespace lin = lockstep::verify::lin;

template <class Queue>
constexpr bool pessimistic = false;
template <class T>
constexpr bool pessimistic<lockstep::lockfree::bounded_queue<T>> = true;
template <class T>
constexpr bool pessimistic<lockstep::lockfree::scq<T>> = true;

template <class Family>
lin::scenario_report check(lin::roles role) {
  using queue = typename Family::template type<std::int64_t>;
  lin::scenario_options options;
  options.role = role;
  options.pessimistic = pessimistic<queue>;
  const lin::scenario_report r = lin::check_queue(
      [](std::size_t capacity) { return Family::template make<std::int64_t>(capacity); }, options);
  std::printf("%u scenarios, %u runs (seed %llu)%s\n", r.scenarios_run, r.runs,
              static_cast<unsigned long long>(r.seed),
              options.pessimistic ? ", pessimistic specification" : "");
  return r;
}

template <class Family>
class lin_queue : public ::testing::Test {};
TYPED_TEST_SUITE(lin_queue, queue_families, queue_family_names);

TYPED_TEST(lin_queue, every_history_is_linearizable) {
  const lin::scenario_report r = check<TypeParam>(lin::roles::any);
  EXPECT_TRUE(r) << r.counterexample;
}

template <class Family>
class lin_queue_producer_consumer : public ::testing::Test {};
TYPED_TEST_SUITE(lin_queue_producer_consumer, spsc_capable_families, spsc_capable_family_names);

TYPED_TEST(lin_queue_producer_consumer, every_history_is_linearizable) {
  const lin::scenario_report r = check<TypeParam>(lin::roles::producer_consumer);
  EXPECT_TRUE(r) << r.counterexample;
}

}  // namespace
