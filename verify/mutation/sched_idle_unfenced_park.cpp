// Mutation: park's announcement is not fenced before its re-check (removes O2).
//
// MUTATE sched/idle_workers.hpp
// - sync::fence(sync::seq_cst);  // O2 seq_cst fence: pairs with O1 (store buffering)
// + // (no fence)
//
// Store buffering: the submitter's fence O1 alone cannot keep both sides from reading the
// other's old value. The parker's re-check misses the task, the submitter reads the idle count
// from before the announcement and wakes no one: the task is left with every worker asleep,
// and Relacy reports the deadlock.
#include "../relacy/sched_idle_scenarios.hpp"

using namespace lockstep::verify;

int main(int argc, char** argv) {
  return catches_lost_wake_up<idle_scenario<2, task_plan::independent, 2>>(
      argc, argv, "idle_workers without O2: a task left with every worker asleep");
}
