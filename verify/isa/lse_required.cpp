// The LSE build's double-width atomic runs casp, which only CPUs with the Armv8.1 atomics have.
// On one without them it must refuse to be constructed, with an exception that says why,
// instead of the program dying of SIGILL at its first operation. Run under qemu-aarch64 with an
// Armv8.0 CPU (-cpu cortex-a53) it must be refused; on the default CPU, which has LSE, it must
// be constructed and its CAS must work.
#include <lockstep/hazard/tagged_ptr.hpp>
#include <lockstep/sync/sync.hpp>

#include <cstdio>
#include <stdexcept>
#include <string_view>

int main(int argc, char** argv) {
  const std::string_view mode = argc == 2 ? argv[1] : "";
  if (mode != "--expect-refusal" && mode != "--expect-success") {
    std::fprintf(stderr, "usage: %s --expect-refusal | --expect-success\n", argv[0]);
    return 2;
  }
  const bool expect_refusal = mode == "--expect-refusal";
  using link = lockstep::hazard::tagged_ptr128<int>;
  try {
    lockstep::sync::atomic<link> head;
    int x = 0;
    link expected = head.load();
    const bool swapped = head.compare_exchange_strong(expected, expected.successor(&x));
    std::printf("constructed; its CAS %s\n", swapped ? "swapped" : "failed");
    return !expect_refusal && swapped && head.load() == link(&x, 1) ? 0 : 1;
  } catch (const std::runtime_error& refusal) {
    std::printf("refused: %s\n", refusal.what());
    return expect_refusal ? 0 : 1;
  }
}
