// Model-check scenarios for select over any channel family of `token`s: exactly one case
// fires, it is a case that could fire, and nothing is lost or duplicated around it (the ledger
// of channel_scenarios.hpp). Relacy adds data races, leaks and deadlocks — a select or a peer
// left parked is a lost wake-up; a select that fired two cases either takes a value it then
// drops, or makes the second case's peer believe it completed while nothing took its part.
//
// select, select_for, on_recv and on_send are called unqualified: argument-dependent lookup
// finds the channel family's, which the check includes (locked/select.hpp, lockfree/select.hpp).
#pragma once

#include "channel_scenarios.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <utility>

namespace lockstep::verify {

template <class Channel>
bool closing_again_throws(Channel& ch) {
  try {
    ch.close();
  } catch (const sync::channel_closed&) {
    return true;
  }
  return false;
}

// One thread selects over receiving from `a` and from `b`, then receives from whichever did not
// fire; two senders send one value each, one per channel. Exactly one case fires, with its own
// channel's value, and the other value comes through the plain receive.
template <class Channel>
struct select_receives : rl::test_suite<select_receives<Channel>, 3>,
                         outcome_tally<select_receives<Channel>> {
  Channel a, b;
  ledger<2, 1, 1> book;
  std::size_t fired = 2;

  void thread(unsigned t) {
    if (t == 0) {
      std::optional<token> x, y;
      fired = select(on_recv(a, x), on_recv(b, y));
      RL_ASSERT(fired < 2);
      RL_ASSERT((fired == 0 ? x : y).has_value());
      RL_ASSERT(!(fired == 0 ? y : x).has_value());
      book.receive(0, *(fired == 0 ? x : y));
      std::optional<token> other = (fired == 0 ? b : a).recv();
      RL_ASSERT(other.has_value());
      book.receive(0, *other);
    } else {
      (t == 1 ? a : b).send(token(value_of(t - 1, 0)));
      book.sent[t - 1][0] = 1;
    }
  }

  void after() {
    RL_ASSERT(sender_of(book.received[0][0]) == fired);
    this->record(static_cast<unsigned>(fired));
    book.check(a);
    book.check(b);
  }
};

// One thread selects over sending on `a` and receiving from `b`, then does the other operation
// plainly; one thread receives from `a`, one sends on `b`. Both values arrive exactly once.
template <class Channel>
struct select_send_or_receive : rl::test_suite<select_send_or_receive<Channel>, 3>,
                                outcome_tally<select_send_or_receive<Channel>> {
  Channel a, b;
  ledger<2, 1, 2> book;  // sender 0: the selector's value, sender 1: thread 2's

  void thread(unsigned t) {
    if (t == 0) {
      const auto mine = on_send(a, token(value_of(0, 0)));  // the case owns the value
      std::optional<token> y;
      const std::size_t fired = select(mine, on_recv(b, y));
      RL_ASSERT(fired < 2);
      this->record(static_cast<unsigned>(fired));
      if (fired == 0) {
        RL_ASSERT(mine.owned->v == 0 && !y);
        y = b.recv();
      } else {
        RL_ASSERT(mine.owned->v == value_of(0, 0));
        a.send(std::move(*mine.owned));
      }
      book.sent[0][0] = 1;
      RL_ASSERT(y.has_value());
      book.receive(0, *y);
    } else if (t == 1) {
      std::optional<token> v = a.recv();
      RL_ASSERT(v.has_value());
      book.receive(1, *v);
    } else {
      b.send(token(value_of(1, 0)));
      book.sent[1][0] = 1;
    }
  }

  void after() {
    RL_ASSERT(book.count[0] == 1 && book.received[0][0] == value_of(1, 0));
    RL_ASSERT(book.count[1] == 1 && book.received[1][0] == value_of(0, 0));
    book.check(a);
    book.check(b);
  }
};

// A select, timed with a zero duration, over receiving from `a` and `b`, racing one sender on
// `a` that gives up with a zero timeout too. The select's timeout and the send's cancellation
// race every hand-over: the value is received by the select or kept by its sender (or, `a`
// buffered, left in the buffer), never both and never neither. Outcomes: 0 the select fired,
// 1 it timed out.
template <class Channel>
struct select_timed : rl::test_suite<select_timed<Channel>, 2>,
                      outcome_tally<select_timed<Channel>> {
  Channel a, b;
  ledger<1, 1, 1> book;
  std::optional<std::size_t> fired;

  void thread(unsigned t) {
    if (t == 0) {
      std::optional<token> x, y;
      fired = select_for(std::chrono::milliseconds(0), on_recv(a, x), on_recv(b, y));
      RL_ASSERT(!y.has_value());
      if (fired) {
        RL_ASSERT(*fired == 0 && x.has_value());
        book.receive(0, *x);
      } else {
        RL_ASSERT(!x.has_value());
      }
    } else {
      token mine(value_of(0, 0));
      const sync::channel_status status = a.send_for(std::move(mine), std::chrono::milliseconds(0));
      RL_ASSERT(status == sync::channel_status::ok || status == sync::channel_status::timeout);
      if (status != sync::channel_status::ok) RL_ASSERT(mine.v == value_of(0, 0));
      book.sent[0][0] = status == sync::channel_status::ok ? 1 : 2;
    }
  }

  void after() {
    if (a.capacity() == 0) RL_ASSERT((book.sent[0][0] == 1) == fired.has_value());
    this->record(fired ? 0 : 1);
    book.check(a);
  }
};

// A select over receiving from `a` and sending on `b` while both are closed by other threads:
// the receive fires with nothing, or the send throws with its value kept, or (b buffered) the
// send fires before the close and its value waits in b's buffer — exactly one. Outcomes: 0 the
// receive fired, 1 the send threw, 2 the send was buffered.
template <class Channel>
struct select_closing : rl::test_suite<select_closing<Channel>, 3>,
                        outcome_tally<select_closing<Channel>> {
  Channel a, b;
  unsigned outcome = 3;

  void thread(unsigned t) {
    if (t == 0) {
      const auto mine = on_send(b, token(value_of(0, 0)));  // the case owns the value
      std::optional<token> x;
      try {
        const std::size_t fired = select(on_recv(a, x), mine);
        RL_ASSERT(!x.has_value());
        if (fired == 0) {
          RL_ASSERT(mine.owned->v == value_of(0, 0));
          outcome = 0;
        } else {
          // Only into a buffer: nobody receives from b.
          RL_ASSERT(fired == 1 && b.capacity() > 0 && mine.owned->v == 0);
          outcome = 2;
        }
      } catch (const sync::channel_closed&) {
        RL_ASSERT(mine.owned->v == value_of(0, 0));
        outcome = 1;
      }
    } else {
      (t == 1 ? a : b).close();
    }
  }

  void after() {
    RL_ASSERT(outcome < 3);
    this->record(outcome);
    sync::recv_result<token> left = b.try_recv();
    RL_ASSERT(outcome == 2 ? left.value->v == value_of(0, 0) : !left);
    RL_ASSERT(closing_again_throws(a) && closing_again_throws(b));
  }
};

// Go's TestNonblockSelectRace (CloseB false) and TestNonblockSelectRace2 (CloseB true), as a
// model check: `a` holds a value before the threads start; thread 0 runs try_select over
// receiving from `a` and from `b`, while thread 1 makes `b` ready (a send into its buffer, or
// close) and only then takes `a`'s value back with try_recv. At every instant one of the two is
// ready, so try_select must fire; nullopt (Go's `default:`) means it judged the cases at
// different instants. Outcomes: the case that fired.
template <class ChannelA, class ChannelB, bool CloseB>
struct try_select_snapshot : rl::test_suite<try_select_snapshot<ChannelA, ChannelB, CloseB>, 2>,
                             outcome_tally<try_select_snapshot<ChannelA, ChannelB, CloseB>> {
  ChannelA a;
  ChannelB b;
  // One value per channel (none for b when it is closed instead); receiver 0 is the select.
  ledger<1, 1, 2> book_a, book_b;
  std::optional<std::size_t> fired;

  void before() {
    a.send(token(value_of(0, 0)));
    book_a.sent[0][0] = 1;
  }

  void thread(unsigned t) {
    if (t == 0) {
      std::optional<token> x, y;
      fired = try_select(on_recv(a, x), on_recv(b, y));
      RL_ASSERT(fired.has_value());
      if (*fired == 0) {
        RL_ASSERT(x.has_value() && !y.has_value());
        book_a.receive(0, *x);
      } else if (CloseB) {
        RL_ASSERT(!x.has_value() && !y.has_value());
      } else {
        RL_ASSERT(!x.has_value() && y.has_value());
        book_b.receive(0, *y);
      }
    } else {
      if (CloseB) {
        b.close();
      } else {
        b.send(token(value_of(0, 0)));
        book_b.sent[0][0] = 1;
      }
      sync::recv_result<token> got = a.try_recv();
      if (got.value) book_a.receive(1, *got.value);
    }
  }

  void after() {
    this->record(static_cast<unsigned>(*fired));
    book_a.check(a);
    book_b.check(b);
  }
};

// A select that sends its token on `c` and receives from `c` meets its own clauses (its receive
// takes the cell of its send, or the other way round) until a partner takes an index: thread 1
// receives from `c` plainly or (PartnerSends) sends its own token. The select must fire the
// clause the partner completes, and never with itself. Outcomes: 0 the select's send fired,
// 1 its receive.
template <class Channel, bool PartnerSends>
struct select_meets_itself : rl::test_suite<select_meets_itself<Channel, PartnerSends>, 2>,
                             outcome_tally<select_meets_itself<Channel, PartnerSends>> {
  Channel c;
  std::optional<token> selected, plain;
  std::size_t fired = 2;

  void thread(unsigned t) {
    if (t == 0) {
      const auto mine = on_send(c, token(value_of(0, 0)));
      fired = select(mine, on_recv(c, selected));
      RL_ASSERT(fired < 2);
      RL_ASSERT((fired == 1) == selected.has_value());
    } else if (PartnerSends) {
      c.send(token(value_of(1, 0)));
    } else {
      plain = c.recv();
      RL_ASSERT(plain.has_value());
    }
  }

  void after() {
    if (PartnerSends) {
      RL_ASSERT(fired == 1 && selected->v == value_of(1, 0));
    } else {
      RL_ASSERT(fired == 0 && plain->v == value_of(0, 0));
    }
    RL_ASSERT(!c.try_recv().value.has_value());
    this->record(static_cast<unsigned>(fired));
  }
};

// select_meets_itself timed with a zero duration, beside a partner that only try_recvs once: the
// select meets itself, and its deadline (already passed) makes it give up while registering,
// its marked clauses cancelled; or the partner takes its value first. It never fires its
// receive (the only sender is itself), and a value is received by the partner exactly when the
// send fired. Outcomes: 0 the send fired, 1 the select timed out.
template <class Channel>
struct timed_select_meets_itself : rl::test_suite<timed_select_meets_itself<Channel>, 2>,
                                   outcome_tally<timed_select_meets_itself<Channel>> {
  Channel c;
  std::optional<token> selected, plain;
  std::optional<std::size_t> fired;

  void thread(unsigned t) {
    if (t == 0) {
      const auto mine = on_send(c, token(value_of(0, 0)));
      fired = select_for(std::chrono::milliseconds(0), mine, on_recv(c, selected));
      RL_ASSERT(!selected.has_value());
      if (fired) RL_ASSERT(*fired == 0);
    } else {
      plain = std::move(c.try_recv().value);
    }
  }

  void after() {
    RL_ASSERT(fired.has_value() == plain.has_value());
    if (plain) RL_ASSERT(plain->v == value_of(0, 0));
    RL_ASSERT(!c.try_recv().value.has_value());
    this->record(fired ? 0 : 1);
  }
};

}  // namespace lockstep::verify
