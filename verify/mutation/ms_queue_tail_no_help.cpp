// Mutation: an MS queue whose dequeue does not help a lagging tail before swinging head:
// removes ms_queue.hpp's O4.
//
// MUTATE lockfree/ms_queue.hpp
// - if (domain_type::pointer(t) == dummy) {
// + if (false && domain_type::pointer(t) == dummy) {
//
// The consumer swings head past the dummy D while tail, as far as it knows, still names D (a
// producer linked A behind D and has not swung tail yet, or the consumer's load of tail is
// stale), and D goes back to the pool at once. Relacy's history (bound 1, iteration 45 k):
// producer 0 links A and swings tail; the consumer reads the old tail (D), does not help,
// pops A's value and gives D back; producer 1 takes D out of the pool (next reset to null),
// reads a tail that still names D (nothing orders its load after the swing any more: in the
// real algorithm the consumer's load of tail past D would, through the pool's hand-over), and
// links its own node D behind D itself. Its value is lost: the contract check fails.
// (Hazard pointers and epochs do not show it here: a node is not reused while it can still be
// reached, and the first swing of tail ends the lag. It is the pools, where protection does not
// hold a node back, that need the invariant.)
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/lockfree/ms_queue.hpp>

#include "../relacy/queue_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::produce_consume<lockfree::ms_queue<int, hazard::tagged_pool>, 2, 1, 1>>(
      "ms_queue<tagged_pool> without the dequeue's help of tail: push || push || pop loses a value",
      verify::search::bounded(1), rl::test_result_user_assert_failed);
  return checks.result();
}
