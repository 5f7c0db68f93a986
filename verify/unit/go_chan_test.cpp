// Go's own channel tests, ported: the programs of Go's test/chan/ and the tests of
// runtime/chan_test.go, each headed by what it ports and what changed. Every test runs on both
// families (locked::channel, lockfree::channel) and with both kinds of waiter (threads, and
// coroutines on sched::scheduler): the body is written once against go_chan_support.hpp.
// docs/go-tests.md lists what is ported and what is not, and why. The ports whose selects
// disable cases (Go's nil channels) are in go_nil_chan_test.cpp.
//
// What changes everywhere: Go's goroutines outlive the block (or the program) that started
// them; here a block that starts goroutines waits for them (a wait group, or W::join_all at
// the end of a body) before its channels go, and every goroutine is ended (Go's leak theirs). Go's `v, ok := <-c` is recv()'s
// optional; a select with `default:` is try_select. Go panics where lockstep throws
// sync::channel_closed. Sizes are cut so that the binary stays fast in CI.
#include "go_chan_support.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace go = lockstep::verify::go;
using lockstep::sync::channel_closed;
using namespace std::chrono_literals;

template <class Kind>
class go_chan : public ::testing::Test {};

using go::kind_names;
using kinds = ::testing::Types<go::kind<lockstep::verify::locked_channels, go::threads>,
                               go::kind<lockstep::verify::lockfree_channels, go::threads>,
                               go::kind<lockstep::verify::locked_channels, go::coroutines>,
                               go::kind<lockstep::verify::lockfree_channels, go::coroutines>>;

TYPED_TEST_SUITE(go_chan, kinds, kind_names);

// Ports Go's test/chan/doubleselect.go: one sender selects over sending i on four unbuffered
// channels; four muxes forward them onto one channel; the receiver checks that no value comes
// twice (two cases of one select both running). Changed: 100000 iterations -> 2000; the sender
// closes all four channels (Go's closes two and leaks the muxes), a goroutine closes the mux
// channel once the four muxes are done, and the receiver also checks that every value came.
TYPED_TEST(go_chan, doubleselect) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    constexpr int n = 2000;
    chan c1(0), c2(0), c3(0), c4(0), cmux(0);
    W::go([&]() -> task {
      for (int i = 0; i < n; ++i) {
        co_await W::select(on_send(c1, i), on_send(c2, i), on_send(c3, i), on_send(c4, i));
      }
      for (chan* c : {&c1, &c2, &c3, &c4}) c->close();
    });
    typename W::wait_group muxes;
    muxes.add(4);
    for (chan* in : {&c1, &c2, &c3, &c4}) {
      W::go(
          [&](chan* from) -> task {
            while (const std::optional<int> v = co_await W::recv(*from)) {
              co_await W::send(cmux, *v);
            }
            muxes.done();
          },
          in);
    }
    W::go([&]() -> task {
      co_await W::wait(muxes);
      cmux.close();
    });
    std::vector<bool> seen(n, false);
    int received = 0;
    while (const std::optional<int> v = co_await W::recv(cmux)) {
      EXPECT_FALSE(seen.at(*v)) << "got duplicate value " << *v;
      seen.at(*v) = true;
      ++received;
    }
    EXPECT_EQ(received, n);
    co_await W::join_all();
  });
}

// Ports Go's test/chan/fifo.go AsynchFifo: ten values sent on a channel of capacity ten come
// out in order. Unchanged.
TYPED_TEST(go_chan, fifo_asynch) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    constexpr int n = 10;
    chan ch(n);
    for (int i = 0; i < n; ++i) co_await W::send(ch, i);
    for (int i = 0; i < n; ++i) {
      const std::optional<int> v = co_await W::recv(ch);
      EXPECT_EQ(v, i) << "bad receive";
    }
  });
}

// Ports Go's test/chan/fifo.go SynchFifo: ten goroutines in a chain, each waiting for its
// predecessor's signal and then receiving from one unbuffered channel, must receive its values
// in the order they were sent. Unchanged (ten goroutines).
TYPED_TEST(go_chan, fifo_synch) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    constexpr int n = 10;
    chan ch(0);
    std::vector<std::unique_ptr<chan>> links;
    for (int i = 0; i <= n; ++i) links.push_back(std::make_unique<chan>(0));
    for (int i = 0; i < n; ++i) {
      W::go(
          [&ch](int value, chan* in, chan* out) -> task {
            (void)co_await W::recv(*in);
            const std::optional<int> v = co_await W::recv(ch);
            EXPECT_EQ(v, value);
            co_await W::send(*out, 1);
          },
          i, links[i].get(), links[i + 1].get());
    }
    co_await W::send(*links[0], 0);
    for (int i = 0; i < n; ++i) co_await W::send(ch, i);
    (void)co_await W::recv(*links[n]);
    co_await W::join_all();
  });
}

