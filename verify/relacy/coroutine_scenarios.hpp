// Model-check scenarios of the coroutine waiter, for any channel family of `token`s that has
// the coroutine forms (sync::awaitable_channel) and async_select / async_select_for (found by
// argument-dependent lookup): a coroutine that suspends is resumed exactly once, with the right
// outcome, whichever of its possible wakers wins. Each runs real coroutines on the model
// executor (coroutine_model.hpp), whose bookkeeping catches a resume too many where it happens
// and a lost one after the execution; the channel contract is channel_scenarios.hpp's ledger.
// Each scenario counts how its race ended (outcome_tally), so that a check can require that
// every outcome was explored.
#pragma once

#include "channel_scenarios.hpp"
#include "coroutine_model.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <utility>

namespace lockstep::verify {

// A long duration: the model executor's timer fires when Relacy chooses, never by the clock, and
// an awaitable must not see its deadline passed before it waits.
constexpr std::chrono::seconds patience{1};

// Runs `body` as a worker of the model executor (between its enter and leave).
template <class Body>
void as_worker(model_executor& executor, Body&& body) {
  executor.enter();
  body();
  executor.leave();
}

// Thread 2 of a timed scenario is the executor's timer thread; the others are its workers.
template <class Body>
void as_worker_or_timer(model_executor& executor, unsigned t, Body&& body) {
  if (t == 2) {
    executor.fire_timers();
    return;
  }
  as_worker(executor, body);
}

// A thread sends sender 0's one value, which the close may meet: the send throws with the value
// left as it was. The ledger says which (1 sent, 2 closed).
template <class Channel, class Book>
void send_unless_closed(Channel& ch, Book& book) {
  token mine(value_of(0, 0));
  try {
    ch.send(std::move(mine));
    book.sent[0][0] = 1;
  } catch (const sync::channel_closed&) {
    RL_ASSERT(mine.v == value_of(0, 0));
    book.sent[0][0] = 2;
  }
}

// The coroutine forms of the two: a receive that the close may end with nothing, and a send
// that the close may make throw.
template <class Channel, class Book>
model_coroutine receive_or_closed(model_executor&, Channel& ch, Book& book, bool& closed_seen) {
  std::optional<token> v = co_await ch.async_recv();
  if (v) {
    book.receive(0, *v);
  } else {
    closed_seen = true;
  }
}

template <class Channel, class Book>
model_coroutine async_send_unless_closed(model_executor&, Channel& ch, Book& book) {
  token mine(value_of(0, 0));
  try {
    co_await ch.async_send(std::move(mine));
    book.sent[0][0] = 1;
  } catch (const sync::channel_closed&) {
    RL_ASSERT(mine.v == value_of(0, 0));
    book.sent[0][0] = 2;
  }
}

// The one value was received exactly when it was sent; the receiver ends with nullopt only once
// the channel is closed and drained.
template <class Book>
void check_value_or_close(const Book& book, bool closed_seen) {
  RL_ASSERT(closed_seen != (book.count[0] == 1));
  RL_ASSERT((book.sent[0][0] == 1) == (book.count[0] == 1));
}

// A coroutine receiver against a thread's send and a close. Thread 0 starts the receiver, which
// suspends unless the value (or the close) is already there, then closes the channel; thread 1
// sends, which throws if the close came first. Whichever reaches the suspended receiver first
// completes it: the send with the value, the close with nothing. Outcomes: 0 the receiver got
// the value, 1 it got the close (and the send threw).
template <class Channel>
struct recv_racing_close : rl::test_suite<recv_racing_close<Channel>, 2>,
                           outcome_tally<recv_racing_close<Channel>> {
  model_executor executor{2};
  Channel ch;
  ledger<1, 1, 1> book;
  bool closed_seen = false;

  void thread(unsigned t) {
    as_worker(executor, [&] {
      if (t == 0) {
        receive_or_closed(executor, ch, book, closed_seen).start();
        ch.close();
      } else {
        send_unless_closed(ch, book);
      }
    });
  }

  void after() {
    executor.check_all_resumed();
    check_value_or_close(book, closed_seen);
    this->record(closed_seen ? 1 : 0);
    book.check(ch);
  }
};

// A coroutine sender against a thread's receive and a close. A buffered channel is full before
// the threads start (sender 1's value), so that the coroutine suspends there too. Thread 0
// starts the sender, then closes; thread 1 receives once. Outcomes: 0 the send completed
// (received, or buffered once the receive made room), 1 it threw channel_closed with its value
// kept.
template <class Channel>
struct send_racing_close : rl::test_suite<send_racing_close<Channel>, 2>,
                           outcome_tally<send_racing_close<Channel>> {
  model_executor executor{2};
  Channel ch;
  ledger<2, 1, 1> book;

  void before() {
    if (ch.capacity() == 0) return;
    ch.send(token(value_of(1, 0)));
    book.sent[1][0] = 1;
  }

  void thread(unsigned t) {
    as_worker(executor, [&] {
      if (t == 0) {
        async_send_unless_closed(executor, ch, book).start();
        ch.close();
      } else if (std::optional<token> v = ch.recv()) {
        book.receive(0, *v);
      }
    });
  }

  void after() {
    executor.check_all_resumed();
    RL_ASSERT(book.sent[0][0] != 0);
    if (ch.capacity() == 0 && book.count[0] == 1) RL_ASSERT(book.sent[0][0] == 1);
    this->record(book.sent[0][0] == 1 ? 0 : 1);
    book.check(ch);
  }
};

// Coroutines at both ends: thread 0 starts a receiver coroutine, thread 1 a sender coroutine
// and then closes the channel. Whichever suspends first is resumed by the other's operation (a
// make_ready from inside a coroutine) or by the close. Outcomes: 0 the value went from the
// sender to the receiver, 1 the send threw (value kept) and the receiver got the close (only
// unbuffered: a buffered send completes before the close).
template <class Channel>
struct coroutines_meet : rl::test_suite<coroutines_meet<Channel>, 2>,
                         outcome_tally<coroutines_meet<Channel>> {
  model_executor executor{2};
  Channel ch;
  ledger<1, 1, 1> book;
  bool closed_seen = false;

  void thread(unsigned t) {
    as_worker(executor, [&] {
      if (t == 0) {
        receive_or_closed(executor, ch, book, closed_seen).start();
      } else {
        async_send_unless_closed(executor, ch, book).start();
        ch.close();
      }
    });
  }

  void after() {
    executor.check_all_resumed();
    RL_ASSERT(book.sent[0][0] != 0);
    check_value_or_close(book, closed_seen);
    this->record(closed_seen ? 1 : 0);
    book.check(ch);
  }
};

// Two coroutine selects race for one value: each selects over receiving from `a` and from `b`,
// on threads 0 and 1; thread 2 sends one value on `a` and then closes `b`, which releases the
// select that did not get the value. Exactly one select receives it (or, `a` buffered, both may
// fire on the close and the value stays in the buffer). Outcomes: 0 select 0 got the value,
// 1 select 1 got it, 2 neither (left in the buffer).
template <class Channel>
struct selects_race : rl::test_suite<selects_race<Channel>, 3>,
                      outcome_tally<selects_race<Channel>> {
  model_executor executor{3};
  Channel a, b;
  ledger<1, 1, 2> book;
  std::array<std::size_t, 2> fired{2, 2};

  static model_coroutine selector(model_executor&, selects_race& s, unsigned me) {
    std::optional<token> x, y;
    const std::size_t i = co_await async_select(on_recv(s.a, x), on_recv(s.b, y));
    s.fired[me] = i;
    RL_ASSERT(!y.has_value());
    if (i == 0) {
      RL_ASSERT(x.has_value());
      s.book.receive(me, *x);
    } else {
      RL_ASSERT(i == 1 && !x.has_value());
    }
  }

  void thread(unsigned t) {
    as_worker(executor, [&] {
      if (t < 2) {
        selector(executor, *this, t).start();
      } else {
        a.send(token(value_of(0, 0)));
        book.sent[0][0] = 1;
        b.close();
      }
    });
  }

  void after() {
    executor.check_all_resumed();
    RL_ASSERT(fired[0] < 2 && fired[1] < 2);
    RL_ASSERT(book.count[0] + book.count[1] <= 1);
    if (a.capacity() == 0) RL_ASSERT(book.count[0] + book.count[1] == 1);
    this->record(book.count[0] == 1 ? 0 : book.count[1] == 1 ? 1 : 2);
    book.check(a);
  }
};

// A timed coroutine receive expires as the value arrives: thread 0 starts a coroutine that
// waits in async_recv_for and then closes the channel (releasing a sender still parked); thread
// 1 sends; thread 2 is the executor's timer thread, which fires at any point after the wait
// published itself. Outcomes: 0 received, 1 timed out with the value buffered, 2 timed out and
// the send threw.
template <class Channel>
struct timed_recv_meets_value : rl::test_suite<timed_recv_meets_value<Channel>, 3>,
                                outcome_tally<timed_recv_meets_value<Channel>> {
  model_executor executor{2};
  Channel ch;
  ledger<1, 1, 1> book;
  sync::channel_status status = sync::channel_status::empty;

  static model_coroutine receiver(model_executor&, timed_recv_meets_value& s) {
    sync::recv_result<token> got = co_await s.ch.async_recv_for(patience);
    s.status = got.status;
    if (got) s.book.receive(0, *got.value);
    s.ch.close();
  }

  void thread(unsigned t) {
    as_worker_or_timer(executor, t, [&] {
      if (t == 0) {
        receiver(executor, *this).start();
      } else {
        send_unless_closed(ch, book);
      }
    });
  }

  void after() {
    executor.check_all_resumed();
    RL_ASSERT(status == sync::channel_status::ok || status == sync::channel_status::timeout);
    // Only the timer times a wait out.
    if (status == sync::channel_status::timeout) RL_ASSERT(executor.timers_fired() == 1);
    if (ch.capacity() == 0 && book.sent[0][0] == 1) RL_ASSERT(book.count[0] == 1);
    this->record(status == sync::channel_status::ok ? 0 : book.sent[0][0] == 1 ? 1 : 2);
    book.check(ch);
  }
};

// A timed coroutine send expires as a receiver arrives: thread 0 starts a coroutine that waits
// in async_send_for and then closes the channel; thread 1 receives once (the close releases it
// if the send timed out); thread 2 is the timer thread. Outcomes: 0 sent, 1 timed out with the
// value kept.
template <class Channel>
struct timed_send_meets_receiver : rl::test_suite<timed_send_meets_receiver<Channel>, 3>,
                                   outcome_tally<timed_send_meets_receiver<Channel>> {
  model_executor executor{2};
  Channel ch;
  ledger<1, 1, 1> book;

  static model_coroutine sender(model_executor&, timed_send_meets_receiver& s) {
    token mine(value_of(0, 0));
    const sync::channel_status status = co_await s.ch.async_send_for(std::move(mine), patience);
    if (status == sync::channel_status::ok) {
      s.book.sent[0][0] = 1;
    } else {
      RL_ASSERT(status == sync::channel_status::timeout && mine.v == value_of(0, 0));
      s.book.sent[0][0] = 2;
    }
    s.ch.close();
  }

  void thread(unsigned t) {
    as_worker_or_timer(executor, t, [&] {
      if (t == 0) {
        sender(executor, *this).start();
      } else if (std::optional<token> v = ch.recv()) {
        book.receive(0, *v);
      }
    });
  }

  void after() {
    executor.check_all_resumed();
    if (book.sent[0][0] == 2) RL_ASSERT(executor.timers_fired() == 1);
    if (book.sent[0][0] == 1) RL_ASSERT(book.count[0] == 1);
    this->record(book.sent[0][0] == 1 ? 0 : 1);
    book.check(ch);
  }
};

// A timed coroutine select expires as a value arrives on one of its channels: thread 0 starts a
// coroutine in async_select_for over receiving from `a` and `b`, which then closes `a`; thread 1
// sends on `a`; thread 2 is the timer thread. Outcomes: 0 the select fired, 1 it timed out.
template <class Channel>
struct timed_select_meets_value : rl::test_suite<timed_select_meets_value<Channel>, 3>,
                                  outcome_tally<timed_select_meets_value<Channel>> {
  model_executor executor{2};
  Channel a, b;
  ledger<1, 1, 1> book;
  std::optional<std::size_t> fired;

  static model_coroutine selector(model_executor&, timed_select_meets_value& s) {
    std::optional<token> x, y;
    s.fired = co_await async_select_for(patience, on_recv(s.a, x), on_recv(s.b, y));
    RL_ASSERT(!y.has_value());
    if (s.fired) {
      RL_ASSERT(*s.fired == 0 && x.has_value());
      s.book.receive(0, *x);
    } else {
      RL_ASSERT(!x.has_value());
    }
    s.a.close();
  }

  void thread(unsigned t) {
    as_worker_or_timer(executor, t, [&] {
      if (t == 0) {
        selector(executor, *this).start();
      } else {
        send_unless_closed(a, book);
      }
    });
  }

  void after() {
    executor.check_all_resumed();
    if (!fired) RL_ASSERT(executor.timers_fired() == 1);
    if (a.capacity() == 0) RL_ASSERT((book.sent[0][0] == 1) == fired.has_value());
    this->record(fired ? 0 : 1);
    book.check(a);
  }
};

}  // namespace lockstep::verify
