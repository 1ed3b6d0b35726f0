// SPDX-License-Identifier: MIT
#include <soket/error.hpp>

#include <gtest/gtest.h>
#include <netdb.h>
#include <cerrno>

#include <soket/address.hpp>

namespace {

template <class E>
void expect_raises(int err, const char* message_part) {
  try {
    soket::throw_error({err, std::system_category()}, "op");
  } catch (const E& e) {
    EXPECT_EQ(e.code().value(), err);
    EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
    return;
  } catch (const std::exception& e) {
    FAIL() << "wrong exception type for errno " << err << ": " << e.what();
  }
}

}  // namespace

TEST(Error, ErrnoMapsToPythonsClasses) {
  expect_raises<soket::BlockingIOError>(EAGAIN, "op: Resource temporarily unavailable");
  expect_raises<soket::BlockingIOError>(EINPROGRESS, "in progress");
  expect_raises<soket::BrokenPipeError>(EPIPE, "Broken pipe");
  expect_raises<soket::ConnectionAbortedError>(ECONNABORTED, "abort");
  expect_raises<soket::ConnectionRefusedError>(ECONNREFUSED, "Connection refused");
  expect_raises<soket::ConnectionResetError>(ECONNRESET, "reset");
  expect_raises<soket::InterruptedError>(EINTR, "Interrupted");
  expect_raises<soket::PermissionError>(EACCES, "Permission denied");
  expect_raises<soket::PermissionError>(EPERM, "not permitted");
  expect_raises<soket::FileNotFoundError>(ENOENT, "No such file");
  expect_raises<soket::TimeoutError>(ETIMEDOUT, "timed out");
  expect_raises<soket::AddressInUseError>(EADDRINUSE, "Address already in use");
  expect_raises<soket::Error>(EMFILE, "Too many open files");
}

TEST(Error, ConnectionErrorsShareABase) {
  EXPECT_THROW(soket::throw_error({ECONNRESET, std::system_category()}, "recv"),
               soket::ConnectionError);
  EXPECT_THROW(soket::throw_error({EPIPE, std::system_category()}, "send"), soket::Error);
  EXPECT_THROW(soket::throw_error({EPIPE, std::system_category()}, "send"), std::system_error);
}

TEST(Error, MessageNamesOperationAndAddress) {
  soket::Address peer{"127.0.0.1", 9};
  try {
    soket::throw_error({ECONNREFUSED, std::system_category()}, "connect to", &peer);
  } catch (const soket::Error& e) {
    EXPECT_STREQ(e.what(), "connect to 127.0.0.1:9: Connection refused");
  }
}

TEST(Error, SocketTimeoutSaysTimedOutAndComparesAsEtimedout) {
  auto ec = soket::timed_out_error();
  EXPECT_EQ(ec, std::errc::timed_out);
  EXPECT_EQ(ec.message(), "timed out");
  try {
    soket::throw_error(ec, "recv");
  } catch (const soket::TimeoutError& e) {
    EXPECT_STREQ(e.what(), "recv: timed out");
  }
}

TEST(Error, GaiErrorsHaveTheirOwnCategory) {
  std::error_code ec(EAI_NONAME, soket::gai_category());
  EXPECT_STREQ(soket::gai_category().name(), "getaddrinfo");
  EXPECT_EQ(ec.message(), gai_strerror(EAI_NONAME));
  EXPECT_THROW(soket::throw_error(ec, "getaddrinfo"), soket::gaierror);
  std::error_code h(HOST_NOT_FOUND, soket::herror_category());
  EXPECT_THROW(soket::throw_error(h, "gethostbyname"), soket::herror);
}
