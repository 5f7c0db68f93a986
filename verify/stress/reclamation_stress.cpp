// The reclamation domains under real threads (hazard/hazard_pointers.hpp, hazard/epoch.hpp).
//
// Thousands of short-lived threads: threads come and go in waves of 2x the cores, each using the
// domain once. Records are handed back at thread exit and reused, so a domain must stay the size
// of the largest wave, not grow with every thread that ever touched it — and with hazard
// pointers the retired nodes the exited threads left behind stay bounded too.
//
// Readers against writers: threads >= 2x the cores; readers protect a shared pointer (a hazard
// pointer, or a read-side section) and read the object's fields; writers swap in new objects and
// retire the old ones. The deleter poisons an object's canary before deleting it, so a reader
// that reaches a freed object sees the poison (or AddressSanitizer reports the read, or
// ThreadSanitizer the missing happens-before between the read and the poisoning write).
//
// Each reader/writer test runs for at most a number of operations per thread and a wall-clock
// budget, whichever ends first, so a slow machine or a sanitizer cannot turn it into a timeout;
// LOCKSTEP_STRESS_SCALE (default 1) multiplies both. Every check is on what actually ran: every
// object allocated is freed exactly once by the end.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/sync/sync.hpp>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace hazard = lockstep::hazard;
namespace sync = lockstep::sync;

const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
const unsigned threads = std::max(8u, 2 * cores);
const unsigned wave = std::max(4u, 2 * cores);
constexpr unsigned short_lived_threads = 4000;

