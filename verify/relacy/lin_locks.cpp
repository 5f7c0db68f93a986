// A lock as an abstract type, inside the model checker (verify/lin/model.hpp): a counter whose
// every access takes the lock (verify/lin/lock_operations.hpp, which the real-thread check in
// verify/stress/lin_locks.cpp runs too). Each lock, with 2 and 3 threads.
#include <lockstep/verify/lin/model.hpp>

#include <lockstep/verify/lin/lock_operations.hpp>

#include <lockstep/locked/futex_lock.hpp>
#include <lockstep/locked/mcs_lock.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/locked/tatas_lock.hpp>
#include <lockstep/locked/ticket_lock.hpp>

using namespace lockstep;
namespace lin = verify::lin;

namespace {

template <class Lock>
void check(verify::model_checks& checks, const char* name) {
  lin::model_check<2>(checks, name, lin::lock_operations<Lock>());
  lin::model_check<3>(checks, name, lin::lock_operations<Lock>());
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
