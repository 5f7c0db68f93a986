// The Go patterns of examples/ over every channel family: fan-out/fan-in, the pipeline and the
// pub/sub broker, at capacities 0 (unbuffered), 1 and 64 and with few and many threads, checked
// by their sums (nothing lost, nothing duplicated); then the broker's own contract — topics,
// drops with their warning, closing, and the errors Go would panic with.
#include <lockstep/examples/fan_in_fan_out.hpp>
#include <lockstep/examples/pipeline.hpp>
#include <lockstep/examples/pubsub_broker.hpp>
#include <lockstep/sync/channel.hpp>

#include <lockstep/verify/unit/channel_types.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace lockstep;
using verify::select_families;

template <class Family>
class patterns : public ::testing::Test {};
TYPED_TEST_SUITE(patterns, select_families, verify::channel_family_names);

constexpr std::size_t capacities[] = {0, 1, 64};

constexpr std::uint64_t sum_to(std::uint64_t n) { return n * (n + 1) / 2; }

TYPED_TEST(patterns, fan_in_fan_out_delivers_every_order_once) {
  for (std::size_t capacity : capacities) {
    for (std::size_t cooks : {1, 3, 8}) {
      for (std::uint64_t orders : {0, 1, 5, 2000}) {
        SCOPED_TRACE(testing::Message()
                     << "capacity " << capacity << ", cooks " << cooks << ", orders " << orders);
        EXPECT_EQ(examples::fan_in_fan_out<TypeParam::template type>(orders, cooks, capacity),
                  sum_to(orders));
      }
    }
  }
}

TYPED_TEST(patterns, fan_in_fan_out_runs_the_hooks_once_per_order) {
  std::vector<int> cooked(6, 0);  // written under no lock: one cook per order, joined before use
  std::vector<std::uint64_t> delivered;
  examples::fan_in_fan_out_hooks hooks;
  hooks.cook = [&](std::uint64_t order) { ++cooked[order]; };
  hooks.deliver = [&](std::uint64_t order) { delivered.push_back(order); };
  EXPECT_EQ(examples::fan_in_fan_out<TypeParam::template type>(5, 3, 0, hooks), sum_to(5));
  EXPECT_EQ(cooked, (std::vector<int>{0, 1, 1, 1, 1, 1}));
  EXPECT_EQ(delivered.size(), 5u);
}

// The waiter's hook throws on the first order: the cooks must still finish (the output is
// drained) so that the function can join them and pass the exception on.
TYPED_TEST(patterns, fan_in_fan_out_passes_on_a_waiter_exception_without_deadlock) {
  examples::fan_in_fan_out_hooks hooks;
  hooks.deliver = [](std::uint64_t) { throw std::runtime_error("waiter dropped the pizza"); };
  EXPECT_THROW(examples::fan_in_fan_out<TypeParam::template type>(100, 3, 0, hooks),
               std::runtime_error);
}

TYPED_TEST(patterns, fan_in_fan_out_needs_a_cook) {
  EXPECT_THROW(examples::fan_in_fan_out<TypeParam::template type>(5, 0, 0), std::invalid_argument);
}

TYPED_TEST(patterns, pipeline_passes_every_value_through_every_stage_once) {
  for (std::size_t capacity : capacities) {
    for (std::size_t stages : {1, 2, 6}) {
      for (std::uint64_t messages : {0, 1, 5, 2000}) {
        SCOPED_TRACE(testing::Message() << "capacity " << capacity << ", stages " << stages
                                        << ", messages " << messages);
        EXPECT_EQ(examples::pipeline<TypeParam::template type>(messages, stages, capacity),
                  sum_to(messages) + messages * stages);
      }
    }
  }
}

// The Go original's two stages (* 2, then * 5). Each stage is one thread and channels are FIFO,
// so the values also come out in the order they went in.
TYPED_TEST(patterns, pipeline_of_the_go_original_keeps_order) {
  for (std::size_t capacity : capacities) {
    std::vector<std::uint64_t> out;
    const std::uint64_t total = examples::pipeline<TypeParam::template type>(
        5, {[](std::uint64_t v) { return v * 2; }, [](std::uint64_t v) { return v * 5; }}, capacity,
        [&](std::uint64_t v) { out.push_back(v); });
    EXPECT_EQ(total, 150u);
    EXPECT_EQ(out, (std::vector<std::uint64_t>{10, 20, 30, 40, 50}));
  }
}

TYPED_TEST(patterns, pipeline_passes_on_a_sink_exception_without_deadlock) {
  EXPECT_THROW(examples::pipeline<TypeParam::template type>(
                   100, {[](std::uint64_t v) { return v; }}, 0,
                   [](std::uint64_t) { throw std::runtime_error("sink full"); }),
               std::runtime_error);
}

