// Model checks of lockfree::ms_queue over every reclamation policy, with the queue contract of
// queue_scenarios.hpp (nothing lost or duplicated, FIFO per producer, consistent empty answers)
// asserted after every execution, and Relacy's data-race, use-after-free and leak reports (each
// reclaimer's domain is destroyed with its queue, inside the execution).
//
// Where the bugs are, and so where the budget goes:
//   - tagged_pool: nodes are recycled at once, so a dequeuer's pending CAS and its read of the
//     dummy's next can meet a node that has since gone back into the queue (pop_pop_push); a
//     value not handed off properly is overwritten under its reader;
//   - hazard pointers with one slot per thread (all the queue needs) and a scan at every retire
//     (ms_queue_scenarios.hpp), so that a node is freed the moment no hazard pointer holds it;
//   - epochs with retire_threshold 1: every retire tries to advance the epoch and collects.
// leaking (which never frees) and wide_tagged_pool (the 16-bit pool's model with a wider tag)
// run cheap random schedules in the quick profile and the pool's bounded searches in the deep
// one.
//
// Built twice, as treiber_stack.cpp: as written, and with LOCKSTEP_RELACY_STRONG_CAS. Relacy
// simulates a spurious failure of every compare_exchange_weak, and the queue has five CAS sites
// and three atomics per node, so as written a bound costs hundreds of times more: tagged_pool's
// 2 threads x (push, push, pop, pop) at bound 1 is 35 M iterations (8 minutes) as written and
// 50 k (0.4 s) with strong CAS. The strong-CAS build carries the bounded searches; the build as
// written keeps to bound 1 where it is cheap and random schedules elsewhere. Hazard pointers'
// scan at every retire costs the most per step (a fence and a load of every slot of every
// record): bound 1 fits the quick profile only for the two-thread scenarios.
// Measured on one shared core (g++ 12 -O2), quick profile: see each budget below.
#include <string>

#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/lockfree/ms_queue.hpp>

#include "ms_queue_scenarios.hpp"
#include "queue_scenarios.hpp"

using namespace lockstep;
using verify::search;

