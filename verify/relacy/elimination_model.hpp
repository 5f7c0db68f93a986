// The elimination stack in the shape its model checks use: one slot and a patience of one
// iteration, so every exchange goes through the same slot and each wait still has a spin and a
// withdrawal or a second look — all of the slot's transitions, at a size bounded searches can
// finish.
#pragma once

#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/lockfree/elimination_stack.hpp>

namespace lockstep::verify {

struct elimination_model_stack : lockfree::elimination_stack<int, hazard::tagged_pool, 1> {
  elimination_model_stack() : elimination_stack(1) {}
};

}  // namespace lockstep::verify
