// Mutation: the last spinner to find work does not wake another worker (removes Go's
// resetspinning wake).
//
// MUTATE sched/idle_workers.hpp
// - if (spinning_.fetch_sub(1, sync::relaxed) == 1) wake();
// + spinning_.fetch_sub(1, sync::relaxed);
//
// Two tasks submitted while one worker spins: the submitter wakes no one for either, since a
// spinner exists. The spinner takes the first and no longer counts, so nobody looks for the
// second; the first waits for the second, and Relacy reports the deadlock. (With independent
// tasks the spinner would run the second afterwards: only the parallelism is lost.)
#include "../relacy/sched_idle_scenarios.hpp"

using namespace lockstep::verify;

int main(int argc, char** argv) {
  return catches_lost_wake_up<idle_scenario<2, task_plan::first_waits_for_second, 2>>(
      argc, argv, "idle_workers without resetspinning: the second task is left unseen");
}
