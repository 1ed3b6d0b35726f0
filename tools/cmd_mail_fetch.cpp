// SPDX-License-Identifier: MIT
// `soket mail fetch --pop3|--imap SERVER`: lists the mailbox (number, size, unique id), or
// with --mbox FILE / --maildir DIR fetches every message (IMAP: those --search matches) into
// it through proto::mailbox, each one on disk (fsync'd) before the next is asked for; with
// --delete a message is deleted on the server only once it is safely stored.
#include <CLI/CLI.hpp>
#include <charconv>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <soket/proto/imap/imap4.hpp>
#include <soket/proto/mailbox.hpp>
#include <soket/proto/pop3/pop3.hpp>

#include "cli.hpp"
#include "cmd_mail.hpp"
#include "mail_options.hpp"

namespace soket::tools {
namespace {

struct FetchArgs {
  MailOptions mail;
  bool pop3 = false;
  bool imap = false;
  bool apop = false;
  std::string mbox;
  std::string maildir;
  bool remove = false;
  std::string mailbox = "INBOX";
  std::string search = "ALL";
};

struct Listed {
  std::string number, size, uid;
};

// Where fetched messages go: an mbox file or a maildir, or nowhere (listing only).
using Store = std::function<void(const std::string& message)>;

Store open_store(const FetchArgs& args) {
  if (!args.mbox.empty()) {
    auto box = std::make_shared<proto::mailbox::mbox>(args.mbox);
    return [box](const std::string& m) { box->add(m); };
  }
  if (!args.maildir.empty()) {
    auto box = std::make_shared<proto::mailbox::Maildir>(args.maildir);
    return [box](const std::string& m) { box->add(m); };
  }
  return nullptr;
}

std::string after_space(const std::string& line) {
  const auto sp = line.find(' ');
  return sp == std::string::npos ? "" : line.substr(sp + 1);
}

// One message as a protocol fetched it: its listing, and its text when that was asked for.
struct Fetched {
  Listed listed;
  std::string text;
};

// The loop both protocols share: message i is fetched (with its text when there is a store),
// stored (on disk) and only then marked deleted on the server, before message i + 1 is asked
// for. The deletions take effect when the caller ends the session (QUIT, EXPUNGE).
std::vector<Listed> fetch_each(std::size_t count, const FetchArgs& args, const Store& store,
                               const std::function<Fetched(std::size_t i, bool text)>& fetch,
                               const std::function<void(const Listed&)>& mark_deleted) {
  std::vector<Listed> out;
  for (std::size_t i = 0; i < count; ++i) {
    Fetched f = fetch(i, static_cast<bool>(store));
    if (store) {
      store(f.text);
      if (args.remove) mark_deleted(f.listed);
    }
    out.push_back(std::move(f.listed));
  }
  return out;
}

// POP3: LIST and UIDL, then RETR each message to store and DELE it (applied at QUIT).
std::vector<Listed> fetch_pop3(const FetchArgs& args, const MailServer& server,
                               const std::string& password, const Store& store) {
  using namespace proto::pop3;
  std::unique_ptr<POP3> pop;
  if (args.mail.ssl) {
    pop = std::make_unique<POP3_SSL>(server.host, args.mail.context(), server.port,
                                     args.mail.timeout_value());
  } else {
    pop = std::make_unique<POP3>(server.host, server.port, args.mail.timeout_value());
  }
  pop->set_debuglevel(args.mail.debug);
  if (args.mail.starttls) pop->stls(args.mail.context());
  if (args.apop) {
    pop->apop(args.mail.user, password);
  } else {
    pop->user(args.mail.user);
    pop->pass_(password);
  }
  const MultiLine list = pop->list();
  const MultiLine uidl = pop->uidl();
  auto number = [](const Listed& l) {
    std::size_t n = 0;
    const char* last = l.number.data() + l.number.size();
    const auto [end, ec] = std::from_chars(l.number.data(), last, n);
    if (ec != std::errc() || end != last || n == 0)
      throw std::runtime_error("pop3: LIST: not a message number: " + l.number + " " + l.size);
    return n;
  };
  auto fetch = [&](std::size_t i, bool text) {
    const std::string& l = list.lines[i];
    Fetched f{{l.substr(0, l.find(' ')), after_space(l),
               i < uidl.lines.size() ? after_space(uidl.lines[i]) : ""},
              {}};
    if (text)
      for (const auto& line : pop->retr(number(f.listed)).lines) f.text += line + "\n";
    return f;
  };
  auto out = fetch_each(list.lines.size(), args, store, fetch,
                        [&](const Listed& l) { pop->dele(number(l)); });
  pop->quit();
  return out;
}

// IMAP: SEARCH, then FETCH each match's UID and size, with its whole text to store, then flag
// it \Deleted; EXPUNGE at the end.
std::vector<Listed> fetch_imap(const FetchArgs& args, const MailServer& server,
                               const std::string& password, const Store& store) {
  using namespace proto::imap;
  std::unique_ptr<IMAP4> imap;
  if (args.mail.ssl) {
    imap = std::make_unique<IMAP4_SSL>(server.host, args.mail.context(), server.port,
                                       args.mail.timeout_value());
  } else {
    imap = std::make_unique<IMAP4>(server.host, server.port, args.mail.timeout_value());
  }
  imap->set_debuglevel(args.mail.debug);
  if (args.mail.starttls) imap->starttls(args.mail.context());
  imap->login(args.mail.user, password);
  const std::string mailbox = server.path.empty() ? args.mailbox : server.path;
  const Result selected = imap->select(mailbox, !args.remove);
  if (selected.type != "OK") throw std::runtime_error("SELECT " + mailbox + ": " + selected.text);
  const auto matches = imap->search(args.search);
  auto fetch = [&](std::size_t i, bool text) {
    const std::string which = std::to_string(matches[i]);
    const Result r =
        imap->fetch(which, text ? "(UID RFC822.SIZE BODY.PEEK[])" : "(UID RFC822.SIZE)");
    const auto fetched = r.responses("FETCH");
    if (r.type != "OK" || fetched.empty())
      throw std::runtime_error("FETCH " + which + ": " +
                               (r.text.empty() ? "no such message" : r.text));
    const auto items = fetched.front()->fetch_items();
    auto item = [&](const char* name) {
      const auto it = items.find(name);
      return it == items.end() ? std::string() : it->second.text;
    };
    return Fetched{{which, item("RFC822.SIZE"), item("UID")},
                   text ? proto::mailbox::lf_lines(item("BODY[]")) : std::string()};
  };
  auto out = fetch_each(matches.size(), args, store, fetch,
                        [&](const Listed& l) { imap->store(l.number, "+FLAGS", "(\\Deleted)"); });
  if (store && args.remove) imap->expunge();
  imap->logout();
  return out;
}

void run(FetchArgs& args) {
  const MailServer peek = parse_mail_server(args.mail.target);
  if (peek.scheme == "pop3" || peek.scheme == "pop3s") args.pop3 = true;
  if (peek.scheme == "imap" || peek.scheme == "imaps") args.imap = true;
  if (!peek.scheme.empty() && !args.pop3 && !args.imap)
    usage_error("unknown scheme " + peek.scheme + "://: pop3, pop3s, imap or imaps");
  if (args.pop3 == args.imap) usage_error("say --pop3 or --imap (or a pop3:// or imap:// URL)");
  if (args.remove && args.mbox.empty() && args.maildir.empty())
    usage_error("--delete needs --mbox or --maildir: a message is deleted once stored");
  if (args.apop && !args.pop3) usage_error("--apop is POP3's");
  const MailServer server =
      args.pop3 ? args.mail.server(proto::pop3::POP3_PORT, proto::pop3::POP3_SSL_PORT)
                : args.mail.server(proto::imap::IMAP4_PORT, proto::imap::IMAP4_SSL_PORT);
  if (args.mail.user.empty()) usage_error("--user is required (or USER@ in the URL)");
  const std::string password = args.mail.password();
  const Store store = open_store(args);
  const std::vector<Listed> listed = args.pop3 ? fetch_pop3(args, server, password, store)
                                               : fetch_imap(args, server, password, store);
  if (args.mail.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& l : listed)
      out.push_back({{"number", l.number}, {"size", l.size}, {"uid", l.uid}});
    if (store)
      out = {{"fetched", listed.size()},
             {"deleted", args.remove ? listed.size() : 0},
             {"messages", out}};
    std::cout << out.dump() << "\n";
  } else if (store) {
    std::cout << "fetched " << listed.size() << " message" << (listed.size() == 1 ? "" : "s")
              << " to " << (args.mbox.empty() ? args.maildir : args.mbox)
              << (args.remove ? " (deleted on the server)" : "") << "\n";
  } else {
    for (const auto& l : listed) std::cout << l.number << " " << l.size << " " << l.uid << "\n";
  }
}

}  // namespace

