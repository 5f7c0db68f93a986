// Mutation: the elimination stack's pop claims an offer with a plain store instead of a CAS:
// O4 (elimination_stack.hpp) loses its atomicity, and L4 its single winner.
//
// MUTATE lockfree/elimination_stack.hpp
// - node* seen = s.state.load(sync::relaxed);
// + node* seen = s.state.load(sync::acquire);
// - s.state.compare_exchange_weak(seen, claimed(), sync::acquire, sync::relaxed)) {
// + (s.state.store(claimed(), sync::relaxed), true)) {
//
// The load is made acquire so that the value is still published to the popper: the seeded bug
// is the lost atomicity alone. Between the pop's load of the offer and its store, the pusher
// can withdraw the node and put it on the stack, or another pop can claim it too: one node
// gets two owners. The first thing Relacy sees is what those owners do to it without any
// order between them: in the history it reports, the pusher withdrew its node, pushed it and
// popped it itself (the node went back to the pool), and then the other thread's pop, whose
// load still returned the old offer, took the same node: a data race on its value.
#include "../relacy/elimination_model.hpp"
#include "../relacy/stack_scenarios.hpp"

using namespace lockstep;

namespace {}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::push_then_pop<verify::elimination_model_stack, 2, 1>>(
      "elimination_stack claiming with a store: a withdrawn node is taken too",
      verify::search::bounded(2), rl::test_result_data_race);
  return checks.result();
}
