// SPDX-License-Identifier: MIT
#include <soket/constants.hpp>

namespace soket {

std::string_view to_string(Family family) noexcept {
  switch (family) {
    case Family::unspec: return "AF_UNSPEC";
    case Family::unix: return "AF_UNIX";
    case Family::inet: return "AF_INET";
    case Family::inet6: return "AF_INET6";
    case Family::packet: return "AF_PACKET";
  }
  return "AF_?";
}

std::string_view to_string(Type type) noexcept {
  switch (type) {
    case Type::stream: return "SOCK_STREAM";
    case Type::dgram: return "SOCK_DGRAM";
    case Type::raw: return "SOCK_RAW";
    case Type::rdm: return "SOCK_RDM";
    case Type::seqpacket: return "SOCK_SEQPACKET";
  }
  return "SOCK_?";
}

std::string_view short_name(Family family) noexcept {
  switch (family) {
    case Family::unspec: return "unspec";
    case Family::unix: return "unix";
    case Family::inet: return "inet";
    case Family::inet6: return "inet6";
    case Family::packet: return "packet";
  }
  return "?";
}

std::string_view short_name(Type type) noexcept {
  switch (type) {
    case Type::stream: return "stream";
    case Type::dgram: return "dgram";
    case Type::raw: return "raw";
    case Type::rdm: return "rdm";
    case Type::seqpacket: return "seqpacket";
  }
  return "?";
}

}  // namespace soket
