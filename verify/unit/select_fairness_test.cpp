// select's choice among cases that are ready together, and the lifetime of a send case's value,
// for both families (locked::select, lockfree::select).
//
// Fairness. The Go specification has select choose "via a uniform pseudo-random selection"
// among the cases that can proceed. Two ways for cases to be ready together: at once, when the
// select polls them; or when the select has queued all of them and one partner then arrives
// that could complete any (a late receiver, for two sends on one unbuffered channel). The
// second needs the select to offer its cases in the same random order in which it polls them.
// The generator is not seedable (sync/random.hpp: per thread, from the clock), so each count
// is checked against a bound that a fair select leaves with probability < 1e-6 (fair_bound).
//
// Ownership. A send case built from an rvalue owns the value, so a case built first and given
// to select later sends what it was given, and a case that did not fire still holds it.
#include "channel_types.hpp"

#include <cmath>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using lockstep::verify::channel_family_names;
using lockstep::verify::select_families;

template <class Family>
class select_fairness : public lockstep::verify::channel_suite<Family> {};
TYPED_TEST_SUITE(select_fairness, select_families, channel_family_names);

// The count of one of two equally likely cases over n independent selects lies within
// n/2 ± fair_bound(n) except with probability < 1e-6. Hoeffding's inequality for a binomial,
// P(|X − n/2| ≥ d) ≤ 2·exp(−2d²/n), is below 1e-6 from d = sqrt(n·ln(2e6)/2): 86 for n = 1000
// (the exact binomial tail would allow 78). A select that favours one case lands far outside.
int fair_bound(int n) { return static_cast<int>(std::ceil(std::sqrt(n * std::log(2e6) / 2))); }

constexpr int rounds = 1000;

// Ports Go's runtime/chan_test.go TestPseudoRandomSend: `select { case c <- 1: case c <- 0: }`
// 100 times on an unbuffered channel (its receiver yields before each receive, so it tends to
// arrive after the select queued both cases) and on a channel with room for all 100 (both
// cases ready at once); each value must be sent more than n/10 times.
TYPED_TEST(select_fairness, go_pseudo_random_send) {
  constexpr int n = 100;
  for (const int capacity : {0, n}) {
    typename TestFixture::template chan<int> c(capacity);
    std::vector<int> received(n, -1);
    std::thread receiver([&] {
      for (int i = 0; i < n; ++i) {
        std::this_thread::yield();
        received[i] = c.recv().value();
      }
    });
    for (int i = 0; i < n; ++i) select(on_send(c, 1), on_send(c, 0));
    receiver.join();
    int zeros = 0;
    int ones = 0;
    for (const int v : received) (v == 0 ? zeros : ones) += 1;
    EXPECT_GT(zeros, n / 10) << "zeros " << zeros << ", ones " << ones << ", capacity " << capacity;
    EXPECT_GT(ones, n / 10) << "zeros " << zeros << ", ones " << ones << ", capacity " << capacity;
  }
}

// Two sends on one unbuffered channel, completed by a receiver that comes after the select has
// (mostly) queued both: whichever the receiver finds first fires, so that must be random.
TYPED_TEST(select_fairness, a_late_receiver_completes_either_send_case_uniformly) {
  typename TestFixture::template chan<int> c(0);
  std::vector<int> received(rounds, -1);
  std::thread receiver([&] {
    for (int i = 0; i < rounds; ++i) {
      std::this_thread::yield();
      received[i] = c.recv().value();
    }
  });
  int first = 0;
  for (int i = 0; i < rounds; ++i) {
    const std::size_t fired = select(on_send(c, 0), on_send(c, 1));
    first += fired == 0;
  }
  receiver.join();
  int zeros = 0;
  for (const int v : received) zeros += v == 0;
  EXPECT_EQ(zeros, first);  // the fired case is the one whose value arrived
  EXPECT_NEAR(first, rounds / 2, fair_bound(rounds))
      << "case 0 fired " << first << " of " << rounds;
}

// Two receives on one unbuffered channel, completed by a sender that comes late.
TYPED_TEST(select_fairness, a_late_sender_completes_either_recv_case_uniformly) {
  typename TestFixture::template chan<int> c(0);
  std::thread sender([&] {
    for (int i = 0; i < rounds; ++i) {
      std::this_thread::yield();
      c.send(i);
    }
  });
  int first = 0;
  for (int i = 0; i < rounds; ++i) {
    std::optional<int> x, y;
    const std::size_t fired = select(on_recv(c, x), on_recv(c, y));
    EXPECT_EQ(fired == 0 ? x : y, i);
    EXPECT_EQ(fired == 0 ? y : x, std::nullopt);
    first += fired == 0;
  }
  sender.join();
  EXPECT_NEAR(first, rounds / 2, fair_bound(rounds))
      << "case 0 fired " << first << " of " << rounds;
}

