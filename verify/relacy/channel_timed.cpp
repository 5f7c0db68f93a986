// Model checks of the timed wait through the seam, both families: send_for and recv_for park on
// a sync::waiter (the lock-free cell's state word, the locked parker's word) with a deadline,
// and Relacy ends such a wait with a timeout at any point or lets a resume wake it. The
// scenario (timed_meeting, channel_scenarios.hpp) races a timed send against a timed receive
// with no close: every execution must move the value exactly once — received, buffered, or
// back with its sender — and unbuffered, a send that completed was received. A timed-out
// waiter that kept its cell, or a resume that won against a withdrawal, would break that.
#include "channel_scenarios.hpp"

#include <cstddef>
#include <string>

#include <lockstep/hazard/leaking.hpp>
#include <lockstep/locked/channel.hpp>
#include <lockstep/lockfree/channel.hpp>

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

}  // namespace

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  check<timed_meeting<lockfree_of<0>>>(checks, "lockfree rendezvous: send_for racing recv_for",
                                       checks.bounded(3, 4), {0, 1});
  check<timed_meeting<lockfree_of<1>>>(checks, "lockfree capacity 1: send_for racing recv_for",
                                       checks.bounded(3, 4), {0, 2});
  check<timed_meeting<locked_of<0>>>(checks, "locked rendezvous: send_for racing recv_for",
                                     checks.bounded(2, 3), {0, 1});
  check<timed_meeting<locked_of<1>>>(checks, "locked capacity 1: send_for racing recv_for",
                                     checks.bounded(2, 3), {0, 2});
  return checks.result();
}
