// Both widths of tagged pointer behind one interface (hazard/tagged_ptr.hpp), and the atomic
// that makes the 128-bit one lock-free (sync/double_width_atomic.hpp): the interface, the tag
// arithmetic, the address check, that the double-width atomic is a lock-free cmpxchg16b on a
// CPU that has it, and that its CAS and load are atomic under contention.
#include <lockstep/hazard/node_pool.hpp>
#include <lockstep/hazard/tagged_ptr.hpp>
#include <lockstep/sync/sync.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

using lockstep::hazard::node_pool;
using lockstep::hazard::tagged_ptr;
using lockstep::hazard::tagged_ptr128;
namespace sync = lockstep::sync;

template <template <class> class Link>
struct width {
  template <class T>
  using type = Link<T>;
};

template <class Width>
class tagged_link : public ::testing::Test {};

using widths = ::testing::Types<width<tagged_ptr>, width<tagged_ptr128>>;

struct width_names {
  template <class Width>
  static std::string GetName(int index) {
    return index == 0 ? "tagged_ptr" : "tagged_ptr128";
  }
};
TYPED_TEST_SUITE(tagged_link, widths, width_names);

TYPED_TEST(tagged_link, holds_a_pointer_and_a_tag) {
  using link = typename TypeParam::template type<int>;
  int x = 0;
  link p(&x, 7);
  EXPECT_EQ(p.get(), &x);
  EXPECT_EQ(p.tag(), 7u);
  EXPECT_EQ(link().get(), nullptr);
  EXPECT_EQ(link().tag(), 0u);
  EXPECT_TRUE(p == link(&x, 7));
  EXPECT_FALSE(p == link(&x, 8));
  EXPECT_FALSE(p == link(nullptr, 7));
  static_assert(std::is_trivially_copyable_v<link>);
}

TYPED_TEST(tagged_link, successor_increments_the_tag_so_a_stale_copy_compares_unequal) {
  using link = typename TypeParam::template type<int>;
  int x = 0;
  int y = 0;
  const link before(&x, 41);
  const link after = before.successor(&y);
  EXPECT_EQ(after.get(), &y);
  EXPECT_EQ(after.tag(), 42u);
  // The same pointer back (ABA) still differs from the stale copy by its tag.
  EXPECT_FALSE(before == after.successor(&x));
  EXPECT_EQ(after.successor(&x).tag(), 43u);
}

TYPED_TEST(tagged_link, prints_address_hash_tag) {
  using link = typename TypeParam::template type<int>;
  int x = 0;
  std::ostringstream printed;
  printed << link(&x, 5);
  std::ostringstream address;
  address << static_cast<const void*>(&x);
  EXPECT_EQ(printed.str(), address.str() + "#5");
}

TYPED_TEST(tagged_link, the_tag_wraps_modulo_its_width) {
  using link = typename TypeParam::template type<int>;
  using tag_type = typename link::tag_type;
  int x = 0;
  const link last(&x, std::numeric_limits<tag_type>::max());
  EXPECT_EQ(last.successor(&x).tag(), 0u);
  EXPECT_EQ(last.successor(&x).get(), &x);
}

TEST(tagged_ptr, has_a_16_bit_tag_in_one_word) {
  static_assert(sizeof(tagged_ptr<int>) == sizeof(std::uint64_t));
  static_assert(std::is_same_v<tagged_ptr<int>::tag_type, std::uint16_t>);
  int x = 0;
  EXPECT_EQ(tagged_ptr<int>(&x, 0xffff).successor(&x).tag(), 0);
}

TEST(tagged_ptr, rejects_an_address_above_48_bits_with_a_clear_message) {
  auto* wide = reinterpret_cast<int*>(std::uintptr_t{1} << 48);
  try {
    tagged_ptr<int> p(wide, 0);
    ADD_FAILURE() << "constructed " << p;
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("does not fit in 48 bits"), std::string::npos) << message;
    EXPECT_NE(message.find("128-bit"), std::string::npos) << message;
  }
  int x = 0;
  EXPECT_THROW(tagged_ptr<int>(&x, 0).successor(wide), std::invalid_argument);
  auto* highest = reinterpret_cast<int*>((std::uintptr_t{1} << 48) - 4);
  EXPECT_EQ(tagged_ptr<int>(highest, 3).get(), highest);
}

TEST(tagged_ptr128, keeps_every_address_bit_and_a_64_bit_counter) {
  static_assert(sizeof(tagged_ptr128<int>) == 16 && alignof(tagged_ptr128<int>) == 16);
  static_assert(std::is_same_v<tagged_ptr128<int>::tag_type, std::uint64_t>);
  static_assert(std::has_unique_object_representations_v<tagged_ptr128<int>>);
  auto* wide = reinterpret_cast<int*>(~std::uintptr_t{0} << 4);
  const tagged_ptr128<int> p(wide, std::uint64_t{1} << 40);
  EXPECT_EQ(p.get(), wide);
  EXPECT_EQ(p.successor(wide).tag(), (std::uint64_t{1} << 40) + 1);
}

