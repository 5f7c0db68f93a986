// Mutation: a parker whose has_work() was true, and whose announcement a waker had already
// claimed, returns without taking that waker's token (breaks the invariant idle + tokens =
// parkers).
//
// MUTATE sched/idle_workers.hpp
// - return sleep();
// + return true;
//
// The token stays behind. A later park takes it and returns as a spinner no waker counted,
// so a spinner count drop takes spinning_ below zero: it wraps, every notify_work then sees a
// spinner that does not exist and wakes no one, and a task waiting for its child is left
// with the other workers asleep. Relacy reports the deadlock; the check also shows that the
// model reaches the claimed-withdrawal path.
#include "../relacy/sched_idle_scenarios.hpp"

using namespace lockstep::verify;

int main(int argc, char** argv) {
  return catches_lost_wake_up<idle_scenario<3, task_plan::first_spawns_and_waits, 1>>(
      argc, argv, "idle_workers keeping a claimed token: the spinner count wraps");
}
