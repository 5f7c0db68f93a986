// A lock as an abstract type, inside the model checker (verify/lin/model.hpp): a counter whose
// every access takes the lock, specified by a plain sequential counter. If the lock let two
// critical sections overlap, increments would be lost or read twice, and the history would not
// be linearizable; if it let them run unordered by happens-before, Relacy reports the data race
// on the sync::plain counter first. Each lock, with 2 and 3 threads.
#include <lockstep/verify/lin/model.hpp>

#include <lockstep/locked/futex_lock.hpp>
#include <lockstep/locked/mcs_lock.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/locked/tatas_lock.hpp>
#include <lockstep/locked/ticket_lock.hpp>
#include <lockstep/sync/sync.hpp>

#include <mutex>

using namespace lockstep;
namespace lin = verify::lin;

namespace {

template <class Lock>
struct guarded_counter {
  Lock lock;
  sync::plain<int> value{0};
};

struct counter_model {
  int value = 0;
  friend bool operator==(const counter_model&, const counter_model&) = default;
};

template <class Lock>
auto counter_operations() {
  using object = guarded_counter<Lock>;
  return lin::operations<object, counter_model>(
      lin::op(
          "increment",
          [](object& c) {
            std::lock_guard hold(c.lock);
            const int v = c.value.load();
            c.value.store(v + 1);
            return v;
          },
          [](counter_model& m) { return m.value++; }),
      lin::op(
          "get",
          [](object& c) {
            std::lock_guard hold(c.lock);
            return c.value.load();
          },
          [](counter_model& m) { return m.value; }));
}

template <class Lock>
void check(verify::model_checks& checks, const char* name) {
  lin::model_check<2>(checks, name, counter_operations<Lock>());
  lin::model_check<3>(checks, name, counter_operations<Lock>());
}

}  // namespace

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  check<locked::std_mutex>(checks, "std_mutex");
  check<locked::tatas_lock>(checks, "tatas_lock");
  check<locked::ticket_lock>(checks, "ticket_lock");
  check<locked::mcs_lock>(checks, "mcs_lock");
  check<locked::futex_lock>(checks, "futex_lock");
  return checks.result();
}