// Ports Go's test/chan/goroutines.go: a chain of goroutines, each receiving from its right and
// sending to its left, passes one value from the right end to the left. Changed: Go's 10000
// goroutines -> W::many (100 threads; 1000 coroutines).
TYPED_TEST(go_chan, goroutines) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    std::vector<std::unique_ptr<chan>> links;
    links.push_back(std::make_unique<chan>(0));
    for (int i = 0; i < W::many; ++i) {
      links.push_back(std::make_unique<chan>(0));
      W::go(
          [](chan* left, chan* right) -> task {
            const std::optional<int> v = co_await W::recv(*right);
            co_await W::send(*left, v.value());
          },
          links[i].get(), links[i + 1].get());
    }
    W::go([](chan* right) -> task { co_await W::send(*right, 1); }, links.back().get());
    const std::optional<int> v = co_await W::recv(*links.front());
    EXPECT_EQ(v, 1);
    co_await W::join_all();
  });
}

// One value type of Go's test/chan/nonblock.go, for one capacity: a non-blocking receive on an
// empty channel fails; a non-blocking send succeeds once a receiver waits, and a non-blocking
// receive once a sender waits (each retried after a pause, up to max_tries, as Go's is).
template <class W, class Chan, class Strobe>
typename W::template task<> nonblock(std::size_t buffer, typename Chan::value_type to_receiver,
                                     typename Chan::value_type from_sender) {
  using task = typename W::template task<>;
  using T = typename Chan::value_type;
  constexpr int max_tries = 10000;
  Chan c(buffer);
  Strobe strobe(0);
  typename W::wait_group wg;
  std::optional<T> v;
  const std::optional<std::size_t> none = co_await W::try_select(on_recv(c, v));
  EXPECT_FALSE(none.has_value()) << "blocked sender, buffer " << buffer;

  wg.add(1);
  W::go([&]() -> task {
    const std::optional<T> got = co_await W::recv(c);
    EXPECT_EQ(got, to_receiver);
    co_await W::send(strobe, true);
    wg.done();
  });
  for (int tries = 0;; ++tries) {
    const std::optional<std::size_t> sent = co_await W::try_select(on_send(c, to_receiver));
    if (sent.has_value()) break;
    if (tries == max_tries) {
      ADD_FAILURE() << "receiver, buffer " << buffer;
      co_await W::send(c, to_receiver);
      break;
    }
    co_await W::sleep(10us);
    co_await W::yield();
  }
  (void)co_await W::recv(strobe);
  co_await W::wait(wg);

  wg.add(1);
  W::go([&]() -> task {
    co_await W::send(c, from_sender);
    co_await W::send(strobe, true);
    wg.done();
  });
  if (buffer > 0) (void)co_await W::recv(strobe);
  for (int tries = 0;; ++tries) {
    const std::optional<std::size_t> received = co_await W::try_select(on_recv(c, v));
    if (received.has_value()) break;
    if (tries == max_tries) {
      ADD_FAILURE() << "sender, buffer " << buffer;
      v = co_await W::recv(c);
      break;
    }
    co_await W::sleep(10us);
    co_await W::yield();
  }
  EXPECT_EQ(v, from_sender);
  if (buffer == 0) (void)co_await W::recv(strobe);
  co_await W::wait(wg);
}

// Ports Go's test/chan/nonblock.go (main): non-blocking sends and receives of int32, int64,
// bool and string on unbuffered channels and channels of capacity 1. Changed: Go's old
// `ok = c <- v` and `x, ok = <-c` forms are its later `select` with `default:`, here
// try_select; Go's pause is two 10 us ticks and three Gosched, here a 10 us sleep and a yield.
TYPED_TEST(go_chan, nonblock) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using strobe = typename TypeParam::template chan<bool>;
  W::run([]() -> task {
    for (std::size_t buffer = 0; buffer < 2; ++buffer) {
      co_await nonblock<W, typename TypeParam::template chan<std::int32_t>, strobe>(buffer, 123,
                                                                                   234);
      co_await nonblock<W, typename TypeParam::template chan<std::int64_t>, strobe>(
          buffer, 123456, 234567);
      co_await nonblock<W, typename TypeParam::template chan<bool>, strobe>(buffer, true, true);
      co_await nonblock<W, typename TypeParam::template chan<std::string>, strobe>(
          buffer, "hello", "hello again");
    }
  });
}

