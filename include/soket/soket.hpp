// SPDX-License-Identifier: MIT
// The core layer in one include (Python: import socket).
#pragma once

#include <soket/address.hpp>
#include <soket/constants.hpp>
#include <soket/error.hpp>
#include <soket/socket.hpp>
#include <soket/version.hpp>
