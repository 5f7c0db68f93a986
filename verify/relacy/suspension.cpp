// Model check of sync::suspension's shutdown path (sync/executor.hpp): a waiter whose frame goes
// while it is suspended, after its withdrawal lost to a waker (lockfree/channel.hpp's and
// lockfree/select.hpp's awaitable destructors). The waiter then calls await_waker() and frees
// the suspension with its frame; the waker, between its win and resume(), still writes the
// outcome (as a resumer writes the cell) and then arrives. Relacy reports an access to freed
// memory if await_waker() lets the frame go before the waker's arrival, and a data race on the
// outcome if it does not acquire the waker's writes. The executor is shutting down: it counts
// the make_ready calls and drops the handle, which must come exactly when the waiter suspended.
#include <lockstep/verify/model_check.hpp>

#include <coroutine>

#include <lockstep/sync/executor.hpp>
#include <lockstep/sync/plain.hpp>
#include <lockstep/sync/sync.hpp>

using namespace lockstep;

namespace {

// A scheduler shutting down: a handle made ready is dropped, not resumed.
class dropping_executor final : public sync::executor {
 public:
  void make_ready(std::coroutine_handle<>) override { ++made_ready_; }
  void start_timer(sync::timer&) override {}
  void stop_timer(sync::timer&) override {}
  unsigned made_ready() const { return made_ready_; }

 private:
  unsigned made_ready_ = 0;
};

// The frame's part of the wait: the suspension and the outcome its waker writes.
struct frame {
  explicit frame(sync::executor& e) : waiter({std::noop_coroutine(), &e}) {}
  sync::suspension waiter;
  sync::plain<int> outcome{0};
};

// Thread 0 is the waiter: it suspends, then (its frame destroyed, its withdrawal lost) waits for
// the waker and frees the frame. Thread 1 is the waker that won: it writes the outcome, then
// resumes. A waiter that did not suspend (the waker was first) continues and reads the outcome.
struct destroyed_while_suspended : rl::test_suite<destroyed_while_suspended, 2> {
  dropping_executor e;
  frame* f = nullptr;
  bool suspended = false;

  void before() { f = new frame(e); }

  void thread(unsigned t) {
    if (t == 1) {
      f->outcome.write() = 1;
      f->waiter.resume();
      return;
    }
    suspended = f->waiter.suspend();
    if (suspended) f->waiter.await_waker();
    RL_ASSERT(f->outcome.read() == 1);  // the waker's write, acquired by E1
    delete f;
  }

  void after() { RL_ASSERT(e.made_ready() == (suspended ? 1u : 0u)); }
};

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.pass<destroyed_while_suspended>(
      "suspension: a frame destroyed while suspended waits for the waker that won",
      checks.bounded(2, 3));
  return checks.result();
}
