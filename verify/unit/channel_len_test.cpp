// len(), Go's len(ch), for both channel families: the number of values in the buffer, 0 for an
// unbuffered channel, never above the capacity; a parked sender's value counts only once it is
// in the buffer, and values left buffered by close() still count.
#include "channel_types.hpp"

#include <chrono>
#include <thread>

namespace {

using lockstep::verify::channel_families;
using lockstep::verify::channel_family_names;
using namespace std::chrono_literals;

template <class Family>
class channel_len : public lockstep::verify::channel_suite<Family> {};
TYPED_TEST_SUITE(channel_len, channel_families, channel_family_names);

TYPED_TEST(channel_len, counts_buffered_values_through_close_and_drain) {
  typename TestFixture::template chan<int> ch(3);
  EXPECT_EQ(ch.len(), 0u);
  for (int i = 0; i < 3; ++i) {
    ch.send(i);
    EXPECT_EQ(ch.len(), static_cast<std::size_t>(i + 1));
  }
  EXPECT_EQ(ch.recv(), 0);
  EXPECT_EQ(ch.len(), 2u);
  ch.close();
  EXPECT_EQ(ch.len(), 2u);
  EXPECT_EQ(ch.recv(), 1);
  EXPECT_EQ(ch.recv(), 2);
  EXPECT_EQ(ch.len(), 0u);
  EXPECT_EQ(ch.recv(), std::nullopt);
  EXPECT_EQ(ch.len(), 0u);
}

TYPED_TEST(channel_len, a_waiting_receiver_or_sender_is_not_a_buffered_value) {
  typename TestFixture::template chan<int> unbuffered(0), full(1);
  // Receivers waiting on an empty channel leave it at 0, never below.
  std::thread receiver([&] { EXPECT_EQ(unbuffered.recv(), 7); });
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(unbuffered.len(), 0u);
  unbuffered.send(7);
  receiver.join();
  EXPECT_EQ(unbuffered.len(), 0u);

  // A sender waiting on a full buffer is not counted; its value is, once a receive makes room.
  full.send(1);
  std::thread sender([&] { full.send(2); });
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(full.len(), 1u);
  EXPECT_EQ(full.recv(), 1);
  sender.join();
  EXPECT_EQ(full.len(), 1u);
  EXPECT_EQ(full.recv(), 2);
  EXPECT_EQ(full.len(), 0u);
}

// Under concurrent sends and receives, every observation, by either side, stays within
// [0, capacity].
TYPED_TEST(channel_len, stays_within_the_capacity_under_traffic) {
  typename TestFixture::template chan<int> ch(4);
  std::thread sender([&] {
    for (int i = 0; i < 2000; ++i) {
      ch.send(i);
      EXPECT_LE(ch.len(), 4u);
    }
    ch.close();
  });
  int received = 0;
  for (;;) {
    EXPECT_LE(ch.len(), 4u);
    if (!ch.recv()) break;
    ++received;
  }
  sender.join();
  EXPECT_EQ(received, 2000);
  EXPECT_EQ(ch.len(), 0u);
}

}  // namespace
