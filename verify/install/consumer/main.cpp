// Uses one structure of each folder through the installed include paths.
#include <lockstep/locked/stack.hpp>
#include <lockstep/lockfree/treiber_stack.hpp>

#include <cstdio>
#include <thread>

int main() {
  lockstep::lockfree::treiber_stack<int> lock_free;
  lockstep::locked::stack<int> locked;
  std::thread producer([&] {
    for (int i = 1; i <= 1000; ++i) {
      lock_free.push(i);
      locked.push(i);
    }
  });
  producer.join();
  long sum = 0;
  while (auto v = lock_free.try_pop()) sum += *v;
  while (auto v = locked.try_pop()) sum += *v;
  std::printf("consumer: sum %ld\n", sum);
  return sum == 2 * 500500 ? 0 : 1;
}
