// SPDX-License-Identifier: MIT
#include <soket/tls/relay_stream.hpp>

#include <chrono>

#include <soket/tls/ssl_error.hpp>

namespace soket::tls {

std::optional<std::size_t> SSLRelayStream::read_available(std::span<std::byte> buffer) {
  // Non-blocking for this one read, then the caller's timeout again (writes keep it).
  struct Restore {
    SSLSocket& sock;
    Timeout timeout;
    ~Restore() {
      try {
        sock.settimeout(timeout);
      } catch (...) {  // the socket was closed under us: the next call reports it
      }
    }
  } restore{sock_, sock_.gettimeout()};
  sock_.settimeout(Timeout(std::chrono::nanoseconds::zero()));
  try {
    return sock_.recv_into(buffer);
  } catch (const SSLWantReadError&) {
    return std::nullopt;
  } catch (const SSLWantWriteError&) {
    return std::nullopt;  // a key update's answer waits for room; the next readiness retries
  }
}

}  // namespace soket::tls
