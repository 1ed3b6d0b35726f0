# TLS on the event engine (the tls layer's event::Transport) and the tools' --tls options.
if(TARGET soket_tls)
  soket_add_test(tls_engine_test integration/tls_engine_test.cpp TIMEOUT 240)
  if(TARGET soket_tool)
    find_package(nlohmann_json REQUIRED)
    soket_add_test(tls_engine_tool_test interop/tls_engine_tool_test.cpp LIBS nlohmann_json::nlohmann_json)
    add_dependencies(tls_engine_tool_test soket_tool)
  endif()
endif()
# TLS on the engine, again on the io_uring poller (tests/event.cmake).
if(TARGET tls_engine_test)
  soket_test_on_uring(tls_engine_test TIMEOUT 240)
endif()
# The peer's end over TLS held until the handler answered (plain event::Server), both pollers.
if(TARGET soket_tls)
  soket_add_test(tls_engine_half_close_test integration/tls_engine_half_close_test.cpp TIMEOUT 120)
  soket_test_on_uring(tls_engine_half_close_test TIMEOUT 120)
endif()
