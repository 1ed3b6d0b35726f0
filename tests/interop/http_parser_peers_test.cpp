// SPDX-License-Identifier: MIT
// The HTTP/1.1 parser on the bytes real peers send over loopback: requests from curl and from
// Python's http.client (chunked uploads, keep-alive), responses from Python's http.server
// (pipelined GET, HEAD and a 404 on one connection).
#include <soket/proto/http/parser.hpp>
#include <soket/socket.hpp>

#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/support.hpp"

namespace http = soket::proto::http;
using soket::Socket;
using soket::test::Child;
using soket::test::python_argv;

namespace {

// One message as read off a socket, copied out of the buffer.
struct Message {
  std::string method, target, host;
  int status = 0;
  std::vector<std::pair<std::string, std::string>> fields;
  http::BodyKind framing = http::BodyKind::none;
  bool keep_alive = false;
  std::string body;
  std::string field(std::string_view name) const {
    for (const auto& [n, v] : fields)
      if (http::iequals(n, name)) return v;
    return "(none)";
  }
};

// Reads one whole message from `conn` through `parser`; `buffer` keeps what follows it. A
// socket timeout bounds every recv; ADD_FAILURE on a parse error or an early close.
Message read_message(Socket& conn, http::Parser& parser, std::string& buffer) {
  Message m;
  for (;;) {
    const http::Result r = parser.parse(buffer);
    switch (r.event) {
      case http::Event::head: {
        const http::MessageHead& h = parser.head();
        for (const http::Field& f : h.fields) m.fields.emplace_back(f.name, f.value);
        m.framing = h.body;
        m.keep_alive = h.keep_alive;
        m.method = parser.request().method;
        m.target = parser.request().target;
        m.host = parser.request().host;
        m.status = parser.response().status;
        break;
      }
      case http::Event::body: m.body += r.data; break;
      case http::Event::end: buffer.erase(0, r.consumed); return m;
      case http::Event::error:
        ADD_FAILURE() << "parse error: " << parser.error().message();
        return m;
      case http::Event::need_more: {
        buffer.erase(0, r.consumed);
        const std::string more = conn.recv(65536);
        if (more.empty()) {
          if (parser.finish().event != http::Event::end) ADD_FAILURE() << "closed early";
          return m;
        }
        buffer += more;
        continue;
      }
    }
    buffer.erase(0, r.consumed);
  }
}

struct Listener {
  Socket socket = soket::test::listen_ephemeral();
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(socket.getsockname().port()) + std::string(path);
  }
  Socket accept() {
    socket.settimeout(20.0);
    auto accepted = socket.accept();
    accepted.conn.settimeout(20.0);
    return std::move(accepted.conn);
  }
};

