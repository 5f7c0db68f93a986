# Proves a binary's 16-byte atomics are lock-free: it must hold the architecture's inline
# double-width CAS (INLINE_CAS, a regular expression over objdump's mnemonics: `lock cmpxchg16b`
# on x86-64; ldxp/ldaxp or casp on AArch64) and reference no libatomic 16-byte entry point
# (__atomic_*_16, __sync_*_16), any of which may take a lock inside libatomic. Run with -P:
#   -DNM=<nm> -DOBJDUMP=<objdump> -DBINARY=<file> -DINLINE_CAS=<regex> -DEXPECT=clean
#       passes only if the binary has an inline double-width CAS and no such reference;
#   -DEXPECT=flagged
#       the negative control: passes only if the binary references one, so a check that could
#       never see a libatomic call (a wrong pattern, an empty symbol list) fails here.
foreach(var NM OBJDUMP BINARY INLINE_CAS EXPECT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "no_hidden_lock: -D${var}=... is required")
  endif()
endforeach()

execute_process(COMMAND ${NM} --undefined-only ${BINARY}
                OUTPUT_VARIABLE symbols RESULT_VARIABLE nm_failed)
if(nm_failed OR symbols STREQUAL "")
  message(FATAL_ERROR "no_hidden_lock: `${NM} --undefined-only ${BINARY}` listed nothing")
endif()
string(REGEX MATCHALL "__(atomic|sync)_[a-z_]+_16" libatomic_calls "${symbols}")
list(REMOVE_DUPLICATES libatomic_calls)

if(EXPECT STREQUAL "flagged")
  if(libatomic_calls)
    message(STATUS "no_hidden_lock: flagged, as it must be: ${libatomic_calls}")
  else()
    message(FATAL_ERROR "no_hidden_lock: the control ${BINARY} calls libatomic for its 16-byte "
                        "CAS, but the check found no __atomic_*_16 / __sync_*_16 reference")
  endif()
elseif(EXPECT STREQUAL "clean")
  if(libatomic_calls)
    message(FATAL_ERROR "no_hidden_lock: ${BINARY} calls libatomic (${libatomic_calls}), "
                        "which may take a lock: a 16-byte atomic is not lock-free")
  endif()
  execute_process(COMMAND ${OBJDUMP} -d --no-show-raw-insn ${BINARY}
                  OUTPUT_VARIABLE disassembly RESULT_VARIABLE objdump_failed)
  string(REGEX MATCHALL "\t(${INLINE_CAS})[ \t]" inline_cas "${disassembly}")
  list(LENGTH inline_cas count)
  if(objdump_failed OR count EQUAL 0)
    message(FATAL_ERROR "no_hidden_lock: ${BINARY} has no inline ${INLINE_CAS}, so it does not "
                        "exercise the double-width atomic this check is about")
  endif()
  message(STATUS "no_hidden_lock: ${count} inline ${INLINE_CAS}, no libatomic 16-byte call")
else()
  message(FATAL_ERROR "no_hidden_lock: EXPECT must be clean or flagged, not '${EXPECT}'")
endif()
