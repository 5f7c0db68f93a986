# Installs what a user needs to benchmark a structure of their own (docs/benchmark-your-own.md):
# the harness headers as <lockstep/bench/...>, the plot package (bench/plot) as
# share/lockstep/plot/ with the names it reads (bench/go/names.json) and its wrapper,
# bin/lockstep-plot. Only files: this is included whether or not the benchmarks are
# built, and needs none of their dependencies (cmake/lockstepBench.cmake finds them, in the
# consumer's project, when it benchmarks).
#
# channel_patterns.hpp, main.cpp and stall.cpp stay behind: the patterns run examples/, which
# is not installed, and the two programs are lockstep's own.
# names.hpp is names.json (the one list of workload and structure names, which the Go twin
# embeds and the plots read) as C++: checked here, at every configure, so that the two cannot
# drift. On a difference the build stops and leaves the header the file says it should be.
# Each list becomes a string_view array, each object member a string_view <object>_<member>.
function(lockstep_names_header json out)
  file(READ ${json} names)
  set(body "")
  string(JSON count LENGTH "${names}")
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON key MEMBER "${names}" ${i})
    string(JSON type TYPE "${names}" ${key})
    if(type STREQUAL "ARRAY")
      string(JSON n LENGTH "${names}" ${key})
      math(EXPR n_last "${n} - 1")
      set(items "")
      foreach(j RANGE ${n_last})
        string(JSON item GET "${names}" ${key} ${j})
        string(APPEND items "    \"${item}\",\n")
      endforeach()
      string(APPEND body "inline constexpr std::string_view ${key}[] = {\n${items}};\n")
    elseif(type STREQUAL "OBJECT")
      string(JSON n LENGTH "${names}" ${key})
      math(EXPR n_last "${n} - 1")
      foreach(j RANGE ${n_last})
        string(JSON member MEMBER "${names}" ${key} ${j})
        string(JSON item GET "${names}" ${key} ${member})
        string(APPEND body
               "inline constexpr std::string_view ${key}_${member} = \"${item}\";\n")
      endforeach()
    endif()
  endforeach()
  set(${out} "// lockstep::bench::names: bench/go/names.json as C++, the one list of workload and
// structure names that lockstep_bench, the Go twin (bench/go) and the plots (bench/plot) read.
// Generated: CMake checks this file against names.json at configure (bench/install.cmake)
// and stops, leaving the header it should be, when they differ. Edit names.json, not this.
#pragma once

#include <string_view>

namespace lockstep::bench::names {

${body}
}  // namespace lockstep::bench::names
" PARENT_SCOPE)
endfunction()
lockstep_names_header(${CMAKE_CURRENT_LIST_DIR}/go/names.json lockstep_names_expected)
file(READ ${CMAKE_CURRENT_LIST_DIR}/names.hpp lockstep_names_actual)
if(NOT lockstep_names_actual STREQUAL lockstep_names_expected)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/lockstep-bench/names.hpp "${lockstep_names_expected}")
  message(FATAL_ERROR "bench/names.hpp is out of step with bench/go/names.json; the header "
                      "it should be: ${CMAKE_CURRENT_BINARY_DIR}/lockstep-bench/names.hpp")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${CMAKE_CURRENT_LIST_DIR}/go/names.json ${CMAKE_CURRENT_LIST_DIR}/names.hpp)

install(FILES
  ${CMAKE_CURRENT_LIST_DIR}/benchmarks.hpp
  ${CMAKE_CURRENT_LIST_DIR}/catalog.hpp
  ${CMAKE_CURRENT_LIST_DIR}/channel_workloads.hpp
  ${CMAKE_CURRENT_LIST_DIR}/coro_channel_workloads.hpp
  ${CMAKE_CURRENT_LIST_DIR}/deque_workloads.hpp
  ${CMAKE_CURRENT_LIST_DIR}/harness.hpp
  ${CMAKE_CURRENT_LIST_DIR}/names.hpp
  ${CMAKE_CURRENT_LIST_DIR}/options.hpp
  ${CMAKE_CURRENT_LIST_DIR}/peer_queues.hpp
  ${CMAKE_CURRENT_LIST_DIR}/peer_stacks.hpp
  ${CMAKE_CURRENT_LIST_DIR}/peers.hpp
  ${CMAKE_CURRENT_LIST_DIR}/placement.hpp
  ${CMAKE_CURRENT_LIST_DIR}/queue_workloads.hpp
  ${CMAKE_CURRENT_LIST_DIR}/queues.hpp
  ${CMAKE_CURRENT_LIST_DIR}/reclaimers.hpp
  ${CMAKE_CURRENT_LIST_DIR}/registry.hpp
  ${CMAKE_CURRENT_LIST_DIR}/twins.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lockstep/bench)
file(GLOB LOCKSTEP_PLOT_MODULES ${CMAKE_CURRENT_LIST_DIR}/plot/*.py)
install(FILES ${LOCKSTEP_PLOT_MODULES} ${CMAKE_CURRENT_LIST_DIR}/go/names.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/lockstep/plot)
# The wrapper finds the package relative to itself, so the prefix can move (cmake --install --prefix).
file(RELATIVE_PATH LOCKSTEP_PLOT_FROM_BINDIR ${CMAKE_INSTALL_FULL_BINDIR}
     ${CMAKE_INSTALL_FULL_DATADIR}/lockstep)
configure_file(${CMAKE_CURRENT_LIST_DIR}/lockstep-plot.in
               ${CMAKE_CURRENT_BINARY_DIR}/lockstep-bench/lockstep-plot @ONLY)
install(PROGRAMS ${CMAKE_CURRENT_BINARY_DIR}/lockstep-bench/lockstep-plot
        DESTINATION ${CMAKE_INSTALL_BINDIR})
