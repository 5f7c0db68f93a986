// lockfree::channel against the channel semantics of sync/channel.hpp: rendezvous and buffered
// hand-off, try_send/try_recv answers, timeouts, close (buffered values still delivered, waiting
// senders throw with their value kept, waiting receivers wake with nullopt, a second close
// throws), range-for, the capacity limit, values left in the channel destroyed with it, and
// real-thread runs of several senders and receivers checking conservation and FIFO per sender
// (also under TSan and ASan).
#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/lockfree/channel.hpp>

#include <gtest/gtest.h>

#include "counted.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using lockstep::hazard::epochs;
using lockstep::hazard::leaking;
using lockstep::lockfree::channel;
using lockstep::sync::channel_closed;
using lockstep::sync::channel_status;
using namespace std::chrono_literals;

static_assert(lockstep::sync::channel<channel<int>>);
static_assert(lockstep::sync::channel<channel<std::unique_ptr<int>>>);
static_assert(lockstep::sync::channel<channel<std::string, leaking, 1>>);

// Epochs counting the segments allocated and retired, to see that segments are reclaimed from
// the front as traffic passes.
struct counting_epochs {
  static inline std::atomic<long> allocated{0};
  static inline std::atomic<long> retired{0};

  template <class Node>
  class domain : public epochs::domain<Node> {
   public:
    Node* allocate() {
      ++allocated;
      return epochs::domain<Node>::allocate();
    }
    void retire(Node* n) {
      ++retired;
      epochs::domain<Node>::retire(n);
    }
  };
};

}  // namespace

// The wrapper is an epoch policy: its guard is the read-side section the channel requires.
template <>
inline constexpr bool lockstep::lockfree::detail::section_reclaimer<counting_epochs> = true;

namespace {

using lockstep::verify::counted;

// Waits (briefly spinning, then sleeping) until `done` holds or a second passes.
template <class Predicate>
bool eventually(Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + 1s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100us);
  }
  return true;
}

TEST(LockfreeChannel, BufferedSendAndReceiveInOrder) {
  channel<int, epochs, 2> ch(3);
  EXPECT_EQ(ch.capacity(), 3u);
  ch.send(1);
  ch.send(2);
  ch.send(3);
  EXPECT_EQ(ch.try_send(4), channel_status::full);
  EXPECT_EQ(ch.recv(), 1);
  EXPECT_EQ(ch.try_send(4), channel_status::ok);
  EXPECT_EQ(ch.recv(), 2);
  EXPECT_EQ(ch.recv(), 3);
  EXPECT_EQ(ch.recv(), 4);
  const auto nothing = ch.try_recv();
  EXPECT_EQ(nothing.status, channel_status::empty);
  EXPECT_FALSE(nothing.value);
}

TEST(LockfreeChannel, ManyValuesThroughSmallSegments) {
  channel<int, epochs, 2> ch(5);
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 5; ++i) ch.send(round * 5 + i);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(ch.recv(), round * 5 + i);
  }
}

TEST(LockfreeChannel, RendezvousTrySendNeedsAWaitingReceiver) {
  channel<int> ch(0);
  EXPECT_EQ(ch.capacity(), 0u);
  EXPECT_EQ(ch.try_send(1), channel_status::full);
  EXPECT_EQ(ch.try_recv().status, channel_status::empty);

  std::optional<int> got;
  std::thread receiver([&] { got = ch.recv(); });
  // Once the receiver is parked, a try_send hands the value over.
  ASSERT_TRUE(eventually([&] { return ch.try_send(7) == channel_status::ok; }));
  receiver.join();
  EXPECT_EQ(got, 7);
}

TEST(LockfreeChannel, RendezvousSendWaitsForAReceiver) {
  channel<int> ch(0);
  std::atomic<bool> sent{false};
  std::thread sender([&] {
    ch.send(5);
    sent = true;
  });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(sent);
  EXPECT_EQ(ch.recv(), 5);
  sender.join();
  EXPECT_TRUE(sent);
}

TEST(LockfreeChannel, TryRecvTakesFromAParkedSender) {
  channel<int> ch(0);
  std::thread sender([&] { ch.send(9); });
  std::optional<int> got;
  ASSERT_TRUE(eventually([&] {
    auto r = ch.try_recv();
    if (r) got = r.value;
    return r.status == channel_status::ok;
  }));
  sender.join();
  EXPECT_EQ(got, 9);
}

TEST(LockfreeChannel, TryOperationsKeepTheValueWhenTheyFail) {
  channel<std::unique_ptr<int>> ch(1);
  auto first = std::make_unique<int>(1);
  EXPECT_EQ(ch.try_send(std::move(first)), channel_status::ok);
  EXPECT_EQ(first, nullptr);
  auto second = std::make_unique<int>(2);
  EXPECT_EQ(ch.try_send(std::move(second)), channel_status::full);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(*second, 2);
  ch.close();
  EXPECT_EQ(ch.try_send(std::move(second)), channel_status::closed);
  ASSERT_NE(second, nullptr);
  auto got = ch.try_recv();
  ASSERT_TRUE(got);
  EXPECT_EQ(**got.value, 1);
  EXPECT_EQ(ch.try_recv().status, channel_status::closed);
}

