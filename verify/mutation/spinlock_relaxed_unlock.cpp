// Mutation: tatas_lock releases with a relaxed store.
//
// MUTATE locked/tatas_lock.hpp
// - void unlock() { locked_.store(false, sync::release); }
// + void unlock() { locked_.store(false, sync::relaxed); }
//
// The next holder's acquiring exchange then reads a store that heads no release sequence, so
// nothing orders the previous critical section before its own: the protected counter's
// accesses race. The check passes only if Relacy reports that data race.
#include "../relacy/model_check.hpp"

#include <lockstep/locked/tatas_lock.hpp>

using namespace lockstep;

namespace {

struct counter_under_lock : rl::test_suite<counter_under_lock, 2> {
  locked::tatas_lock lock;
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
  checks.catches<counter_under_lock>("tatas_lock with a relaxed unlock: critical sections race",
                                     verify::search::full(), rl::test_result_data_race);
  return checks.result();
}
