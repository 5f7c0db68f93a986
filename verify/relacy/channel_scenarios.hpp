// Model-check scenarios for any channel of `token` (sync::channel, sync/channel.hpp), constructed
// by default: a check passes a small wrapper whose default constructor chooses the capacity. The
// channel contract, asserted after every explored execution:
//   - nothing lost, nothing duplicated: every value a send completed with is received exactly
//     once (during the scenario, or drained by after()), and a send that failed (closed, timed
//     out, full) still holds its value and that value is received by nobody;
//   - FIFO per sender, as each receiver sees it;
//   - close: a receiver sees every value sent before it sees nullopt, and a second close throws;
//   - unbuffered, a send that completed was received.
// Relacy adds data races, leaks and deadlocks: a parked thread that nobody wakes, which is what
// a lost wake-up looks like. Values are `token`s, which a move empties, so that a send which
// moved its value into the channel and failed to take it back is seen.
//
// Timed operations use a zero duration: Relacy has no clock, and a waiter that times out at once
// may have installed itself first, so its withdrawal races every resumer at each point the
// scheduler chooses. Each scenario counts how its racing operations ended (static tallies), so a
// check can require that every outcome was explored.
#pragma once

#include <lockstep/verify/model_check.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <utility>

#include <lockstep/sync/sync.hpp>

namespace lockstep::verify {

// A value that a move leaves as 0 (a moved-from value must not be mistaken for the original).
struct token {
  int v = 0;
  token() = default;
  explicit token(int value) : v(value) {}
  token(token&& other) noexcept : v(std::exchange(other.v, 0)) {}
  token& operator=(token&& other) noexcept {
    v = std::exchange(other.v, 0);
    return *this;
  }
  token(const token&) = default;
  token& operator=(const token&) = default;
};

// Values are 1 + sender * 8 + sequence: unique, and they name their sender.
constexpr int value_of(unsigned sender, unsigned sequence) {
  return static_cast<int>(1 + sender * 8 + sequence);
}
constexpr unsigned sender_of(int v) { return static_cast<unsigned>(v - 1) / 8; }
constexpr unsigned sequence_of(int v) { return static_cast<unsigned>(v - 1) % 8; }

// What the senders did and what the receivers got, checked in after().
template <unsigned Senders, unsigned Sends, unsigned Receivers>
struct ledger {
  // 0: not attempted, 1: sent, 2: failed with the value kept.
  std::array<std::array<int, Sends>, Senders> sent{};
  std::array<std::array<int, Senders * Sends>, Receivers> received{};
  std::array<unsigned, Receivers> count{};

  void receive(unsigned receiver, const token& t) { received[receiver][count[receiver]++] = t.v; }

