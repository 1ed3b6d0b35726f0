// SPDX-License-Identifier: MIT
// Selectors: Python's selectors module — wait until registered descriptors are readable or
// writable (EpollSelector, PollSelector; DefaultSelector is epoll, as on Linux in Python).
#pragma once

#include <any>
#include <chrono>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <soket/owned_fd.hpp>
#include <soket/socket.hpp>

namespace soket::selectors {

/// Python: selectors.EVENT_READ / EVENT_WRITE, combined with |.
using Events = unsigned;
inline constexpr Events EVENT_READ = 1;
inline constexpr Events EVENT_WRITE = 2;

/// Python: selectors.SelectorKey(fileobj, fd, events, data). `fileobj` is the Socket that was
/// registered, or nullptr when a bare descriptor was. The selector owns the key; references to
/// it stay valid until the descriptor is unregistered or the selector closes.
struct SelectorKey {
  const Socket* fileobj = nullptr;
  int fd = -1;
  Events events = 0;
  std::any data;
};

/// One entry of select()'s result: Python's (key, events) tuple.
///   for (auto [key, events] : sel.select(1s)) { ... key.data ... }
/// `key` refers into the selector: it stays valid until its fd is unregistered (so unregister
/// an fd only after you are done with its entry).
struct Ready {
  SelectorKey& key;
  Events events;
};

/// Python: selectors.BaseSelector. Does not own the registered descriptors (closing them is
/// the caller's job; unregister first, as Python requires). Owns its kernel object (epoll fd).
///
/// Errors, as Python's: registering a descriptor twice, or modifying/unregistering one that
/// is not registered, throws std::invalid_argument naming the fd (Python's KeyError); events
/// that are 0 or have unknown bits, and negative fds, throw std::invalid_argument (ValueError).
///
/// Thread safety: not thread-safe; use one selector from one thread at a time.
class BaseSelector {
 public:
  virtual ~BaseSelector();
  BaseSelector(const BaseSelector&) = delete;
  BaseSelector& operator=(const BaseSelector&) = delete;

  /// Python: register(fileobj, events, data=None) (`register` is a C++ keyword). A Socket
  /// is remembered by address (key.fileobj): keep it in place while it is registered.
  SelectorKey& register_(int fd, Events events, std::any data = {});
  SelectorKey& register_(const Socket& sock, Events events, std::any data = {});

  /// Python: unregister(fileobj). Returns the key as it was. A Socket closed while registered
  /// is still found (by its key's fileobj, as Python's bpo-19876 lookup does), so its key is
  /// dropped and a new socket that reuses the descriptor number can be registered.
  SelectorKey unregister(int fd);
  SelectorKey unregister(const Socket& sock) { return unregister(fd_of(sock)); }

  /// Python: modify(fileobj, events, data=None). Python replaces data too; here data is kept
  /// unless a new value is given.
  SelectorKey& modify(int fd, Events events, std::optional<std::any> data = std::nullopt);
  SelectorKey& modify(const Socket& sock, Events events,
                      std::optional<std::any> data = std::nullopt) {
    return modify(fd_of(sock), events, std::move(data));
  }

  /// Python: select(timeout=None) -> [(key, events)]. std::nullopt blocks until something is
  /// ready; zero or negative polls; a positive timeout is rounded up to whole milliseconds.
  /// An interrupted wait (EINTR) is retried with the time left (PEP 475). Errors and hang-ups
  /// are reported as both read and write readiness, masked by the registered events.
  std::vector<Ready> select(Timeout timeout = std::nullopt);

  /// Python: get_key(fileobj). Throws std::invalid_argument if not registered.
  SelectorKey& get_key(int fd);
  SelectorKey& get_key(const Socket& sock) { return get_key(fd_of(sock)); }
  /// Python: get_map(): fd -> key.
  const std::unordered_map<int, SelectorKey>& get_map() const noexcept { return keys_; }

  /// Python: close(). Forgets every key and releases the kernel object. Idempotent.
  void close() noexcept;
  bool closed() const noexcept { return closed_; }

  /// The backend's name ("epoll", "poll"), for messages and benchmarks.
  virtual std::string_view name() const noexcept = 0;

 protected:
  BaseSelector() = default;
  // Backend hooks; each throws soket::Error on a kernel failure.
  virtual void backend_add(int fd, Events events) = 0;
  virtual void backend_modify(int fd, Events events) = 0;
  virtual void backend_remove(int fd) noexcept = 0;
  /// Fills ready_ with (fd, ready_* bits) pairs; returns false on EINTR.
  virtual bool backend_wait(int timeout_ms) = 0;
  virtual void backend_close() noexcept = 0;

  struct Raw {
    int fd;
    unsigned events;
  };
  std::vector<Raw> ready_;
  std::unordered_map<int, SelectorKey> keys_;

 private:
  SelectorKey& add_key(SelectorKey key);
  // The registered fd of `sock`: its fileno(), or, once it was closed (-1) or its number
  // reused, the fd of the key whose fileobj it is (Python's _fileobj_lookup fallback).
  int fd_of(const Socket& sock) const noexcept;
  bool closed_ = false;
};

/// Python: selectors.EpollSelector (level-triggered, as Python's).
class EpollSelector final : public BaseSelector {
 public:
  EpollSelector();
  ~EpollSelector() override;
  /// Python: fileno(): the epoll descriptor (-1 once closed).
  int fileno() const noexcept { return epfd_.get(); }
  std::string_view name() const noexcept override { return "epoll"; }

 private:
  void backend_add(int fd, Events events) override;
  void backend_modify(int fd, Events events) override;
  void backend_remove(int fd) noexcept override;
  bool backend_wait(int timeout_ms) override;
  void backend_close() noexcept override;
  OwnedFd epfd_;
};

/// Python: selectors.PollSelector: poll(2) over the registered set, rebuilt per call.
class PollSelector final : public BaseSelector {
 public:
  PollSelector() = default;
  ~PollSelector() override;
  std::string_view name() const noexcept override { return "poll"; }

 private:
  void backend_add(int, Events) override {}
  void backend_modify(int, Events) override {}
  void backend_remove(int) noexcept override {}
  bool backend_wait(int timeout_ms) override;
  void backend_close() noexcept override {}
};

/// Python: selectors.DefaultSelector — epoll on Linux.
using DefaultSelector = EpollSelector;

}  // namespace soket::selectors
