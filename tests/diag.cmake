# Tests of the diag layer (socket table, packet capture, decoder, pcap files, filters) and of
# the soket netstat / sniff commands.
soket_add_test(packet_describe_test unit/packet_describe_test.cpp LIBS soket_diag)
soket_add_test(pcap_file_test unit/pcap_file_test.cpp LIBS soket_diag)
soket_add_test(filter_test unit/filter_test.cpp LIBS soket_bpf)
soket_add_test(socket_table_test integration/socket_table_test.cpp LIBS soket_diag)
soket_add_test(capture_test integration/capture_test.cpp LIBS soket_bpf)
if(TARGET soket_tool)
  soket_add_test(netstat_tool_test interop/netstat_tool_test.cpp TIMEOUT 300)
  add_dependencies(netstat_tool_test soket_tool)
  soket_add_test(sniff_tool_test interop/sniff_tool_test.cpp TIMEOUT 300)
  add_dependencies(sniff_tool_test soket_tool)
endif()