// Ports Go's test/chan/select4.go: a receive case that does not fire leaves its destination as
// it was (Go: the left-hand side `*f() = <-c1` is not evaluated), and the one that fires
// receives. Unchanged.
TYPED_TEST(go_chan, select4_only_the_fired_case_receives) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    chan c(1), c1(0);
    co_await W::send(c, 42);
    std::optional<int> never, x;
    const std::size_t fired = co_await W::select(on_recv(c1, never), on_recv(c, x));
    EXPECT_EQ(fired, 1u);
    EXPECT_FALSE(never.has_value());
    EXPECT_EQ(x, 42);
  });
}

// Ports Go's test/chan/select6.go (issue 2075): a select that took its second case must leave
// the queue of its first channel intact, so that two later sends on that channel both find
// their receivers. Unchanged.
TYPED_TEST(go_chan, select6_failed_case_leaves_the_queue_intact) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<bool>;
  W::run([]() -> task {
    chan c1(0), c2(0), c3(0);
    W::go([&]() -> task { (void)co_await W::recv(c1); });
    W::go([&]() -> task {
      std::optional<bool> from1, from2;
      const std::size_t fired = co_await W::select(on_recv(c1, from1), on_recv(c2, from2));
      EXPECT_EQ(fired, 1u) << "received from c1";
      if (fired == 1) co_await W::send(c3, true);
      (void)co_await W::recv(c1);
    });
    W::go([&]() -> task { co_await W::send(c2, true); });
    (void)co_await W::recv(c3);
    co_await W::send(c1, true);
    co_await W::send(c1, true);
    co_await W::join_all();
  });
}

// Ports Go's test/chan/select7.go: a value received and discarded, for each of three receivers
// (a receive, a one-case select, a select with a second case never ready) against each of
// three senders (a send, a one-case select, a select with a second case never ready), with a
// yield between starting the receiver and sending. Unchanged.
TYPED_TEST(go_chan, select7_discard) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    for (int receiver = 0; receiver < 3; ++receiver) {
      for (int sender = 0; sender < 3; ++sender) {
        chan c(0), never(0);
        typename W::wait_group wg;
        wg.add(1);
        W::go([&]() -> task {
          std::optional<int> v, w;
          if (receiver == 0) (void)co_await W::recv(c);
          if (receiver == 1) (void)co_await W::select(on_recv(c, v));
          if (receiver == 2) (void)co_await W::select(on_recv(c, v), on_recv(never, w));
          wg.done();
        });
        co_await W::yield();
        if (sender == 0) co_await W::send(c, 1);
        if (sender == 1) (void)co_await W::select(on_send(c, 1));
        if (sender == 2) (void)co_await W::select(on_send(c, 1), on_send(never, 1));
        co_await W::wait(wg);
      }
    }
    co_await W::join_all();
  });
}

// Ports Go's test/chan/select8.go: selects with a receive case, with and without a default,
// and one with a send case nobody can take, beside a goroutine that keeps sending; the send
// case must never fire. Changed: Go's selects test `break` inside a case (a compiler bug); the
// select with only `default:` has no form here (a select takes at least one case); the sender
// stops when the channel is closed (channel_closed) instead of being leaked.
TYPED_TEST(go_chan, select8) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    chan ch(0);
    W::go([&]() -> task {
      try {
        for (;;) co_await W::send(ch, 5);
      } catch (const channel_closed&) {
      }
    });
    std::optional<int> v;
    const std::size_t first = co_await W::select(on_recv(ch, v));
    EXPECT_EQ(first, 0u);
    EXPECT_EQ(v, 5);
    (void)co_await W::try_select(on_recv(ch, v));
    const std::optional<std::size_t> last = co_await W::try_select(on_recv(ch, v), on_send(ch, 10));
    EXPECT_NE(last, std::optional<std::size_t>(1)) << "a send with no receiver fired";
    ch.close();
    co_await W::join_all();
  });
}

