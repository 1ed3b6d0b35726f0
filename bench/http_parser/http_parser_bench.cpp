// SPDX-License-Identifier: MIT
// Micro-benchmark of the HTTP/1.1 parser: bytes/s and time per message over requests and
// responses a server and a client see, parsed whole, pipelined and one byte at a time.
#include <benchmark/benchmark.h>
#include <soket/proto/http/parser.hpp>

#include <cstdlib>
#include <string>
#include <string_view>

namespace http = soket::proto::http;

namespace {

// curl's request (reference/http.md §5).
const std::string curl_get =
    "GET /dir/file.txt HTTP/1.1\r\nHost: 127.0.0.1:18090\r\nUser-Agent: curl/7.88.1\r\n"
    "Accept: */*\r\n\r\n";

// A browser's request: 13 fields, a cookie, 552 bytes.
const std::string browser_get =
    "GET /static/app/main.3f9a1c.js?v=20261130 HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Chromium\";v=\"119\", \"Not?A_Brand\";v=\"24\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36\r\n"
    "sec-ch-ua-platform: \"Linux\"\r\n"
    "Accept: */*\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Sec-Fetch-Mode: no-cors\r\n"
    "Referer: https://www.example.com/\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Accept-Language: en-US,en;q=0.9,id;q=0.8\r\n"
    "Cookie: session=8c1f2a9e7b6d4c3f; theme=dark; _ga=GA1.2.1234567890.1700000000\r\n\r\n";

// nginx's answer to a static file, with its 1 KiB body.
const std::string nginx_200 =
    "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 30 Nov 2026 00:00:00 GMT\r\n"
    "Content-Type: text/plain\r\nContent-Length: 1024\r\n"
    "Last-Modified: Sun, 29 Nov 2026 23:00:00 GMT\r\nConnection: keep-alive\r\n"
    "ETag: \"6b0c844b-400\"\r\nAccept-Ranges: bytes\r\n\r\n" +
    std::string(1024, 'x');

std::string chunked_post() {
  std::string s = "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 16; ++i) s += "1000\r\n" + std::string(4096, 'b') + "\r\n";
  return s + "0\r\n\r\n";
}

// Parses every message in `stream` (whole), returning how many ended.
int parse_all(http::Parser& p, std::string_view stream) {
  int messages = 0;
  for (;;) {
    const http::Result r = p.parse(stream);
    benchmark::DoNotOptimize(r.data.data());
    stream.remove_prefix(r.consumed);
    if (r.event == http::Event::end) ++messages;
    if (r.event == http::Event::need_more) return messages;
    if (r.event == http::Event::error) std::abort();
  }
}

void report(benchmark::State& state, std::size_t bytes, int messages) {
  const auto iterations = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(bytes));
  state.counters["time/msg"] = benchmark::Counter(
      iterations * messages, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void run(benchmark::State& state, const std::string& stream, http::Parser::Kind kind) {
  http::Parser p(kind);
  int messages = 0;
  for (auto _ : state) messages = parse_all(p, stream);
  report(state, stream.size(), messages);
}

void BM_CurlRequest(benchmark::State& s) {
  run(s, curl_get, http::Parser::Kind::request);
}
void BM_BrowserRequest(benchmark::State& s) {
  run(s, browser_get, http::Parser::Kind::request);
}

void BM_BrowserPipelined16(benchmark::State& s) {
  std::string stream;
  for (int i = 0; i < 16; ++i) stream += browser_get;
  run(s, stream, http::Parser::Kind::request);
}

void BM_ChunkedPost64KiB(benchmark::State& s) {
  run(s, chunked_post(), http::Parser::Kind::request);
}

void BM_Response1KiB(benchmark::State& s) {
  run(s, nginx_200, http::Parser::Kind::response);
}

// The worst split: one byte per call (each call sees the head so far plus one byte).
void BM_BrowserRequestBytewise(benchmark::State& state) {
  http::Parser p(http::Parser::Kind::request);
  const std::string_view all = browser_get;
  for (auto _ : state) {
    std::size_t start = 0;  // first unconsumed byte
    for (std::size_t end = 1; end <= all.size(); ++end) {
      for (;;) {
        const http::Result r = p.parse(all.substr(start, end - start));
        start += r.consumed;
        if (r.event == http::Event::need_more) break;
        if (r.event == http::Event::error) std::abort();
      }
    }
    if (p.in_message()) std::abort();  // the head, then the end of a bodiless request
  }
  report(state, all.size(), 1);
}

}  // namespace

BENCHMARK(BM_CurlRequest);
BENCHMARK(BM_BrowserRequest);
BENCHMARK(BM_BrowserPipelined16);
BENCHMARK(BM_BrowserRequestBytewise);
BENCHMARK(BM_ChunkedPost64KiB);
BENCHMARK(BM_Response1KiB);
BENCHMARK_MAIN();
