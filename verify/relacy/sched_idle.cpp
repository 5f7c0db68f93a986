// Model checks of sched::idle_workers, the idle protocol of the scheduler's workers: every
// submitted task runs and no worker sleeps with work pending. The queues are modelled by two
// counters (a FIFO of task numbers: taken up to head, submitted up to tail); a worker runs the
// scheduler's loop over the protocol (try_spin, take, spinner_found_work, park). A plain
// thread submits, waits until every task has run, then stops the workers. A task never run
// leaves that thread and the parked workers asleep: Relacy reports the deadlock, which is the
// lost wake-up. Tasks that wait for a later task need a second worker awake, which is what the
// last spinner's wake (Go's resetspinning) and a wake from a submitting task provide.
#include <lockstep/verify/model_check.hpp>

#include "sched_idle_scenarios.hpp"

using namespace lockstep;

namespace {

// No work at all: each worker becomes a spinner, finds nothing and parks. Nobody wakes a parked
// worker, so every park must end by the stop; and the idle() hint must reach Workers (every
// worker announced, none claimed), which the thread waits for before it stops them: a park
// that never announced leaves that thread spinning, which Relacy reports as a livelock. The
// stop withdraws no announcement, so the count stays Workers.
template <unsigned Workers>
struct all_park : rl::test_suite<all_park<Workers>, Workers + 1> {
  sched::idle_workers idle{Workers};

  void thread(unsigned index) {
    if (index < Workers) {
      const bool spinning = idle.try_spin();
      RL_ASSERT(!idle.park(spinning, [] { return false; }));
      return;
    }
    while (idle.idle() != Workers) sync::cpu_relax();
    idle.stop();
  }

  void after() {
    RL_ASSERT(idle.stopped());
    RL_ASSERT(idle.idle() == Workers);
  }
};

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  using verify::idle_scenario;
  using verify::task_plan;
  checks.pass<idle_scenario<2, task_plan::independent, 2>>("2 workers, 2 tasks from a thread",
                                                           checks.random(20000, 1000000));
  checks.pass<idle_scenario<2, task_plan::first_waits_for_second, 2>>(
      "2 workers, 2 tasks, the first waits for the second", checks.random(20000, 1000000));
  checks.pass<idle_scenario<2, task_plan::first_spawns_and_waits, 1>>(
      "2 workers, a task spawns a task and waits for it", checks.random(20000, 1000000));
  checks.pass<idle_scenario<3, task_plan::first_waits_for_second, 2>>(
      "3 workers, 2 tasks, the first waits for the second", checks.random(20000, 1000000));
  checks.pass<idle_scenario<3, task_plan::first_spawns_and_waits, 1>>(
      "3 workers, a task spawns a task and waits for it", checks.random(20000, 1000000));
  checks.pass<all_park<2>>("2 workers, no work: both park, idle() reaches 2",
                           checks.random(20000, 1000000));
  return checks.result();
}
