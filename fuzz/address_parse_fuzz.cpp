// SPDX-License-Identifier: MIT
// libFuzzer target for Address::parse: any input either parses or throws std::invalid_argument,
// and a parsed address prints (repr, to_string) and reads back from to_string() unchanged.
#include <soket/address.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace {

// A failed property: print what and where, then abort so libFuzzer saves the input.
[[noreturn]] void fail(const char* what, std::string_view input, const std::string& detail) {
  std::fprintf(stderr, "address_parse_fuzz: %s\n  input: %.*s\n  %s\n", what,
               static_cast<int>(input.size()), input.data(), detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Any exception other than std::invalid_argument escapes and ends the run as a crash.
  soket::Address a;
  std::error_code ec;
  try {
    a = soket::Address::parse(text);
  } catch (const std::invalid_argument& e) {
    soket::Address b = soket::Address::parse(text, ec);
    if (ec != std::errc::invalid_argument || b.family() != soket::Family::unspec)
      fail("the error_code form disagrees with the throwing one", text, e.what());
    return 0;
  }
  if (soket::Address b = soket::Address::parse(text, ec); ec || !(b == a))
    fail("the error_code form disagrees with the throwing one", text, ec.message());

  // Every accessor and printer must work on whatever parse() accepted.
  const std::string repr = a.repr();
  const std::string shown = a.to_string();
  (void)a.host();
  (void)a.port();
  (void)a.path();
  (void)a.scope_id();
  if (a.is_resolved() && !(soket::Address::from_sockaddr(a.data(), a.size()) == a))
    fail("from_sockaddr(data(), size()) is a different address", text, repr);

  // to_string() is "the form users type": it must read back as the same address.
  soket::Address back;
  try {
    back = soket::Address::parse(shown);
  } catch (const std::invalid_argument& e) {
    fail("to_string() does not parse", text, shown + " -> " + e.what());
  }
  if (!(back == a))
    fail("to_string() parses to a different address", text,
         shown + " -> " + back.repr() + " (was " + repr + ")");
  return 0;
}
