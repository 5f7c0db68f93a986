// Conservation under contention, for every stack: threads (2x the cores and more) push
// distinct values and pop concurrently; after draining, every pushed value has come out
// exactly once. Mixed push/pop keeps the stack small, so nodes are recycled constantly — the
// regime where ABA and reclamation bugs live.
#include "../unit/stack_types.hpp"

#include <cstdint>
#include <cstdlib>
#include <latch>
#include <thread>
#include <vector>

namespace {

using lockstep::verify::stack_families;
using lockstep::verify::stack_family_names;

// Operations per thread; sanitizer builds are 5-20x slower, so CI scales it down.
unsigned operations_per_thread() {
  if (const char* env = std::getenv("LOCKSTEP_STRESS_OPS")) return static_cast<unsigned>(std::atoi(env));
  return 50'000;
}

template <class Family>
class stack_stress : public ::testing::Test {};
TYPED_TEST_SUITE(stack_stress, stack_families, stack_family_names);

TYPED_TEST(stack_stress, conserves_the_pushed_multiset) {
  const unsigned threads = std::max(4u, 2 * std::thread::hardware_concurrency());
  const unsigned ops = operations_per_thread();
  typename TypeParam::template type<std::uint32_t> stack;
  std::vector<std::vector<std::uint32_t>> popped(threads);

  std::latch start(threads);
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      popped[t].reserve(ops);
      start.arrive_and_wait();
      for (unsigned i = 0; i < ops; ++i) {
        stack.push(t * ops + i);
        if (i % 2 == 1) {
          for (int k = 0; k < 2; ++k) {
            if (auto v = stack.try_pop()) popped[t].push_back(*v);
          }
        }
      }
    });
  }
  for (auto& w : workers) w.join();

  std::vector<std::uint8_t> seen(static_cast<std::size_t>(threads) * ops, 0);
  auto record = [&](std::uint32_t v) {
    ASSERT_LT(v, seen.size());
    ASSERT_EQ(seen[v], 0) << "value " << v << " popped twice";
    seen[v] = 1;
  };
  for (const auto& values : popped) {
    for (std::uint32_t v : values) record(v);
  }
  while (auto v = stack.try_pop()) record(*v);
  for (std::size_t v = 0; v < seen.size(); ++v) ASSERT_EQ(seen[v], 1) << "value " << v << " lost";
}

}  // namespace
