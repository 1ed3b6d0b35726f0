// SPDX-License-Identifier: MIT
// StaticFiles' file cache on http::Server over loopback: whatever happens to a served file —
// rewritten in place (same size, within the same clock tick too), replaced by a rename,
// removed, recreated, a symlink retargeted out of the root — the next answer shows the new
// state; the cache stays within its bound; turned off it still answers the same.
#include <soket/proto/http/static_files.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <soket/proto/http/server.hpp>

#include "support/http_server_client.hpp"
#include "support/served_files.hpp"

using namespace soket;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace http = soket::proto::http;

namespace {

std::string pattern(std::size_t n, char first) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(first + i % 26));
  return s;
}

class FileCache : public test::ServedFiles {
 protected:
  FileCache() : ServedFiles("soket_file_cache_") {}

  // Same size, other bytes, without truncating first (the inode and size stay).
  static void rewrite_in_place(const fs::path& p, std::string_view text) {
    const int fd = ::open(p.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, text.data(), text.size(), 0), static_cast<ssize_t>(text.size()));
    ::close(fd);
  }
  // Files are cached only once they are a second old (a younger file could change again
  // inside one clock tick): let them age.
  static void age() { std::this_thread::sleep_for(1100ms); }
  test::HttpReply get(std::string_view path, std::string_view method = "GET") {
    test::RawHttp c(server->address());
    c.send(std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n\r\n");
    auto r = c.read(method);
    if (!r) throw std::runtime_error("no response");
    return *r;
  }
  // A file's whole life, small (in memory) or large (a cached descriptor and sendfile).
  void follow_changes(const std::string& name, std::size_t size) {
    const fs::path p = root / name;
    const std::string url = "/" + name;
    write(p, pattern(size, 'a'));
    age();
    EXPECT_EQ(get(url).body, pattern(size, 'a'));
    EXPECT_EQ(files->cached_files(), 1u);
    EXPECT_EQ(get(url).body, pattern(size, 'a'));  // from the cache

    rewrite_in_place(p, pattern(size, 'b'));
    EXPECT_EQ(get(url).body, pattern(size, 'b')) << "rewritten in place";
    rewrite_in_place(p, pattern(size, 'c'));  // at once: maybe the same tick, same size
    EXPECT_EQ(get(url).body, pattern(size, 'c')) << "rewritten again at once";

    age();
    EXPECT_EQ(get(url).body, pattern(size, 'c'));
    write(base / "next", pattern(size, 'd'));
    fs::rename(base / "next", p);
    EXPECT_EQ(get(url).body, pattern(size, 'd')) << "replaced by a rename";

    age();
    EXPECT_EQ(get(url).body, pattern(size, 'd'));
    write(p, pattern(size / 2, 'e'));  // truncated and shorter
    auto r = get(url);
    EXPECT_EQ(r.body, pattern(size / 2, 'e')) << "truncated and rewritten";
    EXPECT_EQ(r.header("Content-Length"), std::to_string(size / 2));

    age();
    EXPECT_EQ(get(url).status, 200);
    fs::remove(p);
    EXPECT_EQ(get(url).status, 404) << "removed";
    write(p, pattern(size, 'f'));
    EXPECT_EQ(get(url).body, pattern(size, 'f')) << "created again";
  }
};

}  // namespace

TEST_F(FileCache, SmallFileAnswersFollowEveryChange) {
  start();
  follow_changes("small.txt", 4096);
}

TEST_F(FileCache, LargeFileAnswersFollowEveryChange) {
  start();
  follow_changes("large.bin", 200 << 10);
}

TEST_F(FileCache, HeadAndConditionalRequestsAgreeWithTheCachedFile) {
  write(root / "a.txt", "hello\n");
  age();
  start();
  auto r = get("/a.txt");
  ASSERT_EQ(r.status, 200);
  const auto etag = r.header("ETag");
  ASSERT_TRUE(etag);
  EXPECT_EQ(r.header("Content-Type"), "text/plain");
  EXPECT_EQ(r.header("Accept-Ranges"), "bytes");
  EXPECT_TRUE(r.header("Last-Modified"));
  r = get("/a.txt", "HEAD");
  EXPECT_EQ(r.header("Content-Length"), "6");
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.header("ETag"), etag);
  test::RawHttp c(server->address());
  c.send("GET /a.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: " + *etag + "\r\n\r\n");
  auto cond = c.read();
  ASSERT_TRUE(cond);
  EXPECT_EQ(cond->status, 304);
  c.send("GET /a.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=1-2\r\n\r\n");
  auto part = c.read();
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, "el");
}

// A symlink inside the root, served and cached, then pointed at a file outside: the cached
// file is not served through it (the fstatat that checks it lands on another inode), and the
// fresh open refuses the way out.
TEST_F(FileCache, SymlinkRetargetedOutOfTheRootIsRefused) {
  write(root / "inside.txt", "inside\n");
  write(base / "secret.txt", "top secret\n");
  fs::create_symlink("inside.txt", root / "link.txt");
  age();
  start();
  EXPECT_EQ(get("/link.txt").body, "inside\n");
  EXPECT_GE(files->cached_files(), 1u);
  fs::remove(root / "link.txt");
  fs::create_symlink("../secret.txt", root / "link.txt");
  auto r = get("/link.txt");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
}

TEST_F(FileCache, StaysWithinItsBoundAndCanBeTurnedOff) {
  for (int i = 0; i < 10; ++i) write(root / ("f" + std::to_string(i)), std::to_string(i));
  age();
  start({.cache_entries = 4});
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(get("/f" + std::to_string(i)).body, std::to_string(i));
      EXPECT_LE(files->cached_files(), 4u);
    }
  EXPECT_EQ(files->cached_files(), 4u);
  server.reset();
  start({.cache_entries = 0});
  EXPECT_EQ(get("/f3").body, "3");
  EXPECT_EQ(get("/missing").status, 404);
  EXPECT_EQ(files->cached_files(), 0u);
}

// Several loops share one StaticFiles (and its cache) while a file is replaced under them:
// every answer is one whole version, never a mix (TSan checks the sharing).
TEST_F(FileCache, LoopsShareTheCacheWhileTheFileChanges) {
  write(root / "v.txt", std::string(1000, 'a'));
  age();
  files = std::make_shared<http::StaticFiles>(root);
  http::ServerOptions o;
  o.engine.threads = 2;
  server = std::make_unique<http::Server>(
      Address("127.0.0.1", 0),
      [f = files](const http::Request& req, http::Response& res) { (*f)(req, res); }, o);
  server->start();
  std::atomic<bool> stop{false};
  std::thread changer([&] {
    for (char v = 'b'; !stop && v <= 'z'; ++v) {
      write(base / "next", std::string(1000, v));
      fs::rename(base / "next", root / "v.txt");
      std::this_thread::sleep_for(5ms);
    }
  });
  auto client = [&] {
    for (int i = 0; i < 100; ++i) {
      const std::string body = get("/v.txt").body;
      ASSERT_EQ(body.size(), 1000u);
      EXPECT_EQ(body, std::string(1000, body[0]));
    }
  };
  std::thread a(client), b(client);
  a.join();
  b.join();
  stop = true;
  changer.join();
}
