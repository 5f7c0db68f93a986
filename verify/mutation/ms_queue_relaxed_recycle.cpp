// Mutation: an MS queue that resets a recycled node's next with a relaxed store: removes
// ms_queue.hpp's O8 release (O8 → O9).
//
// MUTATE lockfree/ms_queue.hpp
// - n->next.store(domain_type::successor(n->next.load(sync::relaxed), nullptr), sync::release);
// + n->next.store(domain_type::successor(n->next.load(sync::relaxed), nullptr), sync::relaxed);
//
// The enqueue's re-read of tail (E7) is then not enough. Thread 0, pushing, reads tail = D and
// is preempted; thread 1 pushes b, pops it (D goes back to the pool) and takes D again for its
// next push, resetting D's next. Thread 0's acquire load reads that reset, but a relaxed store
// carries nothing with it: its re-read of tail may still return D, so it links its value behind
// D, which is not in the queue yet, and its second push overtakes its first. x86 would never
// show this (every store there is a release); the C++ model, and weaker hardware, do.
// Relacy found the bug in the real queue this way (as written, bound 2, iteration 59 M).
#define LOCKSTEP_RELACY_STRONG_CAS  // as ms_queue_no_tail_revalidation: a search that must end
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/lockfree/ms_queue.hpp>

#include "../relacy/queue_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::recycled_tail<lockfree::ms_queue<int, hazard::tagged_pool>>>(
      "ms_queue<tagged_pool> resetting a recycled node relaxed: a push overtakes an earlier one",
      verify::search::bounded(2), rl::test_result_user_assert_failed);
  return checks.result();
}
