// Go's nil-channel idiom, for threads: merge two channels into one until both are closed. An
// input that closed is set to null, which disables its select case (a nil channel's case never
// fires), so the loop keeps no state of which inputs are still open (docs/patterns.md compares
// it with the three-branch state machine it replaces). Prints 1 to 5, in the order they merge.
#include <lockstep/locked/channel.hpp>
#include <lockstep/locked/select.hpp>

#include <cstdio>
#include <optional>
#include <thread>

template <class T>
using chan = lockstep::locked::channel<T>;

void merge(chan<int>* a, chan<int>* b, chan<int>& out) {
  while (a != nullptr || b != nullptr) {
    std::optional<int> x, y;
    switch (select(on_recv(a, x), on_recv(b, y))) {
      case 0:
        if (!x) {  // a is closed: from now on its case is disabled
          a = nullptr;
          continue;
        }
        out.send(*x);
        break;
      case 1:
        if (!y) {  // b is closed
          b = nullptr;
          continue;
        }
        out.send(*y);
        break;
    }
  }
  out.close();
}

int main() {
  chan<int> a(0), b(0), out(0);
  std::jthread odd([&] {
    for (int v = 1; v < 6; v += 2) a.send(v);
    a.close();
  });
  std::jthread even([&] {
    for (int v = 2; v < 6; v += 2) b.send(v);
    b.close();
  });
  std::jthread merger([&] { merge(&a, &b, out); });
  for (int v : out) std::printf("%d\n", v);
}
