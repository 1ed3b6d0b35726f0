// SPDX-License-Identifier: MIT
#include <soket/proto/telnet/telnet.hpp>

#include <chrono>
#include <cmath>
#include <iostream>

#include <soket/create.hpp>
#include <soket/error.hpp>

#include "deadline.hpp"
#include "linux/poll.hpp"

namespace soket::proto::telnet {
namespace {

std::chrono::nanoseconds to_ns(double seconds) {
  return detail::saturating_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(seconds));
}

}  // namespace

Telnet::Telnet(const std::string& host, std::uint16_t port, Wait timeout, TelnetOptions options)
    : options_(std::move(options)) {
  open(host, port, timeout);
}

void Telnet::open(const std::string& host, std::uint16_t port, Wait timeout) {
  if (timeout && !(std::isfinite(*timeout) && *timeout > 0))
    throw std::invalid_argument("telnet open: timeout must be a positive number of seconds");
  const soket::Timeout t = timeout ? soket::Timeout(to_ns(*timeout)) : global_default_timeout;
  adopt(create_connection(Address(host, port == 0 ? TELNET_PORT : port), t));
}

void Telnet::adopt(Socket sock) {
  sock_ = std::move(sock);
  parser_ = Parser(options_.max_subnegotiation);
  negotiation_ = Negotiation();
  rawq_.clear();
  cookedq_.clear();
  sbdataq_.clear();
  eof_ = false;
}

void Telnet::close() {
  sock_.close();
  eof_ = true;
}

void Telnet::write(std::string_view buffer) {
  send_raw(escape_iac(buffer));
}

void Telnet::send_raw(std::string_view bytes) {
  if (bytes.empty()) return;
  sock_.sendall(bytes);
}

void Telnet::debug(const std::string& line) const {
  if (debuglevel_ > 0) std::cerr << "Telnet(" << sock_.fileno() << "): " << line << '\n';
}

Telnet::TimePoint Telnet::deadline_of(Wait timeout) {
  return timeout ? detail::deadline_after(to_ns(std::max(*timeout, 0.0)))
                 : detail::SteadyClock::time_point::max();
}

bool Telnet::wait_readable(TimePoint deadline) {
  for (;;) {
    std::error_code ec;
    const auto left =
        detail::saturating_cast<std::chrono::nanoseconds>(detail::time_left(deadline));
    const bool ready = sys::wait(sock_.fileno(), sys::Want::read, left, ec);
    if (!ec) return ready;
    if (ec != std::errc::interrupted) throw_error(ec, "telnet wait");
  }
}

bool Telnet::pump(TimePoint deadline) {
  // A deadline already passed ends the wait before any poll, as telnetlib's loops do.
  if (eof_ || detail::time_left(deadline) == detail::SteadyClock::duration::zero()) return false;
  if (!wait_readable(deadline)) return false;
  fill_rawq();
  process_rawq();
  return true;
}

bool Telnet::sock_avail() {
  return wait_readable(detail::SteadyClock::now());
}

void Telnet::fill_rawq() {
  std::string got = sock_.recv(4096);
  if (got.empty()) eof_ = true;
  rawq_ += got;
}

void Telnet::process_rawq() {
  if (rawq_.empty()) return;
  std::vector<Command> commands;
  std::string cooked;
  parser_.feed(rawq_, cooked, commands);
  rawq_.clear();
  cookedq_ += cooked;
  for (const auto& c : commands) on_command(c);
}

void Telnet::on_command(const Command& c) {
  if (c.cmd == SE) {
    debug("recv IAC SB " + option_name(c.option) + " (" + std::to_string(c.payload.size()) +
          " bytes) IAC SE");
    sbdataq_ += static_cast<char>(c.option);
    sbdataq_ += c.payload;
  } else if (c.cmd >= WILL && c.cmd <= DONT) {
    debug("recv IAC " + command_name(c.cmd) + " " + option_name(c.option));
  } else {
    debug("recv IAC " + command_name(c.cmd));
  }
  if (callback_) {
    callback_(sock_, c.cmd, c.cmd == SE || (c.cmd >= WILL && c.cmd <= DONT) ? c.option : NOOPT);
    return;
  }
  if (c.cmd >= WILL && c.cmd <= DONT) {
    const std::string reply = negotiation_.receive(c.cmd, c.option, agrees(c.cmd, c.option));
    if (!reply.empty())
      debug("send IAC " + command_name(static_cast<std::uint8_t>(reply[1])) + " " +
            option_name(c.option));
    send_raw(reply);
    if (c.option == option::binary) parser_.set_binary(negotiation_.enabled(false, option::binary));
    if (c.option == option::naws && negotiation_.enabled(true, option::naws) &&
        options_.window_size)
      set_window_size(options_.window_size->first, options_.window_size->second);
  } else if (c.cmd == SE && c.option == option::ttype && !c.payload.empty() &&
             static_cast<std::uint8_t>(c.payload[0]) == ttype_send &&
             negotiation_.enabled(true, option::ttype)) {
    debug("send IAC SB ttype IS " + options_.terminal_type + " IAC SE");
    send_raw(subnegotiation(option::ttype,
                            std::string(1, static_cast<char>(ttype_is)) + options_.terminal_type));
  }
}

