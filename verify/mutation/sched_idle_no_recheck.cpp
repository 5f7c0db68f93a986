// Mutation: park sleeps without re-checking the queues after announcing itself (removes the
// re-check that O2 orders).
//
// MUTATE sched/idle_workers.hpp
// - found = std::forward<Recheck>(has_work)();
// + found = false;
//
// The lost wake-up: a submitter that saw a spinner does not wake anyone; the spinner then
// drops its count and sleeps without looking, and the task is left with every worker asleep.
// Relacy reports the deadlock (the submitting thread waits for a task no worker will run).
#include "../relacy/sched_idle_scenarios.hpp"

using namespace lockstep::verify;

int main(int argc, char** argv) {
  return catches_lost_wake_up<idle_scenario<2, task_plan::independent, 2>>(
      argc, argv, "idle_workers without the re-check: a task left with every worker asleep");
}
