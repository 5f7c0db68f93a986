// select's choice among cases that are ready together, for both families (locked::select,
// lockfree::select).
//
// Fairness. The Go specification has select choose "via a uniform pseudo-random selection"
// among the cases that can proceed. Two ways for cases to be ready together: at once, when the
// select polls them; or when the select has queued all of them and one partner then arrives
// that could complete any (a late receiver, for two sends on one unbuffered channel). The
// second needs the select to offer its cases in the same random order in which it polls them.
// The generator is not seedable (sync/random.hpp: per thread, from the clock), so each count
// is checked against a bound that a fair select leaves with probability < 1e-6 (fair_bound).
#include "channel_types.hpp"

#include <cmath>
#include <cstddef>
#include <optional>
#include <thread>
#include <vector>

namespace {

using lockstep::verify::channel_family_names;
using lockstep::verify::select_families;

template <class Family>
class select_fairness : public ::testing::Test {
 protected:
  template <class T>
  using chan = typename Family::template type<T>;
};
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

}  // namespace
