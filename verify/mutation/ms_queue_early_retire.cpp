// Mutation: an MS queue whose dequeuer retires the old dummy as soon as its CAS on head has
// passed it, without waiting for the dequeuer that is taking that node's value (the hand-off of
// lockfree/ms_queue.hpp undone: breaks O14, the owners count).
//
// MUTATE lockfree/ms_queue.hpp
// - release(dummy);  // head has passed it
// + domain_.retire(dummy);  // at once, whoever is still taking its value
//
// Over the pool, from [a, b]: thread 0 swings head from the dummy D to A, the node holding a,
// and is preempted before it moves a out. Thread 1 pops b, swinging head past A, and gives A
// back to the pool at once; thread 2's push takes A out again and writes its value into it,
// while thread 0 is still to read a from the same node: a data race on the value (found at
// iteration 1.3 k of bound 1). Over hazard pointers the same bug is a use after free, but it
// needs thread 0 preempted for the whole of two pops and a push: 500 k random schedules miss it.
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/lockfree/ms_queue.hpp>

#include "../relacy/ms_queue_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::pop_pop_push<lockfree::ms_queue<int, hazard::tagged_pool>, false>>(
      "ms_queue<tagged_pool> retiring the old dummy at once: pop || pop || push races on a value",
      verify::search::bounded(1), rl::test_result_data_race);
  return checks.result();
}
