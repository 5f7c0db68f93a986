// The scenarios of sched::idle_workers' model check and its mutations: Workers workers run the
// scheduler's loop over the protocol, one plain thread submits Submitted tasks, waits until
// every task has run and stops the workers. The queues are two counters, a FIFO of task
// numbers (taken below head, submitted below tail), every worker taking from it as from the
// injection queue or a victim's deque. The plan says what the tasks do:
//   independent             each only counts itself as run;
//   first_waits_for_second  task 0 blocks until task 1 has run: a second worker must be awake;
//   first_spawns_and_waits  task 0 submits task 1 from its worker and blocks until it has run.
// A task never run leaves the submitting thread and the parked workers asleep, and Relacy
// reports the deadlock: the lost wake-up.
#pragma once

#include <lockstep/verify/model_check.hpp>

#include <optional>
#include <string_view>

#include <lockstep/sched/idle_workers.hpp>
#include <lockstep/sync/sync.hpp>

namespace lockstep::verify {

enum class task_plan { independent, first_waits_for_second, first_spawns_and_waits };

template <unsigned Workers, task_plan Plan, unsigned Submitted>
struct idle_scenario : rl::test_suite<idle_scenario<Workers, Plan, Submitted>, Workers + 1> {
  static constexpr unsigned tasks = Submitted + (Plan == task_plan::first_spawns_and_waits ? 1 : 0);

  sched::idle_workers idle{Workers};
  sync::atomic<unsigned> head{0};
  sync::atomic<unsigned> tail{0};
  sync::parking_word ran{0};
  sync::parking_word second_ran{0};

  void submit() {
    // release: a task is published as a deque push or a queue enqueue publishes it.
    tail.fetch_add(1, sync::release);
    idle.notify_work();
  }

  // A stale tail may lag the head read after it: hence < rather than !=.
  bool has_work() const { return head.load(sync::relaxed) < tail.load(sync::acquire); }

  std::optional<unsigned> take() {
    unsigned h = head.load(sync::relaxed);
    // acquire: pairs with submit's release.
    while (h < tail.load(sync::acquire)) {
      if (head.compare_exchange_strong(h, h + 1, sync::relaxed)) return h;
    }
    return std::nullopt;
  }

  void run(unsigned task) {
    if (Plan != task_plan::independent) {
      if (task == 0) {
        if (Plan == task_plan::first_spawns_and_waits) submit();
        second_ran.wait(0, sync::acquire);  // acquire: pairs with task 1's release
      } else if (task == 1) {
        second_ran.store(1, sync::release);
        second_ran.notify_all();
      }
    }
    unsigned count = ran.load(sync::relaxed);
    // release: pairs with the submitting thread's acquire loads of the count.
    while (!ran.compare_exchange_strong(count, count + 1, sync::release, sync::relaxed)) {
    }
    ran.notify_all();
  }

  // The scheduler's loop over the protocol, its local deque left out: only a spinner takes.
  void work() {
    bool spinning = false;
    for (;;) {
      if (!spinning) spinning = idle.try_spin();
      if (spinning) {
        if (const std::optional<unsigned> task = take()) {
          idle.spinner_found_work();
          spinning = false;
          run(*task);
          continue;
        }
      }
      spinning = idle.park(spinning, [this] { return has_work(); });
      if (!spinning) return;  // stopped
    }
  }

  void thread(unsigned index) {
    if (index < Workers) {
      work();
      return;
    }
    for (unsigned t = 0; t < Submitted; ++t) submit();
    for (;;) {
      const unsigned count = ran.load(sync::acquire);
      if (count == tasks) break;
      ran.wait(count, sync::acquire);
    }
    idle.stop();
  }

  void after() {
    RL_ASSERT(ran.load(sync::relaxed) == tasks);
    RL_ASSERT(head.load(sync::relaxed) == tasks && tail.load(sync::relaxed) == tasks);
  }
};

// A mutation's whole main: the scenario must end in Relacy's deadlock report, the lost wake-up.
template <class Scenario>
int catches_lost_wake_up(int argc, char** argv, std::string_view name) {
  model_checks checks(argc, argv);
  checks.catches<Scenario>(name, checks.random(20000, 1000000), rl::test_result_deadlock);
  return checks.result();
}

}  // namespace lockstep::verify
