// SPDX-License-Identifier: MIT
// A resolver the test controls, so name-failure tests never query the machine's resolver: the
// test re-runs itself in a child inside new mount and network namespaces, where
// /etc/resolv.conf (bind-mounted) names a DNS responder on 127.0.0.1 that answers NXDOMAIN.
#pragma once

#include <gtest/gtest.h>

namespace soket::test {

/// True in the child that runs inside the private resolver.
bool in_test_resolver();

/// The exit status rerun_with_test_resolver() returns when namespaces are not available (not
/// root): the test is skipped rather than sending a query off the machine.
inline constexpr int no_namespaces = 77;

/// Runs the current test again in a child inside new mount and network namespaces with lo up,
/// /etc/resolv.conf pointing at 127.0.0.1:53 and a responder there answering NXDOMAIN to every
/// query (glibc's getaddrinfo, gethostbyaddr, ... then really take their failure path). Returns
/// the child's exit status (0 when the test passed there).
int rerun_with_test_resolver();

}  // namespace soket::test

/// First statement of a test that resolves names that do not exist: the body runs only in the
/// child with the private resolver.
#define SOKET_USE_TEST_RESOLVER()                                                             \
  do {                                                                                        \
    if (!::soket::test::in_test_resolver()) {                                                 \
      const int soket_status = ::soket::test::rerun_with_test_resolver();                     \
      if (soket_status == ::soket::test::no_namespaces)                                       \
        GTEST_SKIP() << "needs root for a private network namespace (no DNS leaves here)";    \
      ASSERT_EQ(soket_status, 0) << "the test failed under its private resolver (see above)"; \
      return;                                                                                 \
    }                                                                                         \
  } while (0)
