// What Relacy cannot produce: one litmus test per outcome that C++ allows and Relacy never
// produces (docs/relacy-limits.md). Each check tallies its outcomes and requires both that
// the blind-spot outcome never appears (if a Relacy upgrade starts producing it, this fails
// and the docs must change) and that the other outcomes do (so the tally is not vacuous).
#include <lockstep/verify/model_check.hpp>

#include <lockstep/sync/sync.hpp>

#include <array>
#include <cstddef>
#include <cstdio>
#include <string>

using namespace lockstep;

namespace {

// Outcome counts in plain memory, invisible to Relacy: exact, because one fiber runs at a
// time. One tally per litmus type, cleared before each search of it.
template <class Litmus, std::size_t Outcomes>
struct tally {
  static inline std::array<unsigned long long, Outcomes> seen{};
  static void clear() { seen = {}; }
  static void record(std::size_t outcome) { ++seen[outcome]; }
};

// "<litmus> (<search>): a: 3  b: 0 ..." for the outcomes in `labels`, in order.
template <std::size_t N>
void print_tally(const std::string& litmus, const std::array<const char*, N>& labels,
                 const std::array<unsigned long long, N>& counts) {
  std::string line = litmus + " outcomes:";
  for (std::size_t i = 0; i < N; ++i) {
    line += "  " + std::string(labels[i]) + ": " + std::to_string(counts[i]);
  }
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// 2+2W. Final x == 1 && y == 1 needs x = 2 before x = 1 and y = 2 before y = 1 in
// modification order: a cycle against program order only if modification order must follow
// the schedule. C++ allows it with relaxed and with release stores alike (no load reads
// anything, so nothing happens before across the threads; only seq_cst stores forbid it).
// Relacy's modification order is the order the stores ran in, so it never produces it.
template <std::memory_order Order>
struct two_plus_two_w : rl::test_suite<two_plus_two_w<Order>, 2> {
  using outcomes = tally<two_plus_two_w, 4>;  // index (x - 1) * 2 + (y - 1)
  sync::atomic<int> x{0};
  sync::atomic<int> y{0};

  void thread(unsigned index) {
    if (index == 0) {
      x.store(1, Order);
      y.store(2, Order);
    } else {
      y.store(1, Order);
      x.store(2, Order);
    }
  }
  // After the threads are joined a load reads the last store in modification order.
  void after() {
    outcomes::record(
        static_cast<std::size_t>((x.load(sync::relaxed) - 1) * 2 + (y.load(sync::relaxed) - 1)));
  }
};

// An MCS-style hand-off (locked/mcs_lock.hpp: the waiter's init of `waiting`, O3 the link,
// O5 the holder's acquire load of next, O7 the hand-off). The waiter sets its flag (1 =
// waiting) and links its node; the holder, having read the link, clears the flag. With the
// link published by a release store (Link = release, as written), the init happens before the
// hand-off, so it precedes it in modification order. With the link relaxed (O3 weakened),
// nothing orders the two stores: C++ allows the hand-off first and the init last, and the
// waiter, whose loads cannot go back past its own store, spins on it forever (outcome
// "linked, flag 1"). In Relacy the hand-off runs after the link it read, so after the init,
// and modification order is the order the stores ran in: the outcome never appears, both
// builds give the same tally, and the weakening passes.
template <std::memory_order Link>
struct mcs_handoff : rl::test_suite<mcs_handoff<Link>, 2> {
  // Index linked * 2 + final flag; "not linked, flag 0" cannot happen: the init always runs.
  using outcomes = tally<mcs_handoff, 4>;
  sync::atomic<int> waiting{0};
  sync::atomic<int> link{0};
  int linked = -1;

  void thread(unsigned index) {
    if (index == 0) {
      waiting.store(1, sync::relaxed);
      link.store(1, Link);
    } else {
      linked = link.load(sync::acquire);
      if (linked == 1) waiting.store(0, sync::release);
    }
  }
  void after() {
    outcomes::record(static_cast<std::size_t>(linked * 2 + waiting.load(sync::relaxed)));
  }
};

// A stale read. T0 stores 1, 2, 3 to x and then sets a flag, all relaxed; T1 reads the flag,
// then x. Nothing synchronizes, so C++ allows any of 0..3 whatever the flag read. Relacy
// lets a load go back at most one store under bounded and full search (two under random
// schedules, which keep three stores per atomic), so after the flag: only 3 and 2.
struct stale_read : rl::test_suite<stale_read, 2> {
  using outcomes = tally<stale_read, 8>;  // index flag * 4 + x
  sync::atomic<int> x{0};
  sync::atomic<int> flag{0};
  int seen_flag = -1;
  int seen_x = -1;

  void thread(unsigned index) {
    if (index == 0) {
      x.store(1, sync::relaxed);
      x.store(2, sync::relaxed);
      x.store(3, sync::relaxed);
      flag.store(1, sync::relaxed);
    } else {
      seen_flag = flag.load(sync::relaxed);
      seen_x = x.load(sync::relaxed);
    }
  }
  void after() { outcomes::record(static_cast<std::size_t>(seen_flag * 4 + seen_x)); }
};

// Load buffering. Each thread loads one variable and then stores 1 to the other, relaxed.
// C++ allows r1 = r2 = 1 (each load reads the other thread's later store); Relacy runs one
// operation at a time and a load reads only stores already run, so it never produces it.
struct load_buffering : rl::test_suite<load_buffering, 2> {
  using outcomes = tally<load_buffering, 4>;  // index r1 * 2 + r2
  sync::atomic<int> x{0};
  sync::atomic<int> y{0};
  int r1 = -1;
  int r2 = -1;

  void thread(unsigned index) {
    if (index == 0) {
      r1 = x.load(sync::relaxed);
      y.store(1, sync::relaxed);
    } else {
      r2 = y.load(sync::relaxed);
      x.store(1, sync::relaxed);
    }
  }
  void after() { outcomes::record(static_cast<std::size_t>(r1 * 2 + r2)); }
};

// Two seq_cst fences. T1 stores z then fences; T0 writes d (plain), fences, reads z, and
// tells T1 through x whether it read 0 (x = 1) or 1 (x = 2); T1 then fences and reads x.
// T0 reading z == 0 puts T0's fence before T1's in the fences' total order, but C++ gives two
// seq_cst fences no happens-before of their own: no release is followed by a store that T1's
// acquire reads, so T1's read of d races with T0's write (UB in C++). Relacy's seq_cst fence
// joins every earlier one, so the read after x == 1 is ordered and no race is reported.
// ReadOnAny = true reads d after x == 2 as well, where Relacy's fences may run the other way
// round: the control, reported as the race it is.
template <bool ReadOnAny>
struct fence_pair : rl::test_suite<fence_pair<ReadOnAny>, 2> {
  using outcomes = tally<fence_pair, 3>;  // the value of x T1 read
  sync::plain<int> d{0};
  sync::atomic<int> x{0};
  sync::atomic<int> z{0};
  int seen_x = -1;

  void thread(unsigned index) {
    if (index == 0) {
      d.store(1);
      sync::fence(sync::seq_cst);
      const int seen_z = z.load(sync::relaxed);
      x.store(seen_z == 0 ? 1 : 2, sync::relaxed);
    } else {
      z.store(1, sync::relaxed);
      sync::fence(sync::seq_cst);
      seen_x = x.load(sync::relaxed);
      if (seen_x == 1 || (ReadOnAny && seen_x == 2)) (void)d.load();
    }
  }
  void after() { outcomes::record(static_cast<std::size_t>(seen_x)); }
};

// Memory Relacy does not see: a plain int written by both threads, not through sync::plain,
// is a data race that no search reports.
struct unseen_race : rl::test_suite<unseen_race, 2> {
  using outcomes = tally<unseen_race, 1>;
  int raw = 0;

  void thread(unsigned index) { raw = static_cast<int>(index) + 1; }
  void after() { outcomes::record(0); }
};

// The search a check really ran: --search replaces every check's own.
verify::search effective(const verify::model_checks& checks, verify::search own) {
  return checks.searched().value_or(own);
}

}  // namespace

int main(int argc, char** argv) {
  using lockstep::verify::search;
  constexpr auto relaxed = std::memory_order_relaxed;
  constexpr auto release = std::memory_order_release;

  lockstep::verify::model_checks checks(argc, argv);

  {
    const auto litmus = [&]<std::memory_order Order>(const std::string& name) {
      using outcomes = typename two_plus_two_w<Order>::outcomes;
      outcomes::clear();
      checks.pass<two_plus_two_w<Order>>(name, search::full());
      const auto& n = outcomes::seen;
      print_tally<4>(name, {"x=2,y=1", "x=1,y=2", "x=2,y=2", "x=1,y=1 (allowed by C++)"},
                     {n[2], n[1], n[3], n[0]});
      checks.require(n[0] == 0, name + ": x=1,y=1 (allowed by C++) never produced");
      checks.require(n[1] > 0 && n[2] > 0 && n[3] > 0,
                     name + ": x=2,y=1, x=1,y=2 and x=2,y=2 produced");
    };
    litmus.operator()<relaxed>("2+2W, relaxed");
    litmus.operator()<release>("2+2W, release");
  }

  {
    using weakened = mcs_handoff<relaxed>::outcomes;
    using as_written = mcs_handoff<release>::outcomes;
    weakened::clear();
    as_written::clear();
    checks.pass<mcs_handoff<relaxed>>("MCS-style hand-off, link relaxed (O3 weakened)",
                                      search::full());
    checks.pass<mcs_handoff<release>>("MCS-style hand-off, link release (as written)",
                                      search::full());
    const std::array<const char*, 3> labels{"not linked, flag 1", "linked, flag 0",
                                            "linked, flag 1 (allowed by C++ if relaxed)"};
    const auto print = [&](const char* litmus, const auto& n) {
      print_tally<3>(litmus, labels, {n[1], n[2], n[3]});
    };
    print("MCS hand-off, link relaxed", weakened::seen);
    print("MCS hand-off, link release", as_written::seen);
    checks.require(weakened::seen[3] == 0,
                   "MCS hand-off, link relaxed: init after the hand-off (allowed by C++) never "
                   "produced");
    checks.require(weakened::seen[1] > 0 && weakened::seen[2] > 0,
                   "MCS hand-off, link relaxed: hand-off and no hand-off both produced");
    checks.require(weakened::seen == as_written::seen,
                   "MCS hand-off: the relaxed link and the release link give the same tally");
  }

  {
    using outcomes = stale_read::outcomes;
    const std::array<const char*, 8> labels{"flag 0, x=0", "flag 0, x=1", "flag 0, x=2",
                                            "flag 0, x=3", "flag 1, x=0", "flag 1, x=1",
                                            "flag 1, x=2", "flag 1, x=3"};
    for (const search own : {search::full(), checks.random(20000, 200000)}) {
      const search s = effective(checks, own);
      // How many stores back a load may go: one, except under random schedules.
      const int stale = s.scheduler == rl::sched_random ? 2 : 1;
      const std::string back = std::to_string(stale) + (stale == 1 ? " store" : " stores");
      outcomes::clear();
      checks.pass<stale_read>("stale read, relaxed", own);
      const auto& n = outcomes::seen;
      print_tally<8>("stale read (" + s.describe() + ")", labels, n);
      bool unproduced = true;
      for (int v = 0; v < 3 - stale; ++v) unproduced = unproduced && n[4 + v] == 0;
      checks.require(unproduced, "stale read (" + s.describe() +
                                     "): after flag 1, no x more than " + back +
                                     " old (C++ allows 0..3)");
      checks.require(n[4 + 3 - stale] > 0 && n[7] > 0, "stale read (" + s.describe() +
                                                           "): after flag 1, x=3 and the value " +
                                                           back + " old both produced");
    }
  }

  {
    using outcomes = load_buffering::outcomes;
    outcomes::clear();
    checks.pass<load_buffering>("load buffering, relaxed", search::full());
    const auto& n = outcomes::seen;
    print_tally<4>("load buffering",
                   {"r1=0,r2=0", "r1=0,r2=1", "r1=1,r2=0", "r1=1,r2=1 (allowed by C++)"}, n);
    checks.require(n[3] == 0, "load buffering: r1=r2=1 (allowed by C++) never produced");
    checks.require(n[0] > 0 && n[1] > 0 && n[2] > 0,
                   "load buffering: r1=r2=0, r1=0,r2=1 and r1=1,r2=0 produced");
  }

  {
    using ordered = fence_pair<false>::outcomes;
    ordered::clear();
    checks.pass<fence_pair<false>>("seq_cst fences, plain read after x=1 (a race in C++)",
                                   search::full());
    checks.catches<fence_pair<true>>("seq_cst fences, plain read after x=1 or x=2", search::full(),
                                     rl::test_result_data_race);
    print_tally<3>("seq_cst fences", {"x=0", "x=1 (d read, racy in C++)", "x=2"}, ordered::seen);
    checks.require(ordered::seen[1] > 0 && ordered::seen[2] > 0,
                   "seq_cst fences: the racy read after x=1 ran, unreported; x=2 produced");
  }

  {
    using outcomes = unseen_race::outcomes;
    outcomes::clear();
    checks.pass<unseen_race>("a race on an int outside the seam", search::full());
    checks.require(outcomes::seen[0] > 0,
                   "unseen race: " + std::to_string(outcomes::seen[0]) +
                       " executions wrote the int from both threads, none reported");
  }

  return checks.result();
}
