// The sequential specification of a work-stealing deque (sync::work_stealing_deque): one model,
// which locked::work_stealing_deque and lockfree::chase_lev_deque must both agree with. Its
// drivers keep the owner-only rule (one thread pushes and pops, the others only steal): under
// real threads verify/stress/lin_deque.cpp, inside the model checker verify/relacy/lin_deque.cpp.
//
// Operations and their answers (values are the driver's unique integers):
//   push(v)  -> ok       at the owner's end
//   pop()    -> v | empty   the owner's end: the value pushed last (LIFO); empty exactly when empty
//   steal()  -> v | empty   the thieves' end: the value pushed first (FIFO)
//
// A steal may also answer empty while the deque holds values, but only when it lost a race
// (sync/containers.hpp), and the specification is as strict as Chase–Lev allows: its steal fails
// only when its CAS on `top` finds another CAS there, and that CAS is another steal's or a pop's
// of the last value; a pop's leaves the deque empty, so the steal's empty is then an exact
// answer at that moment. What remains is a steal that overlapped another thread's successful
// steal: that one answer, and only while overlapping such a steal, is accepted in any state and
// changes nothing. annotate_deque() marks those overlaps (`beside_steal`) before the check, for
// either precedence (real-time stamps here, happens-before under the model checker:
// verify/relacy/lin_deque.cpp). An empty steal with no successful steal beside it, a pop out of
// LIFO order, a steal out of FIFO order and a value taken twice are all rejected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <lockstep/sync/containers.hpp>

#include "history.hpp"
#include "order_checker.hpp"
#include "specs.hpp"

namespace lockstep::verify::lin {

enum class deque_verb : std::uint8_t { push, pop, steal };

struct deque_op {
  deque_verb what;
  std::int64_t value = 0;  // the pushed value; unused by pop and steal
  // Set by annotate_deque: the call overlapped a steal of another thread that took a value.
  bool beside_steal = false;

  static deque_op push(std::int64_t v) { return {deque_verb::push, v, false}; }
  static deque_op pop() { return {deque_verb::pop, 0, false}; }
  static deque_op steal() { return {deque_verb::steal, 0, false}; }
  friend bool operator==(const deque_op&, const deque_op&) = default;
};

// The containers' answers (specs.hpp): ok, empty, popped(v); a deque never answers full.
using deque_answer = container_answer;

class work_stealing_spec {
 public:
  using operation = deque_op;
  using result = deque_answer;

  bool step(const operation& op, const result& observed) {
    switch (op.what) {
      case deque_verb::push:
        if (observed != result::ok()) return false;
        items_.push_back(op.value);
        return true;
      case deque_verb::pop:
        if (items_.empty()) return observed == result::empty();
        if (observed != result::popped(items_.back())) return false;
        items_.pop_back();
        return true;
      case deque_verb::steal:
        if (items_.empty()) return observed == result::empty();
        // The lost race: another thief's CAS on the same end came first.
        if (op.beside_steal && observed == result::empty()) return true;
        if (observed != result::popped(items_.front())) return false;
        items_.pop_front();
        return true;
    }
    return false;
  }

  std::size_t hash() const { return detail::hash_items(items_, 0); }
  std::string describe() const {
    return "deque " + detail::describe_items(items_) + " (thieves' end first, owner's end last)";
  }
  static std::string describe(const operation& op) {
    switch (op.what) {
      case deque_verb::push:
        return "push(" + std::to_string(op.value) + ")";
      case deque_verb::pop:
        return "pop()";
      case deque_verb::steal:
        break;
    }
    return op.beside_steal ? "steal() [beside a steal]" : "steal()";
  }
  static std::string describe(const result& r) { return detail::describe(r); }
  friend bool operator==(const work_stealing_spec&, const work_stealing_spec&) = default;

 private:
  std::deque<std::int64_t> items_;  // front: the thieves' end; back: the owner's
};

static_assert(specification<work_stealing_spec>);

// Marks every steal of `calls` (a history, or the model checker's ordered calls) that overlapped
// a successful steal of another thread; concurrent(i, j) says whether neither of calls i and j
// precedes the other.
template <class Calls, class Concurrent>
void annotate_deque(Calls& calls, Concurrent concurrent) {
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].operation.what != deque_verb::steal) continue;
    for (std::size_t j = 0; j < calls.size(); ++j) {
      if (calls[j].thread != calls[i].thread && calls[j].operation.what == deque_verb::steal &&
          calls[j].result != deque_answer::empty() && concurrent(i, j)) {
        calls[i].operation.beside_steal = true;
      }
    }
  }
}

// Real-time precedence: call a precedes b when it returned before b was invoked.
inline void annotate_deque(history<work_stealing_spec>& h) {
  annotate_deque(h, [&h](std::size_t i, std::size_t j) {
    return !(h[i].returned < h[j].invoked) && !(h[j].returned < h[i].invoked);
  });
}

// Any precedence (order_checker.hpp): bit j of call i's preceded_by says j precedes i.
inline void annotate_deque(std::vector<ordered_call<work_stealing_spec>>& calls) {
  annotate_deque(calls, [&calls](std::size_t i, std::size_t j) {
    return (calls[i].preceded_by >> j & 1) == 0 && (calls[j].preceded_by >> i & 1) == 0;
  });
}

// One call on a deque, as the specification's answer.
template <class D>
  requires sync::work_stealing_deque<D>
deque_answer perform_deque(D& d, const deque_op& op) {
  std::optional<typename D::value_type> v;
  switch (op.what) {
    case deque_verb::push:
      d.push(static_cast<typename D::value_type>(op.value));
      return deque_answer::ok();
    case deque_verb::pop:
      v = d.pop();
      break;
    case deque_verb::steal:
      v = d.steal();
      break;
  }
  return v ? deque_answer::popped(static_cast<std::int64_t>(*v)) : deque_answer::empty();
}

}  // namespace lockstep::verify::lin
