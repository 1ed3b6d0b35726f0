// SPDX-License-Identifier: MIT
// The io and server layers in one include (Python: import selectors, socketserver).
#pragma once

#include <soket/io/selector.hpp>
#include <soket/io/socket_file.hpp>
#include <soket/server/base_server.hpp>
#include <soket/server/forking.hpp>
#include <soket/server/request_handler.hpp>
#include <soket/server/stop_signals.hpp>
#include <soket/server/tcp_server.hpp>
#include <soket/server/threading.hpp>
#include <soket/server/udp_server.hpp>
#include <soket/server/unix_server.hpp>
