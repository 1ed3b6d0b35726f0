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

# The HTTP server: raw sockets through the project's response parser.
add_library(soket_http_server_test_support STATIC support/http_server_client.cpp)
target_include_directories(soket_http_server_test_support PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(soket_http_server_test_support PUBLIC soket::soket
                      PRIVATE soket_warnings)
soket_add_test(http_server_test integration/http_server_test.cpp
               LIBS soket_http_server_test_support)
soket_add_test(http_server_flow_test integration/http_server_flow_test.cpp
               LIBS soket_http_server_test_support TIMEOUT 400)
soket_add_test(http_server_peers_test interop/http_server_peers_test.cpp
               LIBS soket_http_server_test_support TIMEOUT 240)
# Static files (proto/http): the pure pieces, then the document root on real files.
soket_add_test(http_range_test unit/http_range_test.cpp)
soket_add_test(http_conditional_test unit/http_conditional_test.cpp)
soket_add_test(http_target_path_test unit/http_target_path_test.cpp)
soket_add_test(http_mime_types_test unit/http_mime_types_test.cpp)
soket_add_test(http_document_root_test integration/http_document_root_test.cpp)
soket_add_test(http_file_cache_test integration/http_file_cache_test.cpp
               LIBS soket_http_server_test_support)
soket_add_test(http_files_peers_test interop/http_files_peers_test.cpp
               LIBS soket_http_server_test_support TIMEOUT 240)
soket_add_test(http_url_test unit/http_url_test.cpp)
# The HTTP client against Python's http.server, nginx, openssl s_server, a Python proxy and a
# Python server of good and hostile behaviours (tests/support/servers/http_script_server.hpp).
soket_add_test(http_client_test interop/http_client_test.cpp TIMEOUT 180)
if(TARGET soket_tool)
  soket_add_test(http_get_tool_test interop/http_get_tool_test.cpp TIMEOUT 180)
  add_dependencies(http_get_tool_test soket_tool)
endif()
# The text-protocol plumbing shared by the mail, ftp and news clients.
soket_add_test(line_channel_test integration/line_channel_test.cpp)

# Mail clients against real servers the tests start from tests/support/servers/ (aiosmtpd,
# Dovecot; skipped with the reason when missing) and against hostile fake servers.
function(soket_add_mail_test name)
  soket_add_test(${name} ${ARGN} TIMEOUT 300 LABELS servers)
  target_compile_definitions(${name} PRIVATE
    SOKET_MAIL_SERVERS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/support/servers")
endfunction()
soket_add_mail_test(smtp_test interop/smtp_test.cpp)
soket_add_mail_test(pop3_test interop/pop3_test.cpp)
soket_add_mail_test(imap_test interop/imap_test.cpp)
soket_add_test(imap_response_test unit/imap_response_test.cpp)
soket_add_test(mail_message_test unit/mail_message_test.cpp)
soket_add_test(mailbox_test integration/mailbox_test.cpp)
soket_add_test(base64_test unit/base64_test.cpp)

# FTP (issue 13): reply parsers, hostile fake servers, vsftpd and pyftpdlib.
soket_add_test(ftp_reply_test unit/ftp_reply_test.cpp)
soket_add_test(ftp_hostile_test integration/ftp_hostile_test.cpp)
add_library(soket_ftp_server_fixture STATIC support/servers/ftp_server.cpp)
target_link_libraries(soket_ftp_server_fixture PUBLIC soket_test_support PRIVATE soket_warnings)
soket_add_test(ftp_servers_test interop/ftp_servers_test.cpp LIBS soket_ftp_server_fixture
               TIMEOUT 180 LABELS servers)
# The news lane: Telnet, Gopher and NNTP clients (parsers, scripted hostile servers, and the
# real servers INN, inetutils-telnetd and gophernicus from tests/support/servers/).
add_library(soket_news_test_support STATIC support/servers/news_server.cpp)
target_include_directories(soket_news_test_support PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/support)
target_link_libraries(soket_news_test_support PUBLIC soket_test_support PRIVATE soket_warnings)
soket_add_test(telnet_protocol_test unit/telnet_protocol_test.cpp)
soket_add_test(telnet_client_test integration/telnet_client_test.cpp)
soket_add_test(gopher_menu_test unit/gopher_menu_test.cpp)
soket_add_test(gopher_client_test integration/gopher_client_test.cpp)
soket_add_test(gophernicus_test interop/gophernicus_test.cpp LIBS soket_news_test_support LABELS servers)
soket_add_test(nntp_overview_test unit/nntp_overview_test.cpp)
soket_add_test(nntp_client_test integration/nntp_client_test.cpp)
soket_add_test(telnetd_test interop/telnetd_test.cpp LIBS soket_news_test_support LABELS servers)
soket_add_test(inn_test interop/inn_test.cpp LIBS soket_news_test_support TIMEOUT 180
               LABELS servers)
soket_add_test(news_tools_test interop/news_tools_test.cpp LIBS soket_news_test_support
               TIMEOUT 240 LABELS servers)
add_dependencies(news_tools_test soket_tool)
if(TARGET soket_tool)
  soket_add_mail_test(mail_tool_test interop/mail_tool_test.cpp)
  add_dependencies(mail_tool_test soket_tool)
endif()
