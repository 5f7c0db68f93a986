// The ABA defence of the tagged pool: the packed pointer's layout and its checks, and the
// type-stable pool's reuse of nodes.
#include <lockstep/hazard/node_pool.hpp>
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/hazard/tagged_ptr.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <stdexcept>
#include <vector>

namespace {

using lockstep::hazard::node_pool;
using lockstep::hazard::tagged_ptr;

TEST(tagged_ptr, packs_pointer_and_tag_into_one_word) {
  static_assert(sizeof(tagged_ptr<int>) == sizeof(std::uint64_t));
  int x = 0;
  tagged_ptr<int> p(&x, 7);
  EXPECT_EQ(p.get(), &x);
  EXPECT_EQ(p.tag(), 7);
  EXPECT_EQ(tagged_ptr<int>().get(), nullptr);
  EXPECT_EQ(tagged_ptr<int>().tag(), 0);
}

TEST(tagged_ptr, successor_bumps_the_tag_so_a_stale_copy_compares_unequal) {
  int x = 0;
  tagged_ptr<int> before(&x, 41);
  tagged_ptr<int> after = before.successor(&x);
  EXPECT_EQ(after.get(), &x);
  EXPECT_EQ(after.tag(), 42);
  EXPECT_FALSE(before == after);
}

TEST(tagged_ptr, the_tag_wraps_modulo_two_to_the_sixteen) {
  int x = 0;
  tagged_ptr<int> p(&x, 0xffff);
  EXPECT_EQ(p.successor(&x).tag(), 0);
  EXPECT_EQ(p.successor(&x).get(), &x);
}

TEST(tagged_ptr, rejects_an_address_wider_than_48_bits) {
  auto* wide = reinterpret_cast<int*>(std::uintptr_t{1} << 52);
  EXPECT_THROW(tagged_ptr<int>(wide, 0), std::invalid_argument);
  int x = 0;
  EXPECT_THROW(tagged_ptr<int>(&x, 0).successor(wide), std::invalid_argument);
}

TEST(tagged_ptr, is_lock_free_in_a_single_width_atomic) {
  EXPECT_TRUE(lockstep::sync::atomic<tagged_ptr<int>>::is_always_lock_free);
}

struct payload {
  int value = 0;
};

TEST(node_pool, recycles_released_nodes_before_allocating) {
  node_pool<payload> pool;
  payload* a = pool.acquire();
  payload* b = pool.acquire();
  EXPECT_NE(a, b);
  pool.release(a);
  EXPECT_EQ(pool.acquire(), a);
  pool.release(b);
  pool.release(a);
}

TEST(node_pool, keeps_a_node_s_storage_a_node_after_release) {
  node_pool<payload> pool;
  payload* a = pool.acquire();
  a->value = 5;
  pool.release(a);
  // Type-stable: the node is still a live payload the pool owns, not freed memory.
  EXPECT_EQ(a->value, 5);
  EXPECT_EQ(pool.acquire(), a);
  pool.release(a);
}

TEST(node_pool, frees_every_node_it_holds_when_destroyed) {
  // Run under LeakSanitizer (the asan preset): nodes released to the pool are freed with it.
  node_pool<payload> pool;
  std::vector<payload*> nodes;
  for (int i = 0; i < 100; ++i) nodes.push_back(pool.acquire());
  std::set<payload*> distinct(nodes.begin(), nodes.end());
  EXPECT_EQ(distinct.size(), nodes.size());
  for (payload* n : nodes) pool.release(n);
}

}  // namespace
