// Model checks of hazard::hazard_pointer_domain (scenarios in hazard_scenarios.hpp): a reader
// protecting a node while writers unlink, retire and scan it — no use-after-free, no race on
// the node's fields, nothing left unfreed — and try_protect / reset_protection.
// The per-thread records come from hazard/thread_registry.hpp: each simulated thread claims one
// with the registry's exchange or pushes a new one with its CAS, concurrently with scans that
// walk the list, so these checks (and epoch.cpp's) model the registry too. Its native
// thread-exit path is covered by verify/stress/reclamation_stress.cpp.
#include <string>

#include "hazard_scenarios.hpp"

using namespace lockstep;
using verify::search;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  // Measured on one core (quick / deep): reader || writer bound 2 = 0.6 M iterations, 1 s
  // (bound 3 = 5 M, 10 s); try_protect bound 2 = 0.5 M, 1 s; three threads at bound 1:
  // two readers 2.2 M, 6 s; two writers 8.6 M, 23 s, so random schedules in the quick profile.
  checks.pass<verify::hp_reader_vs_retire>(
      "hazard_pointers reader || writer (replace, retire, scan; scan again after the reader)",
      checks.bounded(2, 4));
  checks.pass<verify::hp_try_protect>(
      "hazard_pointers try_protect, reset_protection, protect || writer", checks.bounded(2, 3));
  checks.require(
      verify::hp_try_protect::protected_first != 0 && verify::hp_try_protect::replaced_first != 0,
      "hazard_pointers try_protect succeeded in " +
          std::to_string(verify::hp_try_protect::protected_first) + " and failed in " +
          std::to_string(verify::hp_try_protect::replaced_first) +
          " executions of the previous check");
  checks.pass<verify::hp_writers_and_readers<1, 2>>("hazard_pointers reader || reader || writer",
                                                    checks.bounded(1, 2));
  checks.pass<verify::hp_writers_and_readers<2, 1>>(
      "hazard_pointers reader || writer || writer",
      checks.deep() ? search::bounded(1) : search::random(200'000));
  checks.pass<verify::hp_reset_protection_unretired>(
      "hazard_pointers reset_protection(own node), publish, retire || writer (replace, retire)",
      checks.bounded(1, 2));
  return checks.result();
}
