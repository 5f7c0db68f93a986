// The store-buffering pairs of lockfree::channel's counters (header card, O1): a sender's
// fetch-and-add on S, then its load of B, against a buffer expansion's fetch-and-add on B, then
// its load of S. If both loads read the old value, the sender parks though the buffer has room
// and the expansion, seeing no sender for the new buffer cell, leaves it: the sender waits for
// ever. In the other checks a receiver comes for every send, which wakes a parked sender anyway,
// so none of them needs these orders. Here the receiver takes one value of two from a one-cell
// buffer and no one comes for the second: the second send must complete by the expansion alone,
// and Relacy's deadlock detection is the check.
#include "channel_scenarios.hpp"

#include <optional>

#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/lockfree/select.hpp>

using namespace lockstep;
using namespace lockstep::verify;

namespace {

// The leaking policy: the search is spent on the counters and the cells.
struct buffer_of_one : lockfree::channel<token, hazard::leaking, 2> {
  buffer_of_one() : lockfree::channel<token, hazard::leaking, 2>(1) {}
};

// One sender sends twice (the second by a one-case select if Select), one receiver receives
// once: the second value is left in the buffer, which drains in after().
template <bool Select>
struct second_send_buffers : rl::test_suite<second_send_buffers<Select>, 2> {
  buffer_of_one ch;

  void thread(unsigned t) {
    if (t == 0) {
      ch.send(token(value_of(0, 0)));
      if constexpr (Select) {
        const auto mine = on_send(ch, token(value_of(0, 1)));  // the case owns the value
        RL_ASSERT(select(mine) == 0);
        RL_ASSERT(mine.owned->v == 0);
      } else {
        ch.send(token(value_of(0, 1)));
      }
    } else {
      std::optional<token> v = ch.recv();
      RL_ASSERT(v.has_value() && v->v == value_of(0, 0));
    }
  }

  void after() {
    sync::recv_result<token> rest = ch.try_recv();
    RL_ASSERT(rest && rest.value->v == value_of(0, 1));
    RL_ASSERT(!ch.try_recv());
  }
};

}  // namespace

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  // Bound 2 already refutes a weaker order at any one of the pair's four accesses. Deeper in
  // the deep profile: bound 3 for the plain pair; random schedules for the select, whose bound 3
  // is too long even for the deep profile.
  checks.pass<second_send_buffers<false>>("capacity 1: send x 2 racing recv x 1",
                                          checks.bounded(2, 3));
  checks.pass<second_send_buffers<true>>(
      "capacity 1: send, then select send, racing recv x 1",
      checks.deep() ? search::random(2'000'000) : search::bounded(2));
  return checks.result();
}
