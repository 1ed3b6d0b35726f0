# Tests of the server layer (Python's socketserver).
soket_add_test(socketserver_test integration/socketserver_test.cpp)
