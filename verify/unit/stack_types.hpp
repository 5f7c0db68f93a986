// The stacks every stack suite runs against: each lock-free stack and the lock-based twin with
// each lock. One sequential specification, so one list.
#pragma once

#include <lockstep/hazard/epoch.hpp>
#include <lockstep/hazard/hazard_pointers.hpp>
#include <lockstep/hazard/leaking.hpp>
#include <lockstep/hazard/tagged_pool.hpp>
#include <lockstep/locked/flat_combining.hpp>
#include <lockstep/locked/mcs_lock.hpp>
#include <lockstep/locked/stack.hpp>
#include <lockstep/locked/std_mutex.hpp>
#include <lockstep/locked/tatas_lock.hpp>
#include <lockstep/locked/ticket_lock.hpp>
#include <lockstep/lockfree/elimination_stack.hpp>
#include <lockstep/lockfree/treiber_stack.hpp>

#include <gtest/gtest.h>

namespace lockstep::verify {

template <template <class> class Stack>
struct stack_family {
  template <class T>
  using type = Stack<T>;
};

template <class T>
using treiber = lockfree::treiber_stack<T>;
template <class T>
using treiber_wide_tagged = lockfree::treiber_stack<T, hazard::wide_tagged_pool>;
// The Treiber stack over every other reclaimer: each must keep the same stack contract.
template <class T>
using treiber_hazard_pointers = lockfree::treiber_stack<T, hazard::hazard_pointers>;
template <class T>
using treiber_epochs = lockfree::treiber_stack<T, hazard::epochs>;
template <class T>
using treiber_leaking = lockfree::treiber_stack<T, hazard::leaking>;
template <class T>
using elimination = lockfree::elimination_stack<T>;
template <class T>
using locked_std_mutex = locked::stack<T, locked::std_mutex>;
template <class T>
using locked_tatas = locked::stack<T, locked::tatas_lock>;
template <class T>
using locked_ticket = locked::stack<T, locked::ticket_lock>;
template <class T>
using locked_mcs = locked::stack<T, locked::mcs_lock>;
// Flat combining over the same sequential stack: the strongest lock-based twin.
template <class T>
using fc_stack = locked::fc_stack<T>;

using stack_families =
    ::testing::Types<stack_family<treiber>, stack_family<elimination>, stack_family<locked_std_mutex>,
                     stack_family<locked_tatas>, stack_family<locked_ticket>, stack_family<locked_mcs>,
                     stack_family<treiber_wide_tagged>, stack_family<treiber_hazard_pointers>,
                     stack_family<treiber_epochs>, stack_family<treiber_leaking>,
                     stack_family<fc_stack>>;

struct stack_family_names {
  template <class Family>
  static std::string GetName(int index) {
    static const char* const names[] = {"treiber", "elimination", "locked_std_mutex", "locked_tatas",
                                        "locked_ticket", "locked_mcs",
                                        "treiber_wide_tagged", "treiber_hazard_pointers",
                                        "treiber_epochs", "treiber_leaking",
                                        "flat_combining"};
    return names[index];
  }
};

}  // namespace lockstep::verify
