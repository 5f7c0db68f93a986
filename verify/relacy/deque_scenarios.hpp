// Model-check scenarios for any work-stealing deque (sync::work_stealing_deque): thread 0 is the
// owner, the others are thieves. Asserted in every explored execution:
//   - nothing lost, nothing duplicated: every value pushed (in before() or by the owner) is
//     taken exactly once, by a pop, a steal or the drain in after(), and nothing else comes out;
//   - the owner's end is LIFO: a pop returns the newest value the owner pushed and has not
//     popped, or nothing; and nothing means the thieves took every older one, so the owner
//     forgets them;
//   - the thieves' end is FIFO: one thief's steals come out in push order (the top only grows,
//     and a value further from it was pushed later).
#pragma once

#include <lockstep/verify/model_check.hpp>

#include <array>
#include <cstddef>
#include <optional>

namespace lockstep::verify {

// Preloaded values pushed in before() (1, 2, ...), then the owner's Rounds rounds: a push
// while it has Pushes left, then a pop while it has Pops left. Each of Thieves thieves steals
// Steals times. Values are pushed in increasing order, so order is a comparison.
template <class Deque, unsigned Preloaded, unsigned Pushes, unsigned Pops, unsigned Thieves,
          unsigned Steals>
struct owner_and_thieves
    : rl::test_suite<owner_and_thieves<Deque, Preloaded, Pushes, Pops, Thieves, Steals>,
                     1 + Thieves> {
  static constexpr unsigned values = Preloaded + Pushes;
  static constexpr unsigned rounds = Pushes > Pops ? Pushes : Pops;

  Deque deque;
  std::array<std::array<int, Steals>, Thieves> stolen{};
  std::array<int, Pops> popped{};
  // The owner's view: the values it pushed and has neither popped nor seen stolen.
  std::array<int, values> own{};
  std::size_t own_size = 0;

  void before() {
    for (unsigned v = 1; v <= Preloaded; ++v) push(static_cast<int>(v));
  }

  void thread(unsigned t) {
    if (t == 0) {
      for (unsigned i = 0; i < rounds; ++i) {
        if (i < Pushes) push(static_cast<int>(Preloaded + 1 + i));
        if (i < Pops) popped.at(i) = pop();
      }
    } else {
      for (unsigned i = 0; i < Steals; ++i) stolen[t - 1][i] = deque.steal().value_or(0);
    }
  }

  void after() {
    std::array<int, values + 1> taken{};
    const auto take = [&](int v) {
      const bool pushed = v >= 1 && v <= static_cast<int>(values);
      RL_ASSERT(pushed);
      if (pushed) taken[static_cast<unsigned>(v)] += 1;
    };
    for (int v : popped) {
      if (v != 0) take(v);
    }
    for (const auto& by_thief : stolen) {
      int last = 0;
      for (int v : by_thief) {
        if (v == 0) continue;
        take(v);
        RL_ASSERT(v > last);  // FIFO as one thief sees it
        last = v;
      }
    }
    while (std::optional<int> v = deque.pop()) take(*v);
    for (unsigned v = 1; v <= values; ++v) RL_ASSERT(taken[v] == 1);
  }

 private:
  void push(int v) {
    deque.push(v);
    own.at(own_size++) = v;  // at(): g++ cannot see the bound
  }

  int pop() {
    const std::optional<int> v = deque.pop();
    if (!v) {
      own_size = 0;  // the thieves took everything below
      return 0;
    }
    RL_ASSERT(own_size > 0 && *v == own.at(own_size - 1));  // LIFO as the owner sees it
    --own_size;
    return *v;
  }
};

}  // namespace lockstep::verify
