// Sequential specifications: the one model per abstract type that every structure of that type,
// lock-free or lock-based, is checked against (checker.hpp).
//
// A specification is a sequential object's state, copyable, comparable and hashable (the checker
// memoises (linearized calls, state) pairs, so equal states must hash alike). Its one transition
// is step(operation, observed): if, in this state, the operation may answer `observed`, the
// state takes the operation and step returns true; otherwise step returns false and leaves the
// state as it was. A step rather than an apply(operation) -> result, so that a specification may
// allow several answers to one operation (a nondeterministic one, say a channel whose try_send
// may find no receiver); the ones here are deterministic, and each admits exactly one answer.
// It also describes itself, its operations and its results, for the counterexamples.
//
// To add an abstract type: an operation and a result type, a state class that models
// lin::specification, and, for the random driver (scenario.hpp), a workload — as the channel's
// in channel_spec.hpp.
//
// The containers (queues and stacks) share one vocabulary:
//   push(v)      -> ok                    an unbounded queue's or a stack's push
//   try_push(v)  -> ok | full             a bounded queue's; full exactly when size == capacity
//   try_pop()    -> v | empty             empty exactly when there is nothing to pop
//
// Some bounded queues document pessimistic answers (sync/containers.hpp allows that, and each
// header says when): Vyukov's ring answers "empty" while a producer that claimed the front
// position has not yet published it, and "full" while a consumer has not yet handed its cell
// on; SCQ answers "full" while slots are on their way between its two rings. Such an answer is
// not linearizable, but it is given only while another thread's call is in flight. For them a
// fifo_queue is made `pessimistic`: an "empty" that overlaps another thread's push, or a "full"
// that overlaps any call of another thread, is accepted in any state and changes nothing. The
// driver (scenario.hpp) marks those overlaps on the operation before the check. Everything else
// is checked as strictly as for any queue: the values, their order, and every answer given
// while no other thread was in a call, such as the final pops that must drain the queue.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#include <lockstep/sync/containers.hpp>

namespace lockstep::verify::lin {

template <class S>
concept specification =
    std::copyable<S> && std::equality_comparable<S> &&
    requires(S& s, const S& cs, const typename S::operation& op, const typename S::result& r) {
      { s.step(op, r) } -> std::same_as<bool>;
      { cs.hash() } -> std::convertible_to<std::size_t>;
      { cs.describe() } -> std::convertible_to<std::string>;
      { S::describe(op) } -> std::convertible_to<std::string>;
      { S::describe(r) } -> std::convertible_to<std::string>;
    };

// The containers' operations and answers. Values are the driver's unique integers.
enum class verb : std::uint8_t { push, try_push, try_pop };

struct container_op {
  verb what;
  std::int64_t value = 0;  // the pushed value; unused by try_pop
  // Set by the driver from the history, for pessimistic queues: the call overlapped a push of
  // another thread (beside_push), or some call of another thread (beside_call).
  bool beside_push = false;
  bool beside_call = false;

  static container_op push(std::int64_t v) { return {verb::push, v, false, false}; }
  static container_op try_push(std::int64_t v) { return {verb::try_push, v, false, false}; }
  static container_op try_pop() { return {verb::try_pop, 0, false, false}; }
  friend bool operator==(const container_op&, const container_op&) = default;
};

struct container_answer {
  enum class kind : std::uint8_t { ok, full, empty, popped };
  kind what;
  std::int64_t value = 0;  // the popped value; unused otherwise

