// SPDX-License-Identifier: MIT
// relay(): one poll(2) loop over the input, the stream and (when it blocks) the output.
#include <soket/io/relay.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <soket/error.hpp>

#include "deadline.hpp"
#include "linux/file.hpp"
#include "linux/poll.hpp"
#include "linux/signals.hpp"

namespace soket::io {

bool SocketByteStream::datagrams() const noexcept {
  return sock_.type() == Type::dgram;
}

std::size_t SocketByteStream::read_some(std::span<std::byte> buffer) {
  return sock_.recv_into(buffer, buffer.size());
}

void SocketByteStream::write_all(std::span<const std::byte> data) {
  if (datagrams())
    sock_.send(data);  // one datagram, all or nothing
  else
    sock_.sendall(data);
}

void SocketByteStream::shutdown_write() {
  if (datagrams()) return;
  std::error_code ec;
  sock_.shutdown(Shut::wr, ec);
  // A peer that has already reset the connection: the next read reports that, which says
  // more than "not connected".
  if (ec && ec != std::errc::not_connected) throw_error(ec, "shutdown");
}

namespace {

using detail::SteadyClock;

bool retry(const std::error_code& ec) {
  return ec == std::errc::interrupted;
}

// All of `data` to a descriptor that may be a pipe, a terminal or non-blocking; -1 discards.
void write_out(int fd, std::span<const std::byte> data) {
  if (fd < 0) return;
  sys::NoSigpipe no_sigpipe;  // a reader that went away is "Broken pipe", not a dead process
  while (!data.empty()) {
    std::error_code ec;
    ssize_t n = sys::write_some(fd, data.data(), data.size(), ec);
    if (ec == std::errc::resource_unavailable_try_again) {
      sys::wait(fd, sys::Want::write, SteadyClock::duration::max(), ec);
      continue;
    }
    if (retry(ec)) continue;
    if (ec) throw_error(ec, "write to output");
    data = data.subspan(static_cast<std::size_t>(n));
  }
}

// nc -C: "\n" becomes "\r\n" unless the byte before it (perhaps at the end of the previous
// chunk) is already '\r'.
std::span<const std::byte> to_crlf(std::span<const std::byte> in, std::vector<std::byte>& out,
                                   bool& last_was_cr) {
  out.clear();
  for (std::byte b : in) {
    if (b == std::byte{'\n'} && !last_was_cr) out.push_back(std::byte{'\r'});
    out.push_back(b);
    last_was_cr = b == std::byte{'\r'};
  }
  return out;
}

}  // namespace

RelayResult relay(RelayStream& stream, int input_fd, int output_fd, const RelayOptions& options) {
  if (options.chunk_size == 0) throw std::invalid_argument("relay: chunk_size must be positive");
  RelayResult result;
  // A datagram larger than the buffer would be cut short without a word (MSG_TRUNC), so a
  // datagram stream is read with room for the largest one.
  constexpr std::size_t max_datagram = 65536;
  std::vector<std::byte> buffer(options.chunk_size), translated;
  std::vector<std::byte> from_stream(stream.datagrams() ? std::max(options.chunk_size, max_datagram)
                                                        : options.chunk_size);
  bool last_was_cr = false;
  bool input_open = input_fd >= 0;
  auto end_input = [&] {
    input_open = false;
    result.input_ended = true;
    if (options.half_close) stream.shutdown_write();
  };
  if (!input_open) end_input();

  auto idle_deadline = [&] {
    return options.idle_timeout ? detail::deadline_after(*options.idle_timeout)
                                : SteadyClock::time_point::max();
  };
  auto deadline = idle_deadline();

  // One read from the stream; false at its end.
  auto pump_stream = [&] {
    std::optional<std::size_t> got = stream.read_available(from_stream);
    if (!got) return true;  // no data yet (TLS): wait again
    std::size_t n = *got;
    if (n == 0 && !stream.datagrams()) return false;
    write_out(output_fd, std::span(from_stream).first(n));
    result.received += n;
    deadline = idle_deadline();
    return true;
  };

  // Both directions end before the relay does (unless end_on_peer_eof).
  bool stream_open = true;
  auto stream_ended = [&] {
    stream_open = false;
    return options.end_on_peer_eof || !input_open;
  };
  std::vector<sys::ReadyFd> interest, ready;
  for (;;) {
    if (stream_open && stream.buffered()) {
      if (!pump_stream() && stream_ended()) return result;
      continue;
    }
    interest.clear();
    if (stream_open) interest.push_back({stream.fileno(), sys::ready_read});
    if (input_open) interest.push_back({input_fd, sys::ready_read});
    std::error_code ec;
    sys::poll(interest, ready, sys::timeout_ms(detail::time_left(deadline), !options.idle_timeout),
              ec);
    if (retry(ec)) continue;
    if (ec) throw_error(ec, "relay: poll");
    if (ready.empty()) {
      if (detail::time_left(deadline) == SteadyClock::duration::zero()) {
        result.end = RelayEnd::idle_timeout;
        return result;
      }
      continue;
    }
    for (const auto& r : ready) {
      if (stream_open && r.fd == stream.fileno()) {
        if (!pump_stream() && stream_ended()) return result;
        continue;
      }
      if (!input_open) continue;
      ssize_t n = sys::read_at(input_fd, buffer.data(), buffer.size(), nullptr, ec);
      if (retry(ec) || ec == std::errc::resource_unavailable_try_again) continue;
      if (ec) throw_error(ec, "read from input");
      if (n == 0) {
        end_input();
        if (!stream_open) return result;
        continue;
      }
      auto data = std::span<const std::byte>(buffer).first(static_cast<std::size_t>(n));
      if (options.crlf) data = to_crlf(data, translated, last_was_cr);
      try {
        stream.write_all(data);
      } catch (const ConnectionError&) {
        if (stream_open) throw;
        return result;  // it had ended its side, and now it has gone: the end, not a failure
      }
      result.sent += data.size();
      deadline = idle_deadline();
    }
  }
}

}  // namespace soket::io
