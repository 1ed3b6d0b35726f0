// SPDX-License-Identifier: MIT
// The raw requests of reference/http.md §2 (copied here: tests do not read /work/shared), each
// with what a strict server answers: 0 = parsed (then how many messages and the body bytes),
// else the error's status. IDs are the reference's: V valid, L line/field syntax, S smuggling,
// C chunked, Z limits, E Expect.
#pragma once

#include <soket/proto/http/parse_error.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace soket::test {

struct HttpVector {
  std::string id;
  std::string raw;
  int status;                       // 0: accepted
  proto::http::ParseError error{};  // when status != 0
  int messages = 0;                 // when accepted: complete messages
  std::string body;                 // when accepted: every body byte
  bool pending = false;             // when accepted: the stream stops inside a message
};

/// Test names and failure messages show the row's id, not its bytes.
inline void PrintTo(const HttpVector& v, std::ostream* os) {
  *os << v.id;
}

/// The table (Z1-Z3 are 4-20 KiB: they cross Limits' defaults).
std::vector<HttpVector> http_vectors();

}  // namespace soket::test
