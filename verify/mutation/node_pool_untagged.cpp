// Mutation: the node pool's free list with an untagged head (no update bumps the tag).
//
// MUTATE hazard/node_pool.hpp
// - if (free_.compare_exchange_weak(top, top.successor(next), sync::acquire, sync::acquire)) {
// + if (free_.compare_exchange_weak(top, link(next, top.tag()), sync::acquire, sync::acquire)) {
// - if (free_.compare_exchange_weak(top, top.successor(s), sync::release, sync::relaxed)) return;
// + if (free_.compare_exchange_weak(top, link(s, top.tag()), sync::release, sync::relaxed)) return;
//
// An acquirer that read top = A and next = B (or next = null) is overtaken by updates that
// bring A back to the top with another successor: the stale CAS succeeds and installs its old
// successor, and the free list loses nodes (or hands one to two owners). The first report
// the bounded search reaches is the lost node, as a leak when the pool is destroyed.
#include "../relacy/model_check.hpp"

#include <lockstep/hazard/node_pool.hpp>

using namespace lockstep;

namespace {

struct payload {
  sync::plain<int> owner{0};
};

struct two_owners : rl::test_suite<two_owners, 2> {
  hazard::node_pool<payload> pool;

  void before() {
    payload* a = pool.acquire();
    payload* b = pool.acquire();
    pool.release(b);
    pool.release(a);
  }

  void thread(unsigned t) {
    const int mark = static_cast<int>(t + 1);
    payload* first = pool.acquire();
    payload* second = pool.acquire();
    first->owner.store(mark);
    second->owner.store(mark);
    pool.release(first);
    RL_ASSERT(second->owner.load() == mark);
    pool.release(second);
  }
};

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<two_owners>("untagged node_pool: the free list loses a node (ABA)",
                             verify::search::bounded(3), rl::test_result_memory_leak);
  return checks.result();
}
