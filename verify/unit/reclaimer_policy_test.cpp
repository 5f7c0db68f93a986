// The reclaimer concept (hazard/tagged_pool.hpp) for every policy a node-based structure may
// take: tagged_pool, wide_tagged_pool, hazard_pointers, epochs, leaking. Each is held to the
// same contract: a protected load yields the node the link names, successor() installs the new
// node, retired nodes are freed or recycled by the time the domain is gone (LeakSanitizer checks
// that in the asan build), and retire(nullptr) is an error, not a silent corruption of a free
// list or a retired list.
#include <gtest/gtest.h>

#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/sync/sync.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace hazard = lockstep::hazard;
namespace sync = lockstep::sync;

struct node {
  sync::atomic<node*> next{nullptr};
  int value = 0;
};

template <class Reclaimer>
class reclaimer_policy : public ::testing::Test {
 protected:
  using domain = typename Reclaimer::template domain<node>;
  using link = typename domain::link;
};

using policies = ::testing::Types<hazard::tagged_pool, hazard::wide_tagged_pool,
                                  hazard::hazard_pointers, hazard::epochs, hazard::leaking>;

struct policy_names {
  template <class Policy>
  static std::string GetName(int index) {
    static const char* const names[] = {"tagged_pool", "wide_tagged_pool", "hazard_pointers",
                                        "epochs", "leaking"};
    return names[index];
  }
};
TYPED_TEST_SUITE(reclaimer_policy, policies, policy_names);

TYPED_TEST(reclaimer_policy, retiring_a_null_node_throws_invalid_argument) {
  typename TestFixture::domain d;
  EXPECT_THROW(d.retire(nullptr), std::invalid_argument);
  EXPECT_EQ(d.unreclaimed(), 0u) << "a rejected retire must not be counted";
  // The domain is still usable after the rejected call.
  node* n = d.allocate();
  EXPECT_NO_THROW(d.retire(n));
}

TYPED_TEST(reclaimer_policy, a_protected_load_yields_the_linked_node) {
  using domain = typename TestFixture::domain;
  using link = typename TestFixture::link;
  domain d;
  node* a = d.allocate();
  a->value = 1;
  sync::atomic<link> head{domain::successor(link(), a)};
  {
    auto guard = d.protect(head);
    EXPECT_EQ(domain::pointer(guard.get()), a);
    EXPECT_EQ(domain::pointer(guard.get())->value, 1);
  }
  node* b = d.allocate();
  link old = head.load();
  head.store(domain::successor(old, b));
  EXPECT_EQ(domain::pointer(head.load()), b);
  d.retire(a);
  d.retire(b);
}

// Many nodes retired through the policy: nothing is freed twice or lost (the asan build's
// LeakSanitizer and double-free checks), whatever the policy does with them before its end.
TYPED_TEST(reclaimer_policy, retired_nodes_are_all_reclaimed_by_the_end) {
  typename TestFixture::domain d;
  std::vector<node*> nodes;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 200; ++i) nodes.push_back(d.allocate());
    for (node* n : nodes) d.retire(n);
    nodes.clear();
  }
  EXPECT_LE(d.unreclaimed(), 600u);
}

}  // namespace
