// The channel contract (sync/channel.hpp), for every channel: Go's semantics of capacity,
// blocking, closing and select, and the error cases. Each case that needs a second thread
// makes the blocking side wait for something only the other thread can do, so a channel that
// failed to block, or failed to wake, fails the test or hangs it (CTest's timeout) — never
// passes by timing luck. Concurrency at scale is in verify/stress/channel_stress.cpp.
#include "channel_types.hpp"

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

using lockstep::sync::channel_closed;
using lockstep::sync::channel_status;
using lockstep::verify::channel_families;
using lockstep::verify::channel_family_names;
using lockstep::verify::select_families;
using namespace std::chrono_literals;

template <class Family>
class channel_test : public lockstep::verify::channel_suite<Family> {};
TYPED_TEST_SUITE(channel_test, channel_families, channel_family_names);

TYPED_TEST(channel_test, models_the_channel_concept) {
  static_assert(lockstep::sync::channel<typename TestFixture::template chan<int>>);
  static_assert(lockstep::sync::channel<typename TestFixture::template chan<std::unique_ptr<int>>>);
}

TYPED_TEST(channel_test, capacity_is_exact_and_too_large_is_an_error) {
  using chan = typename TestFixture::template chan<int>;
  EXPECT_EQ(chan(0).capacity(), 0u);
  EXPECT_EQ(chan(5).capacity(), 5u);
  EXPECT_THROW(chan(chan::largest_capacity + 1), std::length_error);
}

TYPED_TEST(channel_test, buffered_values_come_out_in_order_and_full_is_reported) {
  typename TestFixture::template chan<int> ch(3);
  EXPECT_EQ(ch.try_recv().status, channel_status::empty);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ch.try_send(i), channel_status::ok);
  EXPECT_EQ(ch.try_send(3), channel_status::full);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ch.recv(), i);
  // Around the ring more than once.
  for (int round = 0; round < 5; ++round) {
    ch.send(round);
    ch.send(round + 100);
    EXPECT_EQ(ch.recv(), round);
    EXPECT_EQ(*ch.try_recv().value, round + 100);
  }
}

TYPED_TEST(channel_test, unbuffered_try_send_needs_a_waiting_receiver) {
  typename TestFixture::template chan<int> ch(0);
  EXPECT_EQ(ch.try_send(1), channel_status::full);
  EXPECT_EQ(ch.try_recv().status, channel_status::empty);
  std::thread receiver([&] { EXPECT_EQ(ch.recv(), 7); });
  // Succeeds only once the receiver is parked, so this loop ends only if recv really waits.
  while (ch.try_send(7) != channel_status::ok) std::this_thread::yield();
  receiver.join();
}

TYPED_TEST(channel_test, unbuffered_send_is_a_rendezvous) {
  typename TestFixture::template chan<int> ch(0);
  std::atomic<bool> received{false};
  std::thread receiver([&] {
    EXPECT_EQ(ch.recv(), 1);
    received = true;
    EXPECT_EQ(ch.recv(), 2);
  });
  ch.send(1);
  ch.send(2);  // completes only after a receiver took it
  receiver.join();
  EXPECT_TRUE(received);
}

TYPED_TEST(channel_test, close_delivers_buffered_values_then_reports_closed) {
  typename TestFixture::template chan<std::string> ch(4);
  ch.send("a");
  ch.send(std::string("b"));
  ch.close();
  EXPECT_TRUE(ch.closed());
  EXPECT_EQ(ch.recv(), "a");
  EXPECT_EQ(ch.try_recv().value, "b");
  EXPECT_EQ(ch.recv(), std::nullopt);
  EXPECT_EQ(ch.try_recv().status, channel_status::closed);
  EXPECT_EQ(ch.recv_for(1ms).status, channel_status::closed);
}

TYPED_TEST(channel_test, send_on_closed_and_second_close_are_errors_that_keep_the_value) {
  typename TestFixture::template chan<std::unique_ptr<int>> ch(1);
  ch.close();
  auto value = std::make_unique<int>(42);
  EXPECT_THROW(ch.send(std::move(value)), channel_closed);
  ASSERT_NE(value, nullptr);
  EXPECT_EQ(*value, 42);
  EXPECT_EQ(ch.try_send(std::move(value)), channel_status::closed);
  EXPECT_NE(value, nullptr);
  EXPECT_THROW(ch.send_for(std::move(value), 1ms), channel_closed);
  EXPECT_NE(value, nullptr);
  EXPECT_THROW(ch.close(), channel_closed);
}

TYPED_TEST(channel_test, a_blocked_sender_gets_the_error_and_keeps_its_value) {
  typename TestFixture::template chan<std::unique_ptr<int>> ch(1);
  ch.send(std::make_unique<int>(1));
  std::atomic<bool> threw{false};
  std::thread sender([&] {
    auto value = std::make_unique<int>(2);
    try {
      ch.send(std::move(value));
    } catch (const channel_closed&) {
      threw = true;
      EXPECT_NE(value, nullptr);
    }
  });
  // The buffer is full, so the sender can only be blocked (or not yet started) here.
  std::this_thread::sleep_for(10ms);
  ch.close();
  sender.join();
  EXPECT_TRUE(threw);
  auto first = ch.recv();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(**first, 1);
  EXPECT_EQ(ch.recv(), std::nullopt);
}

