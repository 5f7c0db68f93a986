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
  return checks.result();
}
