// SPDX-License-Identifier: MIT
// The tls layer (Python: import ssl): SSLContext, SSLSocket, the SSLError tree, certificates.
#pragma once

#include <soket/tls/certificate.hpp>
#include <soket/tls/context.hpp>
#include <soket/tls/make_certificate.hpp>
#include <soket/tls/relay_stream.hpp>
#include <soket/tls/ssl_error.hpp>
#include <soket/tls/ssl_socket.hpp>
