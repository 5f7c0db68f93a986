// The Go original's assembly line on locked::channel: a producer sends 1-5, stage 1 doubles each
// value, stage 2 multiplies it by five, and the sink prints "Final output N" (10, 20, ... 50).
// It has no sleeps; --fast is accepted so that every example runs the same way under test. The
// exit status says whether every value passed both stages exactly once.
#include <lockstep/examples/pipeline.hpp>
#include <lockstep/locked/channel.hpp>

#include <cstdint>
#include <cstdio>
#include <string_view>

int main(int argc, char** argv) {
  if (argc > 2 || (argc == 2 && std::string_view(argv[1]) != "--fast")) {
    std::fprintf(stderr, "usage: %s [--fast]\n", argv[0]);
    return 2;
  }
  const std::uint64_t total = lockstep::examples::pipeline<lockstep::locked::channel>(
      5,
      {
          [](std::uint64_t v) { return v * 2; },  // 1-5 -> 2-10
          [](std::uint64_t v) { return v * 5; },  // 2-10 -> 10-50
      },
      0,  // unbuffered, as Go's make(chan int)
      [](std::uint64_t value) {
        std::printf("Final output %llu\n", static_cast<unsigned long long>(value));
      });
  return total == 150 ? 0 : 1;
}
