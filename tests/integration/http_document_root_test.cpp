// SPDX-License-Identifier: MIT
// DocumentRoot on real files: symlinks that stay inside are followed, symlinks out of the root
// refused (unless allowed), FIFOs / sockets / devices refused without being opened, listings
// with hostile names escaped.
#include "soket/proto/http/document_root.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "soket/error.hpp"
#include "soket/proto/http/target_path.hpp"

namespace http = soket::proto::http;
namespace fs = std::filesystem;
using http::LookupResult;

namespace {

// A temporary tree: <base>/outside.txt and <base>/root/... (the document root).
class Tree : public ::testing::Test {
 protected:
  void SetUp() override {
    base = fs::temp_directory_path() /
           ("soket_docroot_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base);
    root = base / "root";
    fs::create_directories(root / "sub");
    write(base / "outside.txt", "secret");
    write(root / "a.txt", "hello");
    write(root / "sub" / "b.txt", "bee");
  }
  void TearDown() override { fs::remove_all(base); }
  static void write(const fs::path& p, std::string_view text) {
    std::ofstream(p, std::ios::binary) << text;
  }
  LookupResult lookup(const http::DocumentRoot& r, const std::string& rel, http::RootFile& f) {
    std::error_code ec;
    return r.open(rel, f, ec);
  }
  fs::path base, root;
};

std::string read_all(int fd) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(out.size()))) > 0)
    out.append(buf, static_cast<std::size_t>(n));
  return out;
}

}  // namespace

TEST_F(Tree, OpensFilesAndDirectories) {
  http::DocumentRoot r(root);
  http::RootFile f;
  ASSERT_EQ(lookup(r, "a.txt", f), LookupResult::found);
  EXPECT_FALSE(f.directory);
  EXPECT_EQ(f.size, 5u);
  EXPECT_EQ(read_all(f.fd.get()), "hello");
  ASSERT_EQ(lookup(r, "sub", f), LookupResult::found);
  EXPECT_TRUE(f.directory);
  ASSERT_EQ(lookup(r, "", f), LookupResult::found);
  EXPECT_TRUE(f.directory);
  EXPECT_EQ(lookup(r, "missing", f), LookupResult::not_found);
  EXPECT_EQ(lookup(r, "a.txt/x", f), LookupResult::not_found);
}

TEST_F(Tree, ARootThatIsNotADirectoryThrows) {
  EXPECT_THROW(http::DocumentRoot(root / "a.txt"), soket::Error);
  EXPECT_THROW(http::DocumentRoot(base / "nope"), soket::Error);
}

TEST_F(Tree, SymlinksInsideTheRootAreFollowed) {
  fs::create_symlink("sub/b.txt", root / "inside");
  fs::create_directory_symlink("sub", root / "subdir_link");
  http::DocumentRoot r(root);
  http::RootFile f;
  ASSERT_EQ(lookup(r, "inside", f), LookupResult::found);
  EXPECT_EQ(read_all(f.fd.get()), "bee");
  ASSERT_EQ(lookup(r, "subdir_link/b.txt", f), LookupResult::found);
  EXPECT_EQ(read_all(f.fd.get()), "bee");
}

TEST_F(Tree, SymlinksOutOfTheRootAreRefused) {
  fs::create_symlink("../outside.txt", root / "up");
  fs::create_symlink(base / "outside.txt", root / "absolute");
  fs::create_symlink("/etc", root / "etc");
  fs::create_symlink("sub/../../outside.txt", root / "sneaky");
  http::DocumentRoot r(root);
  http::RootFile f;
  EXPECT_EQ(lookup(r, "up", f), LookupResult::forbidden);
  EXPECT_EQ(lookup(r, "absolute", f), LookupResult::forbidden);
  EXPECT_EQ(lookup(r, "etc/passwd", f), LookupResult::forbidden);
  EXPECT_EQ(lookup(r, "sneaky", f), LookupResult::forbidden);
  EXPECT_FALSE(f.fd);
}

