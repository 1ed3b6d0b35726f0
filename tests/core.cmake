# Tests of the core layer (Python's socket module).
soket_add_test(address_test unit/address_test.cpp)
soket_add_test(error_test unit/error_test.cpp)
soket_add_test(socket_test integration/socket_test.cpp)
soket_add_test(timeout_test integration/timeout_test.cpp)
soket_add_test(python_interop_test interop/python_interop_test.cpp)
# Python's corner cases, checked call by call, and reprs compared with a live Python (h5).
soket_add_test(socket_semantics_test integration/socket_semantics_test.cpp)
soket_add_test(python_repr_test interop/python_repr_test.cpp)
# Messages, fd passing, sendfile, raw/packet, seqpacket, EINTR (h2).
soket_add_test(message_test integration/message_test.cpp)
soket_add_test(sendfile_test integration/sendfile_test.cpp)
soket_add_test(sendfile_sigpipe_test integration/sendfile_sigpipe_test.cpp)
soket_add_test(raw_test integration/raw_test.cpp)
soket_add_test(seqpacket_test integration/seqpacket_test.cpp)
soket_add_test(eintr_test integration/eintr_test.cpp)
# Resolver, module functions, convenience constructors, typed options, parity table (h1).
soket_add_test(inet_test unit/inet_test.cpp)
soket_add_test(options_test integration/options_test.cpp)
soket_add_test(resolver_test integration/resolver_test.cpp)
soket_add_test(create_test integration/create_test.cpp)
soket_add_test(parity_test unit/parity_test.cpp)
# The documents' example programs, run as processes.
if(TARGET server)
  soket_add_test(examples_test interop/examples_test.cpp)
  add_dependencies(examples_test server client serverku clientku serverku2 udp_server udp_client
                   unix_server unix_client)
endif()
# find_package(soket) and pkg-config from an installed prefix (not in sanitizer builds: the
# consumer is built without the sanitizer runtime).
if(NOT SOKET_SANITIZE)
  add_test(NAME consumer.find_package_and_pkg_config
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/consumer/run.sh ${PROJECT_BINARY_DIR}
                   ${PROJECT_SOURCE_DIR})
  set_tests_properties(consumer.find_package_and_pkg_config PROPERTIES TIMEOUT 300)
endif()
# The Linux layer's signal helpers (src/linux/signals), an internal API.
soket_add_test(signals_test unit/signals_test.cpp)
target_include_directories(signals_test PRIVATE ${PROJECT_SOURCE_DIR}/src)
# ICMP echo messages and sockets; port facts and port lists (probe lane).
soket_add_test(icmp_test unit/icmp_test.cpp)
soket_add_test(port_test unit/port_test.cpp)
