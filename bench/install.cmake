# Installs what a user needs to benchmark a structure of their own (docs/benchmark-your-own.md):
# the harness headers as <lockstep/bench/...>, the plot package (bench/plot) as
# share/lockstep/plot/ with the names it reads (bench/go/names.json) and its wrapper,
# bin/lockstep-plot. Only files: this is included whether or not the benchmarks are
# built, and needs none of their dependencies (cmake/lockstepBench.cmake finds them, in the
# consumer's project, when it benchmarks).
#
# channel_patterns.hpp, main.cpp and stall.cpp stay behind: the patterns run examples/, which
# is not installed, and the two programs are lockstep's own.
install(FILES
  ${CMAKE_CURRENT_LIST_DIR}/benchmarks.hpp
  ${CMAKE_CURRENT_LIST_DIR}/catalog.hpp
  ${CMAKE_CURRENT_LIST_DIR}/channel_workloads.hpp
  ${CMAKE_CURRENT_LIST_DIR}/harness.hpp
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
