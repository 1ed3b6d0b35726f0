# Tests of the io layer (Python's selectors and socket.makefile).
soket_add_test(selector_test integration/selector_test.cpp)
soket_add_test(socket_file_test integration/socket_file_test.cpp)
soket_add_test(relay_test integration/relay_test.cpp)
