// Model checks of hazard::node_pool, the type-stable free list under hazard::tagged_ptr links
// that hazard::tagged_pool recycles nodes through: a node is owned by at most one thread at a
// time. Each owner writes its mark into the node's plain field and reads it back before
// releasing it; two owners at once would race on that field (and could read the other's mark),
// and a node that leaked out of the pool would be reported when the pool is destroyed.
#include "model_check.hpp"

#include <lockstep/hazard/node_pool.hpp>

using namespace lockstep;
using verify::search;

namespace {

struct payload {
  sync::plain<int> owner{0};
};

// Each thread holds two nodes at once and gives the first back while still using the second:
// the pattern in which a free list's ABA hands the second to another owner too.
template <unsigned Threads, unsigned Rounds>
struct exclusive_ownership : rl::test_suite<exclusive_ownership<Threads, Rounds>, Threads> {
  hazard::node_pool<payload> pool;

  void before() {
    // Seed the free list so that threads contend for recycled nodes, not fresh ones.
    payload* a = pool.acquire();
    payload* b = pool.acquire();
    pool.release(a);
    pool.release(b);
  }

  void thread(unsigned t) {
    const int mark = static_cast<int>(t + 1);
    for (unsigned round = 0; round < Rounds; ++round) {
      payload* first = pool.acquire();
      payload* second = pool.acquire();
      RL_ASSERT(first != second);
      first->owner.store(mark);
      second->owner.store(mark);
      pool.release(first);
      RL_ASSERT(second->owner.load() == mark);
      pool.release(second);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.pass<exclusive_ownership<2, 1>>("node_pool 2 threads x (acquire 2, release 2)",
                                         checks.bounded(3, 4));
  checks.pass<exclusive_ownership<3, 1>>("node_pool 3 threads x (acquire 2, release 2)",
                                         checks.bounded(1, 2));
  checks.pass<exclusive_ownership<3, 2>>("node_pool 3 threads x 2 (acquire 2, release 2)",
                                         checks.random(200'000, 2'000'000));
  return checks.result();
}
