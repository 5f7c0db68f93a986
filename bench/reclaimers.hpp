// The reclamation policies that lockstep_bench's overhead benchmark (reclaim/...) and
// lockstep_stall compare, each on lockfree::treiber_stack. A policy added to for_each_reclaimer
// is measured by both programs, plotted and summarised with no other change.
#pragma once

#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/hazard/tagged_pool.hpp>

#include <string_view>

namespace lockstep::bench {

template <class Reclaimer>
struct reclaimer_tag {
  using type = Reclaimer;
  std::string_view name;
};

// The baseline that the overhead benchmark divides by; it must be one of the names below.
inline constexpr std::string_view baseline_reclaimer = "leaking";

// Calls fn(reclaimer_tag<R>{name}) for every policy, in the order the plots list them.
template <class Fn>
void for_each_reclaimer(Fn&& fn) {
  fn(reclaimer_tag<hazard::leaking>{"leaking"});
  fn(reclaimer_tag<hazard::tagged_pool>{"tagged_pool"});
  fn(reclaimer_tag<hazard::wide_tagged_pool>{"wide_tagged_pool"});
  fn(reclaimer_tag<hazard::hazard_pointers>{"hazard_pointers"});
  fn(reclaimer_tag<hazard::epochs>{"epochs"});
}

}  // namespace lockstep::bench
