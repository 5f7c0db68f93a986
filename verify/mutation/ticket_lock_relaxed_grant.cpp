// Mutation: ticket_lock grants the next ticket with a relaxed store.
//
// MUTATE locked/ticket_lock.hpp
// - now_serving_.store(now_serving_.load(sync::relaxed) + 1, sync::release);
// + now_serving_.store(now_serving_.load(sync::relaxed) + 1, sync::relaxed);
//
// The waiter's acquire load of now serving then synchronises with nothing: it is granted the
// lock without the previous critical section happening before its own, and the protected
// counter's accesses race. The check passes only if Relacy reports that data race.
#include "../relacy/model_check.hpp"

#include <lockstep/locked/ticket_lock.hpp>

using namespace lockstep;

namespace {

struct counter_under_lock : rl::test_suite<counter_under_lock, 2> {
  locked::ticket_lock lock;
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
  checks.catches<counter_under_lock>("ticket_lock with a relaxed grant: critical sections race",
                                     verify::search::full(), rl::test_result_data_race);
  return checks.result();
}
