// Fan-out/fan-in with tasks, the Go original's pizza restaurant (docs/patterns.md): a producer
// sends orders 1-5, three cooks take 0.1-1 s each over them, and the aggregator prints
// "Delivered order N" as they come out. --fast skips the cooking (the test runs it so).
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/sched/scheduler.hpp>
#include <lockstep/sched/sleep.hpp>
#include <lockstep/sched/wait_group.hpp>

#include <chrono>
#include <cstdio>
#include <random>
#include <string_view>

namespace sched = lockstep::sched;
template <class T>
using chan = lockstep::lockfree::channel<T>;

double min_wait = 0.1, max_wait = 1.0;  // cooks wait randomly 0.1 - 1 second

sched::task<void> worker(chan<int>& input, chan<int>& output, sched::wait_group& wg) {
  std::mt19937_64 random(std::random_device{}());  // in the frame: a task changes threads
  std::uniform_real_distribution<double> seconds(min_wait, max_wait);
  while (auto v = co_await input.async_recv()) {
    co_await sched::sleep_for(std::chrono::duration<double>(seconds(random)));
    co_await output.async_send(*v);
  }
  wg.done();
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "--fast") min_wait = max_wait = 0;
  chan<int> input(0), output(0);  // unbuffered, as make(chan int)
  sched::wait_group wg;
  sched::scheduler s(2);  // last: its destructor joins every task before what they use goes

  // Start workers
  wg.add(3);
  for (int i = 0; i < 3; ++i) s.spawn(worker(input, output, wg));

  // Producer
  s.go([&]() -> sched::task<void> {
    for (int i = 1; i < 6; ++i) co_await input.async_send(i);  // 1-5 orders
    input.close();
  });

  // Close output when all workers are done
  s.go([&]() -> sched::task<void> {
    co_await wg.wait();
    output.close();
  });

  // Aggregator
  s.run([&]() -> sched::task<void> {
    while (auto order = co_await output.async_recv()) std::printf("Delivered order %d\n", *order);
  }());
}
