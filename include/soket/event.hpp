// SPDX-License-Identifier: MIT
// The event engine in one include: loops, timers, connections, servers (layer 4).
#pragma once

#include <soket/event/backend.hpp>
#include <soket/event/buffer.hpp>
#include <soket/event/client.hpp>
#include <soket/event/codec.hpp>
#include <soket/event/connection.hpp>
#include <soket/event/datagram_server.hpp>
#include <soket/event/handler.hpp>
#include <soket/event/loop.hpp>
#include <soket/event/loop_group.hpp>
#include <soket/event/server.hpp>
#include <soket/event/timer_queue.hpp>
#include <soket/event/watcher.hpp>
