// Mutation: an SCQ ring enqueue that places its index with a relaxed CAS: removes O4's release
// (scq.hpp O4 → O11, the slot handover).
//
// MUTATE lockfree/scq.hpp
// - pack(cycle, true, index), sync::seq_cst,
// + pack(cycle, true, index), sync::relaxed,
//
// try_push constructs the value in its slot and then enqueues the slot number on the allocated
// ring; that CAS is the release that hands the slot over. Relaxed, the popper's acquire load of
// the entry no longer synchronises with the pusher, so its move out of the slot races with the
// construction: a data race on the slot's plain storage (DATA RACE).
//
// The scenario matters: the first push into an empty ring also re-arms its Threshold with a
// seq_cst store after the CAS, and a popper that read that store is synchronised with the pusher
// anyway (with Relacy's seq_cst, which orders more than C++'s, that covers the other pusher's
// first value too: produce_consume with 2 producers x 1 passes at bound 2, 1.16 M iterations). The
// second push of one producer finds the Threshold already armed and writes nothing else the
// popper reads: it is published by the CAS alone, and the race shows at the first iteration.
#include <lockstep/lockfree/scq.hpp>

#include "../relacy/queue_scenarios.hpp"

using namespace lockstep;

using scq2 = verify::constructed_with<lockfree::scq<int>, 2>;

int main(int argc, char** argv) {
  verify::model_checks checks(argc, argv);
  checks.catches<verify::produce_consume<scq2, 1, 1, 2>>(
      "scq publishing the slot number relaxed: data race on the slot", verify::search::bounded(2),
      rl::test_result_data_race);
  return checks.result();
}