// Runs curl with `args` against a listener and returns the request it sent.
Message curl_request(std::vector<std::string> args, std::string_view path,
                     std::string_view stdin_data = {}) {
  Listener l;
  std::vector<std::string> argv = {"curl",      "-s", "-o",         "/dev/null",
                                   "--noproxy", "*",  "--max-time", "20"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(l.url(path));
  Child curl(argv);
  curl.write_stdin(stdin_data);
  curl.close_stdin();
  Socket conn = l.accept();
  http::Parser parser(http::Parser::Kind::request);
  std::string buffer;
  Message m = read_message(conn, parser, buffer);
  conn.sendall("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  conn.close();
  EXPECT_EQ(curl.wait(), 0) << curl.read_stderr();
  EXPECT_TRUE(buffer.empty()) << "bytes after the request: " << buffer;
  return m;
}

TEST(HttpParserPeers, ParsesCurlsGet) {
  const Message m = curl_request({}, "/dir/file.txt?a=1&b=%20");
  EXPECT_EQ(m.method, "GET");
  EXPECT_EQ(m.target, "/dir/file.txt?a=1&b=%20");
  EXPECT_EQ(m.host.substr(0, 10), "127.0.0.1:");
  EXPECT_EQ(m.field("accept"), "*/*");
  EXPECT_EQ(m.field("user-agent").substr(0, 5), "curl/");
  EXPECT_EQ(m.framing, http::BodyKind::none);
  EXPECT_TRUE(m.keep_alive);
}

TEST(HttpParserPeers, ParsesCurlsHeadAndFormPost) {
  EXPECT_EQ(curl_request({"-I"}, "/").method, "HEAD");
  const Message m = curl_request({"-d", "a=1", "-d", "b=2"}, "/form");
  EXPECT_EQ(m.method, "POST");
  EXPECT_EQ(m.framing, http::BodyKind::length);
  EXPECT_EQ(m.field("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(m.body, "a=1&b=2");
}

TEST(HttpParserPeers, ParsesCurlsChunkedUpload) {
  std::string data(100000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 % 251);
  const Message m = curl_request(
      {"-X", "PUT", "-H", "Transfer-Encoding: chunked", "--data-binary", "@-"}, "/up", data);
  EXPECT_EQ(m.method, "PUT");
  EXPECT_EQ(m.framing, http::BodyKind::chunked);
  EXPECT_EQ(m.body.size(), data.size());
  EXPECT_EQ(m.body, data);
}

// http.client: a chunked upload (encode_chunked) then a Content-Length POST, keep-alive.
constexpr const char* python_client = R"(
import http.client, sys
c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=20)
c.request('POST', '/chunked', body=iter([b'hello ', b'', b'world']), encode_chunked=True,
          headers={'X-Test': 'caf\xe9'.encode('latin-1')})
r = c.getresponse(); r.read(); print(r.status, flush=True)
c.request('POST', '/length', body=b'x' * 70000)
r = c.getresponse(); print(r.status, len(r.read()), flush=True)
c.close()
)";

TEST(HttpParserPeers, ParsesPythonHttpClientsRequestsOnOneConnection) {
  Listener l;
  Child py(python_argv(python_client, {std::to_string(l.socket.getsockname().port())}));
  Socket conn = l.accept();
  http::Parser parser(http::Parser::Kind::request);
  std::string buffer;
  const Message first = read_message(conn, parser, buffer);
  EXPECT_EQ(first.target, "/chunked");
  EXPECT_EQ(first.framing, http::BodyKind::chunked);
  EXPECT_EQ(first.body, "hello world");
  EXPECT_EQ(first.field("x-test"), "caf\xe9");
  EXPECT_EQ(first.field("accept-encoding"), "identity");
  conn.sendall("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
  const Message second = read_message(conn, parser, buffer);
  EXPECT_EQ(second.target, "/length");
  EXPECT_EQ(second.framing, http::BodyKind::length);
  EXPECT_EQ(second.body, std::string(70000, 'x'));
  conn.sendall("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(py.read_line(), "201");
  EXPECT_EQ(py.read_line(), "200 3");
  EXPECT_EQ(py.wait(), 0) << py.read_stderr();
}

// Python's http.server (HTTP/1.1, keep-alive) serving a temporary directory on port 0.
constexpr const char* python_server = R"(
import functools, http.server, sys
class H(http.server.SimpleHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def log_message(self, *a): pass
s = http.server.HTTPServer(('127.0.0.1', 0), functools.partial(H, directory=sys.argv[1]))
print(s.server_address[1], flush=True)
s.serve_forever()
)";

TEST(HttpParserPeers, ParsesPythonHttpServersPipelinedResponses) {
  char dir_template[] = "/tmp/soket-http-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::filesystem::path dir = dir_template;
  std::string content(5000, 'z');
  std::ofstream(dir / "file.txt", std::ios::binary) << content;
  Child py(python_argv(python_server, {dir.string()}));
  const auto port_line = py.read_line();
  ASSERT_TRUE(port_line) << py.read_stderr();
  Socket s(soket::Family::inet);
  s.settimeout(20.0);
  s.connect({"127.0.0.1", static_cast<std::uint16_t>(std::stoi(*port_line))});
  s.sendall(
      "GET /file.txt HTTP/1.1\r\nHost: x\r\n\r\n"
      "HEAD /file.txt HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  http::Parser parser(http::Parser::Kind::response);
  std::string buffer;
  const Message get = read_message(s, parser, buffer);
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, content);
  parser.response_to("HEAD");
  const Message head = read_message(s, parser, buffer);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.field("content-length"), "5000");
  EXPECT_EQ(head.body, "");
  const Message missing = read_message(s, parser, buffer);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(std::to_string(missing.body.size()), missing.field("content-length"));
  EXPECT_FALSE(missing.keep_alive);
  std::filesystem::remove_all(dir);
}

}  // namespace
