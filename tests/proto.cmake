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

# Mail clients against real servers the tests start from tests/support/servers/ (aiosmtpd,
# Dovecot; skipped with the reason when missing) and against hostile fake servers.
function(soket_add_mail_test name)
  soket_add_test(${name} ${ARGN} TIMEOUT 300)
  target_compile_definitions(${name} PRIVATE
    SOKET_MAIL_SERVERS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/support/servers")
endfunction()
soket_add_mail_test(smtp_test interop/smtp_test.cpp)
soket_add_mail_test(pop3_test interop/pop3_test.cpp)
soket_add_mail_test(imap_test interop/imap_test.cpp)
soket_add_test(imap_response_test unit/imap_response_test.cpp)
soket_add_test(base64_test unit/base64_test.cpp)
if(TARGET soket_tool)
  soket_add_mail_test(mail_tool_test interop/mail_tool_test.cpp)
  add_dependencies(mail_tool_test soket_tool)
endif()
