// Model checks of lockfree::channel with two-cell segments, so that every scenario walks and
// appends segments, and retires them while it runs, against the channel contract of
// channel_scenarios.hpp (nothing lost or duplicated, FIFO per sender, close and timeout
// semantics, no lost wake-up). Segments are reclaimed by epochs that collect at every retire;
// the scenarios with most traffic require that segments were freed during the run in some
// executions, since a check in which nothing is freed could not find a use after free.
#include "channel_scenarios.hpp"

#include <cstddef>
#include <initializer_list>
#include <string>

#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>

using namespace lockstep;
using namespace lockstep::verify;

namespace {

// Epochs that try to advance and collect at every retire (so that segments are freed while the
// scenario runs, where a use after free could be seen), counting the retires of the current
// execution (one channel, so one domain, per execution).
struct counted_epochs {
  static inline std::size_t retired = 0;

  template <class Node>
  class domain : public hazard::basic_epochs<1>::domain<Node> {
   public:
    domain() { retired = 0; }
    void retire(Node* n) {
      hazard::basic_epochs<1>::domain<Node>::retire(n);
      ++retired;
    }
  };
};

}  // namespace

// The wrapper is an epoch policy: its guard is the read-side section the channel requires.
template <>
inline constexpr bool lockfree::detail::section_reclaimer<counted_epochs> = true;

namespace {

// The exchange protocol under context-bounded search, with the leaking policy (its protection
// is a plain load, so the search is spent on the cells, not on the epoch's bookkeeping: a section
// multiplies a bound-2 search of the smallest scenario by thirty).
template <std::size_t Capacity>
struct leaky : lockfree::channel<token, hazard::leaking, 2> {
  leaky() : lockfree::channel<token, hazard::leaking, 2>(Capacity) {}
};

// Reclamation under random schedules: epochs that free while the scenario runs.
template <std::size_t Capacity, std::size_t SegmentSize = 2>
struct reclaiming : lockfree::channel<token, counted_epochs, SegmentSize> {
  reclaiming() : lockfree::channel<token, counted_epochs, SegmentSize>(Capacity) {}
};

// A scenario that also counts the executions in which a segment was freed before the channel
// was destroyed (counted before after() drains the channel).
template <class Scenario>
struct counting : Scenario, freed_tally<counting<Scenario>> {
  void after() {
    this->record(this->ch.unreclaimed() < counted_epochs::retired);
    Scenario::after();
  }
};

// Runs a scenario and requires that each of `outcomes` (the scenario's numbering) was explored.
template <class Scenario>
void check(model_checks& checks, const std::string& name, search s,
           std::initializer_list<unsigned> outcomes) {
  checks.pass<Scenario>(name, s);
  checks.require(Scenario::explored(outcomes), name + ": every possible outcome explored");
}

// Runs a scenario and requires that segments were freed during the run in some executions.
template <class Scenario>
void freeing(model_checks& checks, const std::string& name, search s) {
  using counted_scenario = counting<Scenario>;
  checks.pass<counted_scenario>(name, s);
  checks.require(counted_scenario::freed_during_run != 0,
                 name + ": segments freed during the run in " + counted_scenario::report());
}

}  // namespace

