// SPDX-License-Identifier: MIT
#include "support/support.hpp"

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace soket::test {

Socket listen_ephemeral(Family family, std::string_view host) {
  Socket s(family, Type::stream);
  s.bind(Address(host, 0));
  s.listen();
  return s;
}

std::uint16_t closed_port() {
  Socket s(Family::inet);
  s.bind({"127.0.0.1", 0});
  return s.getsockname().port();
}

std::pair<Socket, Socket> loopback_pair(Family family) {
  Socket listener = listen_ephemeral(family, family == Family::inet6 ? "::1" : "127.0.0.1");
  Socket client(family, Type::stream);
  client.connect(listener.getsockname());
  auto [conn, addr] = listener.accept();
  return {std::move(client), std::move(conn)};
}

FullBacklog::FullBacklog() {
  listener_.bind(Address("127.0.0.1", 0));
  listener_.listen(0);
  for (int i = 0; i < 4; ++i) {
    Socket s(Family::inet);
    s.settimeout(0.0);
    std::error_code ec;
    s.connect(listener_.getsockname(), ec);  // in progress or done: either fills the queue
    fillers_.push_back(std::move(s));
  }
  // Let the handshakes that can complete, complete.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

TempUnixPath::TempUnixPath() {
  std::string templ = (std::filesystem::temp_directory_path() / "soket-test-XXXXXX").string();
  if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = templ;
  path_ = dir_ + "/sock";
}

TempUnixPath::~TempUnixPath() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

int FdLeakGuard::count_open() {
  int n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return -1;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n - 1;  // the directory stream's own descriptor
}

FdLeakGuard::FdLeakGuard() : before_(count_open()) {}
int FdLeakGuard::leaked() const {
  return count_open() - before_;
}

Child::Child(std::vector<std::string> argv, std::vector<std::string> env) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC))
    throw std::runtime_error("pipe failed");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    for (auto& e : env) ::putenv(e.data());
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  in_ = in[1];
  out_ = out[0];
  err_ = err[0];
}

Child::~Child() {
  if (in_ >= 0) ::close(in_);
  if (pid_ > 0 && status_ < 0) {
    ::kill(pid_, SIGKILL);
    int st;
    ::waitpid(pid_, &st, 0);
  }
  ::close(out_);
  ::close(err_);
}

void Child::write_stdin(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(in_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("write to child failed");
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void Child::close_stdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

namespace {
// Reads what is available from fd into buf, waiting up to `until`; false at EOF or timeout.
bool fill(int fd, std::string& buf, std::chrono::steady_clock::time_point until) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      until - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd, POLLIN, 0};
  int rc = ::poll(&p, 1, static_cast<int>(left.count()));
  if (rc <= 0) return rc < 0 && errno == EINTR;
  char tmp[4096];
  ssize_t n = ::read(fd, tmp, sizeof tmp);
  if (n <= 0) return false;
  buf.append(tmp, static_cast<std::size_t>(n));
  return true;
}
}  // namespace

namespace {
std::optional<std::string> next_line(int fd, std::string& buf, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto nl = buf.find('\n'); nl != std::string::npos) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      return line;
    }
    if (!fill(fd, buf, until)) return std::nullopt;
  }
}
}  // namespace

std::optional<std::string> Child::read_line(std::chrono::milliseconds timeout) {
  return next_line(out_, out_buf_, timeout);
}

std::optional<std::string> Child::read_err_line(std::chrono::milliseconds timeout) {
  return next_line(err_, err_buf_, timeout);
}

std::string Child::read_all(std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (fill(out_, out_buf_, until)) {
  }
  return std::exchange(out_buf_, {});
}

std::string Child::read_stderr(std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (fill(err_, err_buf_, until)) {
  }
  return std::exchange(err_buf_, {});
}

void Child::signal(int sig) {
  if (pid_ > 0 && status_ < 0) ::kill(pid_, sig);
}

int Child::wait(std::chrono::milliseconds timeout) {
  if (status_ >= 0) return status_;
  auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      return status_;
    }
    if (std::chrono::steady_clock::now() >= until) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::vector<std::string> python_argv(const std::string& code, std::vector<std::string> args) {
  std::vector<std::string> argv{SOKET_PYTHON, "-u", "-c", code};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

bool have(std::string_view program) {
  return Child({"sh", "-c", "command -v \"$0\" >/dev/null", std::string(program)}).wait() == 0;
}

std::string run(std::vector<std::string> argv, int* status) {
  Child c(std::move(argv));
  std::string out = c.read_all(std::chrono::seconds(60));
  const int st = c.wait(std::chrono::seconds(60));
  if (status)
    *status = st;
  else
    EXPECT_EQ(st, 0) << c.read_stderr();
  return out;
}

std::string built_program(const std::string& relative) {
  return std::string(SOKET_BINARY_DIR) + "/" + relative;
}

}  // namespace soket::test
