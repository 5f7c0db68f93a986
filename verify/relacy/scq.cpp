// Model checks of lockfree::scq (Nikolaev's scalable circular queue) at capacities 1, 2 and 4:
// rings of 2, 4 and 8 entries. Under the model checker sync::cache_line is 16 bytes, two ring
// entries per line, so from capacity 2 on the rings are cache-remapped (position p in line
// p mod L) exactly as natively; capacity 1 is a single line and is not.
//
// Beside the generic queue scenarios (queue_scenarios.hpp), `take_turns` runs more operations
// than the queue has slots, so ring positions are reused and cycles advance (a capacity-1 queue's
// rings have two entries: every second ring operation starts a new cycle), and try_push is
// allowed to find the queue full.
#include "queue_scenarios.hpp"

#include <lockstep/lockfree/scq.hpp>

using namespace lockstep;
using verify::search;

template <std::size_t Capacity>
using scq_of = verify::constructed_with<lockfree::scq<int>, Capacity>;
using scq1 = scq_of<1>;
using scq2 = scq_of<2>;
using scq4 = scq_of<4>;

// Each of Threads threads, Rounds times: try_push a value (it may find the queue full), then
// try_pop. Conservation and per-producer FIFO are the ledger's. A full answer needs every slot
// taken, by a queued value or by one a pop is still moving out, so a refused push implies at
// least capacity() pushes succeeded (the refused thread's own count included: another thread's
// pop may be carrying its value).
template <class Queue, unsigned Threads, unsigned Rounds>
struct take_turns : rl::test_suite<take_turns<Queue, Threads, Rounds>, Threads> {
  Queue q;
  verify::queue_ledger<Threads, Rounds> ledger;
  unsigned refused = 0;

  void thread(unsigned t) {
    for (unsigned i = 0; i < Rounds; ++i) {
      const bool ok = q.try_push(verify::queue_value(t, i));
      ledger.push(t, i, ok);
      if (!ok) ++refused;
      ledger.pop(t, q.try_pop());
    }
  }

  void after() {
    unsigned accepted = 0;
    for (unsigned t = 0; t < Threads; ++t) {
      for (unsigned i = 0; i < Rounds; ++i) accepted += ledger.pushed[t][i] ? 1 : 0;
    }
    if (refused != 0) RL_ASSERT(accepted >= q.capacity());
    ledger.check(q);
  }
};

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);

  checks.pass<verify::produce_consume<scq2, 1, 1, 2>>("scq(2) 1 producer x 2, 1 consumer x 2",
                                                      checks.bounded(2, 3));
  checks.pass<verify::produce_consume<scq2, 2, 1, 1>>("scq(2) 2 producers x 1, 1 consumer x 1",
                                                      checks.bounded(2, 3));
  checks.pass<verify::produce_consume<scq2, 1, 2, 2>>("scq(2) 1 producer x 2, 2 consumers x 2",
                                                      checks.bounded(1, 2));
  checks.pass<verify::push_then_pop<scq2, 2, 1>>("scq(2) 2 threads x (push, pop)",
                                                 checks.bounded(2, 3));
  checks.pass<verify::push_then_pop<scq4, 2, 2>>("scq(4) 2 threads x (push, push, pop, pop)",
                                                 checks.bounded(1, 2));
  checks.pass<verify::fill_while_popping<scq1>>("scq(1) fill (2 pushes) while popping",
                                                checks.bounded(3, 4));
  checks.pass<verify::fill_while_popping<scq2>>("scq(2) fill (3 pushes) while popping",
                                                checks.bounded(2, 3));
  checks.pass<take_turns<scq1, 2, 2>>("scq(1) 2 threads x 2 x (try_push, pop): cycles advance",
                                      checks.bounded(1, 2));
  checks.pass<take_turns<scq1, 2, 3>>("scq(1) 2 threads x 3 x (try_push, pop): cycles advance",
                                      checks.random(200'000, 2'000'000));
  checks.pass<take_turns<scq2, 3, 2>>("scq(2) 3 threads x 2 x (try_push, pop)",
                                      checks.random(150'000, 2'000'000));
  checks.pass<verify::push_then_pop<scq4, 3, 1>>("scq(4) 3 threads x (push, pop)",
                                                 checks.random(150'000, 2'000'000));
  checks.pass<verify::produce_consume<scq2, 1, 2, 2>>("scq(2) 1 producer x 2, 2 consumers x 2",
                                                      checks.random(150'000, 2'000'000));
  // One thread pushes then pops, one pops, one pushes, on a capacity-2 ring (issue 19): the shape
  // of the bugs that need a dequeuer burning positions while another thread both enqueues and
  // dequeues. A second pop doubles the positions burnt but nearly triples a bound-2 search
  // (8.8 M executions against 3.2 M), so in the quick profile that form runs on random schedules.
  checks.pass<verify::enqueue_dequeue_trio<scq2, 1>>("scq(2) (push, pop), (pop), (push)",
                                                     search::bounded(2));
  checks.pass<verify::enqueue_dequeue_trio<scq2, 2>>(
      "scq(2) (push, pop), (pop, pop), (push)",
      checks.deep() ? search::bounded(2) : search::random(200'000));
  return checks.result();
}
