# lockstep's verification toolkit for CMake: the Relacy flags as a target, and the functions that
# register model checks and linearizability checks with CTest. Installed with the package and
# included by its config; lockstep's own verify/ registers its checks through the same functions.
#
#   find_package(lockstep CONFIG REQUIRED)
#   enable_testing()
#   lockstep_add_model_check(NAME peterson SOURCES peterson_check.cpp)
#
# Only a build that defines a model check needs Relacy (Debian: relacy-dev).

# The flags a sound Relacy build needs, each measured on g++ 12 (docs/model-check-your-own.md):
#   -fno-sized-deallocation  sized operator delete bypasses Relacy's replacement of the global
#                            operator new/delete: the first delete aborts in free()
#   -fno-lifetime-dse        otherwise the optimiser deletes the stores a destructor makes, and
#                            Relacy finds freed memory through them: a use-after-free passes
#   -U_FORTIFY_SOURCE        Debian's and Ubuntu's hardening checks longjmp, which aborts Relacy's
#                            fibers ("longjmp causes uninitialized stack frame")
# LOCKSTEP_RELACY_NO_LIFETIME_DSE tells <lockstep/sync/relacy.hpp> that the second one is on (no
# predefined macro says so); the header stops with an #error when any of the three is missing.
# They are compile options, so they come after CMAKE_CXX_FLAGS and override what a distribution's
# defaults put there.
if(NOT TARGET lockstep::relacy)
  add_library(lockstep::relacy INTERFACE IMPORTED)
  set_target_properties(lockstep::relacy PROPERTIES
    INTERFACE_LINK_LIBRARIES lockstep::lockstep
    INTERFACE_COMPILE_DEFINITIONS "LOCKSTEP_RELACY;LOCKSTEP_RELACY_NO_LIFETIME_DSE"
    INTERFACE_COMPILE_OPTIONS "-fno-sized-deallocation;-fno-lifetime-dse;-U_FORTIFY_SOURCE")
endif()

set(LOCKSTEP_PROFILE "quick" CACHE STRING
    "Model-check profile: quick (seconds, for CI) or deep (research runs)")
set_property(CACHE LOCKSTEP_PROFILE PROPERTY STRINGS quick deep)

function(_lockstep_require_relacy)
  find_path(LOCKSTEP_RELACY_INCLUDE_DIR relacy/relacy.hpp
            DOC "Relacy Race Detector headers (Debian: relacy-dev)")
  if(NOT LOCKSTEP_RELACY_INCLUDE_DIR)
    message(FATAL_ERROR "lockstep: a model check needs the Relacy Race Detector's headers "
                        "(relacy/relacy.hpp); on Debian: apt-get install relacy-dev")
  endif()
endfunction()

# lockstep_add_model_check(NAME <name> SOURCES <file>... [STRONG_CAS] [EXPECT <verdict>]
#                          [LABELS <label>...] [DEFINITIONS <macro>...])
# An executable <name> compiled for Relacy, and a CTest test of the same name that runs it with
# the profile (LOCKSTEP_PROFILE). EXPECT names the report a seeded bug must give, in Relacy's
# words ("DATA RACE", "USER ASSERT FAILED", "DEADLOCK", "ACCESS TO FREED MEMORY", "MEMORY LEAK",
# ...): the check passes only when the checker reports exactly that, so a buggy twin that is
# repaired, or that crashes, fails. STRONG_CAS makes compare_exchange_weak strong, which
# shrinks the search (Relacy otherwise explores every spurious failure).
#
# The executable is built at -O2 without debug information whatever the build type: a model
# check's report is its own history, not a debugger's, and -g adds about a quarter to the
# compile time of Relacy's templates; -O1 compiles faster but runs the searches ~45% slower,
# -O0 ~7x slower.
function(lockstep_add_model_check)
  _lockstep_parse_check(lockstep_add_model_check "STRONG_CAS" "DEFINITIONS" ${ARGN})
  _lockstep_require_relacy()
  add_executable(${arg_NAME} ${arg_SOURCES})
  _lockstep_relacy_compile(${arg_NAME} "${arg_STRONG_CAS}")
  target_compile_definitions(${arg_NAME} PRIVATE ${arg_DEFINITIONS})
  set(command ${arg_NAME} --profile ${LOCKSTEP_PROFILE})
  if(DEFINED arg_EXPECT)
    list(APPEND command --expect "${arg_EXPECT}")
  endif()
  add_test(NAME ${arg_NAME} COMMAND ${command})
  set_tests_properties(${arg_NAME} PROPERTIES LABELS "model_check;${arg_LABELS}")
endfunction()

# How a model check's sources are compiled: for Relacy, strong CAS or not, -O2 without debug
# information. Shared with lockstep's own build, whose precompiled Relacy prefix must be compiled
# exactly like the checks that use it (cmake/LockstepTesting.cmake).
function(_lockstep_relacy_compile target strong_cas)
  target_link_libraries(${target} PRIVATE lockstep::relacy)
  if(strong_cas)
    target_compile_definitions(${target} PRIVATE LOCKSTEP_RELACY_STRONG_CAS)
  endif()
  target_compile_options(${target} PRIVATE -O2 -g0)
endfunction()

# lockstep_add_lin_check(NAME <name> SOURCES <file>... [MODEL_CHECK [EXPECT <verdict>]]
#                        [LABELS <label>...])
# A linearizability check (docs/lin-check.md): by default an executable that runs its scenarios
# under real threads; with MODEL_CHECK one compiled for Relacy, where every execution the model
# checker explores is checked against the sequential specification, and where a buggy twin can
# be required to be reported (EXPECT "USER ASSERT FAILED"). Under real threads whether a bug
# shows depends on timing, so there is no EXPECT.
function(lockstep_add_lin_check)
  _lockstep_parse_check(lockstep_add_lin_check "MODEL_CHECK" "" ${ARGN})
  if(arg_MODEL_CHECK)
    set(expect)
    if(DEFINED arg_EXPECT)
      set(expect EXPECT "${arg_EXPECT}")
    endif()
    lockstep_add_model_check(NAME ${arg_NAME} SOURCES ${arg_SOURCES} ${expect}
                             LABELS lin ${arg_LABELS})
    return()
  endif()
  if(DEFINED arg_EXPECT)
    message(FATAL_ERROR "lockstep_add_lin_check(${arg_NAME}): EXPECT needs MODEL_CHECK (under "
                        "real threads whether a bug shows depends on timing)")
  endif()
  find_package(Threads REQUIRED)
  add_executable(${arg_NAME} ${arg_SOURCES})
  target_link_libraries(${arg_NAME} PRIVATE lockstep::lockstep Threads::Threads)
  add_test(NAME ${arg_NAME} COMMAND ${arg_NAME})
  set_tests_properties(${arg_NAME} PROPERTIES LABELS "lin;${arg_LABELS}")
endfunction()

# Parses a check's arguments into arg_*: NAME, SOURCES, EXPECT and LABELS, plus the function's
# own options and multi-value keywords; stops on a missing NAME or SOURCES or an unknown word.
macro(_lockstep_parse_check function options lists)
  cmake_parse_arguments(arg "${options}" "NAME;EXPECT" "SOURCES;LABELS;${lists}" ${ARGN})
  if(NOT arg_NAME OR NOT arg_SOURCES)
    message(FATAL_ERROR "${function}: NAME and SOURCES are required")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${function}(${arg_NAME}): unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
endmacro()
