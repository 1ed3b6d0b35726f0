# Tests of the proto layer: the HTTP/1.1 parser (the reference's request table, every split,
# responses, limits) and what real clients and servers send it.
add_library(soket_http_test_support STATIC
  support/http_transcript.cpp
  support/http_vectors.cpp)
target_include_directories(soket_http_test_support PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/support)
target_link_libraries(soket_http_test_support PUBLIC soket::soket GTest::gtest
                      PRIVATE soket_warnings)

soket_add_test(http_parser_table_test unit/http_parser_table_test.cpp
               LIBS soket_http_test_support)
soket_add_test(http_parser_test unit/http_parser_test.cpp LIBS soket_http_test_support)
soket_add_test(http_parser_peers_test interop/http_parser_peers_test.cpp)

# The text-protocol plumbing shared by the mail, ftp and news clients.
soket_add_test(line_channel_test integration/line_channel_test.cpp)

# The news lane: Telnet, Gopher and NNTP clients (parsers, scripted hostile servers, and the
# real servers INN, inetutils-telnetd and gophernicus from tests/support/servers/).
add_library(soket_news_test_support STATIC support/servers/news_server.cpp)
target_include_directories(soket_news_test_support PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/support)
target_link_libraries(soket_news_test_support PUBLIC soket_test_support PRIVATE soket_warnings)
soket_add_test(telnet_protocol_test unit/telnet_protocol_test.cpp)
soket_add_test(telnet_client_test integration/telnet_client_test.cpp)
soket_add_test(gopher_menu_test unit/gopher_menu_test.cpp)
soket_add_test(gopher_client_test integration/gopher_client_test.cpp)
soket_add_test(gophernicus_test interop/gophernicus_test.cpp LIBS soket_news_test_support)
soket_add_test(nntp_overview_test unit/nntp_overview_test.cpp)
soket_add_test(nntp_client_test integration/nntp_client_test.cpp)
soket_add_test(telnetd_test interop/telnetd_test.cpp LIBS soket_news_test_support)
soket_add_test(inn_test interop/inn_test.cpp LIBS soket_news_test_support TIMEOUT 180)
soket_add_test(news_tools_test interop/news_tools_test.cpp LIBS soket_news_test_support
               TIMEOUT 240)
add_dependencies(news_tools_test soket_tool)
