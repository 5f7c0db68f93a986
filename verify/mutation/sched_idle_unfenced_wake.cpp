// Mutation: wake reads the spinner and idle counts without a fence after the caller's work
// (removes O1, in notify_work and in the last spinner's wake alike).
//
// MUTATE sched/idle_workers.hpp
// - sync::fence(sync::seq_cst);  // O1 seq_cst fence: pairs with O2 (store buffering)
// + // (no fence)
//
// Store buffering from the submitter's side: its read of the counts may return the values from
// before a parker's announcement while the parker's re-check, after O2, misses the task. The
// task is left with every worker asleep, and Relacy reports the deadlock.
#include "../relacy/sched_idle_scenarios.hpp"

using namespace lockstep::verify;

int main(int argc, char** argv) {
  return catches_lost_wake_up<idle_scenario<2, task_plan::independent, 2>>(
      argc, argv, "idle_workers without O1: a submit that reads stale counts");
}
