// Go's channel tests whose selects use nil channels, ported: a case on a nil channel never
// fires, and lockstep's counterpart is a case whose channel pointer is null (a disabled case,
// sync/channel.hpp). As in go_chan_test.cpp, each test is headed by what it ports and what
// changed, and runs with threads and with coroutines (go_chan_support.hpp).
//
// Go blocks for ever in a select whose every case is on a nil channel; lockstep's select
// throws std::logic_error there, and select_for waits out its duration: the ports check both.
// Go's plain send and receive on a nil channel (which block for ever) have no counterpart: a
// lockstep channel is an object, never nil.
#include "go_chan_support.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

namespace {

namespace go = lockstep::verify::go;
using lockstep::sync::channel_closed;
using namespace std::chrono_literals;

template <class Kind>
class go_nil_chan : public ::testing::Test {};

using go::kind_names;
using kinds = ::testing::Types<go::kind<lockstep::verify::locked_channels, go::threads>,
                               go::kind<lockstep::verify::lockfree_channels, go::threads>,
                               go::kind<lockstep::verify::locked_channels, go::coroutines>,
                               go::kind<lockstep::verify::lockfree_channels, go::coroutines>>;
TYPED_TEST_SUITE(go_nil_chan, kinds, kind_names);

// How long a port lets an operation that must block wait before it counts it as blocked (Go's
// testBlock waits 0.1 s).
constexpr auto blocks = 20ms;

// Ports Go's test/chan/select.go: a loop of non-blocking selects sending on a and b sets each
// channel to nil once its case fired, so each fires once and the third select takes default;
// the send expressions are evaluated in every select, disabled cases included (10 times over
// the two calls). Changed: the channels' pointers are set to null instead of nil.
TYPED_TEST(go_nil_chan, select_sends_until_nil) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<unsigned>;
  W::run([]() -> task {
    unsigned counter = 0;
    unsigned shift = 0;
    const auto get_value = [&] {
      ++counter;
      return 1u << shift;
    };
    const auto send = [&](chan* a, chan* b) -> typename W::template task<int> {
      int i = 0;
      for (;;) {
        const std::optional<std::size_t> fired =
            co_await W::try_select(on_send(a, get_value()), on_send(b, get_value()));
        if (!fired) break;
        ++i;
        if (*fired == 0) {
          a = nullptr;
        } else {
          b = nullptr;
        }
        ++shift;
      }
      co_return i;
    };
    chan a(1), b(1);
    const int both = co_await send(&a, &b);
    EXPECT_EQ(both, 2) << "Send returned " << both << " != 2";
    const std::optional<unsigned> av = co_await W::recv(a);
    const std::optional<unsigned> bv = co_await W::recv(b);
    EXPECT_EQ(av.value() | bv.value(), 3u) << "bad values " << *av << " " << *bv;
    const int one = co_await send(&a, nullptr);
    EXPECT_EQ(one, 1) << "Send returned " << one << " != 1";
    EXPECT_EQ(counter, 10u) << "counter is " << counter << " != 10";
  });
}

// Ports Go's test/chan/select3.go: which operations and selects block (testBlock) and which
// panic (testPanic). Changed: "blocks" is "has not completed after 20 ms", checked with the
// timed forms (recv_for, select_for) where Go runs the operation in a goroutine beside a 0.1 s
// sleep; "never blocks" is that it returns; Go's panics are channel_closed; a blocking select
// over nil channels only is std::logic_error (Go blocks for ever), and its select_for waits;
// Go's empty `select {}` and `select { default: }` have no form (a select takes a case); the
// last check, a select that sees itself, is select3_select_sees_itself below.
TYPED_TEST(go_nil_chan, select3_blocking_and_panics) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    constexpr std::size_t async = 1;
    chan* const nilch = nullptr;
    chan closedch(0);
    closedch.close();
    std::optional<int> v;

    // A case on a nil channel is never selected, beside default.
    const std::optional<std::size_t> nil_send = co_await W::try_select(on_send(nilch, 7));
    EXPECT_FALSE(nil_send.has_value());
    const std::optional<std::size_t> nil_recv = co_await W::try_select(on_recv(nilch, v));
    EXPECT_FALSE(nil_recv.has_value());

    // A send to a channel with room never blocks.
    {
      chan ch(async);
      co_await W::send(ch, 7);
    }

    // A receive from a closed channel never blocks, and gives "closed".
    for (int i = 0; i < 10; ++i) {
      const std::optional<int> x = co_await W::recv(closedch);
      EXPECT_FALSE(x.has_value()) << "expected 0, false from closed channel";
    }

    // A send to a closed channel panics.
    bool threw = false;
    try {
      co_await W::send(closedch, 7);
    } catch (const channel_closed&) {
      threw = true;
    }
    EXPECT_TRUE(threw) << "send on a closed channel";

    // A receive from a channel nobody sends on blocks.
    {
      chan ch(0);
      const lockstep::sync::recv_result<int> r = co_await W::recv_for(ch, blocks);
      EXPECT_EQ(r.status, lockstep::sync::channel_status::timeout);
    }

    // A select over nil channels only blocks: select_for waits out its duration, and select
    // (which would block for ever) throws.
    {
      const auto start = std::chrono::steady_clock::now();
      const std::optional<std::size_t> none =
          co_await W::select_for(blocks, on_recv(nilch, v), on_send(nilch, 7));
      EXPECT_FALSE(none.has_value());
      EXPECT_GE(std::chrono::steady_clock::now() - start, blocks);
      bool refused = false;
      try {
        (void)co_await W::select(on_recv(nilch, v));
      } catch (const std::logic_error&) {
        refused = true;
      }
      EXPECT_TRUE(refused) << "a select over nil channels only";
      refused = false;
      try {
        (void)co_await W::select(on_send(nilch, 7));
      } catch (const std::logic_error&) {
        refused = true;
      }
      EXPECT_TRUE(refused) << "a select over nil channels only";
    }

    // A select over a channel that is not ready blocks.
    {
      chan ch(0);
      const std::optional<std::size_t> none = co_await W::select_for(blocks, on_recv(ch, v));
      EXPECT_FALSE(none.has_value());
    }

    // A select with a ready channel does not block, and its default is not taken.
    {
      chan ch(async);
      const std::optional<std::size_t> sent = co_await W::try_select(on_send(ch, 7));
      EXPECT_EQ(sent, std::optional<std::size_t>(0));
    }
    {
      chan ch(async);
      co_await W::send(ch, 7);
      const std::optional<std::size_t> received = co_await W::try_select(on_recv(ch, v));
      EXPECT_EQ(received, std::optional<std::size_t>(0));
      EXPECT_EQ(v, 7);
    }

    // A select on a closed channel behaves as the operation: a receive fires at once, a send
    // panics.
    {
      const std::size_t fired = co_await W::select(on_recv(closedch, v), on_recv(nilch, v));
      EXPECT_EQ(fired, 0u);
      EXPECT_FALSE(v.has_value());
      threw = false;
      try {
        (void)co_await W::select(on_send(closedch, 7));
      } catch (const channel_closed&) {
        threw = true;
      }
      EXPECT_TRUE(threw) << "a select's send on a closed channel";
    }
  });
}

