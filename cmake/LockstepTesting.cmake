# Helpers that register lockstep's test executables with CTest. Every suite directory calls
# these over its own *.cpp files, so adding a test is adding a file.

# A GoogleTest executable, one per source file, labelled with LABEL (unit, stress) and, in a
# sanitizer build, with the sanitizer's name too, so `ctest -L tsan` selects exactly those runs.
function(lockstep_gtest source label)
  get_filename_component(name ${source} NAME_WE)
  set(target ${label}_${name})
  add_executable(${target} ${source})
  target_link_libraries(${target} PRIVATE lockstep::lockstep lockstep_warnings
                        GTest::gtest GTest::gtest_main Threads::Threads ${ARGN})
  add_test(NAME ${target} COMMAND ${target})
  set(labels ${label})
  if(LOCKSTEP_SANITIZER)
    list(APPEND labels ${LOCKSTEP_SANITIZER})
    set_tests_properties(${target} PROPERTIES ENVIRONMENT
      "TSAN_OPTIONS=halt_on_error=1 second_deadlock_stack=1;ASAN_OPTIONS=detect_leaks=1:abort_on_error=1;UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1")
  endif()
  set_tests_properties(${target} PROPERTIES LABELS "${labels}")
endfunction()

# A Relacy model-check executable: the same algorithm headers compiled with LOCKSTEP_RELACY,
# so sync/ maps to Relacy. The flags are the ones RELACY-NOTES found necessary on g++ 12:
# sized deallocation bypasses Relacy's heap, lifetime dead-store elimination deletes the
# destructor store that use-after-free detection relies on, and _FORTIFY_SOURCE's longjmp check
# aborts Relacy's fibers. -O2 because model checks at -O0 are ~7x slower.
function(lockstep_model_check source label)
  get_filename_component(name ${source} NAME_WE)
  set(target ${label}_${name})
  add_executable(${target} ${source})
  target_link_libraries(${target} PRIVATE lockstep::lockstep lockstep_warnings)
  target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR})
  target_compile_definitions(${target} PRIVATE LOCKSTEP_RELACY ${ARGN})
  target_compile_options(${target} PRIVATE -O2 -fno-sized-deallocation -fno-lifetime-dse
                         -U_FORTIFY_SOURCE -Wno-unused-parameter)
  add_test(NAME ${target} COMMAND ${target} --profile ${LOCKSTEP_PROFILE})
  set_tests_properties(${target} PROPERTIES LABELS ${label})
endfunction()
