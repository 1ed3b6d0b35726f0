// SPDX-License-Identifier: MIT
// Sha256: OpenSSL's SHA-256 (libcrypto's EVP interface), fed while the bytes stream.
#pragma once

#include <cstddef>
#include <span>

#include <soket/io/transfer/protocol.hpp>

namespace soket::tools {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::span<const std::byte> data);
  /// The digest of everything fed so far; the hash starts over afterwards.
  transfer::Digest finish();

 private:
  void* ctx_;  // EVP_MD_CTX, kept out of this header
};

}  // namespace soket::tools
