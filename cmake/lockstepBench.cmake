# Benchmarking one's own structure with lockstep's harness (<lockstep/bench/registry.hpp>; the
# guide is docs/benchmark-your-own.md):
#
#   lockstep::bench        the harness: lockstep, Google Benchmark, hwloc, threads
#   lockstep::bench_peers  the peers' libraries (Boost.Lockfree and Boost.Thread, libcds, xenium,
#                          oneTBB, moodycamel's ConcurrentQueue, atomic_queue), for with_peers
#   lockstep_add_benchmark(NAME <target> SOURCES <file>... [PEERS] [SMOKE_TEST])
#       an executable linked to lockstep::bench (and lockstep::bench_peers with PEERS);
#       SMOKE_TEST adds the CTest test <target>_smoke: a run of a few seconds whose every
#       benchmark checks what it popped against what it pushed, failing on a mismatch, and which
#       writes <target>_smoke.json in the build directory
#
# The package config includes this file, and so does lockstep's own bench/CMakeLists.txt, which
# builds lockstep_bench with lockstep_add_benchmark. Each target is defined only when what it
# needs is found, quietly, so a consumer that does not benchmark needs none of it;
# LOCKSTEP_BENCH_MISSING and LOCKSTEP_BENCH_PEERS_MISSING say what was not found.
include_guard(DIRECTORY)

set(LOCKSTEP_BENCH_MISSING "")
find_package(Threads QUIET)
find_package(benchmark CONFIG QUIET)
if(NOT TARGET benchmark::benchmark)
  list(APPEND LOCKSTEP_BENCH_MISSING "Google Benchmark (libbenchmark-dev)")
endif()
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(LOCKSTEP_BENCH_HWLOC QUIET IMPORTED_TARGET hwloc)
endif()
if(NOT TARGET PkgConfig::LOCKSTEP_BENCH_HWLOC)
  list(APPEND LOCKSTEP_BENCH_MISSING "hwloc (libhwloc-dev and pkg-config)")
endif()

if(NOT LOCKSTEP_BENCH_MISSING AND NOT TARGET lockstep::bench)
  add_library(lockstep::bench INTERFACE IMPORTED)
  target_link_libraries(lockstep::bench INTERFACE
    lockstep::lockstep benchmark::benchmark PkgConfig::LOCKSTEP_BENCH_HWLOC Threads::Threads)
  # Recorded in every result, so that a debug-built number cannot pass for a real one.
  target_compile_definitions(lockstep::bench INTERFACE
    "LOCKSTEP_BENCH_BUILD_TYPE=\"$<IF:$<BOOL:$<CONFIG>>,$<CONFIG>,none>\"")
  # lockstep's wide_tagged_pool (a twin) and libcds's double-width CAS paths need cmpxchg16b.
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
    target_compile_options(lockstep::bench INTERFACE -mcx16)
  endif()
endif()

set(LOCKSTEP_BENCH_PEERS_MISSING "")
# Boost.Thread only for libcds: its flat-combining kernel (FCQueue) keeps each thread's
# publication record in a boost::thread_specific_ptr.
find_package(Boost 1.74 QUIET COMPONENTS thread)
if(NOT TARGET Boost::thread)
  list(APPEND LOCKSTEP_BENCH_PEERS_MISSING "Boost.Lockfree and Boost.Thread (libboost-thread-dev)")
endif()
# LibCDS's packaged CMake config (Debian 2.3.3) names a lib64 path that does not exist and
# forces -std=c++11 on its users, so the library is found directly. xenium, moodycamel's
# ConcurrentQueue and atomic_queue are header-only and ship no CMake config.
find_path(LOCKSTEP_CDS_INCLUDE_DIR cds/init.h)
find_library(LOCKSTEP_CDS_LIBRARY NAMES cds)
find_path(LOCKSTEP_XENIUM_INCLUDE_DIR xenium/michael_scott_queue.hpp)
find_path(LOCKSTEP_CONCURRENTQUEUE_INCLUDE_DIR concurrentqueue/concurrentqueue.h)
find_path(LOCKSTEP_ATOMIC_QUEUE_INCLUDE_DIR atomic_queue/atomic_queue.h)
if(NOT LOCKSTEP_CDS_INCLUDE_DIR OR NOT LOCKSTEP_CDS_LIBRARY)
  list(APPEND LOCKSTEP_BENCH_PEERS_MISSING "libcds (libcds-dev)")
