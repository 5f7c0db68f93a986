// Every stack under oversubscription: 8 threads, or 2x the cores where that is more, push
// distinct values and pop, in bursts so the stack both fills and runs dry and nodes are
// recycled constantly (the regime where ABA and reclamation bugs live). Conservation is
// checked after draining: every pushed value was popped exactly once and nothing else came out.
//
// LIFO is checked where one thread can see it: all of a thread's pushes of a burst precede its
// pops of that burst, so among its own values popped in one burst, a later pop cannot return a
// newer value than an earlier pop did (the newer one lay above the older one).
//
// Each stack gets at most operations_per_thread pushes per thread and a wall-clock budget,
// whichever ends first: the FIFO locks (ticket, MCS) form convoys when threads outnumber cores
// (see their headers), and on a loaded machine their throughput can drop by orders of
// magnitude, which must not turn the test into a timeout. Conservation is checked over what was
// actually pushed. LOCKSTEP_STRESS_SCALE (default 1) multiplies both budgets.
#include "../unit/stack_types.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>
#include <vector>

namespace {

using lockstep::verify::stack_families;
using lockstep::verify::stack_family_names;

const unsigned threads = std::max(8u, 2 * std::thread::hardware_concurrency());
constexpr unsigned burst = 16;

unsigned scale() {
  const char* s = std::getenv("LOCKSTEP_STRESS_SCALE");
  return s ? static_cast<unsigned>(std::max(1, std::atoi(s))) : 1u;
}
unsigned operations_per_thread() { return 20'000 * scale(); }
std::chrono::steady_clock::duration budget() { return std::chrono::seconds(2) * scale(); }

template <class Family>
class stack_stress : public ::testing::Test {};
TYPED_TEST_SUITE(stack_stress, stack_families, stack_family_names);

TYPED_TEST(stack_stress, every_pushed_value_is_popped_exactly_once) {
  const unsigned per_thread = operations_per_thread();
  typename TypeParam::template type<std::uint64_t> s;
  std::vector<std::vector<std::uint64_t>> popped(threads);
  std::vector<unsigned> pushed_by(threads, 0);
  std::atomic<unsigned> lifo_violations{0};
  // A start gate, so that the threads contend instead of each finishing before the next starts.
  std::atomic<bool> go{false};

  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::vector<std::uint64_t>& mine = popped[t];
      mine.reserve(per_thread);
      // Values carry their pusher in the high bits, so all values are distinct.
      const std::uint64_t base = std::uint64_t{t} << 32;
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      const auto deadline = std::chrono::steady_clock::now() + budget();
      unsigned pushed = 0;
      while (pushed < per_thread && std::chrono::steady_clock::now() < deadline) {
        const unsigned n = std::min(burst, per_thread - pushed);
        for (unsigned i = 0; i < n; ++i) s.push(base + pushed++);
        std::uint64_t last_own = ~std::uint64_t{0};
        for (unsigned i = 0; i < n; ++i) {
          std::optional<std::uint64_t> v = s.try_pop();
          if (!v) continue;
          mine.push_back(*v);
          if ((*v >> 32) == t) {
            if (*v >= last_own) lifo_violations.fetch_add(1, std::memory_order_relaxed);
            last_own = *v;
          }
        }
      }
      pushed_by[t] = pushed;
    });
  }
  go.store(true, std::memory_order_release);
  for (std::thread& t : pool) t.join();

  std::vector<std::uint64_t> all;
  for (const auto& mine : popped) all.insert(all.end(), mine.begin(), mine.end());
  while (std::optional<std::uint64_t> v = s.try_pop()) all.push_back(*v);
  EXPECT_TRUE(s.empty());

  std::vector<std::uint64_t> expected;
  for (unsigned t = 0; t < threads; ++t) {
    for (unsigned i = 0; i < pushed_by[t]; ++i) expected.push_back((std::uint64_t{t} << 32) + i);
  }
  this->RecordProperty("pushes", static_cast<int>(expected.size()));
  std::printf("%zu pushes and as many pops by %u threads\n", expected.size(), threads);
  ASSERT_EQ(all.size(), expected.size());
  std::sort(all.begin(), all.end());
  EXPECT_TRUE(all == expected) << "a value was lost, duplicated or invented";
  EXPECT_EQ(lifo_violations.load(), 0u);
}

}  // namespace