// Both sends ready when the select polls: room in the buffer for either.
TYPED_TEST(select_fairness, send_cases_ready_at_once_fire_uniformly) {
  typename TestFixture::template chan<int> c(1);
  int first = 0;
  for (int i = 0; i < rounds; ++i) {
    const std::size_t fired = select(on_send(c, 0), on_send(c, 1));
    EXPECT_EQ(c.recv(), static_cast<int>(fired));
    first += fired == 0;
  }
  EXPECT_NEAR(first, rounds / 2, fair_bound(rounds))
      << "case 0 fired " << first << " of " << rounds;
}

// Both receives ready when the select polls: one buffered value either can take.
TYPED_TEST(select_fairness, recv_cases_ready_at_once_fire_uniformly) {
  typename TestFixture::template chan<int> c(1);
  int first = 0;
  for (int i = 0; i < rounds; ++i) {
    c.send(i);
    std::optional<int> x, y;
    const std::size_t fired = select(on_recv(c, x), on_recv(c, y));
    EXPECT_EQ(fired == 0 ? x : y, i);
    first += fired == 0;
  }
  EXPECT_NEAR(first, rounds / 2, fair_bound(rounds))
      << "case 0 fired " << first << " of " << rounds;
}

template <class Family>
class select_case_ownership : public select_fairness<Family> {};
TYPED_TEST_SUITE(select_case_ownership, select_families, channel_family_names);

// The temporaries die at the end of each case's declaration; the select runs afterwards.
TYPED_TEST(select_case_ownership, a_case_built_from_a_temporary_sends_it_when_selected_later) {
  typename TestFixture::template chan<std::string> strings(1);
  typename TestFixture::template chan<int> ints(1);
  const auto send_string = on_send(strings, std::string(100, 'x'));
  const auto send_int = on_send(ints, 42);
  EXPECT_EQ(select(send_string), 0u);
  EXPECT_EQ(select(send_int), 0u);
  EXPECT_EQ(strings.recv(), std::string(100, 'x'));
  EXPECT_EQ(ints.recv(), 42);
}

// An rvalue is moved into its case; select moves it on only when the case fires.
TYPED_TEST(select_case_ownership, a_send_case_that_did_not_fire_still_holds_its_value) {
  typename TestFixture::template chan<std::unique_ptr<int>> c(0);
  typename TestFixture::template chan<int> other(1);
  const auto send = on_send(c, std::make_unique<int>(5));
  const auto holds_five = [&] { return send.owned && *send.owned && **send.owned == 5; };
  EXPECT_TRUE(holds_five());

  EXPECT_EQ(try_select(send), std::nullopt);  // no receiver on the rendezvous channel
  EXPECT_TRUE(holds_five());
  other.send(1);
  std::optional<int> x;
  EXPECT_EQ(select(send, on_recv(other, x)), 1u);  // only the receive is ready
  EXPECT_TRUE(holds_five());

  std::thread receiver([&] {
    std::optional<std::unique_ptr<int>> got = c.recv();
    EXPECT_TRUE(got && *got && **got == 5);
  });
  EXPECT_EQ(select(send), 0u);
  receiver.join();
  EXPECT_TRUE(send.owned && !*send.owned);  // fired: what the move left

  typename TestFixture::template chan<std::unique_ptr<int>> closed(0);
  closed.close();
  const auto refused = on_send(closed, std::make_unique<int>(6));
  EXPECT_THROW(select(refused), lockstep::sync::channel_closed);
  EXPECT_TRUE(refused.owned && *refused.owned && **refused.owned == 6);
}

// An lvalue stays the caller's: the case refers to it, and select sends a copy.
TYPED_TEST(select_case_ownership, an_lvalue_is_copied_and_not_owned) {
  typename TestFixture::template chan<std::string> c(1);
  const std::string value(100, 'v');
  const auto send = on_send(c, value);
  EXPECT_FALSE(send.owned.has_value());
  EXPECT_EQ(select(send), 0u);
  EXPECT_EQ(value, std::string(100, 'v'));
  EXPECT_EQ(c.recv(), value);
}

}  // namespace
