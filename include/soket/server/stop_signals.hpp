// SPDX-License-Identifier: MIT
// StopSignals: how a server program stops on Ctrl-C, SIGTERM or SIGHUP without a signal
// handler (the block-then-sigwait idiom, written once).
#pragma once

#include <chrono>
#include <csignal>
#include <initializer_list>
#include <memory>
#include <optional>

#include <soket/server/base_server.hpp>

namespace soket::sys {
class BlockedSignals;
}

namespace soket::server {

/// Blocks the stop signals (default SIGINT, SIGTERM and SIGHUP) in the calling thread, so that
/// they wait, pending, for wait() instead of killing the process. Construct it in main()
/// before any thread starts: threads inherit the mask, so none of them is interrupted. The
/// destructor restores the mask it found. A forked request process (ForkingServer) unblocks
/// them again, so that the server can end it with SIGTERM.
///
///   soket::server::StopSignals stop;          // first: before any thread
///   soket::server::ThreadingTCPServer server(address, handler<Echo>());
///   stop.serve(server);                       // serve_forever until a signal, then shutdown()
///   server.server_close();
///
/// Thread rules: construct and destroy it on one thread; wait() from one thread at a time.
class StopSignals {
 public:
  StopSignals();
  explicit StopSignals(std::initializer_list<int> signals);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  /// Waits until one of the signals arrives; returns its number.
  int wait();
  /// The same, for at most `timeout`: std::nullopt if none came.
  std::optional<int> wait_for(std::chrono::nanoseconds timeout);

  /// Runs server.serve_forever(poll_interval) on a thread of its own until one of the signals
  /// arrives, then server.shutdown(). Returns the signal. If serve_forever throws, its
  /// exception is rethrown here (after the thread is joined). The server is not closed.
  int serve(BaseServer& server,
            std::chrono::duration<double> poll_interval = std::chrono::milliseconds(500));

 private:
  std::unique_ptr<sys::BlockedSignals> blocked_;  // the one block-then-sigwait (src/linux)
};

}  // namespace soket::server
