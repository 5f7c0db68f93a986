// Hazard pointers (hazard/hazard_pointers.hpp) against the P2530 interface they follow, and the
// bounds the header promises: a protected object survives every scan until its protection ends,
// a thread's retired list never exceeds the scan threshold even while another thread pins a
// node, a domain refuses shapes that break its bounds, and destroying it frees what is left.
//
// Every test builds its own domain, so deleter counts are exact; one test uses the default
// domain, which no other test in this binary touches.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <future>
#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/sync/sync.hpp>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace {

using lockstep::hazard::hazard_pointer;
using lockstep::hazard::hazard_pointer_default_domain;
using lockstep::hazard::hazard_pointer_domain;
using lockstep::hazard::hazard_pointer_obj_base;
using lockstep::hazard::make_hazard_pointer;
namespace sync = lockstep::sync;

struct object;

// A stateful deleter (P2530's D): counts its calls and remembers the last object it deleted, so
// a test sees both that the domain ran *this* deleter and on which object.
struct counting_deleter {
  std::atomic<int>* count = nullptr;
  const object** last = nullptr;
  void operator()(object* p) const;
};

struct object : hazard_pointer_obj_base<object, counting_deleter> {
  explicit object(int v) : value(v) {}
  int value;
};

void counting_deleter::operator()(object* p) const {
  if (last != nullptr) *last = p;
  if (count != nullptr) count->fetch_add(1, std::memory_order_relaxed);
  delete p;
}

// Unlinks the object `src` holds and retires it, as a writer of a lock-free structure would.
void unlink_and_retire(sync::atomic<object*>& src, object* replacement, hazard_pointer_domain& d,
                       std::atomic<int>& freed) {
  object* old = src.exchange(replacement);
  old->retire(counting_deleter{&freed}, d);
}

TEST(hazard_pointer, default_constructed_is_empty_and_made_is_not) {
  hazard_pointer_domain domain;
  hazard_pointer none;
  EXPECT_TRUE(none.empty());
  hazard_pointer hp = make_hazard_pointer(domain);
  EXPECT_FALSE(hp.empty());
}

TEST(hazard_pointer, protect_returns_the_current_value) {
  hazard_pointer_domain domain;
  hazard_pointer hp = make_hazard_pointer(domain);
  sync::atomic<object*> src{nullptr};
  EXPECT_EQ(hp.protect(src), nullptr);
  auto* a = new object(1);
  src.store(a);
  EXPECT_EQ(hp.protect(src), a);
  hp.reset_protection();
  src.store(nullptr);
  delete a;
}

// The core promise: a retired object that a hazard pointer protects survives every scan, and is
// freed by the first scan after the protection ends.
TEST(hazard_pointer, protection_keeps_a_retired_object_alive_until_reset) {
  std::atomic<int> freed{0};  // declared first: it outlives the domain's deleters
  hazard_pointer_domain domain;
  sync::atomic<object*> src{new object(7)};
  hazard_pointer hp = make_hazard_pointer(domain);
  object* p = hp.protect(src);
  unlink_and_retire(src, nullptr, domain, freed);
  for (int i = 0; i < 3; ++i) domain.reclaim();
  EXPECT_EQ(freed.load(), 0);
  EXPECT_EQ(p->value, 7);  // still a live object (AddressSanitizer checks the read)
  EXPECT_EQ(domain.unreclaimed(), 1u);
  hp.reset_protection();
  domain.reclaim();
  EXPECT_EQ(freed.load(), 1);
  EXPECT_EQ(domain.unreclaimed(), 0u);
}

TEST(hazard_pointer, protection_ends_when_the_hazard_pointer_is_destroyed) {
  std::atomic<int> freed{0};  // declared first: it outlives the domain's deleters
  hazard_pointer_domain domain;
  sync::atomic<object*> src{new object(7)};
  {
    hazard_pointer hp = make_hazard_pointer(domain);
    (void)hp.protect(src);
    unlink_and_retire(src, nullptr, domain, freed);
    domain.reclaim();
    EXPECT_EQ(freed.load(), 0);
  }
  domain.reclaim();
  EXPECT_EQ(freed.load(), 1);
}