endif()
if(NOT LOCKSTEP_XENIUM_INCLUDE_DIR)
  list(APPEND LOCKSTEP_BENCH_PEERS_MISSING "xenium (libxenium-dev)")
endif()
if(NOT LOCKSTEP_CONCURRENTQUEUE_INCLUDE_DIR)
  list(APPEND LOCKSTEP_BENCH_PEERS_MISSING "moodycamel's ConcurrentQueue (libconcurrentqueue-dev)")
endif()
if(NOT LOCKSTEP_ATOMIC_QUEUE_INCLUDE_DIR)
  list(APPEND LOCKSTEP_BENCH_PEERS_MISSING "atomic_queue (libatomic-queue-dev)")
endif()
# oneTBB: its queues are templates over a small runtime library.
find_package(TBB QUIET)
if(NOT TARGET TBB::tbb)
  list(APPEND LOCKSTEP_BENCH_PEERS_MISSING "oneTBB (libtbb-dev)")
endif()

if(TARGET lockstep::bench AND NOT LOCKSTEP_BENCH_PEERS_MISSING
   AND NOT TARGET lockstep::bench_peers)
  add_library(lockstep::bench_peers INTERFACE IMPORTED)
  target_link_libraries(lockstep::bench_peers INTERFACE
    lockstep::bench Boost::headers Boost::thread ${LOCKSTEP_CDS_LIBRARY} TBB::tbb)
  # An imported target's include directories are system ones: the peers' warnings are not the
  # user's (nor lockstep's) to fix.
  target_include_directories(lockstep::bench_peers INTERFACE
    ${LOCKSTEP_CDS_INCLUDE_DIR} ${LOCKSTEP_XENIUM_INCLUDE_DIR}
    ${LOCKSTEP_CONCURRENTQUEUE_INCLUDE_DIR} ${LOCKSTEP_ATOMIC_QUEUE_INCLUDE_DIR})
endif()

function(lockstep_add_benchmark)
  cmake_parse_arguments(PARSE_ARGV 0 arg "PEERS;SMOKE_TEST" "NAME" "SOURCES")
  if(NOT arg_NAME OR NOT arg_SOURCES OR arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "usage: lockstep_add_benchmark(NAME <target> SOURCES <file>... "
                        "[PEERS] [SMOKE_TEST])")
  endif()
  if(NOT TARGET lockstep::bench)
    message(FATAL_ERROR "lockstep_add_benchmark(${arg_NAME}) needs: "
                        "${LOCKSTEP_BENCH_MISSING}")
  endif()
  add_executable(${arg_NAME} ${arg_SOURCES})
  target_link_libraries(${arg_NAME} PRIVATE lockstep::bench)
  if(arg_PEERS)
    if(NOT TARGET lockstep::bench_peers)
      message(FATAL_ERROR "lockstep_add_benchmark(${arg_NAME} PEERS) needs: "
                          "${LOCKSTEP_BENCH_PEERS_MISSING}")
    endif()
    target_link_libraries(${arg_NAME} PRIVATE lockstep::bench_peers)
  endif()
  if(arg_SMOKE_TEST)
    # One or two threads, a few hundred operations each, one repetition: it measures nothing,
    # it shows that every registered structure runs every workload and passes its checks.
    add_test(NAME ${arg_NAME}_smoke COMMAND ${arg_NAME}
      --ops=256 --work=1024 --roundtrips=64 --probe_iterations=1 --threads=1,2 --pin=none
      --reclaim_threads=1,2 --reclaim_pin=none
      --queue_ops=256 --queue_work=1024 --queue_threads=1,2 --queue_pin=none
      --channel_ops=256 --channel_work=512 --channel_roundtrips=64 --channel_threads=1,2
      --channel_caps=1,64 --benchmark_repetitions=1 --benchmark_min_warmup_time=0
      --benchmark_out=${CMAKE_CURRENT_BINARY_DIR}/${arg_NAME}_smoke.json
      --benchmark_out_format=json)
    # A failed check is Google Benchmark's "ERROR OCCURRED", which does not change the exit code.
    set_tests_properties(${arg_NAME}_smoke PROPERTIES FAIL_REGULAR_EXPRESSION "ERROR OCCURRED")
  endif()
endfunction()
