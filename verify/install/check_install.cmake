# Installs lockstep from a build tree into a scratch prefix, then configures and builds the
# consumer project against it with find_package(lockstep CONFIG) and runs its CTest tests: the
# library used, a user's model checks (one must pass, its buggy twin must be reported), a user's
# linearizability checks and a user's benchmark.
# Variables: BUILD_DIR (lockstep's build tree), SOURCE_DIR (the consumer), WORK_DIR (scratch).
file(REMOVE_RECURSE ${WORK_DIR})
foreach(step
    "${CMAKE_COMMAND};--install;${BUILD_DIR};--prefix;${WORK_DIR}/prefix"
    "${CMAKE_COMMAND};-S;${SOURCE_DIR};-B;${WORK_DIR}/build;-G;Ninja;-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix"
    "${CMAKE_COMMAND};--build;${WORK_DIR}/build"
    "${CMAKE_CTEST_COMMAND};--test-dir;${WORK_DIR}/build;--output-on-failure")
  execute_process(COMMAND ${step} RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "install check failed at: ${step}")
  endif()
endforeach()
