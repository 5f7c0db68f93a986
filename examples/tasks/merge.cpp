// Go's nil-channel idiom, with tasks: merge two channels into one until both are closed. An
// input that closed is set to null, which disables its case in async_select (a nil channel's
// case never fires), so the loop keeps no state of which inputs are still open (docs/patterns.md
// compares it with the three-branch state machine it replaces). Prints 1 to 5, in the order
// they merge.
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/lockfree/select.hpp>
#include <lockstep/sched/scheduler.hpp>

#include <cstdio>
#include <optional>

namespace sched = lockstep::sched;
template <class T>
using chan = lockstep::lockfree::channel<T>;

sched::task<void> merge(chan<int>* a, chan<int>* b, chan<int>& out) {
  while (a != nullptr || b != nullptr) {
    std::optional<int> x, y;
    switch (co_await async_select(on_recv(a, x), on_recv(b, y))) {
      case 0:
        if (!x) {  // a is closed: from now on its case is disabled
          a = nullptr;
          continue;
        }
        co_await out.async_send(*x);
        break;
      case 1:
        if (!y) {  // b is closed
          b = nullptr;
          continue;
        }
        co_await out.async_send(*y);
        break;
    }
  }
  out.close();
}

int main() {
  chan<int> a(0), b(0), out(0);
  sched::scheduler s(2);  // last: its destructor joins every task before what they use goes
  s.go([&]() -> sched::task<void> {
    for (int v = 1; v < 6; v += 2) co_await a.async_send(v);
    a.close();
  });
  s.go([&]() -> sched::task<void> {
    for (int v = 2; v < 6; v += 2) co_await b.async_send(v);
    b.close();
  });
  s.spawn(merge(&a, &b, out));
  s.run([&]() -> sched::task<void> {
    while (auto v = co_await out.async_recv()) std::printf("%d\n", *v);
  }());
}