TEST_F(Tree, SymlinksOutOfTheRootWhenAllowed) {
  fs::create_symlink("../outside.txt", root / "up");
  http::DocumentRoot r(root, {.follow_symlinks_out = true});
  http::RootFile f;
  ASSERT_EQ(lookup(r, "up", f), LookupResult::found);
  EXPECT_EQ(read_all(f.fd.get()), "secret");
}

TEST_F(Tree, SpecialFilesAreRefusedWithoutBeingOpened) {
  // A FIFO with no writer would block an open(O_RDONLY): refusing it at once proves it was
  // stat'ed through O_PATH, not opened.
  ASSERT_EQ(::mkfifo((root / "fifo").c_str(), 0600), 0);
  const int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  const std::string sock = (root / "sock").string();
  ASSERT_LT(sock.size(), sizeof sa.sun_path);
  std::copy(sock.begin(), sock.end(), sa.sun_path);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  http::DocumentRoot r(root);
  http::RootFile f;
  EXPECT_EQ(lookup(r, "fifo", f), LookupResult::forbidden);
  EXPECT_EQ(lookup(r, "sock", f), LookupResult::forbidden);
  ::close(s);
  if (::mknod((root / "null").c_str(), S_IFCHR | 0600, makedev(1, 3)) == 0) {
    EXPECT_EQ(lookup(r, "null", f), LookupResult::forbidden);
  }
  fs::create_symlink("/dev/null", root / "devlink");
  http::DocumentRoot lax(root, {.follow_symlinks_out = true});
  EXPECT_EQ(lookup(lax, "devlink", f), LookupResult::forbidden);
}

TEST_F(Tree, ListingIsSortedAndMarksKinds) {
  fs::create_symlink("a.txt", root / "link");
  http::DocumentRoot r(root);
  http::RootFile dir;
  ASSERT_EQ(lookup(r, "", dir), LookupResult::found);
  std::error_code ec;
  const auto entries = r.list(dir, ec);
  ASSERT_FALSE(ec) << ec.message();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].name, "a.txt");
  EXPECT_EQ(entries[0].size, 5u);
  EXPECT_EQ(entries[1].name, "link");
  EXPECT_TRUE(entries[1].symlink);
  EXPECT_EQ(entries[2].name, "sub");
  EXPECT_TRUE(entries[2].directory);
}

TEST_F(Tree, ListingEscapesHostileNames) {
  write(root / "<img src=x onerror=alert(1)>", "x");
  write(root / "a\"b'c&d", "x");
  write(root / "sp ace?#%.txt", "x");
  http::DocumentRoot r(root);
  http::RootFile dir;
  ASSERT_EQ(lookup(r, "", dir), LookupResult::found);
  std::error_code ec;
  const std::string page = http::render_directory_listing("/<x>/", r.list(dir, ec));
  EXPECT_EQ(page.find("<img"), std::string::npos) << page;
  EXPECT_NE(page.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  EXPECT_NE(page.find("href=\"%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E\""), std::string::npos);
  EXPECT_NE(page.find("a&quot;b&#x27;c&amp;d"), std::string::npos);
  EXPECT_NE(page.find("href=\"sp%20ace%3F%23%25.txt\""), std::string::npos);
  EXPECT_NE(page.find("href=\"sub/\">sub/</a>"), std::string::npos);
  EXPECT_NE(page.find("Directory listing for /&lt;x&gt;/"), std::string::npos);
}

TEST_F(Tree, TranslatedTargetsNeverLeaveTheRoot) {
  // The two halves together: whatever translate_path lets through, the root still holds.
  http::DocumentRoot r(root);
  for (std::string_view t : {"/a.txt", "/sub/../a.txt", "/sub/%2e%2e/a.txt"}) {
    http::TargetPathError e{};
    auto p = http::translate_path(t, e);
    ASSERT_TRUE(p) << t;
    http::RootFile f;
    ASSERT_EQ(lookup(r, p->relative, f), LookupResult::found) << t;
    EXPECT_EQ(read_all(f.fd.get()), "hello");
  }
}
