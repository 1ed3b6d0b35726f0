// SPDX-License-Identifier: MIT
// `soket mail send` against aiosmtpd and `soket mail fetch` against Dovecot (POP3 and IMAP4,
// into an mbox file and a maildir that Python's mailbox module reads back), a fake POP3 server
// that dies mid-message (no half message is stored), the password prompt on a real
// pseudo-terminal (no echo, restored after a signal), and the usage and runtime errors (exit 2
// naming the option, exit 1 with one line "soket mail CMD: ...").
#include <gtest/gtest.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "interop/tool_support.hpp"
#include "support/servers/dovecot.hpp"
#include "support/servers/mail_server.hpp"
#include "support/support.hpp"

using namespace soket;
namespace fs = std::filesystem;

namespace {

struct ToolRun {
  int status;
  std::string out, err;
};

// The tool in a session of its own (setsid): no controlling terminal, so it never prompts.
ToolRun run_tool(std::vector<std::string> args, std::vector<std::string> env = {},
                 const std::string& input = "") {
  args.insert(args.begin(), {"/usr/bin/setsid", "--wait", test::soket_tool()});
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

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The n-th message aiosmtpd saved (it renames a finished file into place).
std::string saved(const test::MailServer& server, int n) {
  char name[16];
  std::snprintf(name, sizeof name, "%04d.eml", n);
  const std::string path = server.dir() + "/mail/" + name;
  for (int i = 0; i < 200 && !fs::exists(path); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  return slurp(path);
}

// Python's reading of a saved message, an mbox or a maildir: [[subject, body], ...].
nlohmann::json python_reads(const std::string& kind, const std::string& path) {
  test::Child child(test::python_argv(
      "import email, email.policy, json, mailbox, sys\n"
      "kind, path = sys.argv[1], sys.argv[2]\n"
      "if kind == 'eml':\n"
      "  msgs = [email.message_from_bytes(open(path, 'rb').read(), policy=email.policy.default)]\n"
      "else:\n"
      "  box = mailbox.mbox(path) if kind == 'mbox' else mailbox.Maildir(path, create=False)\n"
      "  msgs = list(box)\n"
      "out = []\n"
      "for m in msgs:\n"
      "  m = email.message_from_bytes(m.as_bytes(), policy=email.policy.default)\n"
      "  out.append([str(m['Subject']), m.get_content() if m.get_content_maintype() == 'text' "
      "else ''])\n"
      "print(json.dumps(out))",
      {kind, path}));
  const std::string out = child.read_all(std::chrono::seconds(30));
  EXPECT_EQ(child.wait(std::chrono::seconds(30)), 0) << child.read_stderr();
  return nlohmann::json::parse(out);
}

// [[subject, body]]: one message as python_reads gives it.
nlohmann::json one_message(const std::string& subject, const std::string& body) {
  return nlohmann::json::array({nlohmann::json::array({subject, body})});
}

std::size_t files_in(const std::string& dir) {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

#define START_SMTP(var, ...)                          \
  test::MailServer var("aiosmtpd.sh", {__VA_ARGS__}); \
  if (!var.skip_reason.empty()) GTEST_SKIP() << var.skip_reason

}  // namespace

TEST(MailTool, SendComposesAMessageFromFlags) {
  START_SMTP(server, "--starttls", "--auth");
  const std::string pass = write_file(server.dir(), "pass", "secret\n");
  const ToolRun r = run_tool({"mail",
                              "send",
                              "127.0.0.1:" + std::to_string(server.port()),
                              "--starttls",
                              "--cafile",
                              server.dir() + "/cert.pem",
                              "-u",
                              "tester",
                              "--password-file",
                              pass,
                              "--from",
                              "Alice <a@example.org>",
                              "--to",
                              "b@example.org",
                              "--cc",
                              "nobody@example.org",
                              "--bcc",
                              "hidden@example.org",
                              "--subject",
                              "héllo wörld",
                              "--text",
                              "-"},
                             {}, "Grüße,\n.a line with a dot\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "sent to 2 of 3 recipients\nrefused nobody@example.org: 550 no such user\n");
  const std::string got = saved(server, 1);
  EXPECT_TRUE(
      got.starts_with("X-Envelope-From: a@example.org\r\n"
                      "X-Envelope-To: b@example.org, hidden@example.org\r\n"))
      << got;
  EXPECT_EQ(got.find("hidden@example.org", got.find("\r\nFrom: ")), std::string::npos)
      << "Bcc leaked: " << got;
  EXPECT_NE(got.find("Content-Transfer-Encoding: 8bit\r\n"), std::string::npos) << got;
  EXPECT_NE(slurp(server.dir() + "/mail/0001.options").find("BODY=8BITMIME"), std::string::npos);
  EXPECT_EQ(slurp(server.dir() + "/auth.log"), "CRAM-MD5 tester ok\n");
  EXPECT_EQ(python_reads("eml", server.dir() + "/mail/0001.eml"),
            one_message("héllo wörld", "Grüße,\n.a line with a dot\n"));
}

TEST(MailTool, SendAFileTakesTheEnvelopeFromItsHeaders) {
  START_SMTP(server, "--smtps");
  const std::string msg = write_file(
      server.dir(), "msg.eml",
      "From: a@example.org\nTo: b@example.org\nBcc: c@example.org\nSubject: file\n\n.dot\n");
  ToolRun r = run_tool({"mail", "send", "smtps://localhost:" + std::to_string(server.port()),
                        "--cafile", server.dir() + "/cert.pem", msg, "--json"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "{\"accepted\":2,\"refused\":{}}\n");
  EXPECT_EQ(saved(server, 1),
            "X-Envelope-From: a@example.org\r\nX-Envelope-To: b@example.org, c@example.org\r\n"
            "From: a@example.org\r\nTo: b@example.org\r\nSubject: file\r\n\r\n.dot\r\n");
  // --from/--to replace the envelope; the message goes as it is (stdin here).
  r = run_tool({"mail", "send", "smtps://localhost:" + std::to_string(server.port()), "-k",
                "--from", "x@example.org", "--to", "y@example.org", "-"},
               {}, "Subject: stdin\r\n\r\nhi\r\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(saved(server, 2).starts_with(
      "X-Envelope-From: x@example.org\r\nX-Envelope-To: y@example.org\r\nSubject: stdin\r\n"));
}

TEST(MailTool, SendErrors) {
  START_SMTP(server, "--auth");
  const std::string target = "127.0.0.1:" + std::to_string(server.port());
  const std::vector<std::string> compose = {"--from", "a@x", "--to", "b@x", "--text", "t"};
  auto with = [&](std::vector<std::string> args, const std::vector<std::string>& more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  // Wrong password: runtime error, one line (LOGIN was the last mechanism tried).
  ToolRun r =
      run_tool(with({"mail", "send", target, "-u", "tester"}, compose), {"SOKET_PASSWORD=wrong"});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.err.starts_with("soket mail send: smtp: AUTH LOGIN: 535")) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
  // No password anywhere and no terminal: usage error naming the ways to give one.
  r = run_tool(with({"mail", "send", target, "-u", "tester"}, compose));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--password-file"), std::string::npos) << r.err;
  for (const char* bad : {"-1", "nan", "1e400"}) {
    r = run_tool(with({"mail", "send", target, "--timeout", bad}, compose));
    EXPECT_EQ(r.status, 2) << bad;
  }
  r = run_tool(with({"mail", "send", "127.0.0.1:" + std::to_string(test::closed_port())}, compose));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("Connection refused"), std::string::npos) << r.err;
  r = run_tool(with({"mail", "send", target, "--ssl", "--starttls"}, compose));
  EXPECT_EQ(r.status, 2);
  r = run_tool({"mail", "send", target, "--to", "b@x"});  // composing needs --from
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--from"), std::string::npos) << r.err;
  r = run_tool({"mail", "send", target, "--from", "a@x"});  // and a recipient
  EXPECT_EQ(r.status, 2);
  r = run_tool({"mail", "send", target, "--subject", "s", "/dev/null"});
  EXPECT_EQ(r.status, 2);
  r = run_tool(with({"mail", "send", "gopher://" + target}, compose));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown scheme gopher://"), std::string::npos) << r.err;
  r = run_tool(with({"mail", "send", "smtps://" + target, "--starttls"}, compose));
  EXPECT_EQ(r.status, 2);
  r = run_tool(with({"mail", "send", "not a host"}, compose));
  EXPECT_EQ(r.status, 2);
  r = run_tool({"mail", "send", target, "no-such-file.eml"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("cannot open no-such-file.eml"), std::string::npos) << r.err;
}

TEST(MailTool, FetchPop3ListsThenStoresThenDeletes) {
  START_DOVECOT(server);
  const std::string pop = "127.0.0.1:" + std::to_string(server.pop3_port());
  const std::vector<std::string> env = {"SOKET_PASSWORD=secret"};
  ToolRun r = run_tool({"mail", "fetch", "--pop3", pop, "-u", "tester", "--json"}, env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("[{\"number\":\"1\",\"size\":\"")) << r.out;
  const std::string mbox = server.dir() + "/inbox.mbox";
  r = run_tool({"mail", "fetch", "pop3://tester@" + pop, "--mbox", mbox, "--starttls", "-k"}, env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "fetched 1 message to " + mbox + "\n");
  EXPECT_EQ(python_reads("mbox", mbox),
            one_message("first message", "Hello tester,\n.this line starts with a dot.\n"));
  const std::string maildir = server.dir() + "/Mail";
  r = run_tool({"mail", "fetch", "--pop3", pop, "-u", "tester", "--maildir", maildir, "--delete"},
               env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "fetched 1 message to " + maildir + " (deleted on the server)\n");
  EXPECT_EQ(python_reads("maildir", maildir).size(), 1u);
  r = run_tool({"mail", "fetch", "--pop3", pop, "-u", "tester"}, env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "");  // the server's copy is gone
}

TEST(MailTool, FetchPop3WithApop) {
  START_DOVECOT(server, "--apop");
  const std::string pop = "pop3s://tester@127.0.0.1:" + std::to_string(server.pop3s_port());
  ToolRun r = run_tool({"mail", "fetch", pop, "--apop", "--cafile", server.cert()},
                       {"SOKET_PASSWORD=secret"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("1 ")) << r.out;
  r = run_tool({"mail", "fetch", pop, "--apop", "--cafile", server.cert()},
               {"SOKET_PASSWORD=wrong"});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.err.starts_with("soket mail fetch: pop3: APOP: -ERR")) << r.err;
}

TEST(MailTool, FetchImapSearchesStoresThenDeletes) {
  START_DOVECOT(server);
  const std::string imap = "imap://tester@127.0.0.1:" + std::to_string(server.imap_port());
  const std::vector<std::string> env = {"SOKET_PASSWORD=secret"};
  ToolRun r = run_tool({"mail", "fetch", imap + "/INBOX"}, env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("1 " + std::to_string(test::Dovecot::first_message().size()) + " "))
      << r.out;
  const std::string maildir = server.dir() + "/Mail";
  r = run_tool({"mail", "fetch", imap, "--search", "SUBJECT \"no such\"", "--maildir", maildir},
               env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "fetched 0 messages to " + maildir + "\n");
  r = run_tool({"mail", "fetch", imap, "--starttls", "--cafile", server.cert(), "--maildir",
                maildir, "--delete", "--json"},
               env);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("{\"deleted\":1,\"fetched\":1,")) << r.out;
  EXPECT_EQ(python_reads("maildir", maildir),
            one_message("first message", "Hello tester,\n.this line starts with a dot.\n"));
  r = run_tool({"mail", "fetch", "--imap", "127.0.0.1:" + std::to_string(server.imap_port()), "-u",
                "tester", "--mailbox", "INBOX"},
               env);
  EXPECT_EQ(r.out, "");  // expunged
  r = run_tool({"mail", "fetch", imap, "--mailbox", "NoSuchBox"}, env);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// The server dies in the middle of message 2: message 1 is stored whole, message 2 not at all,
// nothing is deleted (POP3 deletions wait for QUIT), and the tool says what failed.
TEST(MailTool, AFetchCutShortLeavesNoHalfMessage) {
  char tmpl[] = "/tmp/soket-mail-tool-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  const std::vector<std::string> script = {"+OK fake\r\n",
                                           "+OK\r\n",
                                           "+OK\r\n",
                                           "+OK\r\n1 30\r\n2 30\r\n.\r\n",
                                           "+OK\r\n1 a\r\n2 b\r\n.\r\n",
                                           "+OK\r\nSubject: one\r\n\r\nfirst\r\n.\r\n",
                                           "+OK deleted\r\n",  // DELE 1, once message 1 is stored
                                           "+OK\r\nSubject: two\r\n\r\nhalf of the sec"};
  for (const std::string store : {"--maildir", "--mbox"}) {
    const std::string path = dir + "/box" + store;
    test::ScriptedPeer fake(script);
    const ToolRun r =
        run_tool({"mail", "fetch", "--pop3", "127.0.0.1:" + std::to_string(fake.port()), "-u", "u",
                  store, path, "--delete"},
                 {"SOKET_PASSWORD=p"});
    EXPECT_EQ(r.status, 1) << store;
    EXPECT_TRUE(r.err.starts_with("soket mail fetch: pop3: -ERR EOF")) << r.err << r.out;
    const auto got = python_reads(store == "--mbox" ? "mbox" : "maildir", path);
    EXPECT_EQ(got, one_message("one", "first\n")) << store;
    if (store == "--maildir") {
      EXPECT_EQ(files_in(path + "/tmp"), 0u);
    }
  }
  fs::remove_all(dir);
}

// A LIST line that is not "number size" is a one-line runtime error, nothing is stored.
TEST(MailTool, FetchRefusesAGarbledList) {
  char tmpl[] = "/tmp/soket-mail-tool-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  test::ScriptedPeer fake(
      {"+OK fake\r\n", "+OK\r\n", "+OK\r\n", "+OK\r\nx1 30\r\n.\r\n", "+OK\r\n.\r\n"});
  const ToolRun r = run_tool({"mail", "fetch", "--pop3", "127.0.0.1:" + std::to_string(fake.port()),
                              "-u", "u", "--maildir", dir + "/box"},
                             {"SOKET_PASSWORD=p"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "soket mail fetch: pop3: LIST: not a message number: x1 30\n");
  EXPECT_EQ(files_in(dir + "/box/new"), 0u);
  fs::remove_all(dir);
}

TEST(MailTool, FetchUsageErrors) {
  const std::vector<std::string> env = {"SOKET_PASSWORD=p"};
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"mail", "fetch", "127.0.0.1:1", "-u", "u"},                        // which protocol?
           {"mail", "fetch", "--pop3", "--imap", "127.0.0.1:1", "-u", "u"},    // both
           {"mail", "fetch", "--pop3", "127.0.0.1:1"},                         // no user
           {"mail", "fetch", "--pop3", "127.0.0.1:1", "-u", "u", "--delete"},  // nowhere to store
           {"mail", "fetch", "--imap", "127.0.0.1:1", "-u", "u", "--apop"},    // APOP is POP3's
           {"mail", "fetch", "ftp://u@127.0.0.1:1"},                           // unknown scheme
           {"mail", "fetch", "--pop3", "127.0.0.1:1", "-u", "u", "--mbox", "a", "--maildir", "b"},
           {"mail", "fetch", "--imap", "127.0.0.1:1", "-u", "u", "--search", ""},
           {"mail", "fetch", "--pop3", "127.0.0.1:1", "-u", "u", "--timeout", "nan"},
           {"mail"},
       }) {
    const ToolRun r = run_tool(args, env);
    EXPECT_EQ(r.status, 2) << args.back() << ": " << r.err;
    EXPECT_FALSE(r.err.empty());
  }
}