TYPED_TEST(patterns, pipeline_needs_a_stage) {
  EXPECT_THROW(examples::pipeline<TypeParam::template type>(5, 0, 0), std::invalid_argument);
  EXPECT_THROW(examples::pipeline<TypeParam::template type>(5, {}, 0, {}), std::invalid_argument);
}

// Whatever the timing, each message reaches each subscriber or is counted as dropped, once.
TYPED_TEST(patterns, pubsub_receives_or_drops_every_message_once_per_subscriber) {
  for (std::size_t capacity : capacities) {
    for (std::size_t subscribers : {0, 1, 4}) {
      for (std::uint64_t messages : {0, 1, 500}) {
        SCOPED_TRACE(testing::Message() << "capacity " << capacity << ", subscribers "
                                        << subscribers << ", messages " << messages);
        const examples::pubsub_tally tally =
            examples::pubsub_tallied<TypeParam::template type>(messages, subscribers, capacity);
        EXPECT_EQ(tally.received + tally.dropped, messages * subscribers);
      }
    }
  }
}

// With room for every message no subscriber is ever full, so nothing may be dropped.
TYPED_TEST(patterns, pubsub_drops_nothing_when_subscribers_have_room) {
  EXPECT_EQ(examples::pubsub<TypeParam::template type>(64, 4, 64), 64u * 4u);
}

TYPED_TEST(patterns, broker_delivers_by_topic) {
  using broker = examples::broker<TypeParam::template type, int>;
  broker b;
  typename broker::subscription returns = b.subscribe("return-created");
  typename broker::subscription orders = b.subscribe("order-placed");
  b.publish({"return-created", 1});
  b.publish({"order-placed", 2});
  b.publish({"nobody-listens", 3});
  b.publish({"return-created", 4});
  b.close();

  std::vector<int> got_returns;
  for (const typename broker::message& m : *returns) got_returns.push_back(m.content);
  std::vector<int> got_orders;
  for (const typename broker::message& m : *orders) got_orders.push_back(m.content);
  EXPECT_EQ(got_returns, (std::vector<int>{1, 4}));
  EXPECT_EQ(got_orders, (std::vector<int>{2}));
  EXPECT_EQ(b.dropped(), 0u);
}

// No one reads until the broker is closed: the first message fills the channel of capacity 1,
// the next two are dropped with a warning each, and the broker never blocks on the subscriber.
TYPED_TEST(patterns, broker_drops_for_a_full_subscriber_and_warns) {
  using broker = examples::broker<TypeParam::template type, int>;
  std::vector<std::string> warnings;  // appended in the broker's thread, read after close()
  broker b([&](const std::string& topic) { warnings.push_back(topic); });
  typename broker::subscription slow = b.subscribe("t", 1);
  for (int v = 1; v <= 3; ++v) b.publish({"t", v});
  b.close();

  std::vector<int> got;
  for (const typename broker::message& m : *slow) got.push_back(m.content);
  EXPECT_EQ(got, (std::vector<int>{1}));
  EXPECT_EQ(b.dropped(), 2u);
  EXPECT_EQ(warnings, (std::vector<std::string>{"t", "t"}));
}

TYPED_TEST(patterns, closing_the_broker_closes_every_subscriber_channel) {
  using broker = examples::broker<TypeParam::template type, int>;
  broker b;
  typename broker::subscription first = b.subscribe("a");
  typename broker::subscription second = b.subscribe("b", 0);
  EXPECT_FALSE(first->closed());
  b.close();
  EXPECT_TRUE(first->closed());
  EXPECT_TRUE(second->closed());
}

// Where the Go original would block forever (publish, subscribe) or panic (close), the broker
// throws sync::channel_closed.
TYPED_TEST(patterns, a_closed_broker_refuses_everything) {
  using broker = examples::broker<TypeParam::template type, int>;
  broker b;
  b.close();
  EXPECT_THROW(b.publish({"t", 1}), sync::channel_closed);
  EXPECT_THROW(b.subscribe("t"), sync::channel_closed);
  EXPECT_THROW(b.close(), sync::channel_closed);
}

// A broker that goes out of scope unclosed closes itself: its thread is joined, and its
// subscribers' loops end.
TYPED_TEST(patterns, an_unclosed_broker_is_closed_by_its_destructor) {
  using broker = examples::broker<TypeParam::template type, int>;
  typename broker::subscription kept;
  {
    broker b;
    kept = b.subscribe("t");
    b.publish({"t", 7});
  }
  std::vector<int> got;
  for (const typename broker::message& m : *kept) got.push_back(m.content);
  EXPECT_EQ(got, (std::vector<int>{7}));
}

}  // namespace
