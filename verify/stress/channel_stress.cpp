// Every channel under oversubscription (8 threads, or twice the cores where that is more), with
// blocking operations, so that threads park and are woken all the time:
//   - senders and receivers: half the threads send distinct values, half receive with range-for
//     until the last sender closes the channel;
//   - close while sending: senders send until the channel is closed under them, a closer closes
//     it part-way, receivers drain it; a send that threw must still hold its value;
//   - select fan-in: senders on two channels, receivers selecting over both (for the channel
//     families that have a select);
//   - timed churn: send_for and recv_for with timeouts short enough to expire constantly, so
//     that cancelled waits race hand-overs.
// Each ends with conservation (every value a send completed with was received exactly once,
// and nothing else) and FIFO per sender as each receiver sees it. Unbuffered and buffered
// (capacities 1 and 64). LOCKSTEP_STRESS_SCALE (default 1) multiplies the values per sender.
#include "../unit/channel_types.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace {

using lockstep::sync::channel_closed;
using lockstep::sync::channel_status;
using lockstep::verify::channel_families;
using lockstep::verify::channel_family_names;
using lockstep::verify::select_families;

unsigned scale() {
  const char* s = std::getenv("LOCKSTEP_STRESS_SCALE");
  return s ? static_cast<unsigned>(std::max(1, std::atoi(s))) : 1u;
}

unsigned thread_count() { return std::max(8u, 2 * std::thread::hardware_concurrency()); }

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr unsigned base_values = 1'000;
#else
constexpr unsigned base_values = 50'000;
#endif
unsigned values_per_sender() { return base_values * scale(); }

// Values carry their sender in the high half and their sequence number in the low half.
std::uint64_t value(unsigned sender, unsigned sequence) {
  return (std::uint64_t{sender} << 32) | sequence;
}

// What each receiver got, checked against what each sender delivered.
class ledger {
 public:
  ledger(unsigned senders, unsigned receivers)
      : delivered_(senders, 0), received_(receivers), senders_(senders) {}

  void delivered(unsigned sender, unsigned count) { delivered_[sender] = count; }
  std::vector<std::uint64_t>& of(unsigned receiver) { return received_[receiver]; }

  // Senders deliver a prefix of their sequence (a sender stops at its first failure), so
  // conservation is: each delivered value received once, nothing else received.
  void check() const {
    std::vector<std::vector<unsigned>> seen(senders_);
    for (unsigned s = 0; s < senders_; ++s) seen[s].assign(delivered_[s], 0);
    for (const std::vector<std::uint64_t>& got : received_) {
      std::vector<std::int64_t> last(senders_, -1);
      for (std::uint64_t v : got) {
        const unsigned s = static_cast<unsigned>(v >> 32);
        const unsigned i = static_cast<unsigned>(v & 0xffffffffu);
        ASSERT_LT(s, senders_);
        ASSERT_LT(i, delivered_[s]) << "a value nobody delivered";
        ++seen[s][i];
        ASSERT_GT(static_cast<std::int64_t>(i), last[s]) << "FIFO per sender broken";
        last[s] = i;
      }
    }
    for (unsigned s = 0; s < senders_; ++s) {
      for (unsigned i = 0; i < delivered_[s]; ++i) {
        ASSERT_EQ(seen[s][i], 1u) << "value " << i << " of sender " << s;
      }
    }
  }

 private:
  std::vector<unsigned> delivered_;
  std::vector<std::vector<std::uint64_t>> received_;
  unsigned senders_;
};

template <class Family>
class channel_stress : public ::testing::Test {
 protected:
  using chan = typename Family::template type<std::uint64_t>;
};
TYPED_TEST_SUITE(channel_stress, channel_families, channel_family_names);

TYPED_TEST(channel_stress, senders_and_receivers) {
  for (std::size_t capacity : {0u, 1u, 64u}) {
    typename TestFixture::chan ch(capacity);
    const unsigned senders = thread_count() / 2, receivers = thread_count() / 2;
    ledger book(senders, receivers);
    std::atomic<unsigned> sending{senders};
    std::vector<std::thread> threads;
    for (unsigned s = 0; s < senders; ++s) {
      threads.emplace_back([&, s] {
        for (unsigned i = 0; i < values_per_sender(); ++i) ch.send(value(s, i));
        book.delivered(s, values_per_sender());
        if (sending.fetch_sub(1) == 1) ch.close();
      });
    }
    for (unsigned r = 0; r < receivers; ++r) {
      threads.emplace_back([&, r] {
        for (std::uint64_t v : ch) book.of(r).push_back(v);
      });
    }
    for (std::thread& t : threads) t.join();
    book.check();
  }
}

