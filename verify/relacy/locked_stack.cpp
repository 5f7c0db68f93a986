// Model checks of locked::stack with each lock policy, against the stack contract shared with
// the lock-free stacks (stack_scenarios.hpp: nothing lost, nothing duplicated, LIFO where a
// thread can observe it). The deque inside the stack is a sync::plain, so a lock that failed
// to order two critical sections would also be reported as a data race on it.
#include "stack_scenarios.hpp"

#include <memory>
#include <string>

#include <lockstep/locked/mcs_lock.hpp>
#include <lockstep/locked/stack.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/locked/tatas_lock.hpp>
#include <lockstep/locked/ticket_lock.hpp>

using namespace lockstep;

namespace {

// Values left on the stack are destroyed with it: each thread pushes two owning pointers and
// pops one, and Relacy's heap reports a leak if the destructor kept anything.
template <class Lock>
struct leftovers_destroyed : rl::test_suite<leftovers_destroyed<Lock>, 2> {
  locked::stack<std::unique_ptr<int>, Lock> stack;

  void thread(unsigned index) {
    stack.push(std::make_unique<int>(static_cast<int>(index)));
    stack.push(std::make_unique<int>(static_cast<int>(index) + 2));
    RL_ASSERT(stack.try_pop().has_value());
  }
  void after() { RL_ASSERT(stack.size() == 2); }
};

template <class Lock>
void check_stack(verify::model_checks& checks, const std::string& lock) {
  using verify::search;
  using stack = locked::stack<int, Lock>;
  const std::string n = "locked::stack<int, " + lock + ">";
  checks.pass<verify::push_then_pop<stack, 2, 1>>(n + " 2 threads x (1 push, 1 pop)",
                                                  search::bounded(4));
  checks.pass<verify::pop_pop_push<stack>>(n + " pop || pop || push from [2, 1]",
                                           search::bounded(3));
  checks.pass<verify::push_then_pop<stack, 2, 2>>(n + " 2 threads x (2 push, 2 pop)",
                                                  search::bounded(3));
  checks.pass<leftovers_destroyed<Lock>>(n + " leftovers destroyed with the stack",
                                         search::bounded(3));
  checks.pass<verify::push_then_pop<stack, 3, 2>>(n + " 3 threads x (2 push, 2 pop)",
                                                  checks.random(50'000, 1'000'000));
}

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  check_stack<locked::std_mutex>(checks, "std_mutex");
  check_stack<locked::tatas_lock>(checks, "tatas_lock");
  check_stack<locked::ticket_lock>(checks, "ticket_lock");
  check_stack<locked::mcs_lock>(checks, "mcs_lock");
  return checks.result();
}