unsigned scale() {
  const char* s = std::getenv("LOCKSTEP_STRESS_SCALE");
  return s ? static_cast<unsigned>(std::max(1, std::atoi(s))) : 1u;
}
unsigned reads_per_thread() { return 1'000'000 * scale(); }
unsigned writes_per_thread() { return 100'000 * scale(); }
std::chrono::steady_clock::duration budget() { return std::chrono::seconds(1) * scale(); }

constexpr std::uint64_t alive = 0x600d'600d'600d'600d;
constexpr std::uint64_t poisoned = 0xdead'dead'dead'dead;

// The payload every test shares: a canary and a value with its complement, so a torn or freed
// object is visible without a sanitizer.
struct payload {
  explicit payload(std::uint64_t v) : value(v), complement(~v) {}
  std::uint64_t canary = alive;
  std::uint64_t value;
  std::uint64_t complement;

  bool intact() const { return canary == alive && complement == ~value; }
};

// Poisons, counts and deletes. The poison is a volatile store so that the compiler cannot drop
// it as dead before the delete.
template <class T>
struct poisoning_deleter {
  std::atomic<std::uint64_t>* freed = nullptr;
  void operator()(T* p) const {
    *static_cast<volatile std::uint64_t*>(&p->canary) = poisoned;
    if (freed != nullptr) freed->fetch_add(1, std::memory_order_relaxed);
    delete p;
  }
};

struct hp_object : payload,
                   hazard::hazard_pointer_obj_base<hp_object, poisoning_deleter<hp_object>> {
  using payload::payload;
};
struct rcu_object : payload, hazard::rcu_obj_base<rcu_object, poisoning_deleter<rcu_object>> {
  using payload::payload;
};

// Runs `body(i)` on `count` threads, in waves of `wave` threads that are all joined before the
// next wave starts, so at most `wave` threads exist at once. The threads of a wave meet at a
// latch before their bodies and at another before they exit, so that all of them hold their
// records at the same time: otherwise a thread may exit before the next one starts, one record
// serves them all, and the test shows nothing about records under concurrency. After each wave,
// `after_wave()`.
template <class Body, class AfterWave>
void in_waves(unsigned count, Body body, AfterWave after_wave) {
  for (unsigned started = 0; started < count;) {
    const unsigned size = std::min(wave, count - started);
    std::latch all_alive(size), all_done(size);
    std::vector<std::thread> current;
    for (unsigned i = 0; i < size; ++i, ++started) {
      current.emplace_back([&all_alive, &all_done, &body, started] {
        all_alive.arrive_and_wait();
        body(started);
        all_done.arrive_and_wait();
      });
    }
    for (std::thread& t : current) t.join();
    after_wave();
  }
}

TEST(reclamation_stress, short_lived_threads_do_not_grow_a_hazard_pointer_domain) {
  std::atomic<std::uint64_t> freed{0};
  std::atomic<std::uint64_t> allocated{1};
  std::atomic<unsigned> corrupt{0};
  using deleter = poisoning_deleter<hp_object>;
  sync::atomic<hp_object*> src{new hp_object(0)};
  std::size_t peak_records = 0;
  {
    hazard::hazard_pointer_domain domain;
    in_waves(
        short_lived_threads,
        [&](unsigned i) {
          hazard::hazard_pointer hp = hazard::make_hazard_pointer(domain);
          if (!hp.protect(src)->intact()) corrupt.fetch_add(1);
          hp_object* old = src.exchange(new hp_object(i));
          old->retire(deleter{&freed}, domain);
          (new hp_object(i))->retire(deleter{&freed}, domain);
          (new hp_object(i))->retire(deleter{&freed}, domain);
          allocated.fetch_add(3);
        },
        [&] {
          // Quiescent here: no thread uses the domain, so the statistics are exact.
          peak_records = std::max(peak_records, domain.records());
          ASSERT_LE(domain.records(), wave) << "records are not reused";
          // Each record's retired list stays below the scan threshold.
          ASSERT_LE(domain.unreclaimed(), domain.records() * domain.scan_threshold());
        });
    std::printf("%u threads in waves of %u: %zu records, %zu retired nodes pending of %llu\n",
                short_lived_threads, wave, peak_records, domain.unreclaimed(),
                static_cast<unsigned long long>(3ull * short_lived_threads));
    // A wave's threads were all alive at once, so each held a record of its own.
    EXPECT_EQ(peak_records, wave);
  }
  // The domain's destruction freed what the scans left; the last object was never retired.
  deleter{&freed}(src.load());
  EXPECT_EQ(corrupt.load(), 0u);
  EXPECT_EQ(freed.load(), allocated.load());
}

TEST(reclamation_stress, short_lived_threads_do_not_grow_an_rcu_domain) {
  std::atomic<std::uint64_t> freed{0};
  std::atomic<std::uint64_t> allocated{1};
  std::atomic<unsigned> corrupt{0};
  using deleter = poisoning_deleter<rcu_object>;
  sync::atomic<rcu_object*> src{new rcu_object(0)};
  std::size_t peak_records = 0;
  {
    hazard::rcu_domain domain;
    in_waves(
        short_lived_threads,
        [&](unsigned i) {
          {
            std::scoped_lock section(domain);
            if (!src.load(std::memory_order_acquire)->intact()) corrupt.fetch_add(1);
          }
          rcu_object* old = src.exchange(new rcu_object(i));
          old->retire(deleter{&freed}, domain);
          hazard::rcu_retire(new rcu_object(i), deleter{&freed}, domain);
          (new rcu_object(i))->retire(deleter{&freed}, domain);
          allocated.fetch_add(3);
        },
        [&] {
          peak_records = std::max(peak_records, domain.records());
          ASSERT_LE(domain.records(), wave) << "records are not reused";
        });
    std::printf("%u threads in waves of %u: %zu records\n", short_lived_threads, wave,
                peak_records);
    EXPECT_EQ(peak_records, wave);
    // Epochs bound nothing per thread, but a barrier still frees everything retired before it.
    hazard::rcu_barrier(domain);
    EXPECT_EQ(domain.unreclaimed(), 0u);
    EXPECT_EQ(freed.load() + 1, allocated.load());
  }
  deleter{&freed}(src.load());
  EXPECT_EQ(corrupt.load(), 0u);
  EXPECT_EQ(freed.load(), allocated.load());
}

// Readers and writers around one shared pointer, generic over how a reader protects:
// `make_reader(t)` is called on reader thread t and returns its read operation (which may own
// per-thread state, such as a hazard pointer, destroyed before the thread exits); `write(t, i)`
// swaps in a fresh object and retires the old one. Returns the number of reads.
template <class MakeReader, class Write>
std::uint64_t readers_against_writers(unsigned writers, MakeReader make_reader, Write write) {
  const auto deadline_of = [] { return std::chrono::steady_clock::now() + budget(); };
  std::atomic<bool> go{false};
  std::atomic<std::uint64_t> reads{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      const auto deadline = deadline_of();
      if (t < writers) {
        for (unsigned i = 0; i < writes_per_thread(); ++i) {
          if ((i & 63) == 0 && std::chrono::steady_clock::now() >= deadline) break;
          write(t, i);
        }
      } else {
        auto read = make_reader(t);
        unsigned i = 0;
        for (; i < reads_per_thread(); ++i) {
          if ((i & 255) == 0 && std::chrono::steady_clock::now() >= deadline) break;
          read(t, i);
        }
        reads.fetch_add(i, std::memory_order_relaxed);
      }
    });
  }
  go.store(true, std::memory_order_release);
  for (std::thread& t : pool) t.join();
  return reads.load();
}