  // Checks every receiver's sequence, then drains the channel and checks conservation.
  template <class Channel>
  void check(Channel& ch) {
    std::array<std::array<int, Sends>, Senders> seen{};
    const auto note = [&](int v, int& last_of_sender) {
      RL_ASSERT(v > 0 && sender_of(v) < Senders && sequence_of(v) < Sends);
      RL_ASSERT(++seen[sender_of(v)][sequence_of(v)] == 1);
      RL_ASSERT(v > last_of_sender);  // FIFO per sender
      last_of_sender = v;
    };
    for (unsigned r = 0; r < Receivers; ++r) {
      std::array<int, Senders> last{};
      for (unsigned i = 0; i < count[r]; ++i) note(received[r][i], last[sender_of(received[r][i])]);
    }
    std::array<int, Senders> last_drained{};
    for (;;) {
      sync::recv_result<token> rest = ch.try_recv();
      if (!rest) break;
      note(rest.value->v, last_drained[sender_of(rest.value->v)]);
    }
    for (unsigned s = 0; s < Senders; ++s) {
      for (unsigned i = 0; i < Sends; ++i) RL_ASSERT(seen[s][i] == (sent[s][i] == 1 ? 1 : 0));
    }
  }
};

// How often each outcome of a scenario's race was explored: a check that never reached the
// path it is about proves nothing. Scenario is the scenario type, so each check has its own.
template <class Scenario>
struct outcome_tally {
  static inline std::array<unsigned long long, 4> seen{};
  static void record(unsigned outcome) { ++seen[outcome]; }
  static bool explored(std::initializer_list<unsigned> outcomes) {
    for (unsigned o : outcomes) {
      if (seen[o] == 0) return false;
    }
    return true;
  }
};

// Senders send Sends values each (blocking); Receivers receivers receive (blocking) until all
// are received, each taking an equal share.
template <class Channel, unsigned Senders, unsigned Sends, unsigned Receivers = 1>
struct send_receive
    : rl::test_suite<send_receive<Channel, Senders, Sends, Receivers>, Senders + Receivers> {
  static_assert(Senders * Sends % Receivers == 0);
  Channel ch;
  ledger<Senders, Sends, Receivers> book;

  void thread(unsigned t) {
    if (t < Senders) {
      for (unsigned i = 0; i < Sends; ++i) {
        ch.send(token(value_of(t, i)));
        book.sent[t][i] = 1;
      }
    } else {
      for (unsigned i = 0; i < Senders * Sends / Receivers; ++i) {
        std::optional<token> v = ch.recv();
        RL_ASSERT(v.has_value());
        book.receive(t - Senders, *v);
      }
    }
  }

  void after() { book.check(ch); }
};

// Senders send Sends values each, stopping at the first channel_closed (which must leave the
// value as it was); a closer closes; one receiver receives until nullopt. Outcomes: 0 every send
// completed, 1 some send threw.
template <class Channel, unsigned Senders, unsigned Sends>
struct close_races : rl::test_suite<close_races<Channel, Senders, Sends>, Senders + 2>,
                     outcome_tally<close_races<Channel, Senders, Sends>> {
  Channel ch;
  ledger<Senders, Sends, 1> book;

  void thread(unsigned t) {
    if (t < Senders) {
      for (unsigned i = 0; i < Sends; ++i) {
        token mine(value_of(t, i));
        try {
          ch.send(std::move(mine));
          book.sent[t][i] = 1;
        } catch (const sync::channel_closed&) {
          RL_ASSERT(mine.v == value_of(t, i));
          book.sent[t][i] = 2;
          return;
        }
      }
    } else if (t == Senders) {
      ch.close();
    } else {
      while (std::optional<token> v = ch.recv()) book.receive(0, *v);
    }
  }

  void after() {
    RL_ASSERT(ch.closed());
    // The receiver stopped at nullopt: every value sent before it had been received, so nothing
    // is left, and the senders have finished.
    RL_ASSERT(ch.try_recv().status == sync::channel_status::closed);
    book.check(ch);
    bool threw = false;
    for (unsigned s = 0; s < Senders; ++s) {
      for (unsigned i = 0; i < Sends; ++i) threw = threw || book.sent[s][i] == 2;
    }
    this->record(threw ? 1 : 0);
    bool close_threw = false;
    try {
      ch.close();
    } catch (const sync::channel_closed&) {
      close_threw = true;
    }
    RL_ASSERT(close_threw);
  }
};

// Two receivers block in recv() while a third thread closes the channel, which is empty and
// stays so: both must return nullopt. Close must complete every parked receiver, not only the
// first; one it forgets stays parked, which Relacy reports as a deadlock. The search reaches
// both receivers parked before the close without a preemption (parking yields).
template <class Channel>
struct close_parked_receivers : rl::test_suite<close_parked_receivers<Channel>, 3> {
  Channel ch;

  void thread(unsigned t) {
    if (t < 2) {
      RL_ASSERT(!ch.recv().has_value());
    } else {
      ch.close();
    }
  }

  void after() { RL_ASSERT(ch.try_recv().status == sync::channel_status::closed); }
};

// The buffer is filled with capacity() values (at most 2) before the threads start, so nobody
// can complete a send: two senders block in send() while a third thread closes. Both must throw
// channel_closed with their value kept (none delivered, none left parked: a forgotten sender is
// a deadlock), and the buffered values still drain after the close, in order.
template <class Channel>
struct close_parked_senders : rl::test_suite<close_parked_senders<Channel>, 3> {
  static constexpr unsigned filler = 2;  // before()'s values count as sender 2's
  Channel ch;
  ledger<3, 2, 1> book;

  void before() {
    RL_ASSERT(ch.capacity() <= 2);
    for (unsigned i = 0; i < ch.capacity(); ++i) {
      RL_ASSERT(ch.try_send(token(value_of(filler, i))) == sync::channel_status::ok);
      book.sent[filler][i] = 1;
    }
  }

  void thread(unsigned t) {
    if (t < 2) {
      token mine(value_of(t, 0));
      bool threw = false;
      try {
        ch.send(std::move(mine));
      } catch (const sync::channel_closed&) {
        threw = true;
      }
      RL_ASSERT(threw && mine.v == value_of(t, 0));
      book.sent[t][0] = 2;
    } else {
      ch.close();
    }
  }