// Protecting something else ends the old protection (P2530: "thereby ending any current
// association").
TEST(hazard_pointer, protecting_another_object_releases_the_first) {
  std::atomic<int> freed{0};  // declared first: it outlives the domain's deleters
  hazard_pointer_domain domain;
  sync::atomic<object*> src{new object(1)};
  hazard_pointer hp = make_hazard_pointer(domain);
  (void)hp.protect(src);
  unlink_and_retire(src, new object(2), domain, freed);
  domain.reclaim();
  EXPECT_EQ(freed.load(), 0);
  object* second = hp.protect(src);
  EXPECT_EQ(second->value, 2);
  domain.reclaim();
  EXPECT_EQ(freed.load(), 1);
  hp.reset_protection();
  unlink_and_retire(src, nullptr, domain, freed);
  domain.reclaim();
  EXPECT_EQ(freed.load(), 2);
}

TEST(hazard_pointer, reset_protection_with_a_pointer_protects_it_without_validation) {
  std::atomic<int> freed{0};  // declared first: it outlives the domain's deleters
  hazard_pointer_domain domain;
  auto* p = new object(3);
  hazard_pointer hp = make_hazard_pointer(domain);
  hp.reset_protection(p);
  p->retire(counting_deleter{&freed}, domain);
  domain.reclaim();
  EXPECT_EQ(freed.load(), 0);
  hp.reset_protection(nullptr);
  domain.reclaim();
  EXPECT_EQ(freed.load(), 1);
}

TEST(hazard_pointer, try_protect_succeeds_when_the_source_still_holds_the_pointer) {
  std::atomic<int> freed{0};  // declared first: it outlives the domain's deleters
  hazard_pointer_domain domain;
  auto* a = new object(1);
  sync::atomic<object*> src{a};
  hazard_pointer hp = make_hazard_pointer(domain);
  object* p = a;
  ASSERT_TRUE(hp.try_protect(p, src));
  EXPECT_EQ(p, a);
  unlink_and_retire(src, nullptr, domain, freed);
  domain.reclaim();
  EXPECT_EQ(freed.load(), 0) << "a successful try_protect must protect";
  hp.reset_protection();
  domain.reclaim();
  EXPECT_EQ(freed.load(), 1);
}

// On failure the pointer is updated to the source's value and nothing stays protected: the stale
// object is freed by the next scan.
TEST(hazard_pointer, try_protect_fails_and_updates_the_pointer_when_the_source_changed) {
  std::atomic<int> freed{0};  // declared first: it outlives the domain's deleters
  hazard_pointer_domain domain;
  auto* a = new object(1);
  auto* b = new object(2);
  sync::atomic<object*> src{a};
  object* p = a;
  src.store(b);
  a->retire(counting_deleter{&freed}, domain);
  hazard_pointer hp = make_hazard_pointer(domain);
  EXPECT_FALSE(hp.try_protect(p, src));
  EXPECT_EQ(p, b);
  domain.reclaim();
  EXPECT_EQ(freed.load(), 1) << "a failed try_protect must leave the stale pointer unprotected";
  // b was not protected by the failure either.
  unlink_and_retire(src, nullptr, domain, freed);
  domain.reclaim();
  EXPECT_EQ(freed.load(), 2);
}

TEST(hazard_pointer, retire_runs_the_given_deleter_on_the_object) {
  std::atomic<int> freed{0};  // declared first: it outlives the domain's deleters
  hazard_pointer_domain domain;
  const object* last = nullptr;
  auto* a = new object(1);
  a->retire(counting_deleter{&freed, &last}, domain);
  domain.reclaim();
  EXPECT_EQ(freed.load(), 1);
  EXPECT_EQ(last, a);
}

TEST(hazard_pointer, move_construction_transfers_the_slot_and_its_protection) {
  std::atomic<int> freed{0};  // declared first: it outlives the domain's deleters
  hazard_pointer_domain domain;
  sync::atomic<object*> src{new object(1)};
  hazard_pointer a = make_hazard_pointer(domain);
  (void)a.protect(src);
  hazard_pointer b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  EXPECT_FALSE(b.empty());
  unlink_and_retire(src, nullptr, domain, freed);
  domain.reclaim();
  EXPECT_EQ(freed.load(), 0);
  b = hazard_pointer();  // assigning an empty one releases b's slot
  domain.reclaim();
  EXPECT_EQ(freed.load(), 1);
}

