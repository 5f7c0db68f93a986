// Model checks of lockfree::select over lockfree::channel, with select_scenarios.hpp's contract
// (exactly one case fires, a case that could fire, nothing lost or duplicated around it), on an
// unbuffered channel (every case a hand-off to or from a parked party) and a buffered one (an
// expansion of the buffer may complete a registered send). Two-cell segments, so that a
// select's registrations, and the re-registrations a resumer asks for, walk and append
// segments. Relacy's deadlock detection is the check for lost wake-ups: a select or a peer left
// parked is reported; its leak detection, that every select instance is freed by its last
// reference. try_select must act on one instant of its channels (Go's nonblocking select races:
// a case made ready while another is drained). A select that sends and receives on one channel
// meets its own clauses until a partner takes an index, and must then fire the partner's pair.
// Each racing scenario must also have explored every way its race can end.
//
// Budgets, measured on one core at -O2, quick profile, whole executable about 15 s: two threads
// run a context-bounded search (bound 1, 0.4 M iterations each; bound 2 takes 18-21 M, about
// 90 s each, in the deep profile; try_select's races bound 2, 49-102 k; a select meeting itself
// bound 1, 8-104 k, and bound 2, 0.3-13 M, in the deep profile), three run 200 k random
// schedules (bound 1 in the deep profile).
#include "channel_scenarios.hpp"
#include "select_scenarios.hpp"

#include <cstddef>
#include <optional>

#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/lockfree/select.hpp>

using namespace lockstep;
using namespace lockstep::verify;

namespace {

// The protocol, with the leaking policy: the search is spent on the cells and the select.
template <std::size_t Capacity>
struct leaky : lockfree::channel<token, hazard::leaking, 2> {
  leaky() : lockfree::channel<token, hazard::leaking, 2>(Capacity) {}
};

// One-cell segments reclaimed by epochs that collect at every retire: a select's registrations
// hold cells of segments that are retired around them.
template <std::size_t Capacity>
struct reclaiming : lockfree::channel<token, hazard::basic_epochs<1>, 1> {
  reclaiming() : lockfree::channel<token, hazard::basic_epochs<1>, 1>(Capacity) {}
};

// The races select_scenarios.hpp does not reach in this channel: a select's send registered in a
// full buffer is met at once by the expansion that frees a slot for it, by its own receiver, and
// (second scenario) by close(); one of them owns the cell and the others wait for its outcome,
// which decides whether the cell holds a value. The buffer is full before the threads start;
// thread 0 selects over sending on `a` and receiving from `b`, where nothing comes.
template <class Channel>
struct select_send_into_buffer : rl::test_suite<select_send_into_buffer<Channel>, 3> {
  Channel a, b;
  ledger<1, 2, 2> book;

  void before() {
    a.send(token(value_of(0, 0)));
    book.sent[0][0] = 1;
  }

  void thread(unsigned t) {
    if (t == 0) {
      const auto mine = on_send(a, token(value_of(0, 1)));  // the case owns the value
      std::optional<token> y;
      const std::size_t fired = select(mine, on_recv(b, y));
      RL_ASSERT(fired == 0 && mine.owned->v == 0 && !y);
      book.sent[0][1] = 1;
    } else {
      std::optional<token> v = a.recv();
      RL_ASSERT(v.has_value());
      book.receive(t - 1, *v);
    }
  }

