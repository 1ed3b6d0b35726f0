# Tests of the event engine (layer 4).
soket_add_test(event_timer_queue_test unit/event_timer_queue_test.cpp)
soket_add_test(event_loop_test integration/event_loop_test.cpp)
soket_add_test(event_server_test integration/event_server_test.cpp)
soket_add_test(event_stress_test integration/event_stress_test.cpp)
soket_add_test(event_datagram_test integration/event_datagram_test.cpp)
