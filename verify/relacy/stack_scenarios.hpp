// Model-check scenarios for any stack with push(T) and try_pop() -> std::optional<T>: the
// stack contract, asserted after every explored execution.
//   - nothing lost, nothing duplicated: every pushed value is popped or left on the stack
//     (drained in after()) exactly once, and nothing else comes out;
//   - LIFO where one thread can observe it: if a thread pushed a and then b and later popped
//     both itself, it popped b first (popping a requires b to be gone from above it, and b
//     cannot come out twice).
#pragma once

#include <lockstep/verify/model_check.hpp>

#include <array>
#include <optional>

namespace lockstep::verify {

// Values are 1 + thread * 16 + sequence, so each is unique and names its pusher.
inline int stack_value(unsigned thread, unsigned sequence) {
  return static_cast<int>(1 + thread * 16 + sequence);
}

template <class Stack, unsigned Threads, unsigned Values>
struct stack_contract {
  std::array<int, Threads * 16 + 1> seen{};

  void record(int v) {
    RL_ASSERT(v > 0 && v < static_cast<int>(seen.size()));
    seen[static_cast<unsigned>(v)] += 1;
    RL_ASSERT(seen[static_cast<unsigned>(v)] == 1);
  }

  // `pushed(v)` says whether the scenario pushed v (including values pushed in before()).
  template <class Pushed>
  void drain_and_check(Stack& stack, Pushed pushed) {
    while (std::optional<int> v = stack.try_pop()) record(*v);
    for (unsigned v = 1; v < seen.size(); ++v) {
      RL_ASSERT(seen[v] == (pushed(static_cast<int>(v)) ? 1 : 0));
    }
  }
};

// Each of Threads threads pushes Ops values, then pops Ops times.
template <class Stack, unsigned Threads, unsigned Ops>
struct push_then_pop : rl::test_suite<push_then_pop<Stack, Threads, Ops>, Threads> {
  Stack stack;
  std::array<std::array<int, Ops>, Threads> popped{};

  void thread(unsigned t) {
    for (unsigned i = 0; i < Ops; ++i) stack.push(stack_value(t, i));
    for (unsigned i = 0; i < Ops; ++i) popped[t][i] = stack.try_pop().value_or(0);
  }

  void after() {
    stack_contract<Stack, Threads, Ops> contract;
    for (unsigned t = 0; t < Threads; ++t) {
      for (int v : popped[t]) {
        if (v != 0) contract.record(v);
      }
      // LIFO as observed by the pusher: its own values come back newest first.
      int last_own = 1 << 30;
      for (int v : popped[t]) {
        if (v == 0 || static_cast<unsigned>(v - 1) / 16 != t) continue;
        RL_ASSERT(v < last_own);
        last_own = v;
      }
    }
    contract.drain_and_check(stack, [](int v) {
      return static_cast<unsigned>(v - 1) / 16 < Threads && static_cast<unsigned>(v - 1) % 16 < Ops;
    });
  }
};

// The ABA scenario: the stack starts as [2, 1] (2 on top, in node A; 1 in node B). Thread 0
// pops once; thread 1 pops SecondPop ? twice : once; thread 2 pushes once. (With one pop each,
// it is the smallest three-thread interleaving of a recycled node.) Thread 0 can read top = A and
// next = B, then be overtaken: thread 1 pops A (A returns to the pool) and unlinks B, and
// thread 2's push reuses A while the stack is empty, so A is on top again with next = null.
// An untagged CAS then succeeds and installs B, a node that is no longer on the stack:
// values are lost or come out twice.
template <class Stack, bool SecondPop = true>
struct pop_pop_push : rl::test_suite<pop_pop_push<Stack, SecondPop>, 3> {
  Stack stack;
  std::array<int, 3> popped{};
  int second_pop = 0;

  void before() {
    stack.push(stack_value(3, 0));
    stack.push(stack_value(3, 1));
  }

  void thread(unsigned t) {
    if (t == 0) {
      popped[t] = stack.try_pop().value_or(0);
    } else if (t == 1) {
      popped[t] = stack.try_pop().value_or(0);
      if (SecondPop) second_pop = stack.try_pop().value_or(0);
    } else {
      stack.push(stack_value(t, 0));
    }
  }

  void after() {
    stack_contract<Stack, 4, 2> contract;
    for (int v : popped) {
      if (v != 0) contract.record(v);
    }
    if (second_pop != 0) contract.record(second_pop);
    contract.drain_and_check(stack, [](int v) {
      return v == stack_value(2, 0) || v == stack_value(3, 0) || v == stack_value(3, 1);
    });
  }
};

}  // namespace lockstep::verify
