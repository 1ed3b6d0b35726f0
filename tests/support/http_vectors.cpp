// SPDX-License-Identifier: MIT
#include "http_vectors.hpp"

#include <cstddef>

namespace soket::test {

using proto::http::ParseError;

namespace {
// A literal with its embedded NULs kept.
template <std::size_t N>
std::string S(const char (&s)[N]) {
  return std::string(s, N - 1);
}
}  // namespace

std::vector<HttpVector> http_vectors() {
  std::vector<HttpVector> v;
  const auto ok = [&v](std::string id, std::string raw, int messages, std::string body,
                       bool pending = false) {
    v.push_back({std::move(id), std::move(raw), 0, {}, messages, std::move(body), pending});
  };
  const auto bad = [&v](std::string id, std::string raw, int status, ParseError e) {
    v.push_back({std::move(id), std::move(raw), status, e, 0, {}, false});
  };
  // A chunked POST's head, for the C rows.
  const std::string C = "POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  ok("V1", S("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 1, "");
  ok("V2", S("GET / HTTP/1.0\r\n\r\n"), 1, "");
  ok("V3", S("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), 2, "");
  ok("V4", S("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), 1, "");
  ok("V5", S("GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n"), 1, "");
  ok("V6", S("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), 1, "");
  ok("V7", S("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xe9\r\n\r\n"), 1, "");
  ok("V8", S("GET / HTTP/1.1\r\nHost: a\r\nX:\tv\t\r\n\r\n"), 1, "");
  ok("V9", S("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 003\r\n\r\nabc"), 1, "abc");
  ok("V10",
     S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=\"q "
       "v\"\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"),
     1, "abc");
  ok("V11", S("GET / HTTP/1.2\r\nHost: a\r\n\r\n"), 1, "");
  ok("V12",
     S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), 1,
     "abc");
  ok("V13",
     S("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 26\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n"), 1,
     "GET /x HTTP/1.1\r\nHost: a\r\n");
  bad("L1", S("GET / HTTP/1.1\r\n\r\n"), 400, ParseError::missing_host);
  bad("L2", S("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400, ParseError::duplicate_host);
  bad("L3", S("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), 400, ParseError::bad_host);
  bad("L4", S("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400, ParseError::whitespace_before_colon);
  bad("L5", S("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"), 400,
      ParseError::obsolete_line_folding);
  bad("L6", S("GET / HTTP/1.1\r\n Host: a\r\n\r\n"), 400, ParseError::whitespace_after_start_line);
  bad("L7", S("GET / HTTP/1.1\nHost: a\n\n"), 400, ParseError::bad_line_ending);
  bad("L8", S("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n"), 400, ParseError::bad_line_ending);
  bad("L9", S("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n"), 400, ParseError::bad_field_value);
  bad("L10", S("GET / HTTP/1.1\r\nHost: a\r\nX\x01Y: 1\r\n\r\n"), 400, ParseError::bad_field_name);
  bad("L11", S("GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n"), 400, ParseError::bad_field_name);
  bad("L12", S("G(T / HTTP/1.1\r\nHost: a\r\n\r\n"), 400, ParseError::bad_method);
  bad("L13", S("FROB / HTTP/1.1\r\nHost: a\r\n\r\n"), 501, ParseError::unknown_method);
  bad("L14", S("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"), 400, ParseError::bad_target);
  bad("L15", S("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"), 400, ParseError::bad_version);
  bad("L16", S("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505, ParseError::version_not_supported);
  bad("L17", S("GET / http/1.1\r\nHost: a\r\n\r\n"), 400, ParseError::bad_version);
  bad("L18", S("GET / HTTP/1.10\r\nHost: a\r\n\r\n"), 400, ParseError::bad_version);
  bad("L19", S("GET /\r\n\r\n"), 400, ParseError::bad_request_line);
  bad("L20", S("GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n"), 400, ParseError::bad_target);
  bad("S1",
      S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: "
        "chunked\r\n\r\n0\r\n\r\n"),
      400, ParseError::content_length_with_transfer_encoding);
  bad("S2", S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc"),
      400, ParseError::duplicate_content_length);
  bad("S3", S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc"), 400,
      ParseError::bad_content_length);
  bad("S4", S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
      400, ParseError::duplicate_content_length);
  bad("S5", S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\nabc"), 400,
      ParseError::bad_content_length);
  bad("S6", S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"), 400,
      ParseError::bad_content_length);
  bad("S7", S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 0x3\r\n\r\nabc"), 400,
      ParseError::bad_content_length);
  bad("S8", S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n"), 400,
      ParseError::content_length_overflow);
  bad("S9", S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000000\r\n\r\n"), 413,
      ParseError::body_too_large);
  bad("S10",
      S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, "
        "identity\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
      400, ParseError::chunked_not_last);
  bad("S11", S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\nabc"), 501,
      ParseError::unsupported_transfer_coding);
  bad("S12",
      S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, "
        "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
      501, ParseError::unsupported_transfer_coding);
  bad("S13",
      S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
      501, ParseError::unsupported_transfer_coding);
  bad("S14",
      S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
        "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
      400, ParseError::chunked_twice);
  bad("S15",
      S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
        "\x0b"
        "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
      400, ParseError::bad_field_value);
  bad("S16", S("POST /p HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), 400,
      ParseError::transfer_encoding_in_http10);
  bad("S17",
      S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
      400, ParseError::whitespace_before_colon);
  ok("C0",
     S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), 1,
     "abc");
  bad("C1", C + "3 \r\nabc\r\n0\r\n\r\n", 400, ParseError::bad_chunk_size);
  bad("C2", C + "0x3\r\nabc\r\n0\r\n\r\n", 400, ParseError::bad_chunk_size);
  bad("C3", C + "10000000000000003\r\nabc\r\n0\r\n\r\n", 400, ParseError::chunk_size_overflow);
  bad("C4", C + "3\r\nabcd\r\n0\r\n\r\n", 400, ParseError::bad_chunk_data_end);
  bad("C5", C + "3\nabc\n0\n\n", 400, ParseError::bad_line_ending);
  bad("C6", C + "3;a\nb\r\nabc\r\n0\r\n\r\n", 400, ParseError::bad_chunk_extension);
  bad("C7", C + "-3\r\nabc\r\n0\r\n\r\n", 400, ParseError::bad_chunk_size);
  ok("C8", C + "3\r\nabc\r\n", 0, "abc", true);
  ok("E1", S("POST /p HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"),
     1, "abc");
  bad("E2", S("GET / HTTP/1.1\r\nHost: a\r\nExpect: foo\r\n\r\n"), 417,
      ParseError::expectation_failed);
  // Z1-Z3: over the default limits (8 KiB lines, 100 fields).
  const std::string get = "GET / HTTP/1.1\r\nHost: a\r\n";
  bad("Z1", get + "X: " + std::string(20 * 1024, 'a') + "\r\n\r\n", 431,
      ParseError::field_line_too_long);
  bad("Z2", "GET /" + std::string(20 * 1024, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", 414,
      ParseError::request_line_too_long);
  std::string many = get;
  for (int i = 0; i < 200; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  bad("Z3", many + "\r\n", 431, ParseError::too_many_fields);
  return v;
}

}  // namespace soket::test
