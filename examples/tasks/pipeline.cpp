// A pipeline of tasks, the Go original's car factory assembly line (docs/patterns.md): a
// producer sends 1-5, stage 1 doubles each value, stage 2 multiplies it by five, and the sink
// prints "Final output N" for 10, 20, ... 50. Each stage closes its output once its input is
// closed and drained, so closing the first channel shuts the line down in order.
#include <lockstep/locked/channel.hpp>
#include <lockstep/sched/scheduler.hpp>

#include <cstdio>

namespace sched = lockstep::sched;
template <class T>
using chan = lockstep::locked::channel<T>;

sched::task<void> stage(chan<int>& in, chan<int>& out, int factor) {
  while (auto v = co_await in.async_recv()) co_await out.async_send(*v * factor);
  out.close();
}

int main() {
  chan<int> stage1_ch(0), stage2_ch(0), stage3_ch(0);  // unbuffered, as make(chan int)
  sched::scheduler s(2);  // last: its destructor joins every task before what they use goes

  // Producer
  s.go([&]() -> sched::task<void> {
    for (int i = 1; i < 6; ++i) co_await stage1_ch.async_send(i);  // 1-5
    stage1_ch.close();
  });

  // Pipeline
  s.spawn(stage(stage1_ch, stage2_ch, 2));  // 1-5 -> 2-10
  s.spawn(stage(stage2_ch, stage3_ch, 5));  // 2-10 -> 10-50

  // Sink
  s.run([&]() -> sched::task<void> {
    while (auto v = co_await stage3_ch.async_recv()) std::printf("Final output %d\n", *v);
  }());
}
