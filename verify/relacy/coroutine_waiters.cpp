// Model checks of the coroutine waiter (sync/executor.hpp) in both channel families: a
// coroutine that suspends in async_recv, async_send, async_recv_for, async_send_for, async_select
// or async_select_for is resumed exactly once, with the right outcome, whichever of its possible
// wakers wins — a send against a close, one select against another for a single value, a timer
// that fires (on a model thread of its own, at any point) against the value's arrival.
//
// Real C++20 coroutines run inside the check (coroutine_model.hpp): a model thread starts one,
// and the model executor's queue hands a made-ready coroutine to the next model thread that
// looks. The executor asserts at every make_ready that the coroutine is suspended (or inside
// the await_suspend that suspends it) and not already queued: a resume too many is caught where
// it happens. After every execution each coroutine must have finished, resumed as often as it
// suspended (a lost resume leaves it suspended), the channel contract of channel_scenarios.hpp
// must hold (every value received exactly once, or kept by a sender that failed, or drained),
// and Relacy's own checks apply: data races, leaks (frames, cells), deadlocks (a parked thread
// that nobody wakes). Every racing scenario must also have explored each way its race can end.
#include "coroutine_scenarios.hpp"

#include <cstddef>
#include <initializer_list>
#include <string>

#include <lockstep/hazard/leaking.hpp>
#include <lockstep/locked/channel.hpp>
#include <lockstep/locked/select.hpp>
#include <lockstep/lockfree/channel.hpp>
#include <lockstep/lockfree/select.hpp>

using namespace lockstep;
using namespace lockstep::verify;

namespace {

template <std::size_t Capacity>
using lockfree_of = constructed_with<lockfree::channel<token, hazard::leaking, 2>, Capacity>;
template <std::size_t Capacity>
using locked_of = constructed_with<locked::channel<token>, Capacity>;

template <class Scenario>
void check(model_checks& checks, const std::string& name, search s,
           std::initializer_list<unsigned> outcomes) {
  checks.pass<Scenario>(name, s);
  checks.require(Scenario::explored(outcomes), name + ": every possible outcome explored");
}

// One family's checks; `family` names it in each check's name.
template <template <std::size_t> class Of>
void check_family(model_checks& checks, const std::string& family) {
  const search two = checks.bounded(2, 3);
  const search three = checks.random(20'000, 2'000'000);
  check<recv_racing_close<Of<0>>>(checks, family + " rendezvous: async_recv, send racing close",
                                  two, {0, 1});
  check<recv_racing_close<Of<1>>>(checks, family + " capacity 1: async_recv, send racing close",
                                  two, {0, 1});
  check<send_racing_close<Of<0>>>(checks, family + " rendezvous: async_send, recv racing close",
                                  two, {0, 1});
  check<send_racing_close<Of<1>>>(checks, family + " capacity 1: async_send, recv racing close",
                                  two, {0, 1});
  check<coroutines_meet<Of<0>>>(checks, family + " rendezvous: async_send meets async_recv",
                                two, {0, 1});
  check<coroutines_meet<Of<1>>>(checks, family + " capacity 1: async_send meets async_recv",
                                two, {0});
  check<selects_race<Of<0>>>(checks, family + " rendezvous: two async_selects, one value", three,
                             {0, 1});
  check<selects_race<Of<1>>>(checks, family + " capacity 1: two async_selects, one value", three,
                             {0, 1, 2});
  check<timed_recv_meets_value<Of<0>>>(
      checks, family + " rendezvous: async_recv_for's timer racing a send", three, {0, 2});
  check<timed_recv_meets_value<Of<1>>>(
      checks, family + " capacity 1: async_recv_for's timer racing a send", three, {0, 1});
  check<timed_send_meets_receiver<Of<0>>>(
      checks, family + " rendezvous: async_send_for's timer racing a recv", three, {0, 1});
  check<timed_select_meets_value<Of<0>>>(
      checks, family + " rendezvous: async_select_for's timer racing a send", three, {0, 1});
}

}  // namespace

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  check_family<locked_of>(checks, "locked");
  check_family<lockfree_of>(checks, "lockfree");
  return checks.result();
}