int main(int argc, char** argv) {
  model_checks checks(argc, argv);
  // Two threads: context-bounded searches (bound 2 for blocking pairs and the timed races, 3 for
  // the try races). Three or four threads: random schedules (a bound of 2 on three threads did not
  // finish in ten minutes), bound 1 in the deep profile.
  // Quick random budgets stay small where other checks cover the paths: the two-thread bounded
  // searches cover each exchange path, and the epoch checks are there for reclamation only.
  const auto three_threads = [&](rl::iteration_t quick) {
    return checks.deep() ? search::bounded(1) : search::random(quick);
  };

  checks.pass<send_receive<leaky<0>, 1, 2>>("rendezvous: 1 sender x 2, 1 receiver x 2",
                                            checks.bounded(2, 3));
  checks.pass<send_receive<leaky<1>, 1, 3>>("capacity 1: 1 sender x 3, 1 receiver x 3",
                                            checks.bounded(1, 2));
  checks.pass<send_receive<leaky<0>, 2, 1>>("rendezvous: 2 senders x 1, 1 receiver x 2",
                                            three_threads(150'000));
  checks.pass<send_receive<leaky<0>, 1, 2, 2>>("rendezvous: 1 sender x 2, 2 receivers x 1",
                                               three_threads(150'000));
  checks.pass<send_receive<leaky<1>, 2, 2>>("capacity 1: 2 senders x 2, 1 receiver x 4",
                                            three_threads(150'000));
  checks.pass<send_receive<leaky<2>, 2, 2>>("capacity 2: 2 senders x 2, 1 receiver x 4",
                                            three_threads(150'000));
  checks.pass<send_receive<leaky<1>, 1, 2, 2>>("capacity 1: 1 sender x 2, 2 receivers x 1",
                                               three_threads(150'000));

  check<close_races<leaky<0>, 1, 2>>(checks, "rendezvous: close racing 1 sender x 2 and a receiver",
                                     three_threads(150'000), {0, 1});
  check<close_races<leaky<1>, 1, 2>>(checks, "capacity 1: close racing 1 sender x 2 and a receiver",
                                     three_threads(150'000), {0, 1});
  check<close_races<leaky<1>, 2, 1>>(checks,
                                     "capacity 1: close racing 2 senders x 1 and a receiver",
                                     checks.random(150'000, 3'000'000), {0, 1});

  // Close with two waiters of one kind parked: close must mark every cell between the
  // counters, not stop at the first waiter. The bug shows within a hundred random schedules.
  const search parked = checks.random(50'000, 2'000'000);
  checks.pass<close_parked_receivers<leaky<0>>>("rendezvous: close with 2 receivers parked",
                                                parked);
  checks.pass<close_parked_receivers<leaky<1>>>("capacity 1: close with 2 receivers parked",
                                                parked);
  checks.pass<close_parked_senders<leaky<0>>>("rendezvous: close with 2 senders parked", parked);
  checks.pass<close_parked_senders<leaky<1>>>(
      "capacity 1, full: close with 2 senders parked, the buffer drains", parked);

  // The timed races at bound 2 in the quick profile: channel_timed.cpp searches the timed pair
  // (send_for racing recv_for) at bound 3, and bound 3 here was 40% of this executable's time.
  const search timed = checks.bounded(2, 4);
  check<timed_receive<leaky<0>>>(checks, "rendezvous: recv_for racing send, then close", timed,
                                 {0, 2});
  check<timed_receive<leaky<1>>>(checks, "capacity 1: recv_for racing send, then close", timed,
                                 {0, 1, 2});
  check<timed_send<leaky<0>>>(checks, "rendezvous: send_for racing recv, then close", timed,
                              {0, 1});
  check<timed_send<leaky<1>>>(checks, "capacity 1: send_for racing recv, then close", timed, {0});
  // Unbuffered, two operations that never wait cannot meet (nor can they in Go): try_send takes
  // a cell only when a receiver has taken one first, and try_recv only when a sender has.
  check<tries<leaky<0>>>(checks, "rendezvous: try_send x 2 racing try_recv x 2",
                         checks.bounded(3, 4), {0});
  check<tries<leaky<1>>>(checks, "capacity 1: try_send x 2 racing try_recv x 2",
                         checks.bounded(3, 4), {0, 1, 2});

  // Reclamation: enough traffic to retire and free segments while the scenario runs, and the
  // races above again with segments freed under them.
  const search epochs = checks.random(40'000, 2'000'000);
  const search epoch_races = checks.random(50'000, 2'000'000);
  freeing<send_receive<reclaiming<0>, 1, 6>>(
      checks, "epochs, rendezvous: 1 sender x 6, 1 receiver x 6", epochs);
  freeing<send_receive<reclaiming<1>, 1, 6>>(
      checks, "epochs, capacity 1: 1 sender x 6, 1 receiver x 6", epochs);
  freeing<send_receive<reclaiming<1>, 2, 3, 2>>(
      checks, "epochs, capacity 1: 2 senders x 3, 2 receivers x 3", epochs);
  // One-cell segments: a segment is retired after every exchange, under the other threads.
  freeing<send_receive<reclaiming<2, 1>, 1, 6, 2>>(
      checks, "epochs, one-cell segments, capacity 2: 1 sender x 6, 2 receivers x 3", epochs);
  freeing<send_receive<reclaiming<0, 1>, 2, 2, 2>>(
      checks, "epochs, one-cell segments, rendezvous: 2 senders x 2, 2 receivers x 2", epochs);
  checks.pass<close_races<reclaiming<1>, 2, 2>>(
      "epochs, capacity 1: close racing 2 senders x 2 and a receiver", epoch_races);
  checks.pass<timed_receive<reclaiming<1>>>("epochs, capacity 1: recv_for racing send, then close",
                                            epoch_races);
  checks.pass<timed_send<reclaiming<0>>>("epochs, rendezvous: send_for racing recv, then close",
                                         epoch_races);
  checks.pass<tries<reclaiming<1>>>("epochs, capacity 1: try_send x 2 racing try_recv x 2",
                                    epoch_races);
  return checks.result();
}