  void after() {
    book.check(a);
    book.check(b);
  }
};

// Outcomes: 0 the select's send fired, 1 it threw with its value kept.
template <class Channel>
struct select_send_closing_buffer : rl::test_suite<select_send_closing_buffer<Channel>, 3>,
                                    outcome_tally<select_send_closing_buffer<Channel>> {
  Channel a, b;
  ledger<1, 2, 1> book;

  void before() {
    a.send(token(value_of(0, 0)));
    book.sent[0][0] = 1;
  }

  void thread(unsigned t) {
    if (t == 0) {
      const auto mine = on_send(a, token(value_of(0, 1)));  // the case owns the value
      std::optional<token> y;
      try {
        const std::size_t fired = select(mine, on_recv(b, y));
        RL_ASSERT(fired == 0 && mine.owned->v == 0 && !y);
        book.sent[0][1] = 1;
        this->record(0);
      } catch (const sync::channel_closed&) {
        RL_ASSERT(mine.owned->v == value_of(0, 1));
        book.sent[0][1] = 2;
        this->record(1);
      }
    } else if (t == 1) {
      while (std::optional<token> v = a.recv()) book.receive(0, *v);
    } else {
      a.close();
    }
  }

  void after() {
    book.check(a);
  }
};

}  // namespace

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  const auto three_threads = [&](rl::iteration_t quick) {
    return checks.deep() ? search::bounded(1) : search::random(quick);
  };

  // The first 200 k of these schedules are the ones mutation_lockfree_select_double_fire's
  // repaired twin runs on this very channel (Relacy seeds a random schedule by its index): the
  // quick profile keeps here only what the twin does not require, both outcomes reached.
  checks.pass<select_receives<leaky<0>>>("select over two rendezvous receives racing two senders",
                                         three_threads(50'000));
  checks.require(select_receives<leaky<0>>::explored({0, 1}), "select fired either case");
  checks.pass<select_receives<leaky<1>>>("select over two buffered receives racing two senders",
                                         three_threads(200'000));
  checks.require(select_receives<leaky<1>>::explored({0, 1}),
                 "buffered select fired either case");
  checks.pass<select_send_or_receive<leaky<0>>>("select over a rendezvous send and receive",
                                                three_threads(200'000));
  checks.require(select_send_or_receive<leaky<0>>::explored({0, 1}),
                 "select fired the send and the receive");
  checks.pass<select_send_or_receive<leaky<1>>>("select over a buffered send and receive",
                                                three_threads(200'000));
  checks.require(select_send_or_receive<leaky<1>>::explored({0, 1}),
                 "buffered select fired the send and the receive");
  checks.pass<select_timed<leaky<0>>>("select_for racing send_for, rendezvous",
                                      checks.bounded(1, 2));
  checks.require(select_timed<leaky<0>>::explored({0, 1}), "select_for fired and timed out");
  checks.pass<select_timed<leaky<1>>>("select_for racing send_for, capacity 1",
                                      checks.bounded(1, 2));
  checks.require(select_timed<leaky<1>>::explored({0, 1}),
                 "buffered select_for fired and timed out");
  checks.pass<select_closing<leaky<0>>>("select racing two closes, rendezvous",
                                        three_threads(200'000));
  checks.require(select_closing<leaky<0>>::explored({0, 1}),
                 "closed select: the receive fired, and the send threw");
  checks.pass<select_closing<leaky<1>>>("select racing two closes, capacity 1",
                                        three_threads(200'000));
  checks.require(select_closing<leaky<1>>::explored({0, 1, 2}),
                 "closed buffered select: receive fired, send threw, send buffered");
  checks.pass<select_send_into_buffer<leaky<1>>>(
      "a select's buffered send met by an expansion and its receiver", three_threads(200'000));
  checks.pass<select_send_closing_buffer<leaky<1>>>(
      "a select's buffered send met by an expansion, its receiver and close",
      three_threads(200'000));
  checks.require(select_send_closing_buffer<leaky<1>>::explored({0, 1}),
                 "buffered send racing close: fired, and threw");
  checks.pass<try_select_snapshot<leaky<1>, leaky<1>, false>>(
      "try_select over two buffered receives, one made ready as the other is drained",
      checks.bounded(2, 3));
  checks.require(try_select_snapshot<leaky<1>, leaky<1>, false>::explored({0, 1}),
                 "try_select fired either case");
  checks.pass<try_select_snapshot<leaky<1>, leaky<0>, true>>(
      "try_select over a buffered receive drained and a rendezvous receive closed",
      checks.bounded(2, 3));
  checks.require(try_select_snapshot<leaky<1>, leaky<0>, true>::explored({0, 1}),
                 "try_select fired either case, the closed one too");
  checks.pass<select_meets_itself<leaky<0>, false>>(
      "a select sending and receiving on one rendezvous channel, and a receiver",
      checks.bounded(1, 2));
  checks.pass<select_meets_itself<leaky<0>, true>>(
      "a select sending and receiving on one rendezvous channel, and a sender",
      checks.bounded(1, 2));
  checks.pass<select_meets_itself<leaky<1>, false>>(
      "a select sending and receiving on one buffered channel, and a receiver",
      checks.bounded(1, 2));
  checks.pass<timed_select_meets_itself<leaky<0>>>(
      "select_for sending and receiving on one rendezvous channel, and a try_recv",
      checks.bounded(1, 2));
  checks.require(timed_select_meets_itself<leaky<0>>::explored({0, 1}),
                 "a select_for meeting itself fired its send and timed out");
  checks.pass<select_receives<reclaiming<0>>>(
      "epochs, one-cell segments: select over two rendezvous receives racing two senders",
      three_threads(200'000));
  checks.pass<select_send_or_receive<reclaiming<1>>>(
      "epochs, one-cell segments: select over a buffered send and receive",
      three_threads(200'000));
  return checks.result();
}
