# Tests of the soket command-line tool: they run the built executable (and examples).
if(TARGET soket_tool)
  soket_add_test(addrinfo_test interop/addrinfo_test.cpp)
  add_dependencies(addrinfo_test soket_tool)
  if(TARGET detailsocket)
    add_dependencies(addrinfo_test detailsocket)
    target_compile_definitions(addrinfo_test PRIVATE SOKET_HAVE_DETAILSOCKET=1)
  endif()
endif()
if(TARGET soket_tool)
  soket_add_test(serve_tool_test interop/serve_tool_test.cpp)
  add_dependencies(serve_tool_test soket_tool)
  if(TARGET serverku2_threading)
    add_dependencies(serve_tool_test serverku2_threading)
    target_compile_definitions(serve_tool_test PRIVATE SOKET_HAVE_SERVERKU2_THREADING=1)
  endif()
endif()
if(TARGET soket_tool)
  soket_add_test(cli_tool_test interop/cli_tool_test.cpp TIMEOUT 300)
  add_dependencies(cli_tool_test soket_tool)
  if(TARGET soket_man)
    add_dependencies(cli_tool_test soket_man)
  endif()
  target_compile_definitions(cli_tool_test PRIVATE SOKET_CMAKE="${CMAKE_COMMAND}")
  soket_add_test(serve_hostile_test interop/serve_hostile_test.cpp TIMEOUT 300)
  add_dependencies(serve_hostile_test soket_tool)
endif()
# soket send / receive (tests/interop/transfer_tool_test.py): the tool as processes, real
# files; corruption and interruption by a proxy in the script. The reliability bar's cases
# (peer_sigkill, corruption_detected, disk_full, traversal) are in reliability/reliability.cmake.
if(TARGET soket_tool)
  foreach(case roundtrip big_file resume_mismatch max_size hostile_frames usage progress)
    add_test(NAME transfer_tool.${case}
             COMMAND ${SOKET_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/interop/transfer_tool_test.py
                     $<TARGET_FILE:soket_tool> ${case})
    set_tests_properties(transfer_tool.${case} PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
  endforeach()
  set_tests_properties(transfer_tool.big_file PROPERTIES RUN_SERIAL TRUE)
# soket ping / scan / port against iputils ping, nmap and sysctl (probe lane).
  find_package(nlohmann_json REQUIRED)
  soket_add_test(probe_tool_test interop/probe_tool_test.cpp LIBS nlohmann_json::nlohmann_json
                 TIMEOUT 300)
  add_dependencies(probe_tool_test soket_tool)
endif()
