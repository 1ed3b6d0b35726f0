// SPDX-License-Identifier: MIT
// `soket receive [--dir D] [HOST] PORT`: the receiving side of `soket send`. Every name goes
// through transfer::ReceiveDir (nothing lands outside D), every file through a PartFile
// (temporary name, fsync, rename once its SHA-256 matched). Serves one sender at a time.
// SIGINT/SIGTERM/SIGHUP stop it cleanly: between senders with status 0, during a file with its
// part kept for --resume and status 1.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <soket/io/socket_file.hpp>
#include <soket/io/transfer/protocol.hpp>
#include <soket/io/transfer/receive_dir.hpp>
#include <soket/server/stop_signals.hpp>
#include <soket/soket.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "progress.hpp"
#include "sha256.hpp"

namespace soket::tools {
namespace {

using transfer::Kind;
using transfer::Message;

constexpr std::size_t buffer_size = 1024 * 1024;
// After telling the sender to stop, how long its remaining bytes are read and dropped, so
// that our close does not reset the connection before it has read why.
constexpr auto drain_for = std::chrono::seconds(10);

struct ReceiveArgs {
  std::vector<std::string> operands;  // [HOST] PORT
  std::string dir = ".";
  std::string max_size;
  std::uint64_t max_bytes = UINT64_MAX;
  bool force = false;
  bool once = false;
  bool quiet = false;
  double timeout = 30;
};

// "10G", "512M", "1024": bytes, or std::nullopt for anything else.
std::optional<std::uint64_t> parse_size(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 15) return std::nullopt;
  std::uint64_t n = std::stoull(text.substr(0, digits));
  std::string unit = text.substr(digits);
  static const std::pair<const char*, int> units[] = {
      {"", 0}, {"K", 10}, {"M", 20}, {"G", 30}, {"T", 40}};
  for (auto [name, shift] : units) {
    if (unit != name) continue;
    if (n > (UINT64_MAX >> shift)) return std::nullopt;
    return n << shift;
  }
  return std::nullopt;
}

// A name as it may be printed: control bytes and NUL as \xNN.
std::string printable(std::string_view name) {
  std::string out;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

// The session cannot go on (the disk is full, the sender left): the message says why.
struct SessionOver : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What a stop signal wakes: the accept() waiting for a sender, and the session's recv().
// shutdown() from the signal-waiting thread makes either return at once on the worker.
class Stopper {
 public:
  explicit Stopper(Socket& server) : server_(server) {}
  void stop(int sig) {
    std::lock_guard lock(mutex_);
    signal_ = sig;
    std::error_code ec;
    server_.shutdown(Shut::rdwr, ec);  // accept() returns EINVAL
    if (conn_) conn_->shutdown(Shut::rdwr, ec);
  }
  // The connection being served (nullptr when none); one that starts after stop() is cut at once.
  void serving(Socket* conn) {
    std::lock_guard lock(mutex_);
    conn_ = conn;
    std::error_code ec;
    if (conn_ && signal_ != 0) conn_->shutdown(Shut::rdwr, ec);
  }
  int signal() const noexcept { return signal_; }

 private:
  std::mutex mutex_;
  Socket& server_;
  Socket* conn_ = nullptr;
  std::atomic<int> signal_{0};
};

std::string signal_name(int sig) {
  return sig == SIGINT    ? "SIGINT"
         : sig == SIGTERM ? "SIGTERM"
         : sig == SIGHUP  ? "SIGHUP"
                          : "a signal";
}

class Session {
 public:
  Session(Socket conn, Address peer, transfer::ReceiveDir& dir, const ReceiveArgs& args,
          const Stopper& stopper)
      : conn_(std::move(conn)),
        file_(conn_),
        peer_(std::move(peer)),
        dir_(dir),
        args_(args),
        stopper_(stopper) {}
  Socket& socket() noexcept { return conn_; }

  // Returns false if any item failed.
  bool run() {
    try {
      while (auto m = transfer::recv_message(file_)) {
        if (m->kind == Kind::end) return ok_;
        if (m->kind == Kind::dir)
          make_dir(*m);
        else if (m->kind == Kind::file)
          receive_file(*m);
        else
          throw transfer::ProtocolError("unexpected message from the sender");
      }
      return ok_;  // the sender left between items
    } catch (const SessionOver& e) {
      report(e.what());
    } catch (const transfer::ProtocolError& e) {
      std::string why = std::string("bad message from ") + peer_.to_string() + ": " + e.what();
      report(why);
      try {  // tell the sender why, if it still listens
        send_message(file_, transfer::error_message(why));
      } catch (const std::exception&) {
      }
    } catch (const std::exception& e) {
      report(e.what());
    }
    return false;
  }

 private:
  void report(const std::string& what) {
    std::fprintf(stderr, "soket receive: %s\n", what.c_str());
    ok_ = false;
  }

  void refuse(const std::string& why) {
    report(why);
    send_message(file_, transfer::refuse_message(why));
  }

  // Tells the sender the session is over, and reads what it still sends for a while (bounded).
  [[noreturn]] void stop(const std::string& why) {
    std::error_code ec;
    try {
      send_message(file_, transfer::error_message(why));
      conn_.shutdown(Shut::wr, ec);
      conn_.settimeout(std::chrono::seconds(1));
      auto until = std::chrono::steady_clock::now() + drain_for;
      std::vector<std::byte> sink(64 * 1024);
      while (std::chrono::steady_clock::now() < until) {
        std::size_t n = conn_.recv_into(sink, 0, 0, ec);
        if (ec == std::errc::timed_out) continue;
        if (ec || n == 0) break;
      }
    } catch (const std::exception&) {
      // The sender is gone: nothing more to tell it.
    }
    throw SessionOver(why);
  }

  void make_dir(const Message& m) {
    std::string shown = printable(m.name);
    if (std::string why = transfer::why_unsafe(m.name); !why.empty())
      return refuse(shown + ": refused name: " + why);
    try {
      dir_.make_dirs(m.name, m.mode);
    } catch (const std::exception& e) {
      return refuse(shown + ": " + e.what());
    }
    send_message(file_, transfer::ok_message());
  }

  void receive_file(const Message& m) {
    std::string shown = printable(m.name);
    if (std::string why = transfer::why_unsafe(m.name); !why.empty())
      return refuse(shown + ": refused name: " + why);
    if (m.size > args_.max_bytes)
      return refuse(shown + ": " + std::to_string(m.size) + " bytes is over --max-size " +
                    std::to_string(args_.max_bytes));
    bool resume = (m.flags & transfer::flag_resume) != 0;
    bool verify = (m.flags & transfer::flag_verify) != 0;
    std::optional<transfer::PartFile> part;
    try {
      if (!args_.force && dir_.exists(m.name))
        return refuse(shown + ": exists (the receiver needs --force to replace it)");
      part.emplace(dir_.open_part(m.name, resume));
    } catch (const std::exception& e) {
      return refuse(shown + ": " + e.what());
    }

    // Offer to resume after the part already there, with its SHA-256 for the sender to check.
    Sha256 sha;
    std::uint64_t offered = part->size() <= m.size ? part->size() : 0;
    Message accept = transfer::accept_message(offered, std::nullopt);
    if (offered > 0) {
      std::vector<std::byte> buf(buffer_size);
      for (std::uint64_t at = 0; at < offered;) {
        auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), offered - at));
        std::size_t n = part->read_at(at, std::span(buf).first(want));
        if (n == 0) throw std::runtime_error(shown + ": its part shrank");
        sha.update(std::span(buf).first(n));
        at += n;
      }
      accept.sha = sha.finish();  // and the hash starts over: the kept part is fed again below
    }
    send_message(file_, accept);
    auto start = transfer::recv_message(file_);
    if (!start || start->kind != Kind::start || (start->offset != 0 && start->offset != offered))
      throw transfer::ProtocolError("expected where the data starts");
    std::uint64_t at = start->offset;
    if (at == 0) {
      part->truncate(0);
    } else {
      rehash_part(*part, at, sha);
    }