// proto::getpass through the tool, on a real pseudo-terminal: the prompt turns echo off, the typed
// password is not shown and logs in; a SIGTERM at the prompt ends the tool with the terminal's echo
// back on.
TEST(MailTool, PasswordPromptOnATerminal) {
  START_DOVECOT(server);
  const std::string pop = "pop3://tester@127.0.0.1:" + std::to_string(server.pop3_port());
  const std::string script =
      "import json, os, pty, select, signal, sys, termios, time\n"
      "mode, argv = sys.argv[1], sys.argv[2:]\n"
      "pid, fd = pty.fork()\n"
      "if pid == 0:\n"
      "  os.execv(argv[0], argv)\n"
      "def read_until(want, limit=20):\n"
      "  buf, end = b'', time.time() + limit\n"
      "  while want not in buf and time.time() < end:\n"
      "    if select.select([fd], [], [], 0.5)[0]:\n"
      "      try: chunk = os.read(fd, 4096)\n"
      "      except OSError: break\n"
      "      if not chunk: break\n"
      "      buf += chunk\n"
      "  return buf\n"
      "out = read_until(b'Password for tester: ')\n"
      "echo_at_prompt = bool(termios.tcgetattr(fd)[3] & termios.ECHO)\n"
      "if mode == 'type':\n"
      "  os.write(fd, b'secret\\n')\n"
      "else:\n"
      "  os.kill(pid, signal.SIGTERM)\n"
      "  time.sleep(0.5)\n"
      "echo_after = bool(termios.tcgetattr(fd)[3] & termios.ECHO)\n"
      "out += read_until(b'\\x00', 20)\n"
      "_, status = os.waitpid(pid, 0)\n"
      "print(json.dumps({'out': out.decode(errors='replace'), 'echo_at_prompt': echo_at_prompt,\n"
      "  'echo_after': echo_after, 'status': status}))\n";
  for (const std::string mode : {"type", "signal"}) {
    test::Child child(test::python_argv(script, {mode, test::soket_tool(), "mail", "fetch", pop}));
    const std::string out = child.read_all(std::chrono::seconds(60));
    ASSERT_EQ(child.wait(std::chrono::seconds(60)), 0) << child.read_stderr();
    const auto j = nlohmann::json::parse(out);
    EXPECT_FALSE(j["echo_at_prompt"].get<bool>()) << j;
    const std::string shown = j["out"];
    EXPECT_EQ(shown.find("secret"), std::string::npos) << shown;
    if (mode == "type") {
      EXPECT_EQ(j["status"], 0) << j;
      EXPECT_NE(shown.find("\n1 "), std::string::npos) << shown;  // logged in and listed
    } else {
      EXPECT_TRUE(j["echo_after"].get<bool>()) << j;  // restored by the signal handler
      EXPECT_EQ(j["status"].get<int>() & 0x7f, SIGTERM) << j;
    }
  }
}