bool Telnet::agrees(std::uint8_t cmd, std::uint8_t opt) const noexcept {
  if (cmd == DO) {  // may we enable it
    if (opt == option::ttype) return !options_.terminal_type.empty();
    if (opt == option::naws) return options_.window_size.has_value();
    return opt == option::sga && options_.accept_sga;
  }
  if (opt == option::echo) return options_.accept_echo;
  return opt == option::sga && options_.accept_sga;
}

void Telnet::request_option(bool local, std::uint8_t opt, bool enable) {
  send_raw(negotiation_.request(local, opt, enable));
}

void Telnet::set_window_size(std::uint16_t columns, std::uint16_t rows) {
  options_.window_size = std::make_pair(columns, rows);
  if (!negotiation_.enabled(true, option::naws)) return;
  const std::string size{static_cast<char>(columns >> 8), static_cast<char>(columns & 0xff),
                         static_cast<char>(rows >> 8), static_cast<char>(rows & 0xff)};
  debug("send IAC SB naws " + std::to_string(columns) + "x" + std::to_string(rows) + " IAC SE");
  send_raw(subnegotiation(option::naws, size));
}

std::string Telnet::take(std::size_t n) {
  std::string out = cookedq_.substr(0, n);
  cookedq_.erase(0, n);
  return out;
}

void Telnet::check_cap(const char* call) const {
  if (cookedq_.size() > options_.max_buffer)
    throw Error(std::string("telnet ") + call + ": more than " +
                std::to_string(options_.max_buffer) + " bytes without a match");
}

std::string Telnet::read_until(std::string_view expected, Wait timeout) {
  const TimePoint deadline = deadline_of(timeout);
  process_rawq();
  std::size_t searched = 0;
  for (;;) {
    // Look again only where a new match can be: the old tail plus what arrived.
    const std::size_t from = searched >= expected.size() ? searched - expected.size() + 1 : 0;
    const std::size_t pos = cookedq_.find(expected, from);
    if (pos != std::string::npos) return take(pos + expected.size());
    searched = cookedq_.size();
    check_cap("read_until");
    if (!pump(deadline)) break;
  }
  return read_very_lazy();
}

ExpectResult Telnet::expect(const std::vector<std::regex>& list, Wait timeout) {
  const TimePoint deadline = deadline_of(timeout);
  process_rawq();
  for (;;) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::smatch m;
      if (!std::regex_search(cookedq_, m, list[i])) continue;
      ExpectResult r;
      r.index = static_cast<int>(i);
      r.match.emplace();
      for (const auto& g : m) r.match->push_back(g.str());
      r.text = take(static_cast<std::size_t>(m.position(0) + m.length(0)));
      return r;
    }
    check_cap("expect");
    if (!pump(deadline)) break;
  }
  ExpectResult r;
  r.text = read_very_lazy();
  if (r.text.empty() && eof_) throw EOFError();
  return r;
}

std::string Telnet::read_all() {
  process_rawq();
  while (!eof_) {
    check_cap("read_all");
    fill_rawq();
    process_rawq();
  }
  return take(cookedq_.size());
}

std::string Telnet::read_some() {
  process_rawq();
  while (cookedq_.empty() && !eof_) {
    fill_rawq();
    process_rawq();
  }
  return take(cookedq_.size());
}

std::string Telnet::read_very_eager() {
  process_rawq();
  while (!eof_ && sock_avail()) {
    check_cap("read_very_eager");
    fill_rawq();
    process_rawq();
  }
  return read_very_lazy();
}

std::string Telnet::read_eager() {
  process_rawq();
  while (cookedq_.empty() && !eof_ && sock_avail()) {
    fill_rawq();
    process_rawq();
  }
  return read_very_lazy();
}

std::string Telnet::read_lazy() {
  process_rawq();
  return read_very_lazy();
}

std::string Telnet::read_very_lazy() {
  std::string buf = take(cookedq_.size());
  if (buf.empty() && eof_ && rawq_.empty()) throw EOFError();
  return buf;
}

std::string Telnet::read_sb_data() {
  std::string buf;
  buf.swap(sbdataq_);
  return buf;
}

}  // namespace soket::proto::telnet
