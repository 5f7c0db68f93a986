// Model checks of the single-lock and two-lock queues — locked::queue (guarded_deque popped at
// its front; locked_stack.cpp checks it popped at its back), locked::bounded_queue and
// locked::two_lock_queue — against the queue contract shared with the lock-free queues
// (queue_scenarios.hpp: nothing lost or duplicated, FIFO per producer, consistent empty and
// full answers). Every structure keeps its elements in sync::plain storage, so a lock or a link
// that failed to order two accesses is also reported as a data race; Relacy's heap reports a
// node or value the destructor left behind. The flat-combining queue and stack are checked in
// flat_combining.cpp and fc_stack.cpp.
//
// The two-lock queue is where the locks alone do not order everything: an enqueuer and a
// dequeuer hold different locks and meet at the dummy's `next` (its header explains the
// release/acquire pair), so it is checked deepest, with a mutex and a spinlock, and with
// scenarios where one thread pushes while another pops an empty or one-value queue.
#include "queue_scenarios.hpp"

#include <memory>
#include <string>

#include <lockstep/locked/bounded_queue.hpp>
#include <lockstep/locked/queue.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/locked/tatas_lock.hpp>
#include <lockstep/locked/two_lock_queue.hpp>

using namespace lockstep;
using verify::search;

namespace {

// Scenario queues are constructed by default; this chooses the capacity.
template <std::size_t Capacity, class Lock = locked::std_mutex>
using small_bounded = verify::constructed_with<locked::bounded_queue<int, Lock>, Capacity>;

// One thread pushes into the empty two-lock queue while the other pops twice: the pops read
// the dummy's `next` while the push writes it, the one place the two locks do not order.
template <class Queue>
struct push_against_empty_pops : rl::test_suite<push_against_empty_pops<Queue>, 2> {
  Queue q;
  std::optional<int> first;
  std::optional<int> second;

  void thread(unsigned t) {
    if (t == 0) {
      q.push(1);
    } else {
      first = q.try_pop();
      second = q.try_pop();
    }
  }

  void after() {
    RL_ASSERT(!(first && second));
    const int taken = first ? *first : second ? *second : 0;
    const std::optional<int> rest = q.try_pop();
    RL_ASSERT(taken == 1 ? !rest : rest == 1);
    RL_ASSERT(!q.try_pop());
  }
};

// Values left in the queue are destroyed with it: owning pointers, some popped and some not,
// and Relacy's heap reports a leak if the destructor kept anything.
template <class Queue>
struct leftovers_destroyed : rl::test_suite<leftovers_destroyed<Queue>, 2> {
  Queue q;

  void thread(unsigned index) {
    q.push(std::make_unique<int>(static_cast<int>(index)));
    q.push(std::make_unique<int>(static_cast<int>(index) + 2));
    RL_ASSERT(q.try_pop().has_value());
  }
};

// empty() against a push: the one popper pops only after empty() said "not empty", and pushes
// only add, so the value is still there for it. After the run, empty() is exact.
template <class Queue>
struct empty_then_pop : rl::test_suite<empty_then_pop<Queue>, 2> {
  Queue q;
  std::optional<int> taken;

  void thread(unsigned t) {
    if (t == 0) {
      q.push(1);
    } else {
      const bool empty = q.empty();
      taken = q.try_pop();
      RL_ASSERT(empty || taken == 1);
    }
  }

  void after() { RL_ASSERT(q.empty() == taken.has_value()); }
};

template <class Lock>
void check_two_lock(verify::model_checks& checks, const std::string& lock) {
  using queue = locked::two_lock_queue<int, Lock>;
  const std::string n = "two_lock_queue<int, " + lock + ">";
  checks.pass<push_against_empty_pops<queue>>(n + " push || pop, pop on the empty queue",
                                              search::full());
  checks.pass<empty_then_pop<queue>>(n + " push || empty, pop", search::full());
  checks.pass<verify::produce_consume<queue, 1, 1, 2>>(n + " 1 producer x 2 || 1 consumer x 2",
                                                       search::full());
  checks.pass<verify::push_then_pop<queue, 2, 1>>(n + " 2 threads x (push, pop)", search::full());
  checks.pass<verify::push_then_pop<queue, 2, 2>>(n + " 2 threads x (2 push, 2 pop)",
                                                  checks.bounded(3, 4));
  checks.pass<verify::produce_consume<queue, 2, 1, 1>>(n + " 2 producers || 1 consumer x 1",
                                                       checks.bounded(3, 4));
  checks.pass<verify::produce_consume<queue, 1, 2, 2>>(n + " 1 producer x 2 || 2 consumers x 2",
                                                       checks.bounded(2, 3));
  checks.pass<leftovers_destroyed<locked::two_lock_queue<std::unique_ptr<int>, Lock>>>(
      n + " leftovers destroyed with the queue", search::bounded(3));
  checks.pass<verify::push_then_pop<queue, 3, 2>>(n + " 3 threads x (2 push, 2 pop)",
                                                  checks.random(50'000, 1'000'000));
}

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  using mutex = locked::std_mutex;

  using queue = locked::queue<int, mutex>;
  checks.pass<verify::push_then_pop<queue, 2, 2>>("queue<int> 2 threads x (2 push, 2 pop)",
                                                  checks.bounded(4, 5));
  checks.pass<verify::produce_consume<queue, 1, 2, 1>>("queue<int> 1 producer || 2 consumers",
                                                       checks.bounded(4, 5));
  checks.pass<leftovers_destroyed<locked::queue<std::unique_ptr<int>, mutex>>>(
      "queue<unique_ptr> leftovers destroyed with the queue", checks.bounded(4, 5));
  checks.pass<verify::push_then_pop<queue, 3, 2>>("queue<int> 3 threads x (2 push, 2 pop)",
                                                  checks.random(50'000, 1'000'000));

  checks.pass<verify::fill_while_popping<small_bounded<2>>>(
      "bounded_queue capacity 2: fill + 1 || pop", checks.bounded(5, 6));
  checks.pass<verify::fill_while_popping<small_bounded<4>>>(
      "bounded_queue capacity 4: fill + 1 || pop", checks.bounded(4, 5));
  checks.pass<verify::push_then_pop<small_bounded<4>, 2, 2>>(
      "bounded_queue capacity 4: 2 threads x (2 push, 2 pop)", checks.bounded(4, 5));
  checks.pass<verify::push_then_pop<small_bounded<8>, 3, 2>>(
      "bounded_queue capacity 8: 3 threads x (2 push, 2 pop)", checks.random(50'000, 1'000'000));

  check_two_lock<mutex>(checks, "std_mutex");
  check_two_lock<locked::tatas_lock>(checks, "tatas_lock");

  return checks.result();
}
