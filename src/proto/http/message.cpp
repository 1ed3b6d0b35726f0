// SPDX-License-Identifier: MIT
#include <soket/proto/http/message.hpp>

namespace soket::proto::http {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    // Only letters differ by 0x20 between cases; `@` vs '`' and the like must not match.
    if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z')) return false;
  }
  return true;
}

std::optional<std::string_view> find_field(std::span<const Field> fields,
                                           std::string_view name) noexcept {
  for (const Field& f : fields)
    if (iequals(f.name, name)) return f.value;
  return std::nullopt;
}

}  // namespace soket::proto::http