// Ports Go's test/chan/sendstmt.go chanchan: `case <-cc <- 2` sends on the channel received
// from a channel of channels. Changed: the channel is sent as a pointer; sendprec (a parsing
// test) has no counterpart.
TYPED_TEST(go_chan, sendstmt_channel_of_channels) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  using chanchan = typename TypeParam::template chan<chan*>;
  W::run([]() -> task {
    chanchan cc(1);
    chan c(1);
    co_await W::send(cc, &c);
    const std::optional<chan*> received = co_await W::recv(cc);
    chan* const c2 = received.value();
    const std::optional<std::size_t> fired = co_await W::try_select(on_send(*c2, 2));
    EXPECT_EQ(fired, std::optional<std::size_t>(0)) << "nonblock";
    const std::optional<int> v = co_await W::recv(c);
    EXPECT_EQ(v, 2) << "bad receive";
  });
}

// Ports Go's test/chan/sieve1.go: the prime sieve, a daisy chain of filter goroutines, must
// produce the 25 primes below 100. Changed: Go leaks the generator and the filters; here the
// main goroutine closes `primes` after the 25th, and the sieve, when its next send on it
// throws channel_closed, closes every channel of the chain, which ends the generator (its send
// throws) and each filter (its receive ends or its send throws).
TYPED_TEST(go_chan, sieve1) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    chan primes(0);
    std::vector<std::unique_ptr<chan>> chain;
    W::go([&]() -> task {
      chain.push_back(std::make_unique<chan>(0));
      W::go(
          [](chan* ch) -> task {
            try {
              for (int i = 2;; ++i) co_await W::send(*ch, i);
            } catch (const channel_closed&) {
            }
          },
          chain.back().get());
      try {
        for (;;) {
          const std::optional<int> prime = co_await W::recv(*chain.back());
          co_await W::send(primes, prime.value());
          chan* const in = chain.back().get();
          chain.push_back(std::make_unique<chan>(0));
          W::go(
              [](chan* from, chan* to, int p) -> task {
                try {
                  while (const std::optional<int> i = co_await W::recv(*from)) {
                    if (*i % p != 0) co_await W::send(*to, *i);
                  }
                } catch (const channel_closed&) {
                }
              },
              in, chain.back().get(), *prime);
        }
      } catch (const channel_closed&) {
      }
      for (const std::unique_ptr<chan>& c : chain) c->close();
    });
    const std::array<int, 25> expected = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37, 41,
                                          43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97};
    for (const int p : expected) {
      const std::optional<int> x = co_await W::recv(primes);
      EXPECT_EQ(x, p);
    }
    primes.close();
    co_await W::join_all();
  });
}

// Ports Go's test/chan/zerosize.go: channels of an empty struct, unbuffered and buffered. Go
// only makes them; here a value also goes through each. Go's `chan [0]byte` has no C++
// counterpart (no zero-length arrays).
TYPED_TEST(go_chan, zerosize) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  struct empty {};
  using chan = typename TypeParam::template chan<empty>;
  W::run([]() -> task {
    chan unbuffered(0), buffered(1);
    co_await W::send(buffered, empty{});
    const std::optional<empty> from_buffer = co_await W::recv(buffered);
    EXPECT_TRUE(from_buffer.has_value());
    W::go([&]() -> task { co_await W::send(unbuffered, empty{}); });
    const std::optional<empty> handed = co_await W::recv(unbuffered);
    EXPECT_TRUE(handed.has_value());
    co_await W::join_all();
  });
}

