# A machine with only a compiler and CMake: lockstep configures, switches its tests and
# benchmarks off with one line each saying what is missing, and installs exactly the files a
# full build installs (the toolkit included), so a consumer needs nothing else.
# The lab's packages are hidden from every find_* call by rooting the searches in an empty
# directory; the compiler, CMake and the threads library are still found.
# Variables: SOURCE_DIR (lockstep's sources), BUILD_DIR (a full build tree), WORK_DIR (scratch).
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/empty-root)
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -G Ninja
          -DCMAKE_FIND_ROOT_PATH=${WORK_DIR}/empty-root
          -DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=ONLY -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY
          -DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "configure without the lab's packages failed:\n${out}\n${err}")
endif()
foreach(part "the verification suites" "the benchmarks")
  if(NOT out MATCHES "lockstep: ${part} are off, not found: [^\n]+")
    message(FATAL_ERROR "configure did not say why ${part} are off:\n${out}")
  endif()
  message(STATUS "${CMAKE_MATCH_0}")
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} --install ${WORK_DIR}/build --prefix ${WORK_DIR}/prefix
                RESULT_VARIABLE status OUTPUT_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "install without the lab's packages failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/full-prefix
                RESULT_VARIABLE status OUTPUT_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "install of the full build failed")
endif()
file(GLOB_RECURSE minimal RELATIVE ${WORK_DIR}/prefix ${WORK_DIR}/prefix/*)
file(GLOB_RECURSE full RELATIVE ${WORK_DIR}/full-prefix ${WORK_DIR}/full-prefix/*)
if(NOT minimal STREQUAL full)
  message(FATAL_ERROR "the minimal install differs from the full one:\nminimal: ${minimal}\nfull: ${full}")
endif()
list(LENGTH minimal files)
message(STATUS "installed the same ${files} files as a full build")
