// SPDX-License-Identifier: MIT
// ReceiveDir and PartFile on a real folder: hostile names refused, symlinks never followed,
// nothing written outside the folder, files appear only on commit and never overwrite.
#include <soket/io/transfer/receive_dir.hpp>

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/support.hpp"

namespace soket::transfer {
namespace {

namespace fs = std::filesystem;
using soket::test::error_of;

// A fresh folder with "inside/" (the receive folder) and "outside/" beside it.
class TempTree {
 public:
  TempTree() {
    std::string tmpl = (fs::temp_directory_path() / "soket-recv-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    root_ = tmpl;
    fs::create_directory(inside());
    fs::create_directory(outside());
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  fs::path inside() const { return root_ / "inside"; }
  fs::path outside() const { return root_ / "outside"; }
  // Every entry under root, as paths relative to it, sorted.
  std::vector<std::string> all() const {
    std::vector<std::string> out;
    for (auto& e : fs::recursive_directory_iterator(root_))
      out.push_back(fs::relative(e.path(), root_).generic_string());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  fs::path root_;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::span<const std::byte> bytes(std::string_view s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

TEST(TransferNames, HostileNamesAreRefusedWithAReason) {
  const std::pair<std::string, std::string> hostile[] = {
      {"../x", "'..' path component"},
      {"/etc/x", "absolute path"},
      {"a/../../b", "'..' path component"},
      {"..", "'..' path component"},
      {".", "'.' path component"},
      {"", "empty name"},
      {std::string("a\0b", 3), "name contains a NUL byte"},
      {std::string(4097, 'a'), "name longer than 4096 bytes"},
      {"a//b", "empty path component"},
      {"a/", "empty path component"},
      {"x\ny", "name contains a control character"},
      {std::string(256, 'c'), "path component longer than 255 bytes"},
      {".f.soket-part", "reserved name"},
  };
  for (const auto& [name, why] : hostile) EXPECT_EQ(why_unsafe(name), why) << name;
}

TEST(TransferNames, OrdinaryNamesAreAccepted) {
  for (const char* name : {"a", "a/b/c", "...", "a..b", ".hidden", "with space",
                           "donn\xc3\xa9"
                           "es.txt",
                           "x.soket-part"})
    EXPECT_EQ(why_unsafe(name), "") << name;
  EXPECT_EQ(why_unsafe(std::string(255, 'c')), "");
}

TEST(ReceiveDir, MissingFolderIsNamed) {
  EXPECT_EQ(error_of([] { ReceiveDir("/nonexistent/soket-dir"); }),
            "receive folder /nonexistent/soket-dir: No such file or directory");
}

TEST(ReceiveDir, MakeDirsCreatesTheTreeAndKeepsExistingOnes) {
  TempTree t;
  ReceiveDir dir(t.inside());
  dir.make_dirs("a/b/c", 0750);
  dir.make_dirs("a/b", 0700);  // already there: fine
  EXPECT_TRUE(fs::is_directory(t.inside() / "a/b/c"));
  EXPECT_EQ(fs::status(t.inside() / "a/b/c").permissions() & fs::perms::all,
            fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
}

TEST(ReceiveDir, SymlinksOnTheWayAreRefusedAndNothingLandsOutside) {
  TempTree t;
  fs::create_directory_symlink(t.outside(), t.inside() / "link");
  ReceiveDir dir(t.inside());
  EXPECT_EQ(error_of([&] { dir.make_dirs("link/sub", 0755); }), "refused name: link is a symlink");
  EXPECT_EQ(error_of([&] { dir.open_part("link/file", false); }),
            "refused name: link is a symlink");
  EXPECT_EQ(error_of([&] { dir.make_dirs("link", 0755); }), "refused name: link is a symlink");
  EXPECT_EQ(error_of([&] { dir.open_part("../escape", false); }),
            "refused name: '..' path component");
  EXPECT_TRUE(fs::is_empty(t.outside()));
}

TEST(ReceiveDir, AFileInTheWayOfAFolderIsAnError) {
  TempTree t;
  std::ofstream(t.inside() / "plain") << "x";
  ReceiveDir dir(t.inside());
  EXPECT_EQ(error_of([&] { dir.open_part("plain/file", false); }), "plain: Not a directory");
  EXPECT_EQ(error_of([&] { dir.make_dirs("plain", 0755); }), "plain: File exists");
}

TEST(PartFile, AppearsOnlyOnCommitWithItsMode) {
  TempTree t;
  ReceiveDir dir(t.inside());
  PartFile part = dir.open_part("sub/f.txt", false);
  part.write(bytes("hello "));
  part.write(bytes("world"));
  EXPECT_EQ(part.size(), 11U);
  EXPECT_FALSE(fs::exists(t.inside() / "sub/f.txt"));
  EXPECT_TRUE(fs::exists(t.inside() / "sub/.f.txt.soket-part"));
  part.commit(0640, false);
  EXPECT_EQ(slurp(t.inside() / "sub/f.txt"), "hello world");
  EXPECT_EQ(fs::status(t.inside() / "sub/f.txt").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_EQ(t.all(),
            (std::vector<std::string>{"inside", "inside/sub", "inside/sub/f.txt", "outside"}));
}

TEST(PartFile, NeverOverwritesWithoutReplace) {
  TempTree t;
  std::ofstream(t.inside() / "f") << "old";
  ReceiveDir dir(t.inside());
  EXPECT_TRUE(dir.exists("f"));
  PartFile part = dir.open_part("f", false);
  part.write(bytes("new"));
  EXPECT_EQ(error_of([&] { part.commit(0644, false); }),
            "f (use --force to replace it): File exists");
  EXPECT_EQ(slurp(t.inside() / "f"), "old");
  part.discard();
  EXPECT_FALSE(fs::exists(t.inside() / ".f.soket-part"));
  PartFile again = dir.open_part("f", false);
  again.write(bytes("new"));
  again.commit(0644, true);
  EXPECT_EQ(slurp(t.inside() / "f"), "new");
}

TEST(PartFile, ReplacingASymlinkReplacesTheLinkNotItsTarget) {
  TempTree t;
  std::ofstream(t.outside() / "target") << "precious";
  fs::create_symlink(t.outside() / "target", t.inside() / "f");
  ReceiveDir dir(t.inside());
  EXPECT_TRUE(dir.exists("f"));
  PartFile part = dir.open_part("f", false);
  part.write(bytes("received"));
  part.commit(0644, true);
  EXPECT_FALSE(fs::is_symlink(t.inside() / "f"));
  EXPECT_EQ(slurp(t.inside() / "f"), "received");
  EXPECT_EQ(slurp(t.outside() / "target"), "precious");
}

TEST(PartFile, APartSymlinkIsNeverFollowed) {
  TempTree t;
  fs::create_symlink(t.outside() / "victim", t.inside() / ".f.soket-part");
  ReceiveDir dir(t.inside());
  EXPECT_EQ(error_of([&] { dir.open_part("f", true); }),
            "f: open .f.soket-part: Too many levels of symbolic links");
  EXPECT_FALSE(fs::exists(t.outside() / "victim"));
}

TEST(PartFile, KeepResumesAfterThePartAndOtherwiseStartsEmpty) {
  TempTree t;
  ReceiveDir dir(t.inside());
  {
    PartFile part = dir.open_part("f", false);
    part.write(bytes("first half|"));
  }  // not committed: stays for --resume
  PartFile kept = dir.open_part("f", true);
  EXPECT_EQ(kept.size(), 11U);
  std::string head(5, '\0');
  EXPECT_EQ(kept.read_at(0, std::as_writable_bytes(std::span(head))), 5U);
  EXPECT_EQ(head, "first");
  kept.write(bytes("second half"));
  kept.commit(0600, false);
  EXPECT_EQ(slurp(t.inside() / "f"), "first half|second half");

  {
    PartFile part = dir.open_part("g", false);
    part.write(bytes("stale"));
  }
  PartFile fresh = dir.open_part("g", false);
  EXPECT_EQ(fresh.size(), 0U);
  fresh.truncate(0);
  fresh.write(bytes("new"));
  fresh.commit(0600, false);
  EXPECT_EQ(slurp(t.inside() / "g"), "new");
}

}  // namespace
}  // namespace soket::transfer