TYPED_TEST(channel_stress, close_while_sending) {
  for (std::size_t capacity : {0u, 1u, 64u}) {
    typename TestFixture::chan ch(capacity);
    const unsigned senders = thread_count() / 2, receivers = thread_count() / 2 - 1;
    ledger book(senders, receivers);
    std::atomic<unsigned> received{0};
    std::vector<std::thread> threads;
    for (unsigned s = 0; s < senders; ++s) {
      threads.emplace_back([&, s] {
        unsigned i = 0;
        try {
          for (; i < values_per_sender(); ++i) {
            std::uint64_t mine = value(s, i);
            ch.send(std::move(mine));
          }
        } catch (const channel_closed&) {
        }
        book.delivered(s, i);
      });
    }
    for (unsigned r = 0; r < receivers; ++r) {
      threads.emplace_back([&, r] {
        for (std::uint64_t v : ch) {
          book.of(r).push_back(v);
          received.fetch_add(1, std::memory_order_relaxed);
        }
      });
    }
    threads.emplace_back([&] {
      // Part-way: after a quarter of what could be sent has been received.
      while (received.load(std::memory_order_relaxed) < senders * values_per_sender() / 4) {
        std::this_thread::yield();
      }
      ch.close();
    });
    for (std::thread& t : threads) t.join();
    book.check();
  }
}

template <class Family>
class select_stress : public channel_stress<Family> {};
TYPED_TEST_SUITE(select_stress, select_families, channel_family_names);

TYPED_TEST(select_stress, select_fan_in) {
  for (std::size_t capacity : {0u, 1u, 64u}) {
    typename TestFixture::chan a(capacity), b(capacity);
    const unsigned senders = thread_count() / 2, receivers = thread_count() / 2;
    ledger book(senders, receivers);
    std::array<std::atomic<unsigned>, 2> sending{senders / 2, senders - senders / 2};
    std::vector<std::thread> threads;
    for (unsigned s = 0; s < senders; ++s) {
      threads.emplace_back([&, s] {
        auto& ch = s % 2 ? b : a;
        for (unsigned i = 0; i < values_per_sender(); ++i) ch.send(value(s, i));
        book.delivered(s, values_per_sender());
        if (sending[s % 2].fetch_sub(1) == 1) ch.close();
      });
    }
    for (unsigned r = 0; r < receivers; ++r) {
      threads.emplace_back([&, r] {
        // Go's idiom for a closed case is to set its channel to nil; here the receiver drops
        // to a plain range over the channel still open.
        std::optional<std::uint64_t> x, y;
        for (;;) {
          const std::size_t fired = select(on_recv(a, x), on_recv(b, y));
          std::optional<std::uint64_t>& got = fired == 0 ? x : y;
          if (!got) break;
          book.of(r).push_back(*got);
        }
        for (auto* rest : {&a, &b}) {
          for (std::uint64_t v : *rest) book.of(r).push_back(v);
        }
      });
    }
    for (std::thread& t : threads) t.join();
    book.check();
  }
}

TYPED_TEST(channel_stress, timed_churn) {
  using namespace std::chrono_literals;
  for (std::size_t capacity : {0u, 1u}) {
    typename TestFixture::chan ch(capacity);
    const unsigned senders = thread_count() / 2, receivers = thread_count() / 2;
    const unsigned per_sender = values_per_sender() / 10;
    ledger book(senders, receivers);
    std::atomic<unsigned> sending{senders};
    std::vector<std::thread> threads;
    for (unsigned s = 0; s < senders; ++s) {
      threads.emplace_back([&, s] {
        for (unsigned i = 0; i < per_sender; ++i) {
          std::uint64_t mine = value(s, i);
          while (ch.send_for(std::move(mine), 20us) == channel_status::timeout) {
            ASSERT_EQ(mine, value(s, i)) << "a timed-out send lost its value";
          }
        }
        book.delivered(s, per_sender);
        if (sending.fetch_sub(1) == 1) ch.close();
      });
    }
    for (unsigned r = 0; r < receivers; ++r) {
      threads.emplace_back([&, r] {
        for (;;) {
          auto got = ch.recv_for(20us);
          if (got) {
            book.of(r).push_back(*got.value);
          } else if (got.status == channel_status::closed) {
            break;
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
    book.check();
  }
}

}  // namespace
