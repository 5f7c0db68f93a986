// Skynet over channels, Go's classic: each node starts ten children and sums what they send
// back on a channel, down to 10^6 leaves numbered 0..999999; prints
// "Result: 499999500000 in N ms." --fast builds 10^4 leaves (49995000).
#include <lockstep/locked/channel.hpp>
#include <lockstep/sched/scheduler.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string_view>

namespace sched = lockstep::sched;
template <class T>
using chan = lockstep::locked::channel<T>;

// A node's channel is shared with its children, as Go's garbage collector would keep it: a
// child may still be inside its send when the parent has its ten sums and returns.
sched::task<void> skynet(std::shared_ptr<chan<long>> c, long num, long size, long div) {
  if (size == 1) {
    co_await c->async_send(num);
    co_return;
  }
  auto rc = std::make_shared<chan<long>>(0);
  long sum = 0;
  for (long i = 0; i < div; ++i) sched::spawn(skynet(rc, num + i * (size / div), size / div, div));
  for (long i = 0; i < div; ++i) sum += *co_await rc->async_recv();
  co_await c->async_send(sum);
}

int main(int argc, char** argv) {
  const long size = argc > 1 && std::string_view(argv[1]) == "--fast" ? 10'000 : 1'000'000;
  auto c = std::make_shared<chan<long>>(0);
  sched::scheduler s(2);
  const auto start = std::chrono::steady_clock::now();
  s.spawn(skynet(c, 0, size, 10));
  const long result = s.run([&]() -> sched::task<long> { co_return *co_await c->async_recv(); }());
  const auto took = std::chrono::steady_clock::now() - start;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  std::printf("Result: %ld in %lld ms.\n", result, static_cast<long long>(ms));
}