TEST(LockfreeChannel, TimedOperationsTimeOut) {
  channel<int> rendezvous(0);
  const auto start = std::chrono::steady_clock::now();
  const auto r = rendezvous.recv_for(20ms);
  EXPECT_EQ(r.status, channel_status::timeout);
  EXPECT_FALSE(r.value);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);

  int value = 3;
  EXPECT_EQ(rendezvous.send_for(std::move(value), 10ms), channel_status::timeout);
  EXPECT_EQ(value, 3);
  // The withdrawn cells cost nothing: the channel still works.
  std::thread receiver([&] { EXPECT_EQ(rendezvous.recv(), 4); });
  rendezvous.send(4);
  receiver.join();

  channel<int> buffered(1);
  EXPECT_EQ(buffered.send_for(1, 10ms), channel_status::ok);
  EXPECT_EQ(buffered.send_for(2, 10ms), channel_status::timeout);
  const auto got = buffered.recv_for(10ms);
  EXPECT_EQ(got.status, channel_status::ok);
  EXPECT_EQ(got.value, 1);
  EXPECT_EQ(buffered.recv_for(0ms).status, channel_status::timeout);
}

TEST(LockfreeChannel, TimedOperationsSucceedWhenAPartnerComes) {
  channel<int> ch(0);
  std::thread sender([&] {
    std::this_thread::sleep_for(10ms);
    ch.send(8);
  });
  const auto got = ch.recv_for(10s);
  sender.join();
  EXPECT_EQ(got.status, channel_status::ok);
  EXPECT_EQ(got.value, 8);

  std::thread receiver([&] {
    std::this_thread::sleep_for(10ms);
    EXPECT_EQ(ch.recv(), 6);
  });
  EXPECT_EQ(ch.send_for(6, 10s), channel_status::ok);
  receiver.join();
}

TEST(LockfreeChannel, CloseDeliversBufferedValuesThenNullopt) {
  channel<int> ch(4);
  ch.send(1);
  ch.send(2);
  EXPECT_FALSE(ch.closed());
  ch.close();
  EXPECT_TRUE(ch.closed());
  EXPECT_EQ(ch.recv(), 1);
  EXPECT_EQ(ch.recv(), 2);
  EXPECT_EQ(ch.recv(), std::nullopt);
  EXPECT_EQ(ch.recv(), std::nullopt);
  EXPECT_EQ(ch.try_recv().status, channel_status::closed);
  EXPECT_EQ(ch.recv_for(1ms).status, channel_status::closed);
}

TEST(LockfreeChannel, SendOnClosedThrowsAndKeepsTheValue) {
  channel<std::unique_ptr<int>> ch(2);
  ch.close();
  auto value = std::make_unique<int>(5);
  EXPECT_THROW(ch.send(std::move(value)), channel_closed);
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, 5);
  EXPECT_THROW(ch.send_for(std::move(value), 1ms), channel_closed);
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, 5);
  channel<int> ints(0);
  ints.close();
  const int three = 3;
  EXPECT_THROW(ints.send(three), channel_closed);
}

TEST(LockfreeChannel, SecondCloseThrows) {
  channel<int> ch(1);
  ch.close();
  EXPECT_THROW(ch.close(), channel_closed);
}

TEST(LockfreeChannel, CapacityTooLargeIsALengthError) {
  using big = channel<int>;
  EXPECT_THROW(big(big::largest_capacity + 1), std::length_error);
  EXPECT_NO_THROW(big(big::largest_capacity));
}

TEST(LockfreeChannel, CloseWakesParkedSendersWithTheirValues) {
  channel<std::unique_ptr<int>> ch(0);
  std::atomic<int> threw{0};
  std::vector<std::thread> senders;
  for (int i = 0; i < 3; ++i) {
    senders.emplace_back([&, i] {
      auto mine = std::make_unique<int>(i);
      try {
        ch.send(std::move(mine));
      } catch (const channel_closed&) {
        ASSERT_NE(mine, nullptr);
        EXPECT_EQ(*mine, i);
        ++threw;
      }
    });
  }
  std::this_thread::sleep_for(20ms);
  ch.close();
  for (auto& t : senders) t.join();
  EXPECT_EQ(threw, 3);
  EXPECT_EQ(ch.recv(), std::nullopt);
}

TEST(LockfreeChannel, CloseWakesATimedSenderWithItsValue) {
  channel<std::unique_ptr<int>> ch(0);
  std::thread sender([&] {
    auto mine = std::make_unique<int>(4);
    EXPECT_THROW(ch.send_for(std::move(mine), 10s), channel_closed);
    ASSERT_NE(mine, nullptr);
    EXPECT_EQ(*mine, 4);
  });
  std::this_thread::sleep_for(20ms);
  ch.close();
  sender.join();
}