    receive_data(*part, m.size, at, verify ? &sha : nullptr, shown);

    auto digest = transfer::recv_message(file_);
    if (!digest || digest->kind != Kind::digest)
      throw transfer::ProtocolError("expected the digest after the data");
    std::string hex;
    if (verify) {
      transfer::Digest ours = sha.finish();
      hex = transfer::to_hex(ours);
      if (!digest->sha || *digest->sha != ours) {
        part->discard();
        return refuse(shown + ": SHA-256 mismatch (sent " +
                      (digest->sha ? transfer::to_hex(*digest->sha) : std::string("none")) +
                      ", received " + hex + "): not kept");
      }
    }
    try {
      part->commit(m.mode, args_.force);
    } catch (const std::exception& e) {
      part->discard();
      if (std::string(e.what()).find("No space left") != std::string::npos) stop(e.what());
      return refuse(shown + ": " + e.what());
    }
    send_message(file_, transfer::ok_message());
    std::printf("received %s (%llu bytes%s%s) from %s\n", shown.c_str(),
                static_cast<unsigned long long>(m.size), verify ? ", sha256 " : ", not verified",
                hex.c_str(), peer_.to_string().c_str());
    std::fflush(stdout);
  }

  void rehash_part(transfer::PartFile& part, std::uint64_t upto, Sha256& sha) {
    std::vector<std::byte> buf(buffer_size);
    for (std::uint64_t at = 0; at < upto;) {
      auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), upto - at));
      std::size_t n = part.read_at(at, std::span(buf).first(want));
      if (n == 0) throw std::runtime_error(part.leaf() + ": its part shrank");
      sha.update(std::span(buf).first(n));
      at += n;
    }
  }

  void receive_data(transfer::PartFile& part, std::uint64_t size, std::uint64_t at, Sha256* sha,
                    const std::string& shown) {
    Progress progress(shown, size, at, !args_.quiet);
    std::vector<std::byte> buf(buffer_size);
    while (at < size) {
      auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - at));
      std::size_t n = 0;
      try {
        if (file_.buffered() > 0) {  // read ahead with the last message
          std::string ahead = file_.read(std::min(want, file_.buffered()));
          n = ahead.size();
          std::memcpy(buf.data(), ahead.data(), n);
        } else {
          n = conn_.recv_into(buf, want);
        }
      } catch (const std::exception& e) {
        if (stopper_.signal() != 0)
          n = 0;  // the stop's shutdown(), not the sender
        else
          throw SessionOver(shown + ": " + e.what() + " after " + std::to_string(at) + " of " +
                            std::to_string(size) + " bytes; the part is kept for --resume");
      }
      if (n == 0)
        throw SessionOver(shown + ": " +
                          (stopper_.signal() != 0
                               ? "stopped by " + signal_name(stopper_.signal())
                               : std::string("the sender closed the connection")) +
                          " after " + std::to_string(at) + " of " + std::to_string(size) +
                          " bytes; the part is kept for --resume");
      auto data = std::span<const std::byte>(buf).first(n);
      try {
        part.write(data);
      } catch (const std::exception& e) {
        part.discard();  // a full disk keeps nothing
        stop(std::string(e.what()) + " (after " + std::to_string(at) + " of " +
             std::to_string(size) + " bytes; nothing kept)");
      }
      if (sha) sha->update(data);
      at += n;
      progress.update(at);
    }
    progress.finish();
  }

  Socket conn_;
  io::SocketFile file_;  // the messages (and any file bytes it read ahead)
  Address peer_;
  transfer::ReceiveDir& dir_;
  const ReceiveArgs& args_;
  const Stopper& stopper_;
  bool ok_ = true;
};