// Ports Go's runtime/chan_test.go TestChan, for each capacity: receives from an empty channel
// block and non-blocking ones do not; a send to a full channel blocks and a non-blocking one
// does not; a closed channel gives its buffered values and then "closed"; close wakes a
// blocked receiver; 100 values come in FIFO order; 4 senders and 4 receivers of L values each
// lose and duplicate nothing; len and cap. Changed: capacities 0..19 (Go's -short) -> 0..7
// (0..3 under a sanitizer); L 1000 -> 250; the `v, ok` receive is the same optional as the
// plain one, so Go's repeat of the FIFO check with it is not repeated; each block waits for
// its goroutines.
TYPED_TEST(go_chan, chan) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    for (std::size_t cap = 0; cap < (go::sanitized ? 4u : 8u); ++cap) {
      typename W::wait_group wg;
      {
        // A receive from an empty channel blocks.
        chan c(cap);
        std::atomic<bool> recv1{false}, recv2{false};
        wg.add(2);
        for (std::atomic<bool>* flag : {&recv1, &recv2}) {
          W::go(
              [&](std::atomic<bool>* received) -> task {
                (void)co_await W::recv(c);
                received->store(true);
                wg.done();
              },
              flag);
        }
        co_await W::sleep(1ms);
        EXPECT_FALSE(recv1.load() || recv2.load()) << "chan[" << cap << "]: receive from empty chan";
        // A non-blocking receive does not block.
        std::optional<int> v;
        const std::optional<std::size_t> none = co_await W::try_select(on_recv(c, v));
        EXPECT_FALSE(none.has_value()) << "chan[" << cap << "]: receive from empty chan";
        co_await W::send(c, 0);
        co_await W::send(c, 0);
        co_await W::wait(wg);
      }
      {
        // A send to a full channel blocks.
        chan c(cap);
        for (std::size_t i = 0; i < cap; ++i) co_await W::send(c, static_cast<int>(i));
        std::atomic<bool> sent{false};
        wg.add(1);
        W::go([&]() -> task {
          co_await W::send(c, 0);
          sent.store(true);
          wg.done();
        });
        co_await W::sleep(1ms);
        EXPECT_FALSE(sent.load()) << "chan[" << cap << "]: send to full chan";
        // A non-blocking send does not block.
        const std::optional<std::size_t> none = co_await W::try_select(on_send(c, 0));
        EXPECT_FALSE(none.has_value()) << "chan[" << cap << "]: send to full chan";
        (void)co_await W::recv(c);
        co_await W::wait(wg);
      }
      {
        // A closed channel gives its buffered values, then "closed", again and again.
        chan c(cap);
        for (std::size_t i = 0; i < cap; ++i) co_await W::send(c, static_cast<int>(i));
        c.close();
        for (std::size_t i = 0; i < cap; ++i) {
          const std::optional<int> v = co_await W::recv(c);
          EXPECT_EQ(v, static_cast<int>(i)) << "chan[" << cap << "]";
        }
        for (int i = 0; i < 2; ++i) {
          const std::optional<int> v = co_await W::recv(c);
          EXPECT_FALSE(v.has_value()) << "chan[" << cap << "]: received from a closed chan";
        }
      }
      {
        // Close wakes a blocked receiver.
        chan c(cap);
        typename TypeParam::template chan<bool> done(0);
        wg.add(1);
        W::go([&]() -> task {
          const std::optional<int> v = co_await W::recv(c);
          co_await W::send(done, !v.has_value());
          wg.done();
        });
        co_await W::sleep(1ms);
        c.close();
        const std::optional<bool> closed = co_await W::recv(done);
        EXPECT_EQ(closed, true) << "chan[" << cap << "]: received non zero from closed chan";
        co_await W::wait(wg);
      }
      {
        // 100 values come in FIFO order.
        chan c(cap);
        wg.add(1);
        W::go([&]() -> task {
          for (int i = 0; i < 100; ++i) co_await W::send(c, i);
          wg.done();
        });
        for (int i = 0; i < 100; ++i) {
          const std::optional<int> v = co_await W::recv(c);
          EXPECT_EQ(v, i) << "chan[" << cap << "]";
        }
        co_await W::wait(wg);

        // P senders of L values and P receivers: every value P times.
        constexpr int P = 4;
        constexpr int L = 250;
        std::array<std::vector<int>, P> counts;
        wg.add(2 * P);
        for (int p = 0; p < P; ++p) {
          W::go([&]() -> task {
            for (int i = 0; i < L; ++i) co_await W::send(c, i);
            wg.done();
          });
          W::go(
              [&](std::vector<int>* mine) -> task {
                mine->assign(L, 0);
                for (int i = 0; i < L; ++i) {
                  const std::optional<int> v = co_await W::recv(c);
                  ++mine->at(v.value());
                }
                wg.done();
              },
              &counts[p]);
        }
        co_await W::wait(wg);
        for (int v = 0; v < L; ++v) {
          int n = 0;
          for (const std::vector<int>& mine : counts) n += mine[v];
          EXPECT_EQ(n, P) << "chan[" << cap << "]: value " << v;
        }
      }
      {
        // len and cap.
        chan c(cap);
        EXPECT_EQ(c.len(), 0u);
        EXPECT_EQ(c.capacity(), cap);
        for (std::size_t i = 0; i < cap; ++i) co_await W::send(c, static_cast<int>(i));
        EXPECT_EQ(c.len(), cap);
        EXPECT_EQ(c.capacity(), cap);
      }
    }
    co_await W::join_all();
  });
}

