// SPDX-License-Identifier: MIT
// Connection: one stream connection owned by its Loop — output queue with water marks,
// direct writes, writev, sendfile, half-close, idle timeout.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <new>
#include <span>
#include <string_view>
#include <system_error>
#include <type_traits>

#include <soket/address.hpp>
#include <soket/event/clock.hpp>
#include <soket/event/watcher.hpp>

namespace soket::event {

class Buffer;
class Handler;
class Loop;
class Transport;
class TransportFactory;
namespace detail {
class ConnectionManager;
struct Output;
template <class T>
inline constexpr char type_tag = 0;  // &type_tag<T> names T without RTTI
}  // namespace detail

/// Names a connection across threads and loops: its loop (Loop::id(), unique in the process,
/// so the same slot on two loops never compares equal), its slot in that loop's slab, and the
/// slot's generation (a reused slot gets a new one, so a stale id finds nothing: Loop::find
/// returns nullptr). A default id names no connection.
struct ConnectionId {
  std::uint32_t loop = 0;
  std::uint32_t slot = UINT32_MAX;
  std::uint32_t generation = 0;
  friend bool operator==(const ConnectionId&, const ConnectionId&) = default;
};

/// Per-connection limits, shared by all connections of a server (it must outlive them).
struct ConnectionOptions {
  /// Output queued beyond this makes congested() true until the queue falls to low_water
  /// (then on_drain). 64 KiB: one read's worth; larger marks made an echo server copy more
  /// for no throughput (bench/README.md).
  std::size_t high_water = 64 << 10;
  std::size_t low_water = 16 << 10;
  /// Stop reading from the peer while congested, so a peer that sends without reading (the
  /// slow reader of an echo) cannot grow the output queue without bound. A pure producer
  /// (bulk sender) that must keep reading turns it off.
  bool pause_reading_when_congested = true;
  /// The batching path: send() queues during the loop turn and the loop submits every
  /// connection's bytes together after it, with one io_uring_enter(2) instead of one send(2)
  /// each (falls back to send(2) where io_uring is unavailable). Costs one copy per send.
  bool batch_writes = false;
  /// Close a connection that received nothing for this long (0: never). Checked by a coarse
  /// per-loop sweep, so it fires up to a quarter of the timeout late.
  Duration idle_timeout{0};
  /// A transport under every connection (TLS: soket::tls::EngineContext); nullptr: the bytes
  /// go to the socket as they are. It must outlive the connections.
  TransportFactory* transport = nullptr;
  /// With a transport: a connection whose handshake has not finished after this long is
  /// dropped (its handler never heard of it; a connect()ed one gets on_connect_error with
  /// std::errc::timed_out). Checked by the idle sweep, so up to a quarter late.
  Duration handshake_timeout = std::chrono::seconds(10);
};

/// The handler's per-connection state: one small typed value (a pointer, an index, a counter:
/// trivially copyable, at most 8 bytes), stored inline so an idle connection stays small.
/// Reading it as another type than the one stored gives nullptr, like std::any_cast.
class Context {
 public:
  Context() noexcept = default;
  template <class T>
  Context(T value) noexcept {  // NOLINT(google-explicit-constructor): adopt(..., ptr)
    set(value);
  }
  template <class T>
  void set(T value) noexcept {
    // NOLINTNEXTLINE(bugprone-sizeof-expression): T is often a pointer, on purpose
    static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= 8 && alignof(T) <= 8,
                  "Connection context: store a pointer or a small value, not an object");
    std::memcpy(bytes_, &value, sizeof value);  // NOLINT(bugprone-sizeof-expression)
    type_ = &detail::type_tag<T>;
  }
  /// The stored value if it is a T, else nullptr.
  template <class T>
  T* get() noexcept {
    return type_ == &detail::type_tag<T> ? std::launder(reinterpret_cast<T*>(bytes_)) : nullptr;
  }
  bool has_value() const noexcept { return type_ != nullptr; }

 private:
  alignas(8) unsigned char bytes_[8] = {};
  const void* type_ = nullptr;
};

/// A connected stream socket (TCP or Unix) driven by a Loop. Owned by the loop: handlers get a
/// Connection& only during a callback. Memory: about 100 bytes while idle; output and leftover
/// input buffers are taken from a per-loop pool only while bytes are in flight.
///
/// Thread rules: every method is loop thread only. From other threads, post to loop() and
/// look the connection up again with Loop::find(id).
///
/// A Connection is registered with its loop's poller, but that is the engine's business: the
/// handler sees only the members below (privately a Watcher, so its descriptor cannot be
/// swapped or its readiness faked).
class Connection final : private Watcher {
 public:
  ConnectionId id() const noexcept;
  Loop& loop() const noexcept;
  /// Python: fileno(). For options (setsockopt) and logging; reading, writing or closing it
  /// behind the engine's back breaks the connection.
  int fileno() const noexcept { return fd(); }
  bool is_open() const noexcept { return state_ == State::open; }

