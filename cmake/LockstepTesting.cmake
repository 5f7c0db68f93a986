# Helpers that register lockstep's test executables with CTest. Every suite directory calls
# these over its own *.cpp files, so adding a test is adding a file.

# Labels every test of this build carries besides its kind: the sanitizer's name in a sanitizer
# build, aarch64 in an AArch64 one, so `ctest -L tsan` or `-L aarch64` selects exactly those runs.
set(LOCKSTEP_BUILD_LABELS ${LOCKSTEP_SANITIZER})
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  list(APPEND LOCKSTEP_BUILD_LABELS aarch64)
endif()

# The quick profile's AArch64 LSE leg runs only the unit suites (scripts/test), so it does not
# build the stress suites either; --deep runs and builds them on both AArch64 legs.
option(LOCKSTEP_STRESS_SUITES "Build the stress suites (with the tests)" ON)

# A GoogleTest executable, one per source file, labelled with LABEL (unit, stress) and the
# build's labels.
function(lockstep_gtest source label)
  if(label STREQUAL "stress" AND NOT LOCKSTEP_STRESS_SUITES)
    return()
  endif()
  get_filename_component(name ${source} NAME_WE)
  set(target ${label}_${name})
  add_executable(${target} ${source})
  target_link_libraries(${target} PRIVATE lockstep::lockstep lockstep_warnings
                        GTest::gtest GTest::gtest_main Threads::Threads ${ARGN})
  add_test(NAME ${target} COMMAND ${target})
  set(labels ${label} ${LOCKSTEP_BUILD_LABELS})
  if(LOCKSTEP_SANITIZER)
    set_tests_properties(${target} PROPERTIES ENVIRONMENT
      "TSAN_OPTIONS=halt_on_error=1 second_deadlock_stack=1;ASAN_OPTIONS=detect_leaks=1:abort_on_error=1;UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1")
  endif()
  set_tests_properties(${target} PROPERTIES LABELS "${labels}")
  # The quick profile's native unit suites compile at -O1 (a third less compile time for tests
  # that run in seconds); the stress suites, where the optimiser's reorderings matter, and the
  # cross builds keep the build type's -O2.
  if(label STREQUAL "unit" AND LOCKSTEP_PROFILE STREQUAL "quick" AND NOT LOCKSTEP_SANITIZER
     AND NOT CMAKE_CROSSCOMPILING)
    target_compile_options(${target} PRIVATE -O1)
  endif()
  # Stress tests measure nothing, but they are only stressful with the cores to themselves.
  if(label STREQUAL "stress")
    set_tests_properties(${target} PROPERTIES RUN_SERIAL TRUE)
  endif()
endfunction()

# A project model check: lockstep_add_model_check (cmake/lockstepVerify.cmake, the function a
# user's project calls) with the project's warnings. ARGN may hold LOCKSTEP_RELACY_STRONG_CAS,
# NO_PCH and MUTANT (lockstep_project_relacy_flags).
function(lockstep_model_check source label)
  get_filename_component(name ${source} NAME_WE)
  set(target ${label}_${name})
  set(strong_cas)
  if("LOCKSTEP_RELACY_STRONG_CAS" IN_LIST ARGN)
    set(target ${target}_strong_cas)
    set(strong_cas STRONG_CAS)
  endif()
  lockstep_add_model_check(NAME ${target} SOURCES ${source} ${strong_cas} LABELS ${label})
  lockstep_project_relacy_flags(${target} ${source} "${strong_cas}" ${ARGN})
endfunction()

# Relacy's headers have unused parameters; everything else is held to the project's warnings.
# Every Relacy-compiled target of the project begins with the same prefix, Relacy and the seam
# through <lockstep/verify/model_check.hpp>, whose parsing is about a fifth of a mutant's compile:
# it is precompiled once per flag set and reused (REUSE_FROM). The prefix is force-included
# ahead of the source, which is the same program only when the source defines no macro the
# prefix reads: a source with its own #define or #undef, or a mutant of a header inside the
# prefix (sync/, verify/: NO_PCH), is compiled without it. A prefix compiled with other flags
# than the target is rejected by -Winvalid-pch, an error here.
# The quick profile compiles at -O1 instead of -O2: a third less compile time for searches ~45%
# slower, a net gain when every check is compiled once and run once in short searches; the deep
# profile's long searches keep -O2. A mutant (ARGN holds MUTANT) stops at its bug, most of them
# within a second even at -O0, so the quick profile compiles it at -O0: 40% less compile time
# than -O1 for a search about 6x slower. Its repaired twin searches in full and keeps -O1. The canary in every binary still refuses a
# build that cannot see a use-after-free.
function(lockstep_project_relacy_flags target source strong_cas)
  target_link_libraries(${target} PRIVATE lockstep_warnings)
  target_compile_options(${target} PRIVATE -Wno-unused-parameter)
  set(level)
  if(LOCKSTEP_PROFILE STREQUAL "quick")
    set(level O1)
    if("MUTANT" IN_LIST ARGN)
      set(level O0)
    endif()
    lockstep_relacy_level(${target} ${level})
  endif()
  file(STRINGS ${source} defines REGEX "^[ \t]*#[ \t]*(define|undef)")
  if(defines OR "NO_PCH" IN_LIST ARGN)
    return()
  endif()
  set(prefix lockstep_relacy_prefix)
  if(strong_cas)
    string(APPEND prefix _strong_cas)
  endif()
  if(level)
    string(TOLOWER "_${level}" suffix)
    string(APPEND prefix ${suffix})
  endif()
  if(NOT TARGET ${prefix})
    set(empty ${CMAKE_CURRENT_BINARY_DIR}/${prefix}.cpp)
    file(CONFIGURE OUTPUT ${empty} CONTENT "")
    add_library(${prefix} OBJECT ${empty})
    _lockstep_relacy_compile(${prefix} "${strong_cas}")
    target_link_libraries(${prefix} PRIVATE lockstep_warnings)
    target_compile_options(${prefix} PRIVATE -Wno-unused-parameter)
    target_precompile_headers(${prefix} PRIVATE <lockstep/verify/model_check.hpp>)
    if(level)
      lockstep_relacy_level(${prefix} ${level})
    endif()
  endif()
  target_precompile_headers(${target} REUSE_FROM ${prefix})
