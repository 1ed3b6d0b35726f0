// SPDX-License-Identifier: MIT
#include "http_transcript.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace soket::test {

namespace http = proto::http;

namespace {

std::string fields_text(std::span<const http::Field> fields) {
  std::string out;
  for (const http::Field& f : fields) {
    out += std::string(f.name) + ": " + std::string(f.value) + "; ";
  }
  return out;
}

const char* body_name(http::BodyKind k) {
  switch (k) {
    case http::BodyKind::none: return "none";
    case http::BodyKind::length: return "length";
    case http::BodyKind::chunked: return "chunked";
    case http::BodyKind::until_close: return "until_close";
  }
  return "?";
}

// True if `part` lies inside `whole` (the zero-copy promise).
bool inside(std::string_view part, const char* begin, std::size_t size) {
  return part.empty() || (part.data() >= begin && part.data() + part.size() <= begin + size);
}

}  // namespace

std::string describe(const http::Parser& parser) {
  const http::MessageHead& h = parser.head();
  std::string s;
  if (const auto* p = &parser.request(); &h == p) {
    s = "request " + std::string(p->method) + " " + std::string(p->target) +
        " host=" + std::string(p->host) + " form=" + std::to_string(static_cast<int>(p->form)) +
        " expect=" + std::to_string(p->expect_continue);
  } else {
    const http::ResponseHead& r = parser.response();
    s = "response " + std::to_string(r.status) + " reason=" + std::string(r.reason);
  }
  s += " HTTP/" + std::to_string(h.version.major) + "." + std::to_string(h.version.minor) +
       " body=" + body_name(h.body) + ":" + std::to_string(h.content_length) +
       " keep_alive=" + std::to_string(h.keep_alive) + " upgrade=" + std::to_string(h.upgrade) +
       " fields=" + fields_text(h.fields);
  return s;
}

Transcript transcribe(http::Parser& parser, const std::vector<std::string_view>& pieces) {
  Transcript t;
  std::string buffer;
  std::string message_body;
  for (std::string_view piece : pieces) {
    buffer += piece;
    for (;;) {
      // Fresh storage every call: the parser must keep offsets, not pointers.
      auto storage = std::make_unique<char[]>(buffer.size() + 1);
      std::copy(buffer.begin(), buffer.end(), storage.get());
      const std::string_view input(storage.get(), buffer.size());
      const http::Result r = parser.parse(input);
      EXPECT_LE(r.consumed, input.size());
      switch (r.event) {
        case http::Event::need_more: break;
        case http::Event::head: {
          t.lines.push_back(describe(parser));
          const http::MessageHead& h = parser.head();
          for (const http::Field& f : h.fields) {
            EXPECT_TRUE(inside(f.name, input.data(), r.consumed)) << "a name is not a view";
            EXPECT_TRUE(inside(f.value, input.data(), r.consumed)) << "a value is not a view";
          }
          break;
        }
        case http::Event::body:
          EXPECT_FALSE(r.data.empty());
          EXPECT_TRUE(inside(r.data, input.data(), r.consumed)) << "body piece is not a view";
          message_body += r.data;
          break;
        case http::Event::end:
          for (const http::Field& f : parser.trailers())
            EXPECT_TRUE(inside(f.value, input.data(), r.consumed));
          t.lines.push_back("end body=" + message_body +
                            " trailers=" + fields_text(parser.trailers()));
          t.body += message_body;
          message_body.clear();
          ++t.messages;
          break;
        case http::Event::error:
          t.error = parser.error();
          t.status = http::status_of(t.error);
          t.lines.push_back("error " + t.error.message());
          return t;
      }
      buffer.erase(0, r.consumed);
      if (r.event == http::Event::need_more) break;
    }
  }
  if (parser.in_message()) t.lines.push_back("pending body=" + message_body);
  return t;
}

Transcript transcribe(http::Parser& parser, std::string_view bytes) {
  return transcribe(parser, std::vector<std::string_view>{bytes});
}

std::vector<std::string_view> cut(std::string_view bytes, std::size_t size) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < bytes.size(); i += size) out.push_back(bytes.substr(i, size));
  return out;
}

}  // namespace soket::test
