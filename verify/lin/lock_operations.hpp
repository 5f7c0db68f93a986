// The operation list (operations.hpp) of a lock as an abstract type, for either driver: a counter
// whose every access takes the lock, specified by a plain sequential counter. If the lock let
// two critical sections overlap, an increment would be lost or a value read twice, and the
// history would not be linearizable; under the model checker, critical sections the lock left
// unordered by happens-before are reported first, as a data race on the sync::plain counter.
//
//   lin::check_threads(lin::lock_operations<my_lock>());                // real threads
//   lin::model_check<3>(checks, "my_lock", lin::lock_operations<my_lock>());  // Relacy
//
// The lock is default-constructed and taken with std::lock_guard (lock() and unlock()).
#pragma once

#include <mutex>

#include <lockstep/sync/plain.hpp>

#include "operations.hpp"

namespace lockstep::verify::lin {

template <class Lock>
struct guarded_counter {
  Lock lock;
  sync::plain<int> value{0};
};

struct guarded_counter_model {
  int value = 0;
  friend bool operator==(const guarded_counter_model&, const guarded_counter_model&) = default;
};

// increment() -> the value before it, get() -> the value.
template <class Lock>
auto lock_operations() {
  using object = guarded_counter<Lock>;
  return operations<object, guarded_counter_model>(
      op(
          "increment",
          [](object& c) {
            std::lock_guard hold(c.lock);
            const int v = c.value.load();
            c.value.store(v + 1);
            return v;
          },
          [](guarded_counter_model& m) { return m.value++; }),
      op(
          "get",
          [](object& c) {
            std::lock_guard hold(c.lock);
            return c.value.load();
          },
          [](guarded_counter_model& m) { return m.value; }));
}

}  // namespace lockstep::verify::lin