endfunction()

# -O1 or -O0 (LEVEL) in place of the -O2 lockstep_add_model_check gives.
function(lockstep_relacy_level target level)
  get_target_property(options ${target} COMPILE_OPTIONS)
  list(TRANSFORM options REPLACE "^-O2$" "-${level}")
  set_property(TARGET ${target} PROPERTY COMPILE_OPTIONS ${options})
endfunction()

# A mutation test: a Relacy check compiled against a copy of a lockstep header with one bug
# seeded into it. The test file states the bug in diff form in its own comments:
#   // MUTATE hazard/tagged_pool.hpp
#   // - return old.successor(p);
#   // + return link(p, old.tag());
# Each "-" text must occur exactly once in the named header, so the mutant is the real
# algorithm with exactly that change, and a mutation that no longer applies (the algorithm was
# edited) stops the build instead of silently testing nothing. The mutant headers are put in
# front of the include path, so the test's `#include <lockstep/...>` picks them up.
function(lockstep_mutation source)
  get_filename_component(name ${source} NAME_WE)
  set(mutant_root ${CMAKE_CURRENT_BINARY_DIR}/mutants/${name})
  file(REMOVE_RECURSE ${mutant_root})
  file(READ ${source} text)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
  # CMake lists are ;-separated: protect the C++ semicolons while splitting into lines.
  string(REPLACE ";" "<semicolon>" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(header "")
  set(from "")
  set(changes 0)
  set(no_pch)
  foreach(line IN LISTS lines)
    if(line MATCHES "^// MUTATE (.+)$")
      set(header ${CMAKE_MATCH_1})
      if(header MATCHES "^(sync|verify)/")
        set(no_pch NO_PCH)
      endif()
      if(NOT EXISTS ${mutant_root}/lockstep/${header})
        file(READ ${CMAKE_SOURCE_DIR}/${header} content)
        file(WRITE ${mutant_root}/lockstep/${header} "${content}")
        set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${header})
      endif()
    elseif(line MATCHES "^// - (.+)$")
      string(REPLACE "<semicolon>" ";" from "${CMAKE_MATCH_1}")
    elseif(line MATCHES "^// \\+ (.+)$")
      string(REPLACE "<semicolon>" ";" to "${CMAKE_MATCH_1}")
      if(header STREQUAL "" OR from STREQUAL "")
        message(FATAL_ERROR "${source}: a '+' line needs a MUTATE header and a '-' line before it")
      endif()
      file(READ ${mutant_root}/lockstep/${header} content)
      string(REPLACE "${from}" "" without "${content}")
      string(LENGTH "${content}" before)
      string(LENGTH "${without}" after)
      string(LENGTH "${from}" width)
      math(EXPR occurrences "(${before} - ${after}) / ${width}")
      if(NOT occurrences EQUAL 1)
        message(FATAL_ERROR "${source}: '${from}' occurs ${occurrences} times in ${header}; "
                            "a mutation must name exactly one place")
      endif()
      string(REPLACE "${from}" "${to}" content "${content}")
      file(WRITE ${mutant_root}/lockstep/${header} "${content}")
      set(from "")
      math(EXPR changes "${changes} + 1")
    endif()
  endforeach()
  if(changes EQUAL 0)
    message(FATAL_ERROR "${source}: a mutation test must seed at least one change (// MUTATE ...)")
  endif()
  lockstep_model_check(${source} mutation ${no_pch} MUTANT)
  target_include_directories(mutation_${name} BEFORE PRIVATE ${mutant_root})

  # The same test against the repaired (real) headers must run clean, so the check reports
  # "SUCCESS (expected <bug>)": proof, re-established on every run, that the mutation test
  # passes only because the checker caught the seeded bug. A crash does not count.
  lockstep_add_model_check(NAME mutation_${name}_repaired SOURCES ${source} LABELS mutation)
  lockstep_project_relacy_flags(mutation_${name}_repaired ${source} FALSE)
  set_tests_properties(mutation_${name}_repaired PROPERTIES
                       PASS_REGULAR_EXPRESSION "SUCCESS \\(expected")
endfunction()
