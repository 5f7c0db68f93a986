// Peterson's lock with release/acquire: the store-buffering bug must be reported.
#include <lockstep/verify/model_check.hpp>

#include "peterson.hpp"

struct peterson_buggy_check {  // constructed afresh for every execution the checker explores
  peterson_release_acquire lock;
  lockstep::sync::plain<int> counter{0};
  void thread(unsigned id) { lock.lock(id); counter.store(counter.load() + 1); lock.unlock(id); }
  void after() { LOCKSTEP_ASSERT(counter.load() == 2); }
};

int main(int argc, char** argv) {
  return lockstep::verify::model<2, peterson_buggy_check>(argc, argv);
}