// Ports Go's runtime/chan_test.go TestNonblockRecvRace: a value buffered before the channel is
// closed must be seen by a non-blocking receive that races the close. Changed: Go's n = 100
// (-short) -> W::many (100 threads, 25 under a sanitizer; 1000 coroutines); the main goroutine
// waits for each iteration's goroutine.
TYPED_TEST(go_chan, nonblock_recv_race) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    for (int i = 0; i < W::many; ++i) {
      chan c(1);
      typename W::wait_group wg;
      co_await W::send(c, 1);
      wg.add(1);
      W::go([&]() -> task {
        std::optional<int> v;
        const std::optional<std::size_t> fired = co_await W::try_select(on_recv(c, v));
        EXPECT_TRUE(fired.has_value()) << "chan is not ready, iteration " << i;
        wg.done();
      });
      c.close();
      (void)co_await W::recv(c);
      co_await W::wait(wg);
    }
    co_await W::join_all();
  });
}

// Ports Go's runtime/chan_test.go TestNonblockSelectRace and TestNonblockSelectRace2: c1
// holds a value before a goroutine starts a non-blocking select receiving from c1 and c2; the
// main goroutine then makes c2 ready (a send on a buffered c2; Race2: close of an unbuffered
// c2) and drains c1. One of them is ready at every instant, so the select must never take
// `default`. Changed: Go's 1000 iterations (-short) -> W::many (100 with threads, whose start
// costs more; 1000 with coroutines). go_select_race_test.cpp runs the same race with one helper
// thread over 1000 iterations.
TYPED_TEST(go_chan, nonblock_select_race) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    typename TypeParam::template chan<bool> done(1);
    for (const bool race2 : {false, true}) {
      for (int i = 0; i < W::many; ++i) {
        chan c1(1), c2(race2 ? 0 : 1);
        co_await W::send(c1, 1);
        W::go([&]() -> task {
          std::optional<int> x, y;
          const std::optional<std::size_t> fired =
              co_await W::try_select(on_recv(c1, x), on_recv(c2, y));
          co_await W::send(done, fired.has_value());
        });
        if (race2) {
          c2.close();
        } else {
          co_await W::send(c2, 1);
        }
        std::optional<int> x;
        (void)co_await W::try_select(on_recv(c1, x));
        const std::optional<bool> ready = co_await W::recv(done);
        EXPECT_EQ(ready, true) << "no chan is ready, iteration " << i << (race2 ? " (race 2)" : "");
      }
    }
    co_await W::join_all();
  });
}

// Ports Go's runtime/chan_test.go TestSelfSelect: two goroutines each run 1000 selects that
// send their number on c and receive from c, the cases in either order, on an unbuffered
// channel and on one of capacity 10. Neither may deadlock, and unbuffered, neither may receive
// its own value. Unchanged.
TYPED_TEST(go_chan, self_select) {
  if constexpr (std::is_same_v<TypeParam,
                               go::kind<lockstep::verify::lockfree_channels, go::coroutines>>) {
    GTEST_SKIP() << "a lock-free select meeting itself waits for its partner on its own worker, "
                    "where the partner cannot run (docs/channels.md)";
  }
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    for (const std::size_t cap : {std::size_t{0}, std::size_t{10}}) {
      chan c(cap);
      typename W::wait_group wg;
      wg.add(2);
      for (int p = 0; p < 2; ++p) {
        W::go(
            [&](int me) -> task {
              for (int i = 0; i < 1000; ++i) {
                std::optional<int> v;
                if (me == 0 || i % 2 == 0) {
                  (void)co_await W::select(on_send(c, me), on_recv(c, v));
                } else {
                  (void)co_await W::select(on_recv(c, v), on_send(c, me));
                }
                if (cap == 0 && v == me) {
                  ADD_FAILURE() << "self receive";
                  break;
                }
              }
              wg.done();
            },
            p);
      }
      co_await W::wait(wg);
    }
    co_await W::join_all();
  });
}

