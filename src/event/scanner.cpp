// SPDX-License-Identifier: MIT
// The connect scan. Each Probe is a Watcher slot reused from port to port; every connect has
// the same timeout, so one repeating sweep timer finds the expired ones instead of a timer per
// connect (65,535 of them would sit cancelled in the timer heap).
#include <soket/event/scanner.hpp>

#include <sys/socket.h>

#include <algorithm>

#include <soket/error.hpp>
#include <soket/event/loop.hpp>

#include "event/thread_check.hpp"
#include "linux/fd.hpp"
#include "linux/socket.hpp"

namespace soket::event {

const char* to_string(PortState state) noexcept {
  switch (state) {
    case PortState::open: return "open";
    case PortState::closed: return "closed";
    case PortState::filtered: return "filtered";
  }
  return "unknown";
}

struct Scanner::Probe final : Watcher {
  explicit Probe(Scanner& s) : scanner(s) {}
  ~Probe() override {
    scanner.loop_.unwatch(*this);
    sys::close_quietly(fd());
  }
  void handle_events(std::uint32_t) override {
    std::error_code ec = sys::take_socket_error(fd());
    if (!ec)
      return scanner.finish(*this, self_connected() ? PortState::closed : PortState::open,
                            self_connected() ? std::make_error_code(std::errc::connection_refused)
                                             : std::error_code{});
    bool refused = ec == std::errc::connection_refused || ec == std::errc::connection_reset;
    scanner.finish(*this, refused ? PortState::closed : PortState::filtered, ec);
  }
  // The kernel's TCP self-connect: source and destination are the same address and port.
  bool self_connected() const {
    Address local, peer;
    std::size_t llen = Address::max_size, plen = Address::max_size;
    std::error_code ec;
    if (!sys::getsockname(fd(), local.data(), &llen, ec)) return false;
    if (!sys::getpeername(fd(), peer.data(), &plen, ec)) return false;
    local.resize(llen);
    peer.resize(plen);
    return local == peer;
  }

