// Model checks of lockfree::treiber_stack over the reclaimers that free nodes late or never:
// hazard pointers (one per thread, the smallest scan threshold), epochs with retire_threshold 1
// (every pop tries to advance the epoch and collects, so nodes are freed inside an execution)
// and the leaking baseline. Scenarios from stack_scenarios.hpp: the stack contract after every
// execution, and Relacy's use-after-free, race and leak reports (each domain is destroyed with
// its stack, inside the execution). Built twice, as treiber_stack.cpp: as written, and with
// weak CAS made strong, where the same budget reaches a deeper bound.
#include <cstddef>
#include <string>

#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/treiber_stack.hpp>

#include "stack_scenarios.hpp"

using namespace lockstep;
using verify::search;

namespace {

// A scenario that also counts the executions in which the reclaimer freed a popped node before
// the stack was destroyed: a check in which nothing is ever freed during the run could not find
// a use-after-free, so the count is required to be non-zero for the reclaimers that free.
template <class Scenario>
struct counting : Scenario, verify::freed_tally<counting<Scenario>> {
  void after() {
    std::size_t pops = 0;
    for (const auto& by_thread : this->popped) {
      for (int v : by_thread) pops += v != 0 ? 1 : 0;
    }
    this->record(this->stack.unreclaimed() < pops);
    Scenario::after();
  }
};

// The searches of one reclaimer, per scenario.
struct budget {
  search two_by_one;
  search two_by_two;
  search three_by_one;
};

template <class Reclaimer>
void check(verify::model_checks& checks, const std::string& name, const budget& b, bool frees) {
  using stack = lockfree::treiber_stack<int, Reclaimer>;
  using two_by_two_counted = counting<verify::push_then_pop<stack, 2, 2>>;
  checks.pass<verify::push_then_pop<stack, 2, 1>>(name + " 2 threads x (push, pop)", b.two_by_one);
  checks.pass<two_by_two_counted>(name + " 2 threads x (push, push, pop, pop)", b.two_by_two);
  if (frees) {
    checks.require(two_by_two_counted::freed_during_run != 0,
                   name + " freed popped nodes during the run in " + two_by_two_counted::report());
  }
  checks.pass<verify::pop_pop_push<stack, false>>(name + " pop || pop || push from [2, 1]",
                                                  b.three_by_one);
  checks.pass<verify::push_then_pop<stack, 3, 2>>(name + " 3 threads x (push, push, pop, pop)",
                                                  checks.random(100'000, 1'000'000));
}

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  // Budgets measured on one core (g++ 12 -O2), quick profile. Strong CAS: hazard pointers 2x1
  // bound 3 = 0.85 M iterations, 2x2 bound 2 = 2.4 M, 3x1 bound 2 = 3.2 M (18 s); epochs cost
  // 3-10x more per bound (each pop's retire runs try_advance over every record and a collect
  // under a mutex), so they run one bound less (0.5 M, 2 s); leaking 0.9 M, 2 s. As written,
  // spurious CAS failures make a bound 3-10x dearer: one bound less again, and random schedules
  // where even that costs more than ~10 s (hazard pointers 2x1 bound 2 = 1.2 M, 2x2 bound 1 =
  // 1.9 M; 15 s in all). The deep profile adds a bound and bounds the random ones.
#ifdef LOCKSTEP_RELACY_STRONG_CAS
  const budget hazard_pointers{checks.bounded(3, 4), checks.bounded(2, 3), checks.bounded(2, 3)};
  const budget epochs{checks.bounded(2, 3), checks.bounded(1, 2), checks.bounded(1, 2)};
  const budget leaking{checks.bounded(3, 4), checks.bounded(2, 3), checks.bounded(2, 3)};
#else
  const auto either = [&](search quick, search deep) { return checks.deep() ? deep : quick; };
  const search random = search::random(100'000);
  const budget hazard_pointers{checks.bounded(2, 3), checks.bounded(1, 2),
                               either(random, search::bounded(1))};
  const budget epochs{checks.bounded(1, 2), either(random, search::bounded(1)),
                      either(random, search::bounded(1))};
  const budget leaking{checks.bounded(2, 3), checks.bounded(1, 2),
                       either(random, search::bounded(1))};
#endif
  check<hazard::hazard_pointers>(checks, "treiber_stack<hazard_pointers>", hazard_pointers, true);
  check<hazard::basic_epochs<1>>(checks, "treiber_stack<basic_epochs<1>>", epochs, true);
  check<hazard::leaking>(checks, "treiber_stack<leaking>", leaking, false);
  return checks.result();
}
