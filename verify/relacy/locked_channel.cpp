// Model checks of locked::channel and locked::select: the channel contract of
// channel_scenarios.hpp and select's of select_scenarios.hpp, on an unbuffered channel (every
// transfer a hand-off to a parked waiter) and a buffered one (a full buffer parks senders; a
// receive then moves a parked sender's value into the buffer). Relacy's deadlock detection is
// the check for lost wake-ups: every scenario ends with all threads finished, so a waiter left
// parked is reported. Each racing scenario must also have explored every way its race can end.
//
// Budgets, measured on one core at -O2: a mutex-based channel has many scheduling points per
// operation (each lock, unlock and parking-word access), so context-bounded search is
// affordable only with two threads — bound 2 in seconds, bound 3 in about 40 s for two sends
// and two receives. Three-thread scenarios run on random schedules (about 200,000 per second):
// bound 1 already takes 9.5 M iterations for one send racing a close and a receive, and over
// 5 minutes for select over two channels racing two senders.
#include "channel_scenarios.hpp"
#include "select_scenarios.hpp"

#include <lockstep/locked/channel.hpp>
#include <lockstep/locked/select.hpp>

using namespace lockstep;
using namespace lockstep::verify;

namespace {

template <std::size_t Capacity>
using channel_of = constructed_with<locked::channel<token>, Capacity>;

}  // namespace

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  checks.pass<send_receive<channel_of<0>, 1, 2>>("rendezvous: 1 sender x 2, 1 receiver x 2",
                                                 checks.bounded(2, 3));
  checks.pass<send_receive<channel_of<0>, 2, 1>>("rendezvous: 2 senders x 1, 1 receiver x 2",
                                                 checks.random(200'000, 5'000'000));
  checks.pass<send_receive<channel_of<1>, 2, 2>>("capacity 1: 2 senders x 2, 1 receiver x 4",
                                                 checks.random(200'000, 5'000'000));
  checks.pass<send_receive<channel_of<1>, 1, 2, 2>>("capacity 1: 1 sender x 2, 2 receivers x 1",
                                                    checks.random(200'000, 5'000'000));

  checks.pass<close_races<channel_of<0>, 1, 2>>(
      "rendezvous: close racing 1 sender x 2 and a receiver", checks.random(200'000, 5'000'000));
  checks.require(close_races<channel_of<0>, 1, 2>::explored({0, 1}),
                 "rendezvous close race: sends completed, and a send threw");
  checks.pass<close_races<channel_of<1>, 2, 1>>(
      "capacity 1: close racing 2 senders x 1 and a receiver", checks.random(200'000, 5'000'000));
  checks.require(close_races<channel_of<1>, 2, 1>::explored({0, 1}),
                 "buffered close race: sends completed, and a send threw");

  // Close with two waiters of one kind parked: every one must be completed, not the first only.
  checks.pass<close_parked_receivers<channel_of<0>>>("rendezvous: close with 2 receivers parked",
                                                     checks.random(200'000, 5'000'000));
  checks.pass<close_parked_receivers<channel_of<1>>>("capacity 1: close with 2 receivers parked",
                                                     checks.random(200'000, 5'000'000));
  checks.pass<close_parked_senders<channel_of<0>>>("rendezvous: close with 2 senders parked",
                                                   checks.random(200'000, 5'000'000));
  checks.pass<close_parked_senders<channel_of<1>>>(
      "capacity 1, full: close with 2 senders parked, the buffer drains",
      checks.random(200'000, 5'000'000));

  checks.pass<timed_receive<channel_of<0>>>("rendezvous: recv_for racing send, then close",
                                            checks.bounded(2, 3));
  checks.require(timed_receive<channel_of<0>>::explored({0, 2}),
                 "rendezvous recv_for: received, and timed out with the sender closed out");
  checks.pass<timed_receive<channel_of<1>>>("capacity 1: recv_for racing send, then close",
                                            checks.bounded(2, 3));
  checks.require(timed_receive<channel_of<1>>::explored({0, 1}),
                 "buffered recv_for: received, and timed out with the value buffered");
  checks.pass<timed_send<channel_of<0>>>("rendezvous: send_for racing recv, then close",
                                         checks.bounded(2, 3));
  checks.require(timed_send<channel_of<0>>::explored({0, 1}),
                 "rendezvous send_for: delivered, and timed out");
  checks.pass<tries<channel_of<0>>>("rendezvous: try_send x 2 racing try_recv x 2",
                                    checks.bounded(5, 6));
  checks.pass<tries<channel_of<1>>>("capacity 1: try_send x 2 racing try_recv x 2",
                                    checks.bounded(5, 6));
  checks.require(tries<channel_of<1>>::explored({0, 1, 2}),
                 "buffered tries: none, one and both values received");

  checks.pass<select_receives<channel_of<0>>>(
      "select over two rendezvous receives racing two senders", checks.random(200'000, 5'000'000));
  checks.require(select_receives<channel_of<0>>::explored({0, 1}), "select fired either case");
  checks.pass<select_receives<channel_of<1>>>(
      "select over two buffered receives racing two senders", checks.random(200'000, 5'000'000));
  checks.pass<select_send_or_receive<channel_of<0>>>("select over a rendezvous send and receive",
                                                     checks.random(200'000, 5'000'000));
  checks.require(select_send_or_receive<channel_of<0>>::explored({0, 1}),
                 "select fired the send and the receive");
  checks.pass<select_timed<channel_of<0>>>("select_for racing send_for, rendezvous",
                                           checks.bounded(2, 3));
  checks.require(select_timed<channel_of<0>>::explored({0, 1}), "select_for fired and timed out");
  checks.pass<select_closing<channel_of<0>>>("select racing two closes, rendezvous",
                                             checks.random(200'000, 5'000'000));
  checks.require(select_closing<channel_of<0>>::explored({0, 1}),
                 "closed select: the receive fired, and the send threw");
  checks.pass<select_closing<channel_of<1>>>("select racing two closes, capacity 1",
                                             checks.random(200'000, 5'000'000));
  checks.require(select_closing<channel_of<1>>::explored({0, 1, 2}),
                 "closed buffered select: receive fired, send threw, send buffered");
  return checks.result();
}
