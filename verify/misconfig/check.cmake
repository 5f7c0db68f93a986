# Builds consumer.cpp with one set of flags, as a user's build would, and requires the failure
# that set must produce (or, for the sound set, the run that must pass).
# Variables: COMPILER, SOURCE, INCLUDE_DIRS and FLAGS (|-separated lists), WORK_DIR,
#   EXPECT_COMPILE_ERROR  text the compiler's output must contain (the build must fail), or
#   EXPECT_RUN_FAILURE    text the program's output must contain (it must build, then exit non-zero), or
#   EXPECT_RUN_PASS       text the program's output must contain (it must build and exit 0).
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
string(REPLACE "|" ";" FLAGS "${FLAGS}")
string(REPLACE "|" ";" INCLUDE_DIRS "${INCLUDE_DIRS}")
set(includes)
foreach(dir IN LISTS INCLUDE_DIRS)
  list(APPEND includes -I${dir})
endforeach()
execute_process(
  COMMAND ${COMPILER} -std=c++20 ${FLAGS} ${includes} ${SOURCE} -o ${WORK_DIR}/consumer
  RESULT_VARIABLE compiled OUTPUT_VARIABLE compiler_output ERROR_VARIABLE compiler_output)
string(JOIN " " shown ${FLAGS})
message("${COMPILER} -std=c++20 ${shown}: exit ${compiled}")

if(DEFINED EXPECT_COMPILE_ERROR)
  string(FIND "${compiler_output}" "${EXPECT_COMPILE_ERROR}" at)
  if(compiled EQUAL 0 OR at EQUAL -1)
    message(FATAL_ERROR "the build must stop with \"${EXPECT_COMPILE_ERROR}\"; the compiler said:\n"
                        "${compiler_output}")
  endif()
  message("stopped as required: ${EXPECT_COMPILE_ERROR}")
  return()
endif()

if(NOT compiled EQUAL 0)
  message(FATAL_ERROR "the consumer must build with these flags; the compiler said:\n${compiler_output}")
endif()
execute_process(COMMAND ${WORK_DIR}/consumer --expect "DATA RACE"
                RESULT_VARIABLE ran OUTPUT_VARIABLE output ERROR_VARIABLE output)
message("${output}")
if(DEFINED EXPECT_RUN_FAILURE)
  string(FIND "${output}" "${EXPECT_RUN_FAILURE}" at)
  if(ran EQUAL 0 OR at EQUAL -1)
    message(FATAL_ERROR "the run must fail with \"${EXPECT_RUN_FAILURE}\" (exit ${ran})")
  endif()
else()
  string(FIND "${output}" "${EXPECT_RUN_PASS}" at)
  if(NOT ran EQUAL 0 OR at EQUAL -1)
    message(FATAL_ERROR "the run must pass with \"${EXPECT_RUN_PASS}\" (exit ${ran})")
  endif()
endif()