TEST(hazard_pointer, move_assignment_releases_the_target_s_slot_and_protection) {
  std::atomic<int> freed{0};
  hazard_pointer_domain domain(2);
  sync::atomic<object*> src{new object(1)};
  hazard_pointer a = make_hazard_pointer(domain);
  hazard_pointer b = make_hazard_pointer(domain);
  (void)a.protect(src);
  unlink_and_retire(src, nullptr, domain, freed);
  a = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(a.empty());
  domain.reclaim();
  EXPECT_EQ(freed.load(), 1) << "a's old protection must end when a is assigned";
  // Both slots were in use; the assignment gave one back.
  EXPECT_NO_THROW((void)make_hazard_pointer(domain));
  // Self-assignment (through a reference, which compilers do not warn about) keeps the slot.
  hazard_pointer& alias = a;
  a = std::move(alias);
  EXPECT_FALSE(a.empty());
}

TEST(hazard_pointer, swap_exchanges_slots_and_protections) {
  std::atomic<int> freed{0};  // declared first: it outlives the domain's deleters
  hazard_pointer_domain domain;
  sync::atomic<object*> src{new object(1)};
  hazard_pointer a = make_hazard_pointer(domain);
  hazard_pointer b;
  (void)a.protect(src);
  swap(a, b);  // the friend, found by argument-dependent lookup as std::swap's users expect
  EXPECT_TRUE(a.empty());
  EXPECT_FALSE(b.empty());
  unlink_and_retire(src, nullptr, domain, freed);
  domain.reclaim();
  EXPECT_EQ(freed.load(), 0) << "the protection must move with the slot";
  a.swap(b);  // and the member
  EXPECT_FALSE(a.empty());
  EXPECT_TRUE(b.empty());
  a.reset_protection();
  domain.reclaim();
  EXPECT_EQ(freed.load(), 1);
}

TEST(hazard_pointer, the_default_domain_serves_the_standard_signatures) {
  EXPECT_EQ(&hazard_pointer_default_domain(), &hazard_pointer_default_domain());
  std::atomic<int> freed{0};
  sync::atomic<object*> src{new object(5)};
  hazard_pointer hp = make_hazard_pointer();
  EXPECT_EQ(hp.protect(src)->value, 5);
  object* old = src.exchange(nullptr);
  old->retire(counting_deleter{&freed});  // into the default domain
  hazard_pointer_default_domain().reclaim();
  EXPECT_EQ(freed.load(), 0);
  hp.reset_protection();
  hazard_pointer_default_domain().reclaim();
  EXPECT_EQ(freed.load(), 1);
}

// With D defaulted to std::default_delete, retire() takes no arguments at all.
struct plain_object : hazard_pointer_obj_base<plain_object> {
  static inline std::atomic<int> destroyed{0};
  ~plain_object() { destroyed.fetch_add(1); }
};

TEST(hazard_pointer, retire_with_the_default_deleter_deletes_the_object) {
  plain_object::destroyed = 0;
  hazard_pointer_domain domain;
  (new plain_object)->retire({}, domain);
  domain.reclaim();
  EXPECT_EQ(plain_object::destroyed.load(), 1);
}

TEST(hazard_pointer, a_thread_cannot_hold_more_than_slots_per_thread) {
  hazard_pointer_domain domain(2);
  hazard_pointer a = make_hazard_pointer(domain);
  hazard_pointer b = make_hazard_pointer(domain);
  EXPECT_THROW((void)make_hazard_pointer(domain), std::length_error);
  // The failure took nothing, and a slot given back can be taken again.
  b = hazard_pointer();
  EXPECT_NO_THROW(b = make_hazard_pointer(domain));
  EXPECT_THROW((void)make_hazard_pointer(domain), std::length_error);
  // The limit is per thread: another thread has slots of its own.
  std::thread([&] { EXPECT_NO_THROW((void)make_hazard_pointer(domain)); }).join();
}

TEST(hazard_pointer_domain, rejects_shapes_that_break_its_bounds) {
  EXPECT_THROW(hazard_pointer_domain(0), std::invalid_argument);
  EXPECT_THROW(hazard_pointer_domain(hazard_pointer_domain::max_slots_per_thread + 1),
               std::invalid_argument);
  EXPECT_THROW(hazard_pointer_domain(2, 1), std::invalid_argument);
  EXPECT_THROW(hazard_pointer_domain(2, 0), std::invalid_argument);
  EXPECT_NO_THROW(hazard_pointer_domain(1, 2));
  EXPECT_NO_THROW(hazard_pointer_domain(hazard_pointer_domain::max_slots_per_thread, 2));
}

