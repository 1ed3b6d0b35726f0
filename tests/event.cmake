# Tests of the event engine (layer 4).
soket_add_test(event_timer_queue_test unit/event_timer_queue_test.cpp)
soket_add_test(event_loop_test integration/event_loop_test.cpp)
soket_add_test(event_client_test integration/event_client_test.cpp)
soket_add_test(event_server_test integration/event_server_test.cpp)
# 10,000 connections on a loaded 2-core machine can take minutes: the timeout only guards hangs.
soket_add_test(event_stress_test integration/event_stress_test.cpp TIMEOUT 300)
soket_add_test(event_datagram_test integration/event_datagram_test.cpp)
soket_add_test(event_datagram_ring_test integration/event_datagram_ring_test.cpp)
soket_add_test(event_hardening_test integration/event_hardening_test.cpp)
soket_add_test(event_codec_test integration/event_codec_test.cpp)
soket_add_test(event_broadcast_test integration/event_broadcast_test.cpp)
soket_add_test(event_completion_test integration/event_completion_test.cpp)
if(TARGET soket_tool)
  find_package(nlohmann_json REQUIRED)
  soket_add_test(event_tool_test interop/event_tool_test.cpp LIBS nlohmann_json::nlohmann_json)
  add_dependencies(event_tool_test soket_tool)
  soket_add_test(perf_tool_test interop/perf_tool_test.cpp LIBS nlohmann_json::nlohmann_json)
  add_dependencies(perf_tool_test soket_tool)
endif()
# The engine's connect scan (probe lane).
soket_add_test(scanner_test integration/scanner_test.cpp)
# The pollers themselves (epoll and io_uring), then every engine test again on io_uring: the
# ".uring" copies run the same binaries with SOKET_BACKEND=uring.
soket_add_test(event_backend_test integration/event_backend_test.cpp)
function(soket_test_on_uring name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  gtest_discover_tests(${name} TEST_SUFFIX .uring DISCOVERY_TIMEOUT 60
                       PROPERTIES TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT SOKET_BACKEND=uring)
endfunction()
soket_test_on_uring(event_stress_test TIMEOUT 300)
foreach(t event_loop_test event_client_test event_server_test
          event_datagram_test event_datagram_ring_test event_hardening_test event_codec_test
          event_broadcast_test
          event_completion_test scanner_test)
  soket_test_on_uring(${t})
endforeach()
if(TARGET event_tool_test)
  soket_test_on_uring(event_tool_test)
endif()
# File bodies (Connection::sendfile): sendfile(2) on epoll, splices on the io_uring ring.
soket_add_test(event_file_send_test integration/event_file_send_test.cpp TIMEOUT 300)
soket_test_on_uring(event_file_send_test TIMEOUT 300)
# The single issuer's ring (SOKET_URING_SINGLE_ISSUER=1, opt-in): the pollers' and the
# completion model's tests again, ".single" copies. Not the restart test: a single issuer's
# Loop serves only on the thread that first ran it, and a DatagramServer's restart is a new
# thread.
foreach(t event_backend_test event_completion_test event_datagram_ring_test)
  gtest_discover_tests(${t} TEST_SUFFIX .single DISCOVERY_TIMEOUT 60
                       TEST_FILTER "-EventDatagramRing.ServesAgainAfterStopAndStart"
                       PROPERTIES TIMEOUT 120
                       ENVIRONMENT "SOKET_BACKEND=uring;SOKET_URING_SINGLE_ISSUER=1")
endforeach()