  void after() {
    book.check(ch);
    RL_ASSERT(ch.try_recv().status == sync::channel_status::closed);
  }
};

// Sender 0 sends its one value with send_for: sent (1) or timed out with the value kept (2).
template <class Channel, class Book, class Duration>
void send_for_noting(Channel& ch, Book& book, Duration d) {
  token mine(value_of(0, 0));
  const sync::channel_status status = ch.send_for(std::move(mine), d);
  RL_ASSERT(status == sync::channel_status::ok || status == sync::channel_status::timeout);
  if (status == sync::channel_status::ok) {
    book.sent[0][0] = 1;
  } else {
    RL_ASSERT(mine.v == value_of(0, 0));
    book.sent[0][0] = 2;
  }
}

// A sender sends one value (blocking); a receiver tries once with a zero timeout, then closes
// the channel, so that a sender still parked is released with channel_closed. Outcomes: 0 the
// receiver got the value, 1 it timed out and the sender's value was buffered, 2 it timed out and
// the sender threw.
template <class Channel>
struct timed_receive : rl::test_suite<timed_receive<Channel>, 2>,
                       outcome_tally<timed_receive<Channel>> {
  Channel ch;
  ledger<1, 1, 1> book;
  sync::channel_status status = sync::channel_status::ok;

  void thread(unsigned t) {
    if (t == 0) {
      token mine(value_of(0, 0));
      try {
        ch.send(std::move(mine));
        book.sent[0][0] = 1;
      } catch (const sync::channel_closed&) {
        RL_ASSERT(mine.v == value_of(0, 0));
        book.sent[0][0] = 2;
      }
    } else {
      sync::recv_result<token> got = ch.recv_for(std::chrono::milliseconds(0));
      status = got.status;
      if (got) book.receive(0, *got.value);
      ch.close();
    }
  }

  void after() {
    RL_ASSERT(status == sync::channel_status::ok || status == sync::channel_status::timeout);
    // Unbuffered, a send completes only by a hand-over: the value was received.
    if (ch.capacity() == 0 && book.sent[0][0] == 1) RL_ASSERT(book.count[0] == 1);
    this->record(status == sync::channel_status::ok ? 0 : book.sent[0][0] == 1 ? 1 : 2);
    book.check(ch);
  }
};

// A sender sends one value with a zero timeout, then closes; a receiver receives (blocking).
// Outcomes: 0 sent, 1 timed out.
template <class Channel>
struct timed_send : rl::test_suite<timed_send<Channel>, 2>, outcome_tally<timed_send<Channel>> {
  Channel ch;
  ledger<1, 1, 1> book;

  void thread(unsigned t) {
    if (t == 0) {
      send_for_noting(ch, book, std::chrono::milliseconds(0));
      ch.close();
    } else {
      if (std::optional<token> v = ch.recv()) book.receive(0, *v);
    }
  }

  void after() {
    // A send that completed was received: the receiver waits for a value until the close.
    if (book.sent[0][0] == 1) RL_ASSERT(book.count[0] == 1);
    this->record(book.sent[0][0] == 1 ? 0 : 1);
    book.check(ch);
  }
};

// A timed send and a timed receive meet while both may time out (Relacy ends a timed wait with a
// timeout at any point, or lets a resume wake it): the value goes exactly once, never lost.
// Neither closes, so a waiter that a resume forgot to wake shows as a deadlock only if its wait
// cannot time out; what this scenario catches is a withdrawal and a resume that both win.
// Outcomes: 0 received, 1 both timed out (the value back with its sender), 2 sent into the
// buffer and the receiver timed out (drained by after()).
template <class Channel>
struct timed_meeting : rl::test_suite<timed_meeting<Channel>, 2>,
                       outcome_tally<timed_meeting<Channel>> {
  sync::channel_status received = sync::channel_status::ok;  // the receiver's status
  Channel ch;
  ledger<1, 1, 1> book;

  void thread(unsigned t) {
    if (t == 0) {
      send_for_noting(ch, book, std::chrono::seconds(1));
    } else {
      sync::recv_result<token> got = ch.recv_for(std::chrono::seconds(1));
      received = got.status;
      RL_ASSERT(got || got.status == sync::channel_status::timeout);
      if (got) book.receive(0, *got.value);
    }
  }

  void after() {
    // A value received was sent, and unbuffered a send that completed was received: the
    // receiver's withdrawal and the sender's hand-over cannot both win.
    if (received == sync::channel_status::ok) RL_ASSERT(book.sent[0][0] == 1);
    if (ch.capacity() == 0) RL_ASSERT((book.sent[0][0] == 1) == (book.count[0] == 1));
    this->record(received == sync::channel_status::ok ? 0 : book.sent[0][0] == 2 ? 1 : 2);
    book.check(ch);
  }
};

// try_send and try_recv never block; whatever they report, nothing is lost or duplicated.
// Outcomes: 0 no try_recv got a value, 1 one did, 2 both did.
template <class Channel>
struct tries : rl::test_suite<tries<Channel>, 2>, outcome_tally<tries<Channel>> {
  Channel ch;
  ledger<1, 2, 1> book;

  void thread(unsigned t) {
    if (t == 0) {
      for (unsigned i = 0; i < 2; ++i) {
        token mine(value_of(0, i));
        const sync::channel_status status = ch.try_send(std::move(mine));
        RL_ASSERT(status == sync::channel_status::ok || status == sync::channel_status::full);
        if (status == sync::channel_status::ok) {
          book.sent[0][i] = 1;
        } else {
          RL_ASSERT(mine.v == value_of(0, i));
          book.sent[0][i] = 2;
        }
      }
    } else {
      for (unsigned i = 0; i < 2; ++i) {
        sync::recv_result<token> got = ch.try_recv();
        RL_ASSERT(got || got.status == sync::channel_status::empty);
        if (got) book.receive(0, *got.value);
      }
    }
  }

  void after() {
    this->record(book.count[0]);
    book.check(ch);
  }
};

}  // namespace lockstep::verify
