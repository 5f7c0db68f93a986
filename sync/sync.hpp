// The whole seam: what an algorithm includes to be compiled natively and under Relacy alike.
#pragma once

#include "containers.hpp"
#include "atomic.hpp"
#include "cache_line.hpp"
#include "location.hpp"
#include "mutex.hpp"
#include "plain.hpp"
#include "statistic.hpp"
#include "thread.hpp"
