// Mutation: mcs_lock hands the lock to its successor with a relaxed store.
//
// MUTATE locked/mcs_lock.hpp
// - successor->waiting.store(false, sync::release);
// + successor->waiting.store(false, sync::relaxed);
//
// Only the contended path changes: the uncontended release (the CAS of the tail back to empty)
// still orders critical sections, so the bug shows only when a waiter is queued behind the
// holder. The waiter then leaves its spin on a flag whose clearing publishes nothing, and the
// protected counter's accesses race. The check passes only if Relacy reports that data race.
#include "../relacy/model_check.hpp"

#include <lockstep/locked/mcs_lock.hpp>

using namespace lockstep;

namespace {

struct counter_under_lock : rl::test_suite<counter_under_lock, 2> {
  locked::mcs_lock lock;
  sync::plain<unsigned> counter{0u};

  void thread(unsigned) {
    lock.lock();
    counter.store(counter.load() + 1);
    lock.unlock();
  }
  void after() { RL_ASSERT(counter.load() == 2); }
};

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<counter_under_lock>("mcs_lock with a relaxed handoff: critical sections race",
                                     verify::search::bounded(3), rl::test_result_data_race);
  return checks.result();
}
