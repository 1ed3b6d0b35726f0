// SPDX-License-Identifier: MIT
// The error_code twin of a throwing function whose failures are rare or slow anyway (legacy
// netdb lookups, address text conversions): runs it and turns what it throws into ec, so the
// twin is noexcept and both forms share one implementation. Internal: never installed.
#pragma once

#include <stdexcept>
#include <system_error>

#include <soket/error.hpp>

namespace soket::detail {

template <class Fn>
auto error_code_of(std::error_code& ec, Fn&& fn) noexcept -> decltype(fn()) {
  ec.clear();
  try {
    return fn();
  } catch (const std::system_error& e) {  // soket::Error and its subclasses
    ec = e.code();
  } catch (const OverflowError&) {
    ec = std::make_error_code(std::errc::value_too_large);
  } catch (const std::invalid_argument&) {
    ec = std::make_error_code(std::errc::invalid_argument);
  } catch (const std::exception&) {  // std::bad_alloc: Python's MemoryError
    ec = std::make_error_code(std::errc::not_enough_memory);
  }
  return {};
}

}  // namespace soket::detail
