// SPDX-License-Identifier: MIT
// The core layer in one include (Python: import socket).
#pragma once

#include <soket/address.hpp>
#include <soket/constants.hpp>
#include <soket/create.hpp>
#include <soket/error.hpp>
#include <soket/inet.hpp>
#include <soket/message.hpp>
#include <soket/options.hpp>
#include <soket/owned_fd.hpp>
#include <soket/resolver.hpp>
#include <soket/socket.hpp>
#include <soket/version.hpp>
