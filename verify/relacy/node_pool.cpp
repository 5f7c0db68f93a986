// Model checks of hazard::node_pool, the type-stable free list under hazard::tagged_ptr links
// that hazard::tagged_pool recycles nodes through (scenarios in node_pool_scenarios.hpp).
#include "node_pool_scenarios.hpp"

using namespace lockstep;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.pass<verify::exclusive_ownership<2, 1>>("node_pool 2 threads x (acquire 2, release 2)",
                                                 checks.bounded(3, 4));
  checks.pass<verify::exclusive_ownership<3, 1>>("node_pool 3 threads x (acquire 2, release 2)",
                                                 checks.bounded(1, 2));
  checks.pass<verify::exclusive_ownership<3, 2>>("node_pool 3 threads x 2 (acquire 2, release 2)",
                                                 checks.random(200'000, 2'000'000));
  return checks.result();
}