namespace {

// The searches of one reclaimer, per scenario.
struct budget {
  search one_to_one_by_two;  // produce_consume<1, 1, 2>: push, push || pop, pop
  search two_to_one;         // produce_consume<2, 1, 1>: push || push || pop
  search two_by_one;         // push_then_pop<2, 1>
  search two_by_two;         // push_then_pop<2, 2>
  search pop_pop_push;       // pop || pop || push from [a, b]
  search pop_pop_pop_push;   // pop || pop, pop || push from [a, b]
  search three_by_one;       // push_then_pop<3, 1>
};

template <class Reclaimer>
void check(verify::model_checks& checks, const std::string& name, const budget& b, bool frees) {
  using queue = lockfree::ms_queue<int, Reclaimer>;
  using two_by_two = verify::counting<verify::push_then_pop<queue, 2, 2>>;
  using pop_pop_pop_push = verify::counting<verify::pop_pop_push<queue>>;
  checks.pass<verify::produce_consume<queue, 1, 1, 2>>(name + " push, push || pop, pop",
                                                       b.one_to_one_by_two);
  checks.pass<verify::produce_consume<queue, 2, 1, 1>>(name + " push || push || pop", b.two_to_one);
  checks.pass<verify::push_then_pop<queue, 2, 1>>(name + " 2 threads x (push, pop)", b.two_by_one);
  checks.pass<two_by_two>(name + " 2 threads x (push, push, pop, pop)", b.two_by_two);
  if (frees) {
    checks.require(two_by_two::freed_during_run != 0,
                   name + " freed nodes during the run in " + two_by_two::report());
  }
  checks.pass<verify::pop_pop_push<queue, false>>(name + " pop || pop || push from [a, b]",
                                                  b.pop_pop_push);
  checks.pass<pop_pop_pop_push>(name + " pop || pop, pop || push from [a, b]", b.pop_pop_pop_push);
  if (frees) {
    checks.require(pop_pop_pop_push::freed_during_run != 0,
                   name + " freed nodes during the run in " + pop_pop_pop_push::report());
  }
  checks.pass<verify::push_then_pop<queue, 3, 1>>(name + " 3 threads x (push, pop)",
                                                  b.three_by_one);
}

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  const auto bound = [&](unsigned quick, unsigned deep) { return checks.bounded(quick, deep); };
  const search random = checks.random(200'000, 2'000'000);
  const auto random_or = [&](search deep, rl::iteration_t quick = 200'000) {
    return checks.deep() ? deep : search::random(quick);
  };
#ifdef LOCKSTEP_RELACY_STRONG_CAS
  // Quick: tagged_pool ~11 s (pop || pop, pop || push bound 2 = 1.2 M iterations, 7 s; 3 x 1
  // bound 1 = 2.3 M, 17 s, so random), hazard pointers ~14 s (bound 1: 2 x (push, pop) 0.5 M,
  // 5 s; the three-thread ones need over a minute), epochs ~16 s (pop || pop || push bound 1 =
  // 1.6 M, 8.5 s), leaking and wide_tagged_pool ~3 s each.
  const budget pool{bound(2, 3),
                    bound(2, 3),
                    bound(2, 3),
                    bound(1, 2),
                    bound(2, 3),
                    bound(2, 3),
                    random_or(search::bounded(1))};
  const budget hazard_pointers{bound(1, 2),
                               random_or(search::bounded(1)),
                               bound(1, 2),
                               random_or(search::bounded(1)),
                               random_or(search::bounded(1)),
                               random_or(search::bounded(1)),
                               random};
  const budget epochs{bound(2, 3), random_or(search::bounded(1)), bound(1, 2), bound(1, 2),
                      bound(1, 2), random_or(search::bounded(1)), random};
#else
  // Quick: tagged_pool ~4 s, hazard pointers ~8 s (random only: push, push || pop, pop at
  // bound 1 is already 5 M iterations), epochs ~14 s (2 x (push, pop) bound 1 = 1 M, 5 s),
  // leaking and wide_tagged_pool ~1 s each. The pool's pop || pop || push at bound 1 (4.5 M
  // iterations, 12 s) is the search mutation_ms_queue_early_retire's repaired twin runs on this
  // very queue, so the quick profile does not run it twice: random here, bound 1 in the deep
  // profile. The deep profile runs bound 1 where the quick one is random (2 x (push, push, pop,
  // pop) over the pool: 35 M iterations, 8 minutes).
  const budget pool{bound(1, 2), bound(1, 2),
                    bound(1, 2), random_or(search::bounded(1)),
                    random_or(search::bounded(1)), random_or(search::bounded(1)),
                    random};
  const budget hazard_pointers{random_or(search::bounded(1)),
                               random,
                               random_or(search::bounded(1)),
                               random,
                               random,
                               random,
                               random};
  const budget epochs{bound(1, 2), random, bound(1, 2), random, random, random, random};
#endif
  // leaking and wide_tagged_pool, cheap in the quick profile (above): 50 k schedules each.
  const rl::iteration_t fits = 50'000;
  const budget cheap{random_or(pool.one_to_one_by_two, fits), random_or(pool.two_to_one, fits),
                     random_or(pool.two_by_one, fits),        random_or(pool.two_by_two, fits),
                     random_or(pool.pop_pop_push, fits),      random_or(pool.pop_pop_pop_push, fits),
                     random_or(pool.three_by_one, fits)};
  check<hazard::tagged_pool>(checks, "ms_queue<tagged_pool>", pool, false);
  check<verify::scanning_hazard_pointers>(checks, "ms_queue<hazard_pointers, scan every retire>",
                                          hazard_pointers, true);
  check<hazard::basic_epochs<1>>(checks, "ms_queue<basic_epochs<1>>", epochs, true);
  check<hazard::wide_tagged_pool>(checks, "ms_queue<wide_tagged_pool>", cheap, false);
  check<hazard::leaking>(checks, "ms_queue<leaking>", cheap, false);
  // empty(), whose retry needs a pop to move head between its two loads: 2 threads, bound 2.
  using empty_pool = verify::push_empty_pop_empty<lockfree::ms_queue<int, hazard::tagged_pool>>;
  checks.pass<empty_pool>("ms_queue<tagged_pool> push, empty || pop, empty", bound(2, 3));
  checks.require(empty_pool::saw_empty != 0 && empty_pool::saw_value != 0,
                 "ms_queue<tagged_pool>: empty() after a push answered both ways");
  return checks.result();
}
