// Model checks of locked::fc_stack, the flat-combining twin of the stack family
// (locked/flat_combining.hpp), against the stack contract shared with every stack
// (stack_scenarios.hpp: nothing lost or duplicated, LIFO where one thread can observe it).
// The generic combiner under it is checked more deeply through fc_queue in flat_combining.cpp;
// these checks show the same combiner keeps the other sequential specification.
#include "stack_scenarios.hpp"

#include <lockstep/locked/flat_combining.hpp>
#include <lockstep/locked/std_mutex.hpp>

using namespace lockstep;
using verify::search;

namespace {

// Scenario stacks are constructed by default; this chooses the number of records.
template <std::size_t Records>
using fc_stack_with = verify::constructed_with<locked::fc_stack<int, locked::std_mutex>, Records>;

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.pass<verify::push_then_pop<fc_stack_with<2>, 2, 1>>(
      "fc_stack 2 records: 2 threads x (push, pop)", checks.bounded(3, 4));
  checks.pass<verify::push_then_pop<fc_stack_with<2>, 2, 2>>(
      "fc_stack 2 records: 2 threads x (2 push, 2 pop)", checks.bounded(2, 3));
  checks.pass<verify::pop_pop_push<fc_stack_with<3>>>(
      "fc_stack 3 records: pop || pop, pop || push from [2, 1]", checks.bounded(2, 3));
  checks.pass<verify::push_then_pop<fc_stack_with<3>, 3, 2>>(
      "fc_stack 3 records: 3 threads x (2 push, 2 pop)", checks.random(100'000, 2'000'000));
  return checks.result();
}
