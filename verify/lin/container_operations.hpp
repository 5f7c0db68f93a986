// Operation lists (operations.hpp) for the abstract types of sync/containers.hpp, so that a queue
// or a stack — the library's or a user's — is lin-checked by either driver in one line:
//
//   lin::model_check(lin::queue_operations<my_queue>(), argc, argv);
//
// Each pushed value is fresh (1, 2, 3, ... in the order the scenario was generated), so a value
// popped twice, invented or popped out of order cannot be mistaken for another push of it.
//   queue_operations<Q>(capacity): push(v) (unbounded) or try_push(v) -> true | false (bounded: false
//     exactly when the model holds capacity values), try_pop() -> v | none (none exactly when it
//     holds none), and with
//     queue_operations<Q, queries::empty>, empty() -> bool;
//   stack_operations<S>(): push(v), try_pop() -> v | none, LIFO.
// A bounded queue's capacity is the one the queue really has (q.capacity() after rounding), as
// given by the caller; the object under test is default-constructed, so a bounded queue is
// wrapped (verify::constructed_with<Q, 2>, or the user's own wrapper).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>

#include <lockstep/sync/containers.hpp>

#include "operations.hpp"

namespace lockstep::verify::lin {

// A generator of fresh values: 1, 2, 3, ... across one operation list's scenarios.
template <class T>
struct fresh {
  mutable T next{};
  T operator()(std::mt19937_64&) const { return ++next; }
};

// The sequential containers: the values in order (front first); equal contents, equal states.
struct fifo_model {
  std::deque<int> items;
  friend bool operator==(const fifo_model&, const fifo_model&) = default;
};

struct lifo_model {
  std::deque<int> items;  // top last
  friend bool operator==(const lifo_model&, const lifo_model&) = default;
};

template <class Items>
std::string show_items(const char* what, const Items& items) {
  std::string text = std::string(what) + " [";
  for (std::size_t i = 0; i < items.size(); ++i) text += (i == 0 ? "" : ", ") + std::to_string(items[i]);
  return text + "]";
}

template <>
struct formatter<fifo_model> {
  static std::string show(const fifo_model& m) { return show_items("queue (front first)", m.items); }
};
template <>
struct formatter<lifo_model> {
  static std::string show(const lifo_model& m) { return show_items("stack (top last)", m.items); }
};

enum class queries { none, empty };

namespace detail {

template <class Q>
std::optional<int> pop_from(Q& q) {
  if (std::optional<typename Q::value_type> v = q.try_pop()) return static_cast<int>(*v);
  return std::nullopt;
}

}  // namespace detail

template <class Q, queries Asked = queries::none>
auto queue_operations(std::size_t capacity = 0) {
  auto pop = op(
      "try_pop", [](Q& q) { return detail::pop_from(q); },
      [](fifo_model& m) -> std::optional<int> {
        if (m.items.empty()) return std::nullopt;
        const int v = m.items.front();
        m.items.pop_front();
        return v;
      });
  auto push = [capacity] {
    if constexpr (sync::bounded_queue<Q>) {
      return op(
          "try_push", fresh<int>{}, [](Q& q, int v) { return q.try_push(v); },
          [capacity](fifo_model& m, int v) {
            if (m.items.size() == capacity) return false;
            m.items.push_back(v);
            return true;
          });
    } else {
      return op(
          "push", fresh<int>{}, [](Q& q, int v) { q.push(v); },
          [](fifo_model& m, int v) { m.items.push_back(v); });
    }
  }();
  if constexpr (Asked == queries::empty) {
    return operations<Q, fifo_model>(
        push, pop,
        op("empty", [](Q& q) { return q.empty(); }, [](fifo_model& m) { return m.items.empty(); }));
  } else {
    return operations<Q, fifo_model>(push, pop);
  }
}

template <class S>
auto stack_operations() {
  return operations<S, lifo_model>(
      op("push", fresh<int>{}, [](S& s, int v) { s.push(v); },
         [](lifo_model& m, int v) { m.items.push_back(v); }),
      op(
          "try_pop", [](S& s) { return detail::pop_from(s); },
          [](lifo_model& m) -> std::optional<int> {
            if (m.items.empty()) return std::nullopt;
            const int v = m.items.back();
            m.items.pop_back();
            return v;
          }));
}

}  // namespace lockstep::verify::lin