  /// Queues bytes: written at once when nothing is queued, otherwise appended to the output
  /// buffer and flushed when the socket is writable. Never blocks; after close() it does
  /// nothing. Errors close the connection (on_close gets the reason).
  void send(std::span<const std::byte> data);
  void send(std::string_view text) {
    send(std::span(reinterpret_cast<const std::byte*>(text.data()), text.size()));
  }
  /// Gathered send: one writev(2) for all the pieces when nothing is queued.
  void send(std::initializer_list<std::span<const std::byte>> pieces);
  /// Queues `count` bytes of the open file `file_fd` from `offset`, sent after whatever is
  /// queued before it: with sendfile(2), or on the io_uring backend as splices on the ring
  /// (the file is read off the loop thread). The descriptor must stay open until on_drain or
  /// output_size() == 0. A file shorter than promised closes the connection (EIO). Fails
  /// (ec) if a file is already queued.
  void sendfile(int file_fd, std::int64_t offset, std::size_t count, std::error_code& ec);

  /// Half-close: shutdown(SHUT_WR) once the output is flushed; the connection closes when the
  /// peer closes its side.
  void shutdown();
  /// Closes once the output is flushed.
  void close_after_flush();
  /// Closes now, dropping unsent output; on_close runs before this returns.
  void close();

  /// Bytes queued and not yet written (file bytes included).
  std::size_t output_size() const noexcept;
  /// True from crossing high_water until the queue falls to low_water.
  bool congested() const noexcept { return congested_; }
  /// Stops / resumes reading from the peer (flow control by the handler).
  void pause_reading();
  void resume_reading();

  /// Python: getpeername() / getsockname(), read from the kernel (not stored, to keep
  /// connections small). Like Python's, peer() fails once the kernel has forgotten the peer —
  /// after a reset (also inside on_close for it): it throws soket::Error ("getpeername:
  /// Transport endpoint is not connected"), never an empty address. Keep what on_open saw if
  /// you need it later. The ec forms report the failure instead (and return an empty Address).
  Address peer() const;
  Address peer(std::error_code& ec) const noexcept;
  Address local() const;
  Address local(std::error_code& ec) const noexcept;

  /// The connection's transport (ConnectionOptions::transport made it), or nullptr for a
  /// plain one: soket::tls reads the TLS details (version, cipher, peer certificate) there.
  Transport* transport() const noexcept;

  /// The handler's per-connection state (see Context): c.set_context(&session) or
  /// c.set_context(std::size_t{0}); read back with c.context<Session*>() /
  /// c.context<std::size_t>(), nullptr if nothing or another type is stored.
  template <class T>
  void set_context(T value) noexcept {
    context_.set(value);
  }
  template <class T>
  T* context() noexcept {
    return context_.get<T>();
  }

  Connection() noexcept = default;  // slab storage only

 private:
  friend class detail::ConnectionManager;
  enum class State : std::uint8_t { free, open, closing };

  void handle_events(std::uint32_t ready) override;
  // The completion model (Watcher::receiver): the poller receives and sends for us.
  void handle_received(std::span<const std::byte> data, int failure) override;
  void handle_sent(int result) override;
  void deliver_held();
  Buffer* input_for_read();
  void on_readable();
  void deliver(Buffer& input);
  bool wants_input() const noexcept {
    return !eof_ && !reading_paused_ && !(congested_ && options_->pause_reading_when_congested);
  }
  void flush();
  void update_interest();
  void close_with(std::error_code reason);
  void peer_ended();  // the peer's FIN (or close_notify): close once what we owe is sent
  bool output_empty() const noexcept;
  void after_write();
  // With a transport (kept out of line so that a plain connection stays small).
  void advance_handshake();
  void drop_unopened(std::error_code reason);
  std::ptrdiff_t write_some(const std::byte* p, std::size_t n, std::error_code& ec);
  void on_readable_transport();
  void read_held();
  void announce_end() noexcept;
  // File bodies on the poller's ring (src/event/file_send.cpp).
  bool send_file_on_ring();
  void file_sent(int result);

  detail::ConnectionManager* manager_ = nullptr;
  Handler* handler_ = nullptr;
  const ConnectionOptions* options_ = nullptr;
  detail::Output* out_ = nullptr;  // pooled, only while output is queued
  Buffer* in_ = nullptr;           // pooled, only while a partial message waits
  Context context_;
  std::uint32_t slot_ = 0, generation_ = 1;
  std::uint64_t last_active_ = 0;  // loop tick (ms) of the last read
  State state_ = State::free;
  // Two bytes of flags: the room left keeps sizeof(Connection) at 104 with a transport.
  bool congested_ : 1 = false;
  bool reading_paused_ : 1 = false;  // by the handler
  bool eof_ : 1 = false;             // peer sent FIN (or close_notify)
  bool shutdown_pending_ : 1 = false, close_pending_ : 1 = false, write_shut_ : 1 = false;
  bool deferred_ : 1 = false;  // in the loop's batch of sends for this turn
  bool has_transport_ : 1 = false;
  bool handshaking_ : 1 = false;       // transport handshake in progress: not open to the handler
  bool handshake_write_ : 1 = false;   // ...and it waits for writability
  bool read_wants_write_ : 1 = false;  // a transport read waits for writability (TLS KeyUpdate)
  bool ring_send_ : 1 = false;         // a send of the output's first bytes is on the poller's ring
  bool held_ : 1 = false;      // in_ holds bytes received while reading was off, not yet seen
  bool held_eof_ : 1 = false;  // ...and the peer's FIN came after them
};

}  // namespace soket::event
