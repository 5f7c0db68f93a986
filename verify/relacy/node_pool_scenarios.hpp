// Model-check scenarios for hazard::node_pool: a node is owned by at most one thread at a
// time. Each owner writes its mark into the node's plain field and reads it back while it still
// owns the node; two owners at once race on that field (and could read the other's mark), and a
// node that falls out of the free list is reported as a leak when the pool is destroyed.
#pragma once

#include <lockstep/hazard/node_pool.hpp>
#include <lockstep/sync/sync.hpp>

#include <lockstep/verify/model_check.hpp>

namespace lockstep::verify {

struct pool_payload {
  sync::plain<int> owner{0};
};

// Each thread holds two nodes at once and gives the first back while still using the second:
// the pattern in which a free list's ABA hands the second to another owner too.
template <unsigned Threads, unsigned Rounds>
struct exclusive_ownership : rl::test_suite<exclusive_ownership<Threads, Rounds>, Threads> {
  hazard::node_pool<pool_payload> pool;

  void before() {
    // Seed the free list so that threads contend for recycled nodes, not fresh ones.
    pool_payload* a = pool.acquire();
    pool_payload* b = pool.acquire();
    pool.release(a);
    pool.release(b);
  }

  void thread(unsigned t) {
    const int mark = static_cast<int>(t + 1);
    for (unsigned round = 0; round < Rounds; ++round) {
      pool_payload* first = pool.acquire();
      pool_payload* second = pool.acquire();
      RL_ASSERT(first != second);
      first->owner.store(mark);
      second->owner.store(mark);
      pool.release(first);
      RL_ASSERT(second->owner.load() == mark);
      pool.release(second);
    }
  }
};

}  // namespace lockstep::verify