void receive(ReceiveArgs& args) {
  if (args.operands.empty() || args.operands.size() > 2) usage_error("receive needs [HOST] PORT");
  std::string host = args.operands.size() == 2 ? args.operands[0] : "127.0.0.1";
  const std::string& port_text = args.operands.back();
  char* end = nullptr;
  long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535)
    usage_error("PORT must be 0-65535, not '" + port_text + "'");
  if (!args.max_size.empty()) {
    auto bytes = parse_size(args.max_size);
    if (!bytes) usage_error("--max-size: not a size (bytes, or with K, M, G, T): " + args.max_size);
    args.max_bytes = *bytes;
  }

  // Before any thread starts, so that only StopSignals receives them.
  server::StopSignals signals;
  transfer::ReceiveDir dir(args.dir);
  Address address(host, static_cast<int>(port));
  Socket server = create_server(address, address.family());
  std::fprintf(stderr, "Listening on %s\n", server.getsockname().repr().c_str());
  std::fflush(stderr);

  // Senders are served on a thread of their own; this one waits for a stop signal.
  Stopper stopper(server);
  std::atomic<bool> done{false};
  bool all_ok = true;
  std::exception_ptr error;
  std::thread worker([&] {
    try {
      for (;;) {
        auto [conn, peer] = server.accept();
        conn.settimeout(args.timeout);
        Session session(std::move(conn), peer, dir, args, stopper);
        stopper.serving(&session.socket());
        bool ok = session.run();
        stopper.serving(nullptr);
        all_ok = all_ok && ok;
        if (args.once || stopper.signal() != 0) break;
      }
    } catch (...) {
      if (stopper.signal() == 0) error = std::current_exception();  // else: the stop's wake-up
    }
    done = true;
  });
  while (!done) {
    if (auto sig = signals.wait_for(std::chrono::milliseconds(100))) stopper.stop(*sig);
  }
  worker.join();
  // A signal that came as the last sender finished is taken, not left to kill us on exit.
  while (signals.wait_for(std::chrono::nanoseconds::zero())) {
  }
  if (error) std::rethrow_exception(error);
  if (stopper.signal() != 0 && all_ok)
    std::fprintf(stderr, "soket receive: stopped by %s\n", signal_name(stopper.signal()).c_str());
  if (!all_ok) throw CLI::RuntimeError(exit_failure);
}

}  // namespace

void add_receive_command(CLI::App& app) {
  auto args = std::make_shared<ReceiveArgs>();
  auto* cmd = app.add_subcommand(
      "receive", "Receive files from 'soket send' into a folder: verified, atomic, no escapes");
  cmd->add_option("operands", args->operands, "[HOST] PORT (HOST defaults to 127.0.0.1)")
      ->required();
  cmd->add_option("-d,--dir", args->dir, "Folder to receive into")
      ->capture_default_str()
      ->check(non_empty());
  cmd->add_option("--max-size", args->max_size,
                  "Refuse files larger than this (bytes, or with K, M, G, T)");
  cmd->add_flag("-f,--force", args->force, "Replace files that already exist");
  cmd->add_flag("-1,--once", args->once,
                "Exit after the first sender (exit status 1 if anything failed)");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress bar");
  cmd->add_option("-w,--timeout", args->timeout, "Drop a sender that stalls this long, in seconds")
      ->capture_default_str()
      ->transform(seconds_in(0.001));
  cmd->footer(
      "Example:\n  soket receive --dir ~/in --max-size 10G 9000\n"
      "  soket send report.pdf 127.0.0.1 9000      # on the sending side");
  cmd->callback([args] { run_command("receive", [&] { receive(*args); }); });
}

}  // namespace soket::tools
