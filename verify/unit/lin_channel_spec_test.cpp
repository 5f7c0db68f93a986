// The channel specification (verify/lin/channel_spec.hpp) on handcrafted histories whose
// verdicts are known: buffered channels are FIFO queues with exact full and empty answers, an
// unbuffered send must meet its receive, and tries may give up only beside another call.
#include <lockstep/verify/lin/channel_spec.hpp>
#include <lockstep/verify/lin/checker.hpp>

#include <cstdint>

#include <gtest/gtest.h>

namespace {

namespace lin = lockstep::verify::lin;
using lin::channel_answer;
using lin::channel_op;
using lin::channel_verb;
using kind = channel_answer::kind;

lin::call_of<lin::channel_spec> c(unsigned thread, lin::stamp invoked, lin::stamp returned,
                                  channel_op op, channel_answer answer) {
  return {thread, op, answer, invoked, returned};
}
channel_op send_for(std::int64_t v) { return {channel_verb::send_for, v, false, false}; }
channel_op try_send(std::int64_t v) { return {channel_verb::try_send, v, false, false}; }
const channel_op recv_for{channel_verb::recv_for, 0, false, false};
const channel_answer ok{kind::ok, 0};
const channel_answer full{kind::full, 0};
const channel_answer timeout{kind::timeout, 0};
channel_answer got(std::int64_t v) { return {kind::received, v}; }

bool linearizable(lin::history<lin::channel_spec> h, std::size_t capacity) {
  lin::channel_workload::annotate(h);
  return static_cast<bool>(lin::check(h, lin::channel_spec(capacity)));
}

TEST(lin_channel_spec, buffered_is_a_fifo_with_exact_answers) {
  EXPECT_TRUE(linearizable({c(0, 0, 1, send_for(1), ok), c(0, 2, 3, send_for(2), timeout),
                            c(1, 4, 5, recv_for, got(1)), c(1, 6, 7, recv_for, timeout)},
                           1));
  // Out of order, a value received twice, a timeout while a value waits, a send past capacity.
  EXPECT_FALSE(linearizable({c(0, 0, 1, send_for(1), ok), c(0, 2, 3, send_for(2), ok),
                             c(1, 4, 5, recv_for, got(2))},
                            2));
  EXPECT_FALSE(linearizable({c(0, 0, 1, send_for(1), ok), c(1, 2, 3, recv_for, got(1)),
                             c(1, 4, 5, recv_for, got(1))},
                            2));
  EXPECT_FALSE(linearizable({c(0, 0, 1, send_for(1), ok), c(1, 2, 3, recv_for, timeout)}, 2));
  EXPECT_FALSE(linearizable({c(0, 0, 1, send_for(1), ok), c(0, 2, 3, send_for(2), ok)}, 1));
}

TEST(lin_channel_spec, an_unbuffered_send_meets_its_receive) {
  // Overlapping hand-over: linearizable. A send that returned before its receiver was even
  // called behaved as a buffer: not a rendezvous.
  EXPECT_TRUE(linearizable({c(0, 0, 5, send_for(1), ok), c(1, 1, 6, recv_for, got(1))}, 0));
  EXPECT_FALSE(linearizable({c(0, 0, 1, send_for(1), ok), c(1, 2, 3, recv_for, got(1))}, 0));
  // Between a send and its receive no other hand-over fits: two sends that overlap one receive
  // each cannot both precede the receives in the wrong order.
  EXPECT_FALSE(linearizable({c(0, 0, 10, send_for(1), ok), c(1, 0, 10, send_for(2), ok),
                             c(2, 1, 4, recv_for, got(2)), c(2, 5, 11, recv_for, got(2))},
                            0));
  // Timeouts and refused tries change nothing and are always allowed.
  EXPECT_TRUE(linearizable({c(0, 0, 1, send_for(1), timeout), c(1, 2, 3, try_send(2), full)}, 0));
}

TEST(lin_channel_spec, a_try_gives_up_only_beside_another_call) {
  // try_send answering full on an empty buffer: only acceptable while another call overlaps.
  EXPECT_FALSE(linearizable({c(0, 0, 1, try_send(1), full)}, 1));
  EXPECT_TRUE(linearizable({c(0, 0, 3, try_send(1), full), c(1, 1, 2, recv_for, timeout)}, 1));
}

}  // namespace
