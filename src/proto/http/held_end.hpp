// SPDX-License-Identifier: MIT
// HeldEndFactory: wraps the server's transport (TLS) so that the peer's end read in the same
// go as a request is reported on the next read instead — after the handler had its say.
//
// Why: a transport is read until the socket is dry, so a client that sends its request and
// shuts down its sending side (shutdown(SHUT_WR)) hands the engine the request and the end
// together; the engine then closes at once if nothing is queued, before a handler that answers
// later (from another thread) could answer. A plain socket does not show this (its end stays
// in the socket while the handler has paused reading). The engine fix belongs in
// src/event/connection_transport.cpp (hold the end while reading is paused); until then the
// HTTP server works around it here.
#pragma once

#include <memory>

#include <soket/event/transport.hpp>

namespace soket::proto::http::detail {

class HeldEndFactory final : public event::TransportFactory {
 public:
  explicit HeldEndFactory(event::TransportFactory& inner) : inner_(inner) {}
  std::unique_ptr<event::Transport> make_transport(int fd) override;

 private:
  event::TransportFactory& inner_;
};

}  // namespace soket::proto::http::detail
