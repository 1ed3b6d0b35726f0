// SPDX-License-Identifier: MIT
// libFuzzer target for the FTP client's parsers of what a server (or a user) sends: the reply
// parsers (parse150/227/229/257), MLSD fact lines, reply framing and ftp:// URLs. Each either
// returns or throws its documented exception; properties checked on what they return.
#include <soket/proto/ftp/error.hpp>
#include <soket/proto/ftp/reply.hpp>
#include <soket/proto/ftp/url.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace ftp = soket::proto::ftp;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "ftp_reply_fuzz: %s\n", what);
  std::abort();
}

template <class Fn>
void expect_ftp_error(Fn&& fn) {
  try {
    fn();
  } catch (const ftp::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ftp::parse150(text);
  expect_ftp_error([&] {
    auto [host, port] = ftp::parse227(text);
    if (host.size() > 15 || !text.starts_with("227")) fail("parse227 accepted a bad reply");
    (void)port;
  });
  expect_ftp_error([&] { (void)ftp::parse229(text); });
  expect_ftp_error([&] {
    if (ftp::parse257(text).size() > text.size()) fail("parse257 grew the name");
  });
  expect_ftp_error([&] {
    auto e = ftp::parse_mlsd_line(text);
    if (e.name.size() >= text.size() && !text.empty()) fail("mlsd name longer than its line");
  });
  std::size_t nl = text.find('\n');
  if (nl != std::string_view::npos) (void)ftp::ends_reply(text.substr(0, nl), text.substr(nl + 1));
  try {
    auto url = ftp::parse_url(text);
    if (url.host.empty() || url.port == 0) fail("parse_url accepted no host or port 0");
    if (url.path.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      fail("parse_url let CR, LF or NUL into the path");
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
