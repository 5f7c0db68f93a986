// The Go patterns of examples/ under load, over every channel family: more cooks and stages
// than cores, tens of thousands of messages, at capacities 0, 1 and 64, checked by their sums;
// and a broker fed by several publishers at once, where every subscriber must see each
// publisher's messages in the order published (the broker forwards in the order it receives,
// and channels are FIFO), minus the ones it dropped and counted.
#include <lockstep/examples/fan_in_fan_out.hpp>
#include <lockstep/examples/pipeline.hpp>
#include <lockstep/examples/pubsub_broker.hpp>
#include <lockstep/locked/wait_group.hpp>

#include <lockstep/verify/unit/channel_types.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace {

using namespace lockstep;
using verify::select_families;

// At least 2x the cores: oversubscribed (4x on the reference machine).
const std::size_t threads = std::max<std::size_t>(8, 2 * std::thread::hardware_concurrency());
constexpr std::size_t capacities[] = {0, 1, 64};
constexpr std::uint64_t messages = 20'000;

constexpr std::uint64_t sum_to(std::uint64_t n) { return n * (n + 1) / 2; }

template <class Family>
class patterns_stress : public ::testing::Test {};
TYPED_TEST_SUITE(patterns_stress, select_families, verify::channel_family_names);

TYPED_TEST(patterns_stress, fan_in_fan_out_with_more_cooks_than_cores) {
  for (std::size_t capacity : capacities) {
    SCOPED_TRACE(testing::Message() << "capacity " << capacity << ", cooks " << threads);
    EXPECT_EQ(examples::fan_in_fan_out<TypeParam::template type>(messages, threads, capacity),
              sum_to(messages));
  }
}

TYPED_TEST(patterns_stress, pipeline_with_more_stages_than_cores) {
  for (std::size_t capacity : capacities) {
    SCOPED_TRACE(testing::Message() << "capacity " << capacity << ", stages " << threads);
    EXPECT_EQ(examples::pipeline<TypeParam::template type>(messages, threads, capacity),
              sum_to(messages) + messages * threads);
  }
}

// Each message carries its publisher (high half) and its number for that publisher (low half).
TYPED_TEST(patterns_stress, broker_with_concurrent_publishers_keeps_each_publishers_order) {
  using broker = examples::broker<TypeParam::template type, std::uint64_t>;
  constexpr std::size_t publishers = 4;
  constexpr std::size_t subscribers = 4;
  constexpr std::uint64_t per_publisher = messages / publishers;

  for (std::size_t capacity : capacities) {
    SCOPED_TRACE(testing::Message() << "subscriber capacity " << capacity);
    std::vector<std::uint64_t> received(subscribers, 0);
    std::vector<int> in_order(subscribers, 0);  // 1 if every publisher's order was kept
    locked::wait_group readers;  // before the broker: joined after it closed their channels
    broker b;
    for (std::size_t s = 0; s < subscribers; ++s) {
      typename broker::subscription channel = b.subscribe("stress", capacity);
      readers.go([channel, &count = received[s], &ordered = in_order[s]] {
        std::vector<std::uint64_t> last(publishers, 0);
        bool ok = true;
        std::uint64_t n = 0;
        for (const typename broker::message& m : *channel) {
          const std::uint64_t publisher = m.content >> 32;
          const std::uint64_t number = m.content & 0xffff'ffff;
          ok = ok && publisher < publishers && number > last[publisher];
          if (publisher < publishers) last[publisher] = number;
          ++n;
        }
        count = n;
        ordered = ok ? 1 : 0;
      });
    }
    locked::wait_group senders;
    for (std::uint64_t p = 0; p < publishers; ++p) {
      senders.go([&b, p] {
        for (std::uint64_t i = 1; i <= per_publisher; ++i) b.publish({"stress", (p << 32) | i});
      });
    }
    senders.wait();
    b.close();
    readers.wait();

    std::uint64_t total = 0;
    for (std::uint64_t count : received) total += count;
    EXPECT_EQ(total + b.dropped(), publishers * per_publisher * subscribers);
    EXPECT_EQ(in_order, std::vector<int>(subscribers, 1));
    // Each subscriber's first message finds its buffer empty, so with a buffer not every
    // message can be dropped (unbuffered, delivery needs a reader already waiting).
    if (capacity > 0) {
      EXPECT_GE(total, subscribers);
    }
  }
}

}  // namespace
