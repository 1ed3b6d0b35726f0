// SPDX-License-Identifier: MIT
// `soket smtp`, `soket pop3`, `soket imap` against aiosmtpd and Dovecot, and their usage and
// runtime errors (exit 2 naming the option, exit 1 with one line "soket CMD: ...").
#include <gtest/gtest.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "interop/tool_support.hpp"
#include "support/servers/mail_server.hpp"
#include "support/support.hpp"

using namespace soket;

namespace {

struct ToolRun {
  int status;
  std::string out, err;
};

ToolRun run_tool(std::vector<std::string> args, std::vector<std::string> env = {},
                 const std::string& input = "") {
  args.insert(args.begin(), test::soket_tool());
  test::Child child(args, env);
  if (!input.empty()) child.write_stdin(input);
  child.close_stdin();
  ToolRun r;
  r.out = child.read_all(std::chrono::seconds(60));
  r.err = child.read_stderr();
  r.status = child.wait(std::chrono::seconds(60));
  return r;
}

std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

}  // namespace

TEST(MailTool, SmtpSendsAFileAndReportsRefusals) {
  test::MailServer server("aiosmtpd.sh", {"--starttls", "--auth"});
  if (!server.skip_reason.empty()) GTEST_SKIP() << server.skip_reason;
  const std::string msg = write_file(server.dir(), "msg.eml", "Subject: tool\r\n\r\n.dot\r\n");
  const std::string pass = write_file(server.dir(), "pass", "secret\n");
  const ToolRun r =
      run_tool({"smtp", "127.0.0.1:" + std::to_string(server.port()), "--starttls", "--cafile",
                server.dir() + "/cert.pem", "-u", "tester", "--password-file", pass, "--from",
                "a@example.org", "--to", "b@example.org", "--to", "nobody@example.org", msg});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "sent to 1 of 2 recipients\nrefused nobody@example.org: 550 no such user\n");
  const std::string saved = server.dir() + "/mail/0001.eml";
  for (int i = 0; i < 200 && !std::filesystem::exists(saved); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  std::ifstream in(saved, std::ios::binary);
  const std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(got.ends_with("Subject: tool\r\n\r\n.dot\r\n")) << got;
}

TEST(MailTool, SmtpErrors) {
  test::MailServer server("aiosmtpd.sh", {"--auth"});
  if (!server.skip_reason.empty()) GTEST_SKIP() << server.skip_reason;
  const std::string target = "127.0.0.1:" + std::to_string(server.port());
  // Wrong password: runtime error, one line.
  ToolRun r = run_tool({"smtp", target, "-u", "tester", "--from", "a@x", "--to", "b@x"},
                       {"SOKET_PASSWORD=wrong"}, "Subject: x\r\n\r\n");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.err.starts_with("soket smtp: smtp: AUTH LOGIN: 535")) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
  // No password anywhere: usage error.
  r = run_tool({"smtp", target, "-u", "tester", "--from", "a@x", "--to", "b@x"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--password-file"), std::string::npos) << r.err;
  for (const char* bad : {"-1", "nan", "1e400"}) {
    r = run_tool({"smtp", target, "--timeout", bad, "--from", "a@x", "--to", "b@x"});
    EXPECT_EQ(r.status, 2) << bad;
  }
  r = run_tool(
      {"smtp", "127.0.0.1:" + std::to_string(test::closed_port()), "--from", "a@x", "--to", "b@x"},
      {}, "x");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("Connection refused"), std::string::npos) << r.err;
  r = run_tool({"smtp", target, "--ssl", "--starttls", "--from", "a@x", "--to", "b@x"});
  EXPECT_EQ(r.status, 2);
}

TEST(MailTool, Pop3AndImapAgainstDovecot) {
  test::MailServer server("dovecot.sh");
  if (!server.skip_reason.empty()) GTEST_SKIP() << server.skip_reason;
  const std::string pop = "127.0.0.1:" + std::to_string(server.port("POP3_PORT"));
  const std::string imap = "127.0.0.1:" + std::to_string(server.port("IMAP_PORT"));
  const std::vector<std::string> env = {"SOKET_PASSWORD=secret"};
  ToolRun r = run_tool({"pop3", pop, "-u", "tester", "--json"}, env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("[{\"number\":\"1\",\"size\":\"")) << r.out;
  r = run_tool({"pop3", pop, "-u", "tester", "--retr", "1", "--starttls", "-k"}, env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\r\n.this line starts with a dot.\r\n"), std::string::npos) << r.out;
  r = run_tool({"imap", imap, "-u", "tester", "--list"}, env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("INBOX\n"), std::string::npos) << r.out;
  r = run_tool({"imap", imap, "-u", "tester", "--search", "ALL", "--json"}, env);
  EXPECT_EQ(r.out, "[1]\n") << r.err;
  r = run_tool({"imap", imap, "-u", "tester", "--fetch", "1", "--starttls", "-k"}, env);
  EXPECT_TRUE(r.out.starts_with("From: alice@example.org\r\n")) << r.out << r.err;
  r = run_tool({"imap", imap, "-u", "tester"}, env);
  EXPECT_EQ(r.out, "1 messages in INBOX\n");
  r = run_tool({"imap", imap, "-u", "tester"}, {"SOKET_PASSWORD=wrong"});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.err.starts_with("soket imap: imap: LOGIN failed:")) << r.err;
  r = run_tool({"imap", imap, "-u", "tester", "--fetch", "0"}, env);
  EXPECT_EQ(r.status, 2);
  r = run_tool({"pop3", pop, "--delete"}, env);
  EXPECT_EQ(r.status, 2);
}