// Ports Go's runtime/chan_test.go TestSelectFairness: a goroutine selects over four receive
// cases, two never ready and two (c1, c2) always ready, and forwards what it got; over the
// trials each of c1 and c2 must win about half the time, within Go's 10 standard deviations.
// Changed: 10000 trials -> 2000 (500 under a sanitizer).
TYPED_TEST(go_chan, select_fairness) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<std::uint8_t>;
  W::run([]() -> task {
    constexpr int trials = go::sanitized ? 500 : 2000;
    chan c1(trials + 1), c2(trials + 1), c3(0), c4(0), out(0), done(0);
    for (int i = 0; i < trials + 1; ++i) {
      co_await W::send(c1, 1);
      co_await W::send(c2, 2);
    }
    W::go([&]() -> task {
      for (;;) {
        std::optional<std::uint8_t> b3, b4, b1, b2;
        const std::size_t fired = co_await W::select(on_recv(c3, b3), on_recv(c4, b4),
                                                     on_recv(c1, b1), on_recv(c2, b2));
        const std::uint8_t b = fired == 2 ? *b1 : fired == 3 ? *b2 : 0;
        std::optional<std::uint8_t> stop;
        if (co_await W::select(on_send(out, b), on_recv(done, stop)) == 1) co_return;
      }
    });
    int count1 = 0, count2 = 0;
    for (int i = 0; i < trials; ++i) {
      const std::optional<std::uint8_t> b = co_await W::recv(out);
      if (b == 1) {
        ++count1;
      } else if (b == 2) {
        ++count2;
      } else {
        ADD_FAILURE() << "unexpected value on channel";
      }
    }
    const double mean = trials * 0.5;
    const double stddev = std::sqrt(trials * 0.5 * (1 - 0.5));
    EXPECT_LE(std::abs(count1 - mean), 10 * stddev)
        << "unfair select: in " << trials << " trials, results were " << count1 << ", " << count2;
    done.close();
    co_await W::join_all();
  });
}

// Ports Go's runtime/chan_test.go TestChanSendInterface: sends of a pointer (Go: of an
// interface value) in selects with a default, on a full channel. Changed: a shared_ptr for
// Go's *mt in an interface{}; the selects are also checked to take `default`.
TYPED_TEST(go_chan, chan_send_interface) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  struct mt {};
  using chan = typename TypeParam::template chan<std::shared_ptr<mt>>;
  W::run([]() -> task {
    const auto m = std::make_shared<mt>();
    chan c(1);
    co_await W::send(c, m);
    const std::optional<std::size_t> one = co_await W::try_select(on_send(c, m));
    EXPECT_FALSE(one.has_value());
    const std::optional<std::size_t> two =
        co_await W::try_select(on_send(c, m), on_send(c, std::make_shared<mt>()));
    EXPECT_FALSE(two.has_value());
  });
}

// Ports Go's runtime/chan_test.go TestPseudoRandomSend: `select { case c <- 1: case c <- 0: }`
// 100 times, on an unbuffered channel whose receiver yields before each receive and on one
// with room for all; each value must be sent more than n/10 times. Changed: a wait group for
// Go's mutex used as a signal. select_fairness_test.cpp holds the threads' port with tighter
// bounds.
TYPED_TEST(go_chan, pseudo_random_send) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    constexpr int n = 100;
    for (const int cap : {0, n}) {
      chan c(cap);
      std::vector<int> l(n, -1);
      typename W::wait_group wg;
      wg.add(1);
      W::go([&]() -> task {
        for (int i = 0; i < n; ++i) {
          co_await W::yield();
          const std::optional<int> v = co_await W::recv(c);
          l[i] = v.value();
        }
        wg.done();
      });
      for (int i = 0; i < n; ++i) (void)co_await W::select(on_send(c, 1), on_send(c, 0));
      co_await W::wait(wg);
      int n0 = 0, n1 = 0;
      for (const int i : l) {
        n0 += (i + 1) % 2;
        n1 += i;
      }
      EXPECT_TRUE(n0 > n / 10 && n1 > n / 10) << "Want pseudorandom, got " << n0 << " zeros and "
                                              << n1 << " ones (chan cap " << cap << ")";
    }
    co_await W::join_all();
  });
}

// Ports Go's runtime/chan_test.go TestMultiConsumer: 23 workers range over a work channel
// (some yield, to disturb the order) and send each value on to a result channel; a feeder sends
// the work, closes it, waits for the workers and closes the results; the sum and count of the
// results must match. Changed: 271828 values -> 5000.
TYPED_TEST(go_chan, multi_consumer) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    constexpr int nwork = 23;
    constexpr int niter = 5000;
    static constexpr std::array<int, 10> pn = {2, 3, 7, 11, 13, 17, 19, 23, 27, 31};
    chan q(nwork * 3), r(nwork * 3);
    typename W::wait_group wg;
    for (int i = 0; i < nwork; ++i) {
      wg.add(1);
      W::go(
          [&](int w) -> task {
            while (const std::optional<int> v = co_await W::recv(q)) {
              if (pn[w % pn.size()] == *v) co_await W::yield();
              co_await W::send(r, *v);
            }
            wg.done();
          },
          i);
    }
    long expect = 0;
    for (int i = 0; i < niter; ++i) expect += pn[i % pn.size()];
    W::go([&]() -> task {
      for (int i = 0; i < niter; ++i) co_await W::send(q, pn[i % pn.size()]);
      q.close();
      co_await W::wait(wg);
      r.close();
    });
    int n = 0;
    long s = 0;
    while (const std::optional<int> v = co_await W::recv(r)) {
      ++n;
      s += *v;
    }
    EXPECT_TRUE(n == niter && s == expect)
        << "Expected sum " << expect << " (got " << s << ") from " << niter << " iter (saw " << n
        << ")";
    co_await W::join_all();
  });
}