TYPED_TEST(channel_test, a_blocked_receiver_wakes_on_close) {
  typename TestFixture::template chan<int> ch(0);
  std::thread receiver([&] { EXPECT_EQ(ch.recv(), std::nullopt); });
  std::this_thread::sleep_for(5ms);
  ch.close();
  receiver.join();
}

TYPED_TEST(channel_test, timed_operations_time_out_and_succeed) {
  typename TestFixture::template chan<int> ch(1);
  EXPECT_EQ(ch.recv_for(2ms).status, channel_status::timeout);
  EXPECT_EQ(ch.send_for(1, 2ms), channel_status::ok);
  EXPECT_EQ(ch.send_for(2, 2ms), channel_status::timeout);
  auto got = ch.recv_for(2ms);
  EXPECT_TRUE(got);
  EXPECT_EQ(got.value, 1);
  // A timed-out operation leaves nothing behind: the channel still works both ways.
  std::thread sender([&] { EXPECT_EQ(ch.send_for(3, 10s), channel_status::ok); });
  EXPECT_EQ(ch.recv_for(10s).value, 3);
  sender.join();
}

TYPED_TEST(channel_test, range_for_receives_until_closed_and_drained) {
  typename TestFixture::template chan<int> ch(2);
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) ch.send(i);
    ch.close();
  });
  int expected = 0;
  for (int v : ch) EXPECT_EQ(v, expected++);
  EXPECT_EQ(expected, 100);
  producer.join();
}

TYPED_TEST(channel_test, a_value_left_in_the_buffer_is_destroyed_with_the_channel) {
  auto shared = std::make_shared<int>(0);
  {
    typename TestFixture::template chan<std::shared_ptr<int>> ch(2);
    ch.send(shared);
    EXPECT_EQ(shared.use_count(), 2);
  }
  EXPECT_EQ(shared.use_count(), 1);
}

// select, for the channel families that have one.
template <class Family>
class select_test : public channel_test<Family> {};
TYPED_TEST_SUITE(select_test, select_families, channel_family_names);

TYPED_TEST(select_test, select_fires_a_ready_case_and_try_select_reports_none) {
  typename TestFixture::template chan<int> a(1), b(1);
  std::optional<int> x, y;
  EXPECT_EQ(try_select(on_recv(a, x), on_recv(b, y)), std::nullopt);
  EXPECT_EQ(select_for(1ms, on_recv(a, x), on_recv(b, y)), std::nullopt);
  b.send(5);
  EXPECT_EQ(select(on_recv(a, x), on_recv(b, y)), 1u);
  EXPECT_EQ(y, 5);
  EXPECT_EQ(x, std::nullopt);
  int v = 9;
  EXPECT_EQ(try_select(on_recv(a, x), on_send(a, v)), 1u);
  EXPECT_EQ(v, 9);  // an lvalue is copied
  EXPECT_EQ(a.recv(), 9);
}

TYPED_TEST(select_test, a_blocked_select_fires_exactly_the_case_that_became_ready) {
  typename TestFixture::template chan<int> a(0), b(0);
  std::optional<int> x, y;
  std::thread sender([&] { b.send(3); });
  EXPECT_EQ(select(on_recv(a, x), on_recv(b, y)), 1u);
  EXPECT_EQ(y, 3);
  sender.join();
  // The record left on `a` is gone: a send there must now find no receiver.
  EXPECT_EQ(a.try_send(1), channel_status::full);

  std::thread receiver([&] { EXPECT_EQ(a.recv(), 8); });
  int v = 8;
  EXPECT_EQ(select(on_send(a, std::move(v)), on_recv(b, y)), 0u);
  receiver.join();
}

TYPED_TEST(select_test, select_on_closed_channels) {
  typename TestFixture::template chan<int> a(1), b(0);
  std::optional<int> x = 1;
  a.close();
  EXPECT_EQ(select(on_recv(a, x)), 0u);
  EXPECT_EQ(x, std::nullopt);
  EXPECT_THROW(select(on_send(a, 1)), channel_closed);

  std::thread closer([&] {
    std::this_thread::sleep_for(5ms);
    b.close();
  });
  typename TestFixture::template chan<std::unique_ptr<int>> c(0);
  std::optional<int> z;
  std::thread c_closer([&] {
    std::this_thread::sleep_for(5ms);
    c.close();
  });
  const auto send = on_send(c, std::make_unique<int>(4));
  EXPECT_THROW(select(send), channel_closed);
  // A case that did not fire still holds its value.
  EXPECT_TRUE(send.owned && *send.owned && **send.owned == 4);
  EXPECT_EQ(select(on_recv(b, z)), 0u);
  EXPECT_EQ(z, std::nullopt);
  closer.join();
  c_closer.join();
}

TYPED_TEST(select_test, select_chooses_uniformly_among_ready_cases) {
  typename TestFixture::template chan<int> a(1), b(1);
  std::optional<int> x, y;
  int chose_a = 0;
  constexpr int rounds = 4000;
  for (int i = 0; i < rounds; ++i) {
    a.send(1);
    b.send(2);
    if (select(on_recv(a, x), on_recv(b, y)) == 0) {
      ++chose_a;
      EXPECT_EQ(b.recv(), 2);
    } else {
      EXPECT_EQ(a.recv(), 1);
    }
  }
  // Binomial(4000, 1/2) lies within ±6 standard deviations (±190) with probability 1 − 2e-9;
  // a biased or fixed order lands far outside.
  EXPECT_NEAR(chose_a, rounds / 2, 190);
}

}  // namespace