void add_mail_fetch_command(CLI::App& mail) {
  auto args = std::make_shared<FetchArgs>();
  auto* cmd = mail.add_subcommand(
      "fetch", "List a POP3 or IMAP4 mailbox, or fetch it into an mbox file or a maildir");
  cmd->footer(
      "Examples:\n  soket mail fetch --pop3 mail.example.org --starttls -u me   "
      "(lists number, size, unique id)\n"
      "  soket mail fetch imaps://me@mail.example.org/INBOX --maildir ~/Mail --delete");
  args->mail.add_to(*cmd, "upgrade to TLS with STLS/STARTTLS before logging in");
  auto* pop3 = cmd->add_flag("--pop3", args->pop3, "the server speaks POP3 (Python's poplib)");
  cmd->add_flag("--imap", args->imap, "the server speaks IMAP4 (Python's imaplib)")->excludes(pop3);
  cmd->add_flag("--apop", args->apop, "POP3: log in with APOP (the password is not sent)");
  auto* mbox = cmd->add_option("--mbox", args->mbox, "append the messages to the mbox FILE");
  cmd->add_option("--maildir", args->maildir, "deliver the messages into the maildir DIR")
      ->excludes(mbox);
  cmd->add_flag("--delete", args->remove,
                "delete each message on the server once it is stored (fsync'd)");
  cmd->add_option("-m,--mailbox", args->mailbox, "IMAP: the mailbox (default INBOX)");
  cmd->add_option("--search", args->search,
                  "IMAP: only the messages matching CRITERIA (default ALL)")
      ->check(non_empty());
  cmd->callback([args] { run_command("mail fetch", [&] { run(*args); }); });
}

}  // namespace soket::tools
