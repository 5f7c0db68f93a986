// Every lock as an abstract type under real threads, with the generic driver of verify/lin
// (threads.hpp): a counter incremented and read under the lock (lock_operations.hpp). The same
// operations run inside the model checker in verify/relacy/lin_locks.cpp.
#include <lockstep/verify/lin/lock_operations.hpp>
#include <lockstep/verify/lin/threads.hpp>

#include <cstdio>

#include <lockstep/locked/futex_lock.hpp>
#include <lockstep/locked/mcs_lock.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/locked/tatas_lock.hpp>
#include <lockstep/locked/ticket_lock.hpp>

#include <gtest/gtest.h>

namespace {

namespace lin = lockstep::verify::lin;
namespace locked = lockstep::locked;

template <class Lock>
class lin_lock : public ::testing::Test {};
using locks = ::testing::Types<locked::std_mutex, locked::tatas_lock, locked::ticket_lock,
                               locked::mcs_lock, locked::futex_lock>;
TYPED_TEST_SUITE(lin_lock, locks);

TYPED_TEST(lin_lock, a_counter_under_the_lock_is_linearizable) {
  lin::thread_options options;
  options.max_threads = 4;  // twice the cores of the 2-core machines the stress rule is about
  // A third of the default: every lock's critical section is the same few instructions, and on
  // a loaded 2-core machine 3,000 histories of 4 threads took 16-24 s per lock (0.7 s of CPU).
  options.scenarios = lin::default_scenarios / 3;
  const lin::scenario_report r = lin::run_threads(lin::lock_operations<TypeParam>(), options);
  EXPECT_TRUE(r) << r.counterexample;
  std::printf("%u scenarios, %u runs (seed %llu)\n", r.scenarios_run, r.runs,
              static_cast<unsigned long long>(r.seed));
}

}  // namespace