#if defined(__x86_64__)
// CPUID leaf 1, ECX bit 13, decoded by the library; /proc/cpuinfo is the kernel's reading of
// the same bit, so a wrong decoding shows as a disagreement.
TEST(double_width_atomic, runs_on_a_cpu_with_cmpxchg16b) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  bool kernel_says_cx16 = false;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) == 0) {
      std::istringstream flags(line);
      std::string flag;
      while (flags >> flag) kernel_says_cx16 = kernel_says_cx16 || flag == "cx16";
      break;
    }
  }
  EXPECT_TRUE(kernel_says_cx16);
  EXPECT_TRUE(sync::cpu_has_cx16());
}
#elif defined(__aarch64__) && defined(__ARM_FEATURE_ATOMICS)
// The LSE build's casp needs the Armv8.1 atomics; the library reads HWCAP_ATOMICS for it, so on
// a CPU without them (qemu-aarch64 -cpu cortex-a53, say) this fails, as the constructor throws.
TEST(double_width_atomic, runs_on_a_cpu_with_lse_atomics) {
  EXPECT_TRUE(sync::cpu_has_lse_atomics());
}
#endif

TEST(double_width_atomic, is_what_sync_atomic_selects_for_16_bytes_and_is_lock_free) {
  using wide = sync::atomic<tagged_ptr128<int>>;
  static_assert(std::is_same_v<wide, sync::double_width_atomic<tagged_ptr128<int>>>);
  static_assert(wide::is_always_lock_free);
  static_assert(alignof(wide) == 16);
  // Narrower values keep std::atomic itself, so the seam costs them nothing.
  static_assert(std::is_same_v<sync::atomic<tagged_ptr<int>>, std::atomic<tagged_ptr<int>>>);
  static_assert(sync::atomic<tagged_ptr<int>>::is_always_lock_free);
  const wide a{tagged_ptr128<int>()};
  EXPECT_TRUE(a.is_lock_free());
}

TEST(double_width_atomic, load_store_exchange_and_cas_behave_as_std_atomic) {
  using link = tagged_ptr128<int>;
  int x = 0;
  int y = 0;
  sync::atomic<link> a{link(&x, 1)};
  EXPECT_TRUE(a.load() == link(&x, 1));
  a.store(link(&y, 2), sync::release);
  EXPECT_TRUE(a.load(sync::acquire) == link(&y, 2));
  EXPECT_TRUE(a.exchange(link(&x, 3)) == link(&y, 2));
  EXPECT_TRUE(a.load(sync::relaxed) == link(&x, 3));

  link expected(&y, 3);  // right tag, wrong pointer: must fail and report the current value
  EXPECT_FALSE(a.compare_exchange_strong(expected, link(&y, 4)));
  EXPECT_TRUE(expected == link(&x, 3));
  EXPECT_TRUE(a.compare_exchange_strong(expected, link(&y, 4), sync::acq_rel, sync::acquire));
  EXPECT_TRUE(a.load() == link(&y, 4));

  expected = link(&y, 5);  // right pointer, wrong tag
  EXPECT_FALSE(a.compare_exchange_weak(expected, link(&x, 6), sync::release));
  EXPECT_TRUE(expected == link(&y, 4));
  // cmpxchg16b and casp do not fail spuriously: the weak CAS succeeds on the first matching try.
  // An LL/SC weak CAS may lose its reservation, and then fails with `expected` left as it was.
  if constexpr (sync::atomic<link>::weak_may_fail_spuriously) {
    const link before = expected;
    while (!a.compare_exchange_weak(expected, link(&x, 5))) EXPECT_TRUE(expected == before);
  } else {
    EXPECT_TRUE(a.compare_exchange_weak(expected, link(&x, 5)));
  }
  EXPECT_TRUE(a.load() == link(&x, 5));

  const sync::atomic<link> zero;
  EXPECT_TRUE(zero.load() == link());
}

// An LL/SC build (Armv8.0 AArch64), where every read-modify-write is a load-exclusive /
// store-exclusive loop and compare_exchange_weak is one attempt of it, of every width alike.
constexpr bool ll_sc_build = sync::atomic<tagged_ptr128<int>>::weak_may_fail_spuriously;

unsigned contending_threads() { return std::max(4u, 2 * std::thread::hardware_concurrency()); }

