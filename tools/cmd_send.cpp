// SPDX-License-Identifier: MIT
// `soket send FILE... HOST PORT`: file transfer to `soket receive` — a framed header per file
// (transfer/protocol.hpp), the bytes by sendfile(2), SHA-256 computed while they stream,
// --resume of a part the receiver kept, -r for directories.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <soket/io/selector.hpp>
#include <soket/io/socket_file.hpp>
#include <soket/io/transfer/protocol.hpp>
#include <soket/soket.hpp>

#include "cli.hpp"
#include "commands.hpp"
#include "progress.hpp"
#include "sha256.hpp"

namespace soket::tools {
namespace {

namespace fs = std::filesystem;
using transfer::Kind;
using transfer::Message;

// The bytes read and hashed, then sent, per step: small enough that sendfile(2) finds them
// still in the CPU cache after the hash. Without the hash, sendfile moves bigger steps. The
// receiver's early "error" (disk full) is noticed between steps.
constexpr std::size_t chunk = 256 * 1024;
constexpr std::size_t unhashed_chunk = 4 * 1024 * 1024;

struct SendArgs {
  std::vector<std::string> operands;  // FILE... HOST PORT
  bool recursive = false;
  bool resume = false;
  bool no_verify = false;
  bool quiet = false;
  double timeout = 30;
};

// A failure of this one item (refused, digest mismatch): reported, the next item is sent.
struct ItemFailed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Sender {
 public:
  Sender(Socket sock, const SendArgs& args) : sock_(std::move(sock)), file_(sock_), args_(args) {
    watch_.register_(sock_, selectors::EVENT_READ);
  }

  // Sends `path` as `name` (a directory's tree with -r). Returns false if an item failed.
  bool send_path(const fs::path& path, const std::string& name) {
    auto status = fs::symlink_status(path);
    if (fs::is_directory(status) || (fs::is_symlink(status) && fs::is_directory(path))) {
      if (!args_.recursive) return fail(path.string() + ": is a directory (use -r)");
      return send_dir(path, name);
    }
    if (!fs::is_regular_file(fs::status(path))) return fail(path.string() + ": not a regular file");
    try {
      send_file(path, name);
      return true;
    } catch (const ItemFailed& e) {
      return fail(e.what());
    }
  }

  void finish() {
    send_message(file_, transfer::end_message());
    // The receiver closes after "end": wait for it, so everything it said has been read.
    std::error_code ec;
    sock_.shutdown(Shut::wr, ec);
    while (auto m = transfer::recv_message(file_)) check_session(*m);
  }

 private:
  bool fail(const std::string& what) {
    std::fprintf(stderr, "soket send: %s\n", what.c_str());
    return false;
  }

  // An "error" ends the session: the sender exits at once saying why.
  void check_session(const Message& m) {
    if (m.kind == Kind::error) throw std::runtime_error("receiver: " + m.text);
  }

  Message reply() {
    auto m = transfer::recv_message(file_);
    if (!m) throw std::runtime_error("the receiver closed the connection");
    check_session(*m);
    return *m;
  }

  bool send_dir(const fs::path& root, const std::string& name) {
    bool ok = send_dir_entry(root, name);
    // Sorted, so the receiver sees parents before children and the order is reproducible.
    std::vector<fs::directory_entry> entries;
    for (const auto& entry : fs::recursive_directory_iterator(root)) entries.push_back(entry);
    std::sort(entries.begin(), entries.end());
    for (const auto& entry : entries) {
      std::string rel = name + "/" + fs::relative(entry.path(), root).generic_string();
      if (entry.is_symlink()) {
        ok = fail(entry.path().string() + ": symlink skipped");
      } else if (entry.is_directory()) {
        ok = send_dir_entry(entry.path(), rel) && ok;
      } else if (entry.is_regular_file()) {
        try {
          send_file(entry.path(), rel);
        } catch (const ItemFailed& e) {
          ok = fail(e.what());
        }
      } else {
        ok = fail(entry.path().string() + ": not a regular file, skipped");
      }
    }
    return ok;
  }

  bool send_dir_entry(const fs::path& path, const std::string& name) {
    auto mode = static_cast<std::uint32_t>(fs::status(path).permissions() & fs::perms::mask);
    send_message(file_, transfer::dir_message(name, mode));
    Message m = reply();
    if (m.kind == Kind::refuse) return fail(name + ": refused by the receiver: " + m.text);
    return true;
  }

