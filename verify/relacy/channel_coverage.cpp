// Model checks of lockfree::channel's paths that the channel scenarios do not take (issue 19, no
// zero rows): a try_send that took a cell and must withdraw from it, a try_recv whose withdrawal
// loses its cell to a sender arriving meanwhile (the compare-exchange's retry path), and len().
#include "channel_scenarios.hpp"

#include <cstddef>

#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>

using namespace lockstep;
using namespace lockstep::verify;

namespace {

// Two-cell segments and the leaking policy, as lockfree_channel.cpp's exchange checks.
template <std::size_t Capacity>
using leaky = constructed_with<lockfree::channel<token, hazard::leaking, 2>, Capacity>;

// Two try_sends race for a capacity-1 buffer that no one receives from. Both may pass the
// "would wait" pre-check, so the later ticket lands past the buffer's end and must withdraw
// from its cell (O4). Exactly one value is buffered, the refused one stays its sender's, and
// len() counts the buffered value, from either thread and after the run, and none once drained.
struct try_sends_race : rl::test_suite<try_sends_race, 2> {
  leaky<1> ch;
  ledger<2, 1, 1> book;

  void thread(unsigned t) {
    token mine(value_of(t, 0));
    const sync::channel_status status = ch.try_send(std::move(mine));
    RL_ASSERT(status == sync::channel_status::ok || status == sync::channel_status::full);
    if (status == sync::channel_status::ok) {
      book.sent[t][0] = 1;
    } else {
      RL_ASSERT(mine.v == value_of(t, 0));
      book.sent[t][0] = 2;
    }
    // Either this send filled the buffer or the other one's ticket, drawn before, did.
    RL_ASSERT(ch.len() == 1);
  }

  void after() {
    RL_ASSERT((book.sent[0][0] == 1) != (book.sent[1][0] == 1));
    RL_ASSERT(ch.len() == 1);
    book.check(ch);
    RL_ASSERT(ch.len() == 0);
  }
};

// A try_recv passes the pre-check on the first sender's arrival, but the other receiver takes
// that cell, so its own ticket is past the senders'; it withdraws unless the second sender
// reaches its cell first, and a sender arriving between its check and its compare-exchange
// makes that compare-exchange fail: it must then take the value instead (O3), not drop it.
// Nothing lost or duplicated (the ledger), and the drained channel's len() is 0.
struct try_recv_loses_withdrawal : rl::test_suite<try_recv_loses_withdrawal, 4> {
  leaky<1> ch;
  ledger<2, 1, 2> book;

  void thread(unsigned t) {
    if (t < 2) {
      token mine(value_of(t, 0));
      const sync::channel_status status = ch.try_send(std::move(mine));
      RL_ASSERT(status == sync::channel_status::ok || status == sync::channel_status::full);
      book.sent[t][0] = status == sync::channel_status::ok ? 1 : 2;
      if (status != sync::channel_status::ok) RL_ASSERT(mine.v == value_of(t, 0));
    } else {
      sync::recv_result<token> got = ch.try_recv();
      RL_ASSERT(got || got.status == sync::channel_status::empty);
      if (got) book.receive(t - 2, *got.value);
    }
  }

  void after() {
    book.check(ch);
    RL_ASSERT(ch.len() == 0);
  }
};

}  // namespace

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.pass<try_sends_race>("capacity 1: two try_sends race, one withdraws",
                              checks.bounded(2, 3));
  // Four threads: random schedules in the quick profile (they reach the failing exchange), the
  // bound-2 search in the deep one.
  checks.pass<try_recv_loses_withdrawal>(
      "capacity 1: try_recv x 2 racing try_send x 2, a withdrawal lost to a sender",
      checks.deep() ? search::bounded(2) : search::random(50'000));
  return checks.result();
}
