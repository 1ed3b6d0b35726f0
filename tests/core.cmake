# Tests of the core layer (Python's socket module).
soket_add_test(address_test unit/address_test.cpp)
soket_add_test(error_test unit/error_test.cpp)
#soket_add_test(socket_test integration/socket_test.cpp)
#soket_add_test(timeout_test integration/timeout_test.cpp)
#soket_add_test(python_interop_test interop/python_interop_test.cpp)
