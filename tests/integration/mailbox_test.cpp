// SPDX-License-Identifier: MIT
// proto::mailbox: messages added to an mbox file and a maildir are read back by Python's
// mailbox module; a write that fails part-way (the file size limit, in a child process) leaves
// no half message behind; a symlink in place of the mbox is refused.
#include <soket/proto/mailbox.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include <soket/error.hpp>

#include "support/support.hpp"

using namespace soket;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/soket-mailbox-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

// What Python's mailbox module reads: [[from line or "", subject, body], ...].
nlohmann::json python_reads(const std::string& kind, const std::string& path) {
  test::Child child(test::python_argv(
      "import json, mailbox, sys\n"
      "box = mailbox.mbox(sys.argv[2]) if sys.argv[1] == 'mbox' else "
      "mailbox.Maildir(sys.argv[2], create=False)\n"
      "out = []\n"
      "for m in sorted(box, key=lambda m: m['Subject']):\n"
      "  out.append([m.get_from() if sys.argv[1] == 'mbox' else '', m['Subject'], "
      "m.get_payload()])\n"
      "print(json.dumps(out))",
      {kind, path}));
  const std::string out = child.read_all(std::chrono::seconds(30));
  EXPECT_EQ(child.wait(std::chrono::seconds(30)), 0) << child.read_stderr();
  return nlohmann::json::parse(out);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `fn` in a child process whose files may not grow past `limit` bytes (writes beyond it
// fail with EFBIG instead of SIGXFSZ); returns the child's exit status.
template <typename Fn>
int with_file_size_limit(rlim_t limit, Fn fn) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit r{limit, limit};
    ::setrlimit(RLIMIT_FSIZE, &r);
    ::_exit(fn());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const std::string first = "Subject: one\r\nFrom: a@x\r\n\r\nFrom here on, a line to quote.\r\n";
const std::string second = "Subject: two\n\nsecond body\n";

}  // namespace

TEST(Mailbox, MboxIsReadBackByPython) {
  TempDir dir;
  const std::string path = dir.path + "/box";
  proto::mailbox::mbox box(path);
  EXPECT_EQ(box.add(first), 0u);
  EXPECT_GT(box.add(second), 0u);
  const auto got = python_reads("mbox", path);
  ASSERT_EQ(got.size(), 2u) << got;
  EXPECT_TRUE(got[0][0].get<std::string>().starts_with("MAILER-DAEMON ")) << got;
  EXPECT_EQ(got[0][1], "one");
  EXPECT_EQ(got[0][2], ">From here on, a line to quote.\n");  // quoted as Python quotes it
  EXPECT_EQ(got[1][2], "second body\n");
  EXPECT_EQ(read_file(path).find('\r'), std::string::npos);  // Unix lines, as lf_lines makes them
  EXPECT_EQ(proto::mailbox::lf_lines("a\r\nb\rc\n\r\n"), "a\nb\rc\n\n");
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST(Mailbox, MaildirIsReadBackByPython) {
  TempDir dir;
  const std::string path = dir.path + "/Maildir";
  proto::mailbox::Maildir box(path);
  const std::string k1 = box.add(first), k2 = box.add(second);
  EXPECT_NE(k1, k2);
  EXPECT_TRUE(fs::exists(path + "/new/" + k1));
  EXPECT_TRUE(fs::is_empty(path + "/tmp"));
  const auto got = python_reads("maildir", path);
  ASSERT_EQ(got.size(), 2u) << got;
  EXPECT_EQ(got[0][1], "one");
  EXPECT_EQ(got[0][2], "From here on, a line to quote.\n");  // maildir needs no quoting
  EXPECT_THROW(proto::mailbox::Maildir(dir.path + "/missing", false), soket::Error);
}

TEST(Mailbox, AFailedWriteLeavesNoHalfMessage) {
  TempDir dir;
  const std::string path = dir.path + "/box";
  proto::mailbox::mbox(path).add(first);
  const auto before = fs::file_size(path);
  const std::string big = "Subject: big\n\n" + std::string(100000, 'x') + "\n";
  // The child's write stops at the limit, mid-message: add() throws, the file is cut back.
  EXPECT_EQ(with_file_size_limit(before + 1000,
                                 [&] {
                                   try {
                                     proto::mailbox::mbox(path).add(big);
                                     return 0;
                                   } catch (const soket::Error&) {
                                     return 3;
                                   }
                                 }),
            3);
  EXPECT_EQ(fs::file_size(path), before);
  EXPECT_EQ(python_reads("mbox", path).size(), 1u);

  const std::string maildir = dir.path + "/Maildir";
  proto::mailbox::Maildir(maildir).add(first);
  EXPECT_EQ(with_file_size_limit(1000,
                                 [&] {
                                   try {
                                     proto::mailbox::Maildir(maildir).add(big);
                                     return 0;
                                   } catch (const soket::Error&) {
                                     return 3;
                                   }
                                 }),
            3);
  EXPECT_EQ(std::distance(fs::directory_iterator(maildir + "/new"), fs::directory_iterator()), 1);
  EXPECT_TRUE(fs::is_empty(maildir + "/tmp"));
}

TEST(Mailbox, SymlinkInPlaceOfTheMboxIsRefused) {
  TempDir dir;
  const std::string target = dir.path + "/elsewhere";
  std::ofstream(target) << "keep\n";
  fs::create_symlink(target, dir.path + "/box");
  EXPECT_THROW(proto::mailbox::mbox(dir.path + "/box"), soket::Error);
  EXPECT_EQ(read_file(target), "keep\n");
  EXPECT_THROW(proto::mailbox::mbox(dir.path + "/no/such/dir/box"), soket::Error);
}
