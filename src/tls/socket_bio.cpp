// SPDX-License-Identifier: MIT
// A BIO over a socket descriptor: OpenSSL's socket BIO writes with write(2), which raises
// SIGPIPE on a closed peer; this one sends with MSG_NOSIGNAL (soket never installs signal
// handlers) and goes through the Linux layer like every other soket system call.
#include <openssl/bio.h>
#include <sys/socket.h>
#include <cerrno>

#include "linux/socket.hpp"
#include "tls/openssl.hpp"

namespace soket::tls::detail {
namespace {

struct SocketBio {
  int fd;
  bool eof = false;
  bool more = false;  // MSG_MORE: another record follows at once (set_more)
};

SocketBio* state(BIO* b) noexcept {
  return static_cast<SocketBio*>(BIO_get_data(b));
}

int write_ex(BIO* b, const char* data, std::size_t len, std::size_t* written) {
  BIO_clear_retry_flags(b);
  for (;;) {
    std::error_code ec;
    ssize_t n = sys::sendto(state(b)->fd, data, len, state(b)->more ? MSG_MORE : 0, nullptr, 0, ec);
    if (n >= 0) {
      *written = static_cast<std::size_t>(n);
      return 1;
    }
    if (ec == std::errc::interrupted) continue;  // PEP 475
    if (ec == std::errc::resource_unavailable_try_again) BIO_set_retry_write(b);
    errno = ec.value();  // for SSL_ERROR_SYSCALL's caller
    return 0;
  }
}

int read_ex(BIO* b, char* data, std::size_t len, std::size_t* got) {
  BIO_clear_retry_flags(b);
  for (;;) {
    std::error_code ec;
    ssize_t n = sys::recvfrom(state(b)->fd, data, len, 0, nullptr, nullptr, ec);
    if (n > 0) {
      *got = static_cast<std::size_t>(n);
      return 1;
    }
    if (n == 0) {
      state(b)->eof = true;  // BIO_eof() tells OpenSSL the transport ended
      *got = 0;
      return 0;
    }
    if (ec == std::errc::interrupted) continue;
    if (ec == std::errc::resource_unavailable_try_again) BIO_set_retry_read(b);
    errno = ec.value();
    return 0;
  }
}

long ctrl(BIO* b, int cmd, long, void*) {
  switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_EOF: return state(b)->eof ? 1 : 0;
    default: return 0;
  }
}

int create(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

int destroy(BIO* b) {
  delete state(b);
  BIO_set_data(b, nullptr);
  return 1;
}

int method_type() {
  static const int type = BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR;
  return type;
}

BIO_METHOD* method() {
  static BIO_METHOD* const m = [] {
    BIO_METHOD* bm = BIO_meth_new(method_type(), "soket socket");
    BIO_meth_set_write_ex(bm, write_ex);
    BIO_meth_set_read_ex(bm, read_ex);
    BIO_meth_set_ctrl(bm, ctrl);
    BIO_meth_set_create(bm, create);
    BIO_meth_set_destroy(bm, destroy);
    return bm;
  }();
  return m;
}

}  // namespace

void set_more(BIO* bio, bool more) noexcept {
  if (BIO_method_type(bio) == method_type()) state(bio)->more = more;
}

BIO* new_socket_bio(int fd) {
  BIO* b = BIO_new(method());
  if (b) BIO_set_data(b, new SocketBio{fd});
  return b;
}

}  // namespace soket::tls::detail
