// The negative control of the no-hidden-lock check: a 16-byte CAS through std::atomic, which
// g++ compiles to a call of libatomic's __atomic_compare_exchange_16 (std::atomic of 16 bytes is
// not lock-free there). The check must flag this binary, or it proves nothing about the others.
#include <atomic>
#include <cstdio>

__extension__ typedef unsigned __int128 u128;

int main() {
  std::atomic<u128> value{0};
  u128 expected = 0;
  const bool swapped = value.compare_exchange_strong(expected, 1);
  std::printf("%d %d\n", swapped ? 1 : 0, value.is_lock_free() ? 1 : 0);
  return swapped ? 0 : 1;
}
