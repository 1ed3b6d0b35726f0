// SPDX-License-Identifier: MIT
// HeldEndTransport: the inner transport, except that an end (read returns 0, or fails: a FIN
// without close_notify) right after bytes in the same read loop is answered "not now" and kept
// for the next read.
#include "held_end.hpp"

namespace soket::proto::http::detail {
namespace {

class HeldEndTransport final : public event::Transport {
 public:
  explicit HeldEndTransport(std::unique_ptr<event::Transport> inner) : inner_(std::move(inner)) {}

  event::Want handshake(int fd, std::error_code& ec) override { return inner_->handshake(fd, ec); }

  std::ptrdiff_t read(int fd, std::span<std::byte> into, event::Want& want,
                      std::error_code& ec) override {
    if (held_) {  // the end kept from the last read: an orderly one (0) or a cut (its error)
      held_ = false;
      ended_ = true;
      ec = held_error_;
      return held_error_ ? -1 : 0;
    }
    if (ended_) return 0;
    const std::ptrdiff_t n = inner_->read(fd, into, want, ec);
    if (just_read_ && (n == 0 || (n < 0 && ec))) {
      // The bytes before it go to the handler first; the end comes on the next read (a
      // readiness event, or the engine's read_held, which has_pending() asks for).
      held_ = true;
      held_error_ = ec;
      just_read_ = false;
      want = event::Want::read;
      ec.clear();
      return -1;
    }
    just_read_ = n > 0;
    return n;
  }

  std::ptrdiff_t write(int fd, std::span<const std::byte> data, event::Want& want,
                       std::error_code& ec) override {
    return inner_->write(fd, data, want, ec);
  }
  bool has_pending() const noexcept override { return held_ || inner_->has_pending(); }
  void close_notify(int fd) noexcept override { inner_->close_notify(fd); }
  bool server_side() const noexcept override { return inner_->server_side(); }

 private:
  std::unique_ptr<event::Transport> inner_;
  std::error_code held_error_;
  bool just_read_ = false, held_ = false, ended_ = false;
};

}  // namespace

std::unique_ptr<event::Transport> HeldEndFactory::make_transport(int fd) {
  return std::make_unique<HeldEndTransport>(inner_.make_transport(fd));
}

}  // namespace soket::proto::http::detail
