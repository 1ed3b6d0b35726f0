# Tests of the io layer (Python's selectors and socket.makefile).
soket_add_test(selector_test integration/selector_test.cpp)
soket_add_test(socket_file_test integration/socket_file_test.cpp)
soket_add_test(framing_test integration/framing_test.cpp)
# File transfer (soket send / receive): the messages, and the folder names land in.
soket_add_test(transfer_protocol_test unit/transfer_protocol_test.cpp)
soket_add_test(transfer_receive_dir_test integration/transfer_receive_dir_test.cpp)
soket_add_test(relay_test integration/relay_test.cpp)
