// Fan-out / fan-in, the pizza restaurant of the Go original: one order taker sends the orders
// 1..n into an input channel, several cooks take orders from it (fan-out) and pass each one to
// a single output channel (fan-in), and a waiter — the calling thread — delivers what comes out.
//
//                 +--> cook 1 --+
//   order taker --+--> cook 2 --+--> waiter
//                 +--> cook 3 --+
//
// The shape is Go's: the cooks are started with wait_group::go (Go 1.25's
// wg.Go); the order taker closes the input when every order is sent (`defer close(input)`),
// which ends each cook's range loop; one more thread waits for the cooks and then closes the
// output (`go func() { wg.Wait(); close(output) }()`), which ends the waiter's range loop. No
// value is lost or duplicated because each order is received from the input exactly once and
// sent to the output exactly once, and the output is closed only after every cook's last send.
//
// Templated over the channel family (locked::channel, lockfree::channel), with no sleeps and a
// fixed number of orders, so the same function is a test and a benchmark workload; the hooks let
// the demo program reproduce the Go original's random cooking time and its printing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>

#include <lockstep/locked/wait_group.hpp>

namespace lockstep::examples {

struct fan_in_fan_out_hooks {
  // Runs in a cook's thread for each order before it goes to the waiter (the Go original sleeps
  // 0.1–1 s here).
  std::function<void(std::uint64_t order)> cook;
  // Runs in the waiter (the calling thread) for each delivered order.
  std::function<void(std::uint64_t order)> deliver;
};

// Sends the orders 1..orders through `cooks` cook threads, every channel with the given capacity
// (0: unbuffered, as in the Go original). Returns the sum of the delivered orders, which is
// orders * (orders + 1) / 2 exactly when each order was delivered once.
template <template <class> class Channel>
std::uint64_t fan_in_fan_out(std::size_t orders, std::size_t cooks, std::size_t capacity,
                             const fan_in_fan_out_hooks& hooks) {
  if (cooks == 0) throw std::invalid_argument("fan_in_fan_out: at least one cook is needed");
  Channel<std::uint64_t> input(capacity);
  Channel<std::uint64_t> output(capacity);

  // The cooks, and Go's two anonymous goroutines: the thread that closes the output once the
  // cooks are done, and the order taker. Declared in this order, so that on the way out the
  // latter two are joined before the cooks.
  locked::wait_group kitchen;
  locked::wait_group front;
  // Go starts the order taker before the closer; here it starts last, because until it runs no
  // order is in flight and closing the input unwinds whatever did start. So if a thread cannot
  // be started (std::system_error), the cooks' loops end, the closer (if it started) closes the
  // output, and every thread that exists can be joined.
  try {
    for (std::size_t c = 0; c < cooks; ++c) {
      kitchen.go([&] {
        for (std::uint64_t order : input) {
          if (hooks.cook) hooks.cook(order);
          output.send(order);
        }
      });
    }
    front.go([&] {
      kitchen.wait();
      output.close();
    });
    front.go([&] {
      for (std::uint64_t order = 1; order <= orders; ++order) input.send(order);
      input.close();
    });
  } catch (...) {
    input.close();
    throw;
  }

  std::uint64_t delivered = 0;
  try {
    for (std::uint64_t order : output) {
      if (hooks.deliver) hooks.deliver(order);
      delivered += order;
    }
  } catch (...) {
    // The cooks block on the output until someone receives: drain it, so that they finish and
    // the wait_groups' destructors can join them, instead of deadlocking the unwinding.
    for ([[maybe_unused]] std::uint64_t order : output) {
    }
    throw;
  }
  front.wait();
  return delivered;
}

template <template <class> class Channel>
std::uint64_t fan_in_fan_out(std::size_t orders, std::size_t cooks, std::size_t capacity) {
  return fan_in_fan_out<Channel>(orders, cooks, capacity, fan_in_fan_out_hooks{});
}

}  // namespace lockstep::examples