  void send_file(const fs::path& path, const std::string& name) {
    OwnedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_error({errno, std::system_category()}, "open " + path.string());
    std::uint64_t size = fs::file_size(path);
    auto mode = static_cast<std::uint32_t>(fs::status(path).permissions() & fs::perms::mask);
    bool verify = !args_.no_verify;
    std::uint8_t flags = static_cast<std::uint8_t>((args_.resume ? transfer::flag_resume : 0) |
                                                   (verify ? transfer::flag_verify : 0));
    send_message(file_, transfer::file_message(name, size, mode, flags));
    Message m = reply();
    if (m.kind == Kind::refuse) throw ItemFailed(name + ": refused by the receiver: " + m.text);
    if (m.kind != Kind::accept) throw transfer::ProtocolError("unexpected reply to a file");

    // Resume only over a part that matches this file byte for byte (its SHA-256).
    Sha256 sha;
    std::uint64_t offset = 0;
    if (m.offset > 0 && m.offset <= size && m.sha) {
      hash_range(fd.get(), 0, m.offset, sha);
      Sha256 prefix_only;
      hash_range(fd.get(), 0, m.offset, prefix_only);
      if (prefix_only.finish() == *m.sha) {
        offset = m.offset;
      } else {
        std::fprintf(stderr, "soket send: %s: the receiver's part differs, sending it all\n",
                     name.c_str());
        sha.finish();  // start over
      }
    }
    send_message(file_, transfer::start_message(offset));
    if (offset > 0 && !args_.quiet)
      std::fprintf(stderr, "soket send: %s: resuming at byte %llu\n", name.c_str(),
                   static_cast<unsigned long long>(offset));

    Progress progress(name, size, offset, !args_.quiet);
    std::vector<std::byte> buf(verify ? chunk : 0);
    while (offset < size) {
      std::size_t n = static_cast<std::size_t>(
          std::min<std::uint64_t>(verify ? chunk : unhashed_chunk, size - offset));
      if (verify) n = read_hashed(fd.get(), offset, std::span(buf).first(n), sha, name);
      std::size_t sent = sock_.sendfile(fd.get(), offset, n);
      if (sent != n) throw std::runtime_error(name + ": file shrank while being sent");
      offset += n;
      progress.update(offset);
      // The receiver speaks during the data only to stop us (disk full): look, don't wait.
      if (file_.buffered() > 0 || !watch_.select(std::chrono::seconds(0)).empty())
        check_session(reply());
    }
    progress.finish();
    Message digest = transfer::digest_message(std::nullopt);
    if (verify) digest.sha = sha.finish();
    send_message(file_, digest);
    m = reply();
    if (m.kind == Kind::refuse) throw ItemFailed(name + ": not kept by the receiver: " + m.text);
    if (m.kind != Kind::ok) throw transfer::ProtocolError("unexpected reply to a digest");
    std::printf("sent %s (%llu bytes%s%s)\n", name.c_str(), static_cast<unsigned long long>(size),
                verify ? ", sha256 " : ", not verified",
                verify ? transfer::to_hex(*digest.sha).c_str() : "");
    std::fflush(stdout);
  }

  static std::size_t read_hashed(int fd, std::uint64_t offset, std::span<std::byte> buf,
                                 Sha256& sha, const std::string& name) {
    std::size_t got = 0;
    while (got < buf.size()) {
      ssize_t r = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(offset + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) throw_error({errno, std::system_category()}, "read " + name);
      if (r == 0) throw std::runtime_error(name + ": file shrank while being sent");
      got += static_cast<std::size_t>(r);
    }
    sha.update(buf);
    return got;
  }

  static void hash_range(int fd, std::uint64_t from, std::uint64_t to, Sha256& sha) {
    std::vector<std::byte> buf(chunk);
    while (from < to) {
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, to - from));
      read_hashed(fd, from, std::span(buf).first(n), sha, "file");
      from += n;
    }
  }

  Socket sock_;
  io::SocketFile file_;  // the messages; the files' bytes go by sendfile on sock_
  const SendArgs& args_;
  selectors::PollSelector watch_;
};

void send(const SendArgs& args) {
  if (args.operands.size() < 3) usage_error("send needs FILE... HOST PORT");
  const std::string& host = args.operands[args.operands.size() - 2];
  const std::string& port_text = args.operands.back();
  char* end = nullptr;
  long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 1 || port > 65535)
    usage_error("PORT must be 1-65535, not '" + port_text + "'");
  std::vector<fs::path> files(args.operands.begin(), args.operands.end() - 2);
  for (const auto& f : files) {
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(f, ec)))
      usage_error(f.string() + ": No such file or directory");
  }

  auto timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(args.timeout));
  Socket sock = create_connection(Address(host, static_cast<int>(port)), timeout);
  Sender sender(std::move(sock), args);
  bool ok = true;
  for (const auto& f : files) {
    fs::path clean = f.lexically_normal();
    std::string name = (clean.has_filename() ? clean : clean.parent_path()).filename().string();
    if (name.empty() || name == "..") name = fs::absolute(f).lexically_normal().filename();
    ok = sender.send_path(f, name) && ok;
  }
  sender.finish();
  if (!ok) throw CLI::RuntimeError(exit_failure);
}

}  // namespace

void add_send_command(CLI::App& app) {
  auto args = std::make_shared<SendArgs>();
  auto* cmd = app.add_subcommand(
      "send", "Send files to 'soket receive': SHA-256 checked end to end, resumable");
  cmd->add_option("operands", args->operands, "FILE... HOST PORT")->required();
  cmd->add_flag("-r,--recursive", args->recursive, "Send directories with their tree");
  cmd->add_flag("--resume", args->resume,
                "Continue a part the receiver kept from an interrupted transfer (its SHA-256 "
                "is checked first)");
  cmd->add_flag("--no-verify", args->no_verify, "Skip the SHA-256 check (faster)");
  cmd->add_flag("-q,--quiet", args->quiet, "No progress bar");
  cmd->add_option("-w,--timeout", args->timeout,
                  "Give up when the receiver stalls this long, in seconds")
      ->capture_default_str()
      ->transform(seconds_in(0.001));
  cmd->footer(
      "Example:\n  soket receive --dir ~/in 9000      # on the receiving side\n"
      "  soket send -r photos notes.txt 127.0.0.1 9000");
  cmd->callback([args] { run_command("send", [&] { send(*args); }); });
}

}  // namespace soket::tools
