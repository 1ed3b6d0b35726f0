# Fault tests (tests/reliability/faults.py): the built soket tool as processes, in a private
# network namespace each test creates (unshare -n), with loss, delay, resets, stalled and
# non-reading peers and an fd limit. Root only: they skip (exit 77) where unshare -n is not
# permitted. Label "faults": scripts/test.sh runs them in the normal build only.
if(NOT TARGET soket_tool)
  return()
endif()

# The netem stand-in (this kernel has no sch_netem): built when libnetfilter_queue is there.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(SOKET_NFQ QUIET IMPORTED_TARGET libnetfilter_queue)
endif()
set(soket_nfqdelay_arg "")
if(SOKET_NFQ_FOUND)
  add_executable(nfqdelay ${CMAKE_CURRENT_LIST_DIR}/nfqdelay.cpp)
  target_link_libraries(nfqdelay PRIVATE PkgConfig::SOKET_NFQ)
  set(soket_nfqdelay_arg --nfqdelay $<TARGET_FILE:nfqdelay>)
endif()

# Each case is its own CTest entry; RUN_SERIAL because they load the machine (10,000
# connections, loss recovery) and measure the server's CPU time. An over-long line is the
# library's case (socketserver_test, the readline fuzzer): the tool's echo is byte-wise.
foreach(case loss delay rst stop_reading stop_reading_threading slowloris slowloris_threading
         idle_timeout half_close emfile emfile_threading)
  add_test(NAME reliability.${case}
           COMMAND ${SOKET_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/faults.py $<TARGET_FILE:soket_tool>
                   ${case} ${soket_nfqdelay_arg})
  set_tests_properties(reliability.${case} PROPERTIES
    TIMEOUT 300 SKIP_RETURN_CODE 77 RUN_SERIAL TRUE LABELS faults)
endforeach()


# File transfer's entries of the reliability bar (soket send / receive): the sender killed
# halfway then --resume, a byte flipped on the way, a full disk (tmpfs in a mount namespace
# the case creates), hostile names. Same script as the transfer_tool tests.
foreach(case peer_sigkill corruption_detected disk_full traversal)
  add_test(NAME reliability.${case}
           COMMAND ${SOKET_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/../interop/transfer_tool_test.py
                   $<TARGET_FILE:soket_tool> ${case})
  set_tests_properties(reliability.${case} PROPERTIES
    TIMEOUT 300 SKIP_RETURN_CODE 77 LABELS faults)
endforeach()