  Scanner& scanner;
  std::uint16_t port = 0;
  Clock::time_point deadline;
};

Scanner::Scanner(Loop& loop, const Address& host, std::vector<std::uint16_t> ports,
                 ScanOptions options, std::function<void(const ScanResult&)> on_result,
                 std::function<void()> on_done)
    : loop_(loop),
      host_(host),
      ports_(std::move(ports)),
      options_(options),
      on_result_(std::move(on_result)),
      on_done_(std::move(on_done)) {
  if (host_.family() != Family::inet && host_.family() != Family::inet6)
    throw_error(std::make_error_code(std::errc::address_family_not_supported),
                "scan " + host_.to_string());
  options_.max_in_flight =
      std::clamp<std::size_t>(options_.max_in_flight, 1, std::max<std::size_t>(ports_.size(), 1));
  probes_.reserve(options_.max_in_flight);
  idle_.reserve(options_.max_in_flight);
}

Scanner::~Scanner() {
  if (start_timer_) loop_.cancel(start_timer_);
  if (sweep_timer_) loop_.cancel(sweep_timer_);
}

void Scanner::start() {
  SOKET_LOOP_THREAD_ONLY(loop_, "Scanner::start");
  start_timer_ = loop_.call_after(Duration::zero(), [this] {
    start_timer_ = {};
    // Every connect has the same timeout: a sweep at a tenth of it (1 ms to 100 ms) finds
    // the expired ones, at most a tick late.
    auto tick = std::clamp<Duration>(options_.timeout / 10, std::chrono::milliseconds(1),
                                     std::chrono::milliseconds(100));
    sweep_timer_ = loop_.call_every(tick, [this] { sweep(); });
    fill();
  });
}

void Scanner::sweep() {
  auto now = Clock::now();
  for (auto& p : probes_)
    if (p->fd() >= 0 && p->deadline <= now)
      finish(*p, PortState::filtered, std::make_error_code(std::errc::timed_out));
}

// Launches connects until max_in_flight are outstanding or the ports run out. A connect that
// is answered at once (loopback refuses in the connect call itself) is reported here, so the
// loop goes on without a turn of the poller per closed port.
void Scanner::fill() {
  if (filling_) return;  // finish() called from inside launch(): the outer loop continues
  filling_ = true;
  while (next_ < ports_.size() && in_flight_ < options_.max_in_flight) {
    Probe* p = nullptr;
    if (!idle_.empty()) {
      p = idle_.back();
      idle_.pop_back();
    } else {
      probes_.push_back(std::make_unique<Probe>(*this));
      p = probes_.back().get();
    }
    launch(*p, ports_[next_++]);
  }
  filling_ = false;
  if (reported_ == ports_.size() && !done_) {
    done_ = true;
    if (sweep_timer_) loop_.cancel(sweep_timer_);
    sweep_timer_ = {};
    if (on_done_) on_done_();
  }
}

void Scanner::launch(Probe& probe, std::uint16_t port) {
  ++in_flight_;
  probe.port = port;
  // sin_port and sin6_port sit at the same offset, in network order.
  Address target = host_;
  auto* bytes = static_cast<unsigned char*>(target.data());
  bytes[2] = static_cast<unsigned char>(port >> 8);
  bytes[3] = static_cast<unsigned char>(port & 0xff);
  std::error_code ec;
  int fd = sys::socket(static_cast<int>(host_.family()), SOCK_STREAM | SOCK_NONBLOCK, 0, ec);
  if (fd < 0) {
    if (in_flight_ > 1 &&
        (ec == std::errc::too_many_files_open || ec == std::errc::too_many_files_open_in_system ||
         ec == std::errc::no_buffer_space)) {
      // Out of descriptors: retry this port once a connect in flight has ended.
      --in_flight_;
      --next_;
      idle_.push_back(&probe);
      options_.max_in_flight = std::max<std::size_t>(in_flight_, 1);
      return;
    }
    return finish(probe, PortState::filtered, ec);
  }
  probe.set_fd(fd);
  probe.deadline = Clock::now() + options_.timeout;
  if (sys::connect(fd, target.data(), target.size(), ec))
    return finish(probe, probe.self_connected() ? PortState::closed : PortState::open, {});
  if (ec == std::errc::operation_in_progress) {
    // On loopback the kernel has usually handled the SYN and its RST inside connect(): the
    // refusal is already waiting in SO_ERROR, and reading it now saves a trip through epoll
    // for every closed port.
    if ((ec = sys::take_socket_error(fd))) {
      bool refused = ec == std::errc::connection_refused;
      return finish(probe, refused ? PortState::closed : PortState::filtered, ec);
    }
    try {
      loop_.watch(probe, Watcher::writable);
      return;
    } catch (const Error& e) {
      ec = e.code();
    }
  }
  bool refused = ec == std::errc::connection_refused;
  finish(probe, refused ? PortState::closed : PortState::filtered, ec);
}

void Scanner::finish(Probe& probe, PortState state, std::error_code ec) {
  loop_.unwatch(probe);
  sys::close_quietly(probe.fd());
  probe.set_fd(-1);
  --in_flight_;
  ++reported_;
  idle_.push_back(&probe);
  if (on_result_) on_result_(ScanResult{probe.port, state, ec});
  fill();
}

std::vector<ScanResult> scan(const Address& host, std::vector<std::uint16_t> ports,
                             const ScanOptions& options) {
  Loop loop;
  std::vector<ScanResult> results;
  results.reserve(ports.size());
  bool empty = ports.empty();
  Scanner scanner(
      loop, host, std::move(ports), options, [&](const ScanResult& r) { results.push_back(r); },
      [&] { loop.stop(); });
  if (empty) return results;
  scanner.start();
  loop.run();
  std::sort(results.begin(), results.end(),
            [](const ScanResult& a, const ScanResult& b) { return a.port < b.port; });
  return results;
}

}  // namespace soket::event