  static container_answer ok() { return {kind::ok, 0}; }
  static container_answer full() { return {kind::full, 0}; }
  static container_answer empty() { return {kind::empty, 0}; }
  static container_answer popped(std::int64_t v) { return {kind::popped, v}; }
  friend bool operator==(const container_answer&, const container_answer&) = default;
};

namespace detail {

inline std::string describe(const container_op& op) {
  switch (op.what) {
    case verb::push:
      return "push(" + std::to_string(op.value) + ")";
    case verb::try_push:
      return "try_push(" + std::to_string(op.value) + ")";
    case verb::try_pop:
      break;
  }
  return "try_pop()";
}

inline std::string describe(const container_answer& a) {
  switch (a.what) {
    case container_answer::kind::ok:
      return "ok";
    case container_answer::kind::full:
      return "full";
    case container_answer::kind::empty:
      return "empty";
    case container_answer::kind::popped:
      break;
  }
  return std::to_string(a.value);
}

template <class Items>
std::string describe_items(const Items& items) {
  std::string text = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    text += (i == 0 ? "" : ", ") + std::to_string(items[i]);
  }
  return text + "]";
}

template <class Items>
std::size_t hash_items(const Items& items, std::size_t seed) {
  // FNV-1a over the values: states are small, and equal contents must hash alike.
  std::size_t h = seed ^ 14695981039346656037ull;
  for (std::int64_t v : items) {
    h ^= static_cast<std::size_t>(v);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace detail

// A FIFO queue, unbounded or with a capacity, exact or pessimistic (see above). push on a
// bounded queue is not an operation of the interface (sync::bounded_queue has try_push only), so
// the specification refuses it.
class fifo_queue {
 public:
  using operation = container_op;
  using result = container_answer;
  static constexpr std::size_t unbounded = std::numeric_limits<std::size_t>::max();

  fifo_queue() = default;
  explicit fifo_queue(std::size_t capacity, bool pessimistic = false)
      : capacity_(capacity), pessimistic_(pessimistic) {}

  // The specification of queue `q`: bounded by q.capacity() (the capacity the queue really has,
  // after rounding) if it is a bounded queue.
  template <class Q>
  static fifo_queue of(const Q& q, bool pessimistic = false) {
    if constexpr (sync::bounded_queue<Q>) {
      return fifo_queue(q.capacity(), pessimistic);
    } else {
      return fifo_queue(unbounded, pessimistic);
    }
  }

  bool step(const operation& op, const result& observed) {
    switch (op.what) {
      case verb::push:
        if (capacity_ != unbounded || observed != result::ok()) return false;
        items_.push_back(op.value);
        return true;
      case verb::try_push:
        if (items_.size() == capacity_) return observed == result::full();
        if (pessimistic_ && op.beside_call && observed == result::full()) return true;
        if (observed != result::ok()) return false;
        items_.push_back(op.value);
        return true;
      case verb::try_pop:
        if (items_.empty()) return observed == result::empty();
        if (pessimistic_ && op.beside_push && observed == result::empty()) return true;
        if (observed != result::popped(items_.front())) return false;
        items_.pop_front();
        return true;
    }
    return false;
  }

  std::size_t hash() const { return detail::hash_items(items_, capacity_); }
  std::string describe() const {
    return "FIFO queue " + detail::describe_items(items_) +
           (capacity_ == unbounded ? "" : " of capacity " + std::to_string(capacity_)) +
           (pessimistic_ ? " (pessimistic)" : "");
  }
  static std::string describe(const operation& op) { return detail::describe(op); }
  static std::string describe(const result& r) { return detail::describe(r); }
  friend bool operator==(const fifo_queue&, const fifo_queue&) = default;

 private:
  std::deque<std::int64_t> items_;
  std::size_t capacity_ = unbounded;
  bool pessimistic_ = false;
};

// A LIFO stack (unbounded: the stacks have push only).
class lifo_stack {
 public:
  using operation = container_op;
  using result = container_answer;

  template <class S>
  static lifo_stack of(const S&) {
    return lifo_stack();
  }

  bool step(const operation& op, const result& observed) {
    switch (op.what) {
      case verb::push:
        if (observed != result::ok()) return false;
        items_.push_back(op.value);
        return true;
      case verb::try_push:
        return false;
      case verb::try_pop:
        if (items_.empty()) return observed == result::empty();
        if (observed != result::popped(items_.back())) return false;
        items_.pop_back();
        return true;
    }
    return false;
  }

  std::size_t hash() const { return detail::hash_items(items_, 0); }
  std::string describe() const {
    return "LIFO stack " + detail::describe_items(items_) + " (top last)";
  }
  static std::string describe(const operation& op) { return detail::describe(op); }
  static std::string describe(const result& r) { return detail::describe(r); }
  friend bool operator==(const lifo_stack&, const lifo_stack&) = default;

 private:
  std::vector<std::int64_t> items_;
};

static_assert(specification<fifo_queue>);
static_assert(specification<lifo_stack>);

}  // namespace lockstep::verify::lin
