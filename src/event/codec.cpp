// SPDX-License-Identifier: MIT
#include <soket/event/codec.hpp>

#include <span>

namespace soket::event {

namespace {

std::span<const std::byte> bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

}  // namespace

void Codec::send(Connection& conn, std::string_view payload) const {
  framing_.check(payload);
  const io::Framing::Prefix prefix = framing_.prefix(payload.size());
  conn.send({bytes(prefix.view()), bytes(payload), bytes(framing_.suffix())});
}

}  // namespace soket::event
