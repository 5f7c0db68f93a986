// The Go original's pizza restaurant on locked::channel: an order taker sends orders 1-5, three
// cooks take 0.1-1 s each over them, and the waiter prints "Delivered order N" as they come out.
// --fast skips the cooking time (the test runs it so); the exit status says whether every order
// was delivered exactly once.
#include <lockstep/examples/fan_in_fan_out.hpp>
#include <lockstep/locked/channel.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string_view>
#include <thread>

int main(int argc, char** argv) {
  const bool fast = argc == 2 && std::string_view(argv[1]) == "--fast";
  if (argc > 1 && !fast) {
    std::fprintf(stderr, "usage: %s [--fast]\n", argv[0]);
    return 2;
  }
  constexpr std::uint64_t orders = 5;
  constexpr std::size_t cooks = 3;

  lockstep::examples::fan_in_fan_out_hooks hooks;
  if (!fast) {
    hooks.cook = [](std::uint64_t) {
      thread_local std::mt19937_64 random(std::random_device{}());
      std::uniform_real_distribution<double> seconds(0.1, 1.0);  // Go's minWait, maxWait
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds(random)));
    };
  }
  hooks.deliver = [](std::uint64_t order) {
    std::printf("Delivered order %llu\n", static_cast<unsigned long long>(order));
  };

  // Unbuffered, as Go's make(chan int).
  const std::uint64_t delivered =
      lockstep::examples::fan_in_fan_out<lockstep::locked::channel>(orders, cooks, 0, hooks);
  return delivered == orders * (orders + 1) / 2 ? 0 : 1;
}