TEST(reclamation_stress, hazard_pointer_readers_never_reach_a_freed_object) {
  using deleter = poisoning_deleter<hp_object>;
  const unsigned writers = std::max(2u, threads / 4);
  std::atomic<std::uint64_t> freed{0};
  std::atomic<std::uint64_t> allocated{1};
  std::atomic<std::uint64_t> corrupt{0};
  sync::atomic<hp_object*> src{new hp_object(0)};
  std::uint64_t reads = 0;
  {
    hazard::hazard_pointer_domain domain(2);
    reads = readers_against_writers(
        writers,
        [&](unsigned t) {
          // Half the readers make a hazard pointer per read, as a structure's operation does;
          // the other half keep one across reads and re-protect with it, which P2530 allows:
          // the new protection must end the previous one only after the previous one's reads.
          hazard::hazard_pointer kept;
          if (t % 2 == 1) kept = hazard::make_hazard_pointer(domain);
          return [&, t, kept = std::move(kept)](unsigned, unsigned i) mutable {
            if (t % 2 == 0) {
              hazard::hazard_pointer hp = hazard::make_hazard_pointer(domain);
              if (!hp.protect(src)->intact()) corrupt.fetch_add(1);
            } else {
              if (!kept.protect(src)->intact()) corrupt.fetch_add(1);
              if (i % 8 == 7) kept.reset_protection();
            }
          };
        },
        [&](unsigned, unsigned i) {
          hp_object* old = src.exchange(new hp_object(i), std::memory_order_acq_rel);
          allocated.fetch_add(1, std::memory_order_relaxed);
          old->retire(deleter{&freed}, domain);
        });
    // Quiescent: every record's retired list is below the scan threshold.
    EXPECT_LE(domain.unreclaimed(), domain.records() * domain.scan_threshold());
    EXPECT_LE(domain.records(), threads);
    std::printf("%llu reads against %llu writes by %u threads (%u writers)\n",
                static_cast<unsigned long long>(reads),
                static_cast<unsigned long long>(allocated.load() - 1), threads, writers);
  }
  deleter{&freed}(src.load());
  EXPECT_GT(reads, 0u);
  EXPECT_EQ(corrupt.load(), 0u) << "a reader reached a freed or torn object";
  EXPECT_EQ(freed.load(), allocated.load());
}

TEST(reclamation_stress, rcu_readers_never_reach_a_freed_object) {
  using deleter = poisoning_deleter<rcu_object>;
  const unsigned writers = std::max(2u, threads / 4);
  std::atomic<std::uint64_t> freed{0};
  std::atomic<std::uint64_t> allocated{1};
  std::atomic<std::uint64_t> corrupt{0};
  sync::atomic<rcu_object*> src{new rcu_object(0)};
  std::uint64_t reads = 0;
  {
    hazard::rcu_domain domain;
    reads = readers_against_writers(
        writers,
        [&](unsigned) {
          return [&](unsigned, unsigned i) {
            std::scoped_lock section(domain);
            if (!src.load(std::memory_order_acquire)->intact()) corrupt.fetch_add(1);
            if (i % 4 == 0) {
              // A nested section: its end must not end the outer one.
              { std::scoped_lock nested(domain); }
              if (!src.load(std::memory_order_acquire)->intact()) corrupt.fetch_add(1);
            }
          };
        },
        [&](unsigned t, unsigned i) {
          rcu_object* old = src.exchange(new rcu_object(i), std::memory_order_acq_rel);
          allocated.fetch_add(1, std::memory_order_relaxed);
          if (i % 2 == 0) {
            old->retire(deleter{&freed}, domain);
          } else {
            hazard::rcu_retire(old, deleter{&freed}, domain);
          }
          // Now and then a writer waits for a grace period itself, concurrently with the readers
          // and the other writers' retires.
          if (i % 512 == 511) {
            if (t % 2 == 0) {
              hazard::rcu_synchronize(domain);
            } else {
              hazard::rcu_barrier(domain);
            }
          }
        });
    hazard::rcu_barrier(domain);
    EXPECT_EQ(domain.unreclaimed(), 0u);
    EXPECT_EQ(freed.load() + 1, allocated.load());
    std::printf("%llu reads against %llu writes by %u threads (%u writers)\n",
                static_cast<unsigned long long>(reads),
                static_cast<unsigned long long>(allocated.load() - 1), threads, writers);
  }
  deleter{&freed}(src.load());
  EXPECT_GT(reads, 0u);
  EXPECT_EQ(corrupt.load(), 0u) << "a reader reached a freed or torn object";
  EXPECT_EQ(freed.load(), allocated.load());
}

}  // namespace