TEST(hazard_pointer_domain, reports_its_shape) {
  hazard_pointer_domain domain(3, 4);
  EXPECT_EQ(domain.slots_per_thread(), 3u);
  EXPECT_EQ(domain.records(), 0u);
  hazard_pointer hp = make_hazard_pointer(domain);
  EXPECT_EQ(domain.records(), 1u);
  EXPECT_EQ(domain.hazard_pointers(), 3u);
  EXPECT_EQ(domain.scan_threshold(), 12u);
}

// Michael's bound: a thread scans when its retired list reaches scan_factor * H, and a scan
// keeps only what is protected, so a retiring thread holds at most scan_threshold() nodes — also
// while another thread stalls on a hazard pointer. Sampled after every retire; the retiring
// thread is the only one that retires, so the statistic is exact at each sample.
TEST(hazard_pointer_domain, a_stalled_reader_does_not_stop_the_retired_list_s_bound) {
  std::atomic<int> freed{0};
  std::atomic<int> pinned_freed{0};
  hazard_pointer_domain domain(1, 2);
  sync::atomic<object*> src{new object(-1)};
  object* pinned = src.load();

  std::promise<void> protecting, release;
  std::thread reader([&] {
    hazard_pointer hp = make_hazard_pointer(domain);
    EXPECT_EQ(hp.protect(src), pinned);
    protecting.set_value();
    release.get_future().wait();
  });
  protecting.get_future().wait();

  src.store(nullptr);
  pinned->retire(counting_deleter{&pinned_freed}, domain);
  constexpr int n = 1000;
  std::size_t peak = 0;
  for (int i = 0; i < n; ++i) {
    (new object(i))->retire(counting_deleter{&freed}, domain);
    const std::size_t pending = domain.unreclaimed();
    peak = std::max(peak, pending);
    ASSERT_LE(pending, domain.scan_threshold()) << "after retire " << i;
  }
  EXPECT_EQ(domain.records(), 2u);
  EXPECT_EQ(pinned_freed.load(), 0) << "the pinned node was freed under its hazard pointer";
  // The bound was reached and enforced by scans, not by never retiring anything.
  EXPECT_GT(freed.load(), n - static_cast<int>(domain.scan_threshold()));
  EXPECT_GT(peak, domain.hazard_pointers()) << "retire deferred nothing: the test tests nothing";

  release.set_value();
  reader.join();
  domain.reclaim();
  EXPECT_EQ(pinned_freed.load(), 1);
  EXPECT_EQ(freed.load(), n);
  EXPECT_EQ(domain.unreclaimed(), 0u);
}

// The destructor frees what scans left: below the threshold nothing is scanned, so everything
// retired is still pending when the domain goes — in this thread's record and in the record of a
// thread that has already exited.
TEST(hazard_pointer_domain, destruction_frees_every_retired_object) {
  std::atomic<int> freed{0};
  {
    hazard_pointer_domain domain(2, 2);
    (new object(1))->retire(counting_deleter{&freed}, domain);
    std::thread([&] {
      (new object(2))->retire(counting_deleter{&freed}, domain);
      (new object(3))->retire(counting_deleter{&freed}, domain);
    }).join();
    EXPECT_EQ(freed.load(), 0);
    EXPECT_EQ(domain.unreclaimed(), 3u);
  }
  EXPECT_EQ(freed.load(), 3);
}

// A record outlives its thread and is reused, retired nodes included: the next thread's scan
// frees what the exited thread left, and the domain does not grow.
TEST(hazard_pointer_domain, a_later_thread_inherits_an_exited_thread_s_record) {
  std::atomic<int> freed{0};  // declared first: it outlives the domain's deleters
  hazard_pointer_domain domain;
  std::thread([&] {
    for (int i = 0; i < 3; ++i) (new object(i))->retire(counting_deleter{&freed}, domain);
  }).join();
  EXPECT_EQ(freed.load(), 0);
  std::thread([&] { domain.reclaim(); }).join();
  EXPECT_EQ(freed.load(), 3);
  EXPECT_EQ(domain.records(), 1u);
}

}  // namespace
