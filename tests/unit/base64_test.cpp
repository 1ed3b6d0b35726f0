// SPDX-License-Identifier: MIT
// b64encode/b64decode against Python's base64 module, and the inputs b64decode must refuse.
#include <soket/proto/base64.hpp>

#include <gtest/gtest.h>

#include "support/support.hpp"

using soket::proto::b64decode;
using soket::proto::b64encode;

TEST(Base64, MatchesPython) {
  std::vector<std::string> inputs = {
      "", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0tester\0secret", 14)};
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  inputs.push_back(all);
  std::vector<std::string> args;
  for (const auto& in : inputs) {
    std::string hex;
    for (unsigned char c : in) {
      static const char* d = "0123456789abcdef";
      hex += d[c >> 4];
      hex += d[c & 15];
    }
    args.push_back(hex);
  }
  soket::test::Child py(soket::test::python_argv(
      "import base64,sys\n"
      "for h in sys.argv[1:]: print(base64.b64encode(bytes.fromhex(h)).decode())\n",
      args));
  for (const auto& in : inputs) {
    auto line = py.read_line();
    ASSERT_TRUE(line);
    EXPECT_EQ(b64encode(in), *line);
    EXPECT_EQ(b64decode(*line), in);
  }
  EXPECT_EQ(py.wait(), 0);
}

TEST(Base64, RefusesWhatPythonValidateRefuses) {
  for (const char* bad :
       {"A", "AB", "ABC", "AB=C", "A===", "====", "AB!C", "AB C", "AB==AB==", "AB\nC"})
    EXPECT_THROW(b64decode(bad), std::invalid_argument) << bad;
  EXPECT_EQ(b64decode("AB=="), std::string(1, '\0'));
}
