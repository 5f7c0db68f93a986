# cmake -DPROGRAM=<example> -DEXPECTED=<file> [-DEMULATOR=<command, |-separated>] -P this
#
# Runs the example with --fast and compares its output with EXPECTED line by line, both sorted,
# so that a program whose lines come in the scheduler's order passes only if each expected line
# came exactly once. Digits after " in " and before " ms" (a time) compare as N.
string(REPLACE "|" ";" emulator "${EMULATOR}")
execute_process(COMMAND ${emulator} ${PROGRAM} --fast
                OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} --fast exited with ${status}\n${output}${errors}")
endif()
file(READ "${EXPECTED}" expected)

function(sorted_lines text out)
  string(REGEX REPLACE " in [0-9]+ ms" " in N ms" text "${text}")
  string(REGEX REPLACE "\n$" "" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  list(SORT lines)
  set(${out} "${lines}" PARENT_SCOPE)
endfunction()

sorted_lines("${output}" got)
sorted_lines("${expected}" want)
if(NOT got STREQUAL want)
  message(FATAL_ERROR "${PROGRAM} --fast printed, sorted:\n  ${got}\nexpected, sorted:\n  ${want}"
                      "\n${errors}")
endif()