// Every thread swings one shared link to its own cell with a CAS loop. Each successful CAS
// installs the successor of what it replaced, so the final tag counts the successful CASes —
// unless two CASes succeeded from the same value (a non-atomic CAS), which loses a count.
TYPED_TEST(tagged_link, concurrent_cas_increments_count_every_success_exactly_once) {
  struct cell {
    int owner = 0;
  };
  using link = typename TypeParam::template type<cell>;
  const unsigned threads = contending_threads();
  constexpr unsigned attempts = 200'000;
  std::vector<cell> cells(threads);
  sync::atomic<link> shared{link(nullptr, 0)};
  std::vector<std::uint64_t> successes(threads, 0);
  std::vector<std::uint64_t> failures_in_place(threads, 0);
  std::atomic<bool> go{false};
  std::vector<std::thread> team;
  for (unsigned t = 0; t < threads; ++t) {
    team.emplace_back([&, t] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      for (unsigned i = 0; i < attempts; ++i) {
        link seen = shared.load(sync::acquire);
        const link before = seen;
        if (shared.compare_exchange_weak(seen, seen.successor(&cells[t]), sync::acq_rel,
                                         sync::acquire)) {
          ++successes[t];
        } else if (seen == before) {
          ++failures_in_place[t];
        }
      }
    });
  }
  go.store(true, std::memory_order_release);
  for (std::thread& th : team) th.join();

  std::uint64_t total = 0;
  for (std::uint64_t s : successes) total += s;
  const link last = shared.load();
  // A CAS fails only because another succeeded within its load-to-CAS window, and a thread's
  // windows do not overlap, so one success fails at most one attempt per other thread:
  // threads x attempts <= total x threads. (An LL/SC CAS may also fail with no write at all,
  // when an interrupt clears the monitor; far too rarely to matter here.)
  EXPECT_GE(total, attempts);
  EXPECT_EQ(last.tag(), static_cast<typename link::tag_type>(total));
  // Tags never repeat here, so a failed CAS that left `seen` as it was did not see another
  // value: its store-exclusive lost the reservation (LL/SC only; a write landed between the
  // load-exclusive and the store, or the monitor was cleared). cmpxchg, cmpxchg16b, cas and
  // casp report the value they found instead, so there it must never happen.
  std::uint64_t in_place = 0;
  for (std::uint64_t f : failures_in_place) in_place += f;
  std::printf("%llu of %llu weak CASes failed with the expected value in place\n",
              static_cast<unsigned long long>(in_place),
              static_cast<unsigned long long>(std::uint64_t{threads} * attempts));
  if (!ll_sc_build) {
    EXPECT_EQ(in_place, 0u);
  }
  EXPECT_TRUE(last.get() >= cells.data() && last.get() < cells.data() + threads);
}

// The strong CAS retries a lost reservation itself, so on every build it fails only on a value
// that differs, never with `expected` still in place. Every thread increments one shared tag
// with a strong-CAS loop; the final tag counts each increment exactly once.
TYPED_TEST(tagged_link, strong_cas_fails_only_on_a_different_value) {
  struct cell {
    int owner = 0;
  };
  using link = typename TypeParam::template type<cell>;
  const unsigned threads = contending_threads();
  constexpr unsigned increments = 50'000;
  cell only;
  sync::atomic<link> shared{link(&only, 0)};
  std::atomic<std::uint64_t> failures_in_place{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> team;
  for (unsigned t = 0; t < threads; ++t) {
    team.emplace_back([&] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      std::uint64_t in_place = 0;
      for (unsigned i = 0; i < increments; ++i) {
        link seen = shared.load(sync::relaxed);
        for (;;) {
          const link before = seen;
          if (shared.compare_exchange_strong(seen, seen.successor(&only), sync::acq_rel,
                                             sync::relaxed)) {
            break;
          }
          if (seen == before) ++in_place;
        }
      }
      failures_in_place.fetch_add(in_place);
    });
  }
  go.store(true, std::memory_order_release);
  for (std::thread& th : team) th.join();
  EXPECT_EQ(failures_in_place.load(), 0u);
  EXPECT_EQ(shared.load().tag(),
            static_cast<typename link::tag_type>(std::uint64_t{threads} * increments));
}

// A writer alternates two values whose halves differ; readers must only ever see one of the
// two whole values. Two 8-byte loads would let a reader pair one value's pointer with the
// other's counter.
TEST(double_width_atomic, a_load_never_tears) {
  using link = tagged_ptr128<int>;
  int even = 0;
  int odd = 0;
  sync::atomic<link> shared{link(&even, 0)};
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> torn{0};
  std::vector<std::thread> readers;
  for (unsigned r = 0; r + 1 < contending_threads(); ++r) {
    readers.emplace_back([&] {
      while (!done.load(std::memory_order_acquire)) {
        const link seen = shared.load(sync::acquire);
        if (seen.get() != ((seen.tag() % 2 == 0) ? &even : &odd)) torn.fetch_add(1);
      }
    });
  }
  for (std::uint64_t i = 1; i <= 1'000'000; ++i) {
    shared.store(link(i % 2 == 0 ? &even : &odd, i), sync::release);
  }
  done.store(true, std::memory_order_release);
  for (std::thread& th : readers) th.join();
  EXPECT_EQ(torn.load(), 0u);
  EXPECT_TRUE(shared.load() == link(&even, 1'000'000));
}

struct payload {
  int value = 0;
};

TEST(node_pool, recycles_nodes_under_a_wide_free_list) {
  node_pool<payload, tagged_ptr128> pool;
  payload* a = pool.acquire();
  payload* b = pool.acquire();
  EXPECT_NE(a, b);
  pool.release(a);
  pool.release(b);
  EXPECT_EQ(pool.acquire(), b);
  EXPECT_EQ(pool.acquire(), a);
  pool.release(a);
  pool.release(b);
}

}  // namespace