template <class Kind>
class go_self_select : public ::testing::Test {};

using self_select_kinds =
    ::testing::Types<go::kind<lockstep::verify::locked_channels, go::threads>,
                     go::kind<lockstep::verify::locked_channels, go::coroutines>,
                     go::kind<lockstep::verify::lockfree_channels, go::threads>,
                     go::kind<lockstep::verify::lockfree_channels, go::coroutines>>;
TYPED_TEST_SUITE(go_self_select, self_select_kinds, kind_names);

// Ports the last check of Go's test/chan/select3.go: a select does not get confused if it sees
// itself; its send and its receive on one unbuffered channel never complete each other, so it
// blocks. Changed: as select3_blocking_and_panics, "blocks" is select_for's timeout.
TYPED_TEST(go_self_select, select3_select_sees_itself) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    chan c(0);
    std::optional<int> v;
    const std::optional<std::size_t> none =
        co_await W::select_for(blocks, on_send(c, 1), on_recv(c, v));
    EXPECT_FALSE(none.has_value());
  });
}

// Ports Go's runtime/chan_test.go TestSelectStress: four channels (two unbuffered, capacities 2
// and 3); per channel a goroutine sends N values and one receives N; one goroutine sends N on
// each from a single select and one receives N from each, each setting a channel to nil once
// it has done its N there. Nothing may deadlock. Changed: Go's N = 10^4 (-short) -> 10 *
// W::many (1000 with threads, 10000 with coroutines); GOMAXPROCS(10) -> the two workers.
TYPED_TEST(go_nil_chan, select_stress) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    const int n = 10 * W::many;
    chan c0(0), c1(0), c2(2), c3(3);
    const std::array<chan*, 4> c = {&c0, &c1, &c2, &c3};
    for (chan* ch : c) {
      W::go(
          [n](chan* to) -> task {
            for (int i = 0; i < n; ++i) co_await W::send(*to, 0);
          },
          ch);
      W::go(
          [n](chan* from) -> task {
            for (int i = 0; i < n; ++i) (void)co_await W::recv(*from);
          },
          ch);
    }
    W::go([&c, n]() -> task {
      std::array<int, 4> sent{};
      std::array<chan*, 4> c1 = c;
      for (int i = 0; i < 4 * n; ++i) {
        const std::size_t fired = co_await W::select(on_send(c1[3], 0), on_send(c1[2], 0),
                                                     on_send(c1[0], 0), on_send(c1[1], 0));
        static constexpr std::array<std::size_t, 4> channel_of = {3, 2, 0, 1};
        const std::size_t k = channel_of[fired];
        if (++sent[k] == n) c1[k] = nullptr;
      }
    });
    W::go([&c, n]() -> task {
      std::array<int, 4> received{};
      std::array<chan*, 4> c1 = c;
      std::array<std::optional<int>, 4> v;
      for (int i = 0; i < 4 * n; ++i) {
        const std::size_t k = co_await W::select(on_recv(c1[0], v[0]), on_recv(c1[1], v[1]),
                                                 on_recv(c1[2], v[2]), on_recv(c1[3], v[3]));
        if (++received[k] == n) c1[k] = nullptr;
      }
    });
    co_await W::join_all();
  });
}

}  // namespace
