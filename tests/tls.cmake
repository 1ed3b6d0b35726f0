# Tests of the tls layer (Python's ssl module): against OpenSSL's s_server/s_client and
# Python's ssl, with a PKI each test makes for itself (tests/tls/pki.hpp).
find_program(SOKET_OPENSSL openssl REQUIRED)
soket_add_test(tls_context_test unit/tls_context_test.cpp)
soket_add_test(tls_certificate_test unit/tls_certificate_test.cpp)
soket_add_test(tls_socket_test integration/tls_socket_test.cpp TIMEOUT 300)
soket_add_test(tls_interop_test interop/tls_interop_test.cpp TIMEOUT 300)
if(TARGET soket_tool)
  soket_add_test(tls_tool_test interop/tls_tool_test.cpp TIMEOUT 300)
  add_dependencies(tls_tool_test soket_tool)
  soket_add_test(connect_tls_tool_test interop/connect_tls_tool_test.cpp TIMEOUT 300)
  add_dependencies(connect_tls_tool_test soket_tool)
endif()
