// The user check every misconfiguration test builds: two unordered writes, a real data race,
// run with --expect "DATA RACE". A build that checks nothing would report the race it cannot
// see as a failure to find it, or worse, pass a check that expects success; this one must be
// refused before it runs, by the compiler or by the driver's canary.
#include <lockstep/verify/model_check.hpp>

struct racy_check {
  lockstep::sync::plain<int> shared{0};
  void thread(unsigned id) { shared.store(static_cast<int>(id)); }
};

int main(int argc, char** argv) { return lockstep::verify::model<2, racy_check>(argc, argv); }
