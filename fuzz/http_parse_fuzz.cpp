// SPDX-License-Identifier: MIT
// libFuzzer target for the HTTP/1.1 parser. Input: [flags] [split seed] [stream...]. flags
// bit 0 picks responses over requests, bit 1 allows unknown methods, bit 2 small limits, bits
// 3-4 the method the responses answer. The stream is parsed twice: whole, and cut into pieces
// of 1-16 bytes (sizes from the seed) in a buffer that moves before every call. Both must say
// the same thing (heads, body bytes, trailers, the error); every result must stay inside its
// input; and the parser must always make progress.
#include <soket/proto/http/parser.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace http = soket::proto::http;

namespace {

// A failed property: say which, then abort so libFuzzer saves the input.
[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "http_parse_fuzz: %s\n", what);
  std::abort();
}

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void describe_fields(std::string& log, std::span<const http::Field> fields,
                     std::string_view input) {
  for (const http::Field& f : fields) {
    if (!inside(f.name, input) || !inside(f.value, input)) fail("a field is not a view");
    if (f.name.empty()) fail("an empty field name");
    log.append(f.name).append(":").append(f.value).append("\n");
  }
}

bool is_request(const http::Parser& p) {
  return &p.head() == static_cast<const http::MessageHead*>(&p.request());
}

// What the parser said about the stream, as one string.
struct Run {
  std::string log;
  std::string body;
};

struct Options {
  http::Parser::Kind kind;
  http::Limits limits;
  bool unknown_methods;
  const char* method;
};

http::Parser make_parser(const Options& o) {
  http::Parser p(o.kind, o.limits);
  p.allow_unknown_methods(o.unknown_methods);
  p.response_to(o.method);
  return p;
}

// Parses what is in `buffer` until the parser needs more; false once it failed.
bool drain(http::Parser& p, std::string& buffer, Run& run) {
  int idle = 0;  // events in a row that consumed nothing
  for (;;) {
    // Fresh storage every call: the parser must keep offsets, not pointers.
    const auto storage = std::make_unique<char[]>(buffer.size() + 1);
    buffer.copy(storage.get(), buffer.size());
    const std::string_view input(storage.get(), buffer.size());
    const http::Result r = p.parse(input);
    if (r.consumed > input.size()) fail("consumed more than the input");
    if (!inside(r.data, input.substr(0, r.consumed))) fail("body piece is not consumed input");
    switch (r.event) {
      case http::Event::need_more:
        if (r.consumed > input.size()) fail("need_more consumed too much");
        buffer.erase(0, r.consumed);
        return true;
      case http::Event::head: {
        const http::MessageHead& h = p.head();
        run.log += "head " + std::to_string(static_cast<int>(h.body)) + " " +
                   std::to_string(h.content_length) + " " + std::to_string(h.keep_alive) + "\n";
        if (is_request(p)) {
          const http::RequestHead& q = p.request();
          if (q.method.empty() || q.target.empty()) fail("empty method or target");
          if (!inside(q.method, input) || !inside(q.target, input) || !inside(q.host, input))
            fail("request line parts are not views");
          run.log.append(q.method).append(" ").append(q.target).append(" ").append(q.host);
        } else {
          const http::ResponseHead& s = p.response();
          if (s.status < 100 || s.status > 999) fail("status out of range");
          if (!inside(s.reason, input)) fail("reason is not a view");
          run.log += std::to_string(s.status);
        }
        run.log += "\n";
        describe_fields(run.log, h.fields, input.substr(0, r.consumed));
        if (r.consumed == 0) fail("a head of no bytes");
        break;
      }
      case http::Event::body:
        if (r.data.empty()) fail("an empty body piece");
        run.body += r.data;
        break;
      case http::Event::end:
        run.log += "end\n";
        describe_fields(run.log, p.trailers(), input.substr(0, r.consumed));
        break;
      case http::Event::error:
        if (!p.error()) fail("error without an error code");
        run.log += "error " + p.error().message() + "\n";
        return false;
    }
    idle = r.consumed == 0 ? idle + 1 : 0;
    if (idle > 2) fail("no progress");
    buffer.erase(0, r.consumed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t flags = data[0];
  std::uint32_t seed = data[1];
  const std::string_view stream(reinterpret_cast<const char*>(data + 2), size - 2);
  static constexpr const char* methods[] = {"GET", "HEAD", "CONNECT", "POST"};
  Options o{(flags & 1) != 0 ? http::Parser::Kind::response : http::Parser::Kind::request,
            {},
            (flags & 2) != 0,
            methods[(flags >> 3) & 3]};
  if ((flags & 4) != 0) {
    o.limits.max_start_line = 24;
    o.limits.max_field_line = 16;
    o.limits.max_fields = 4;
    o.limits.max_head = 96;
    o.limits.max_body = 32;
    o.limits.max_chunk_extensions = 8;
  }

  Run whole;
  http::Parser a = make_parser(o);
  std::string buffer(stream);
  if (drain(a, buffer, whole)) {
    const http::Result r = a.finish();
    whole.log += "finish " + std::to_string(static_cast<int>(r.event)) + "\n";
  }

  Run split;
  http::Parser b = make_parser(o);
  buffer.clear();
  bool alive = true;
  for (std::size_t i = 0; i < stream.size() && alive;) {
    seed = seed * 1103515245u + 12345u;
    const std::size_t n = 1 + (seed >> 16) % 16;
    buffer.append(stream.substr(i, n));
    i += n;
    alive = drain(b, buffer, split);
  }
  if (alive) {
    const http::Result r = b.finish();
    split.log += "finish " + std::to_string(static_cast<int>(r.event)) + "\n";
  }
  if (whole.log != split.log) {
    std::fprintf(stderr, "whole:\n%s\nsplit:\n%s\n", whole.log.c_str(), split.log.c_str());
    fail("the split stream parsed differently");
  }
  if (whole.body != split.body) fail("the split stream's body differs");
  return 0;
}
