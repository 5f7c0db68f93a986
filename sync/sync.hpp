// sync/sync.hpp — the whole seam: what an algorithm includes to be compiled natively and under
// Relacy alike.
//
// Ordering: each included header says what its names order.
// Under Relacy: defining LOCKSTEP_RELACY switches every name below to its model.
// More: docs/seam.md.
#pragma once

#include "channel.hpp"
#include "containers.hpp"
#include "atomic.hpp"
#include "cache_line.hpp"
#include "location.hpp"
#include "mutex.hpp"
#include "parking.hpp"
#include "per_thread.hpp"
#include "plain.hpp"
#include "random.hpp"
#include "statistic.hpp"
#include "thread.hpp"
