// Both schedulers under a million tasks: the resumption program (verify/unit/sched_support.hpp)
// at each worker count of the issue — 1, 2, the cores and 4x the cores — checks that every task
// was resumed exactly once per suspension and that no task was lost (run() returns, within the
// watchdog's limit, the sum of every task's id). A second test runs several programs at once
// from plain threads, so run() roots, spawns and wake-ups from outside meet the workers' own.
//
// A million tasks per worker count natively; a sixteenth under the sanitizers, which slow each
// task by an order of magnitude. LOCKSTEP_STRESS_SCALE (default 1) multiplies the tasks.
#include "../unit/sched_support.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace lockstep::verify;
using namespace std::chrono_literals;

std::uint32_t scale() {
  const char* s = std::getenv("LOCKSTEP_STRESS_SCALE");
  return s ? static_cast<std::uint32_t>(std::max(1, std::atoi(s))) : 1u;
}

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr std::uint32_t base_tasks = 1'000'000 / 16;
#else
constexpr std::uint32_t base_tasks = 1'000'000;
#endif
std::uint32_t tasks() { return base_tasks * scale(); }

template <class Scheduler>
class sched_stress : public ::testing::Test {};
TYPED_TEST_SUITE(sched_stress, scheduler_types, scheduler_names);

TYPED_TEST(sched_stress, every_task_is_resumed_once_per_suspension) {
  for (std::size_t workers : worker_counts()) {
    SCOPED_TRACE("workers " + std::to_string(workers));
    resumption_program program(tasks());
    watchdog guard(600s, "the million-task resumption program");
    TypeParam s(workers);
    EXPECT_EQ(s.run(program.root()), program.expected_sum());
    EXPECT_EQ(program.miscounted(), std::vector<std::string>{});
  }
}

TYPED_TEST(sched_stress, programs_run_from_several_plain_threads_at_once) {
  constexpr std::uint32_t runners = 4;
  const std::size_t workers = std::max(2u, std::thread::hardware_concurrency());
  std::vector<resumption_program> programs;
  for (std::uint32_t r = 0; r < runners; ++r) programs.emplace_back(tasks() / runners + r);
  std::vector<std::uint64_t> sums(runners, 0);
  {
    watchdog guard(600s, "the concurrent resumption programs");
    TypeParam s(workers);
    std::vector<std::thread> threads;
    for (std::uint32_t r = 0; r < runners; ++r) {
      threads.emplace_back([&, r] { sums[r] = s.run(programs[r].root()); });
    }
    for (std::thread& t : threads) t.join();
  }
  for (std::uint32_t r = 0; r < runners; ++r) {
    SCOPED_TRACE("runner " + std::to_string(r));
    EXPECT_EQ(sums[r], programs[r].expected_sum());
    EXPECT_EQ(programs[r].miscounted(), std::vector<std::string>{});
  }
}

}  // namespace