// Ports Go's runtime/chan_test.go TestSelectDuplicateChannel: goroutine A selects with two
// receive cases on c and one on d; B then waits on c; d wakes A, which must withdraw both its
// cases from c so that a later send on c wakes B (the bug corrupted c's queue). Unchanged (the
// same 1 ms sleeps to order A before B).
TYPED_TEST(go_chan, select_duplicate_channel) {
  using W = typename TypeParam::W;
  using task = typename W::template task<>;
  using chan = typename TypeParam::template chan<int>;
  W::run([]() -> task {
    chan c(0), d(0), e(0);
    W::go([&]() -> task {
      std::optional<int> x, y, z;
      (void)co_await W::select(on_recv(c, x), on_recv(c, y), on_recv(d, z));
      co_await W::send(e, 9);
    });
    co_await W::sleep(1ms);
    W::go([&]() -> task { (void)co_await W::recv(c); });
    co_await W::sleep(1ms);
    co_await W::send(d, 7);
    (void)co_await W::recv(e);
    co_await W::send(c, 8);
    co_await W::join_all();
  });
}

template <class Kind>
class go_leaked : public ::testing::Test {};

using coroutine_kinds =
    ::testing::Types<go::kind<lockstep::verify::locked_channels, go::coroutines>,
                     go::kind<lockstep::verify::lockfree_channels, go::coroutines>>;
TYPED_TEST_SUITE(go_leaked, coroutine_kinds, kind_names);

// Ports Go's test/chan/sieve1.go as Go runs it: the generator, the filters and the sieve are
// leaked, parked in a send or a receive, when main has its 25 primes. Here the scheduler's
// destructor destroys their frames, and each awaitable withdraws its operation, so the
// channels, which outlive the scheduler, hold no dangling waiter: afterwards nothing is
// offered on them (a try_recv finds no sender, a try_send no receiver) and they are destroyed
// cleanly (AddressSanitizer checks). Coroutines only: a leaked thread cannot be ended.
TYPED_TEST(go_leaked, sieve1_as_go_leaks_it) {
  namespace sched = lockstep::sched;
  using task = sched::task<>;
  using chan = typename TypeParam::template chan<int>;
  chan primes(0);
  std::vector<std::unique_ptr<chan>> chain;
  {
    const lockstep::verify::watchdog guard(std::chrono::seconds(120), "sieve1_as_go_leaks_it");
    sched::scheduler s(2);
    s.run([](chan& out, std::vector<std::unique_ptr<chan>>& links) -> task {
      sched::spawn([](chan& primes, std::vector<std::unique_ptr<chan>>& ch) -> task {
        ch.push_back(std::make_unique<chan>(0));
        sched::spawn([](chan* to) -> task {
          for (int i = 2;; ++i) co_await to->async_send(i);
        }(ch.back().get()));
        for (;;) {
          const std::optional<int> prime = co_await ch.back()->async_recv();
          co_await primes.async_send(prime.value());
          chan* const in = ch.back().get();
          ch.push_back(std::make_unique<chan>(0));
          sched::spawn([](chan* from, chan* to, int p) -> task {
            while (const std::optional<int> i = co_await from->async_recv()) {
              if (*i % p != 0) co_await to->async_send(*i);
            }
          }(in, ch.back().get(), *prime));
        }
      }(out, links));
      const std::array<int, 25> expected = {2,  3,  5,  7,  11, 13, 17, 19, 23, 29, 31, 37, 41,
                                            43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97};
      for (const int p : expected) {
        const std::optional<int> x = co_await out.async_recv();
        EXPECT_EQ(x, p);
      }
    }(primes, chain));
  }
  EXPECT_EQ(primes.try_recv().status, lockstep::sync::channel_status::empty);
  EXPECT_EQ(primes.try_send(0), lockstep::sync::channel_status::full);
  for (const std::unique_ptr<chan>& c : chain) {
    EXPECT_EQ(c->try_recv().status, lockstep::sync::channel_status::empty);
    EXPECT_EQ(c->try_send(0), lockstep::sync::channel_status::full);
  }
}

}  // namespace