TEST(LockfreeChannel, CloseWakesParkedReceiversWithNullopt) {
  channel<int> ch(2);
  std::atomic<int> woke{0};
  std::vector<std::thread> receivers;
  for (int i = 0; i < 3; ++i) {
    receivers.emplace_back([&] {
      EXPECT_EQ(ch.recv(), std::nullopt);
      ++woke;
    });
  }
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(woke, 0);
  ch.close();
  for (auto& t : receivers) t.join();
  EXPECT_EQ(woke, 3);
}

TEST(LockfreeChannel, RangeForReceivesUntilClosedAndDrained) {
  channel<int> ch(8);
  for (int i = 0; i < 5; ++i) ch.send(i);
  ch.close();
  int expected = 0;
  for (int v : ch) EXPECT_EQ(v, expected++);
  EXPECT_EQ(expected, 5);
}

TEST(LockfreeChannel, ValuesLeftInTheChannelAreDestroyedWithIt) {
  {
    channel<counted, epochs, 2> ch(5);
    for (int i = 0; i < 5; ++i) ch.send(counted(i));
    EXPECT_EQ(ch.recv()->value, 0);
    EXPECT_EQ(counted::live, 4);
  }
  EXPECT_EQ(counted::live, 0);
}

TEST(LockfreeChannel, SegmentsAreRetiredAsTrafficPasses) {
  for (std::size_t capacity : {std::size_t{0}, std::size_t{3}}) {
    counting_epochs::allocated = 0;
    counting_epochs::retired = 0;
    {
      channel<int, counting_epochs, 4> ch(capacity);
      std::thread receiver([&] {
        for (int i = 0; i < 4000; ++i) EXPECT_EQ(ch.recv(), i);
      });
      for (int i = 0; i < 4000; ++i) ch.send(i);
      receiver.join();
      // 4000 values take at least 1000 segments; all but the last few are retired already.
      EXPECT_GE(counting_epochs::allocated.load(), 1000);
      EXPECT_GE(counting_epochs::retired.load(), counting_epochs::allocated.load() - 4);
    }
    EXPECT_EQ(counting_epochs::retired.load(), counting_epochs::allocated.load());
  }
}

// Senders x values each through the channel to receivers; every value arrives once, and each
// receiver sees each sender's values in order.
void run_many(std::size_t capacity, int senders, int receivers, int values) {
  channel<int, epochs, 4> ch(capacity);
  std::vector<std::vector<int>> got(static_cast<std::size_t>(receivers));
  std::vector<std::thread> threads;
  for (int r = 0; r < receivers; ++r) {
    threads.emplace_back([&, r] {
      for (int v : ch) got[static_cast<std::size_t>(r)].push_back(v);
    });
  }
  std::vector<std::thread> producing;
  for (int s = 0; s < senders; ++s) {
    producing.emplace_back([&, s] {
      for (int i = 0; i < values; ++i) ch.send(s * values + i);
    });
  }
  for (auto& t : producing) t.join();
  ch.close();
  for (auto& t : threads) t.join();
  std::vector<int> seen(static_cast<std::size_t>(senders * values));
  for (const auto& mine : got) {
    std::vector<int> last(static_cast<std::size_t>(senders), -1);
    for (int v : mine) {
      ++seen[static_cast<std::size_t>(v)];
      EXPECT_GT(v, last[static_cast<std::size_t>(v / values)]);
      last[static_cast<std::size_t>(v / values)] = v;
    }
  }
  for (int n : seen) EXPECT_EQ(n, 1);
}

TEST(LockfreeChannel, ManySendersAndReceiversRendezvous) { run_many(0, 3, 3, 2000); }
TEST(LockfreeChannel, ManySendersAndReceiversBuffered) { run_many(4, 3, 3, 2000); }

// Timed and try operations mixed with blocking ones under real threads: nothing lost or
// duplicated, whatever each operation reports.
TEST(LockfreeChannel, MixedTimedAndTryOperationsLoseNothing) {
  channel<int, epochs, 4> ch(2);
  constexpr int senders = 3;
  constexpr int values = 1000;
  std::atomic<long> sent_sum{0};
  std::atomic<long> received_sum{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      for (int i = 1; i <= values; ++i) {
        const int v = s * values + i;
        channel_status status;
        switch (i % 3) {
          case 0:
            status = ch.try_send(v);
            break;
          case 1:
            status = ch.send_for(v, 50us);
            break;
          default:
            ch.send(v);
            status = channel_status::ok;
            break;
        }
        if (status == channel_status::ok) sent_sum += v;
      }
    });
  }
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&, r] {
      for (;;) {
        if (r == 0) {
          if (auto v = ch.recv()) {
            received_sum += *v;
            continue;
          }
          return;
        }
        const auto got = (r == 1) ? ch.try_recv() : ch.recv_for(50us);
        if (got) received_sum += *got.value;
        if (got.status == channel_status::closed) return;
        if (got.status != channel_status::ok) std::this_thread::yield();
      }
    });
  }
  for (int s = 0; s < senders; ++s) threads[static_cast<std::size_t>(s)].join();
  ch.close();
  for (std::size_t i = senders; i < threads.size(); ++i) threads[i].join();
  EXPECT_EQ(sent_sum.load(), received_sum.load());
}

}  // namespace
