// Mutation: lockfree::channel resumes a parked thread without waking it.
//
// MUTATE lockfree/detail/cell_protocol.hpp
// - c.status.notify_all();
// + static_cast<void>(c);
//
// resume() (O5) changes the cell's state (to delivered, taken, buffered or closed) and then must
// notify: a thread that has finished its brief spin and sleeps on the state word is woken only
// by the notify. Without it the receiver parked in a rendezvous channel sleeps forever after the
// sender delivered, a lost wake-up. The check passes only if Relacy reports the deadlock.
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>

#include "../relacy/channel_scenarios.hpp"

using namespace lockstep;

struct rendezvous : lockfree::channel<verify::token, hazard::leaking, 2> {
  rendezvous() : lockfree::channel<verify::token, hazard::leaking, 2>(0) {}
};

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::send_receive<rendezvous, 1, 2>>(
      "channel whose resume() does not notify: a parked thread is never woken",
      verify::search::bounded(2), rl::test_result_deadlock);
  return checks.result();
}
