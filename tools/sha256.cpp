// SPDX-License-Identifier: MIT
#include "sha256.hpp"

#include <openssl/evp.h>

#include <new>
#include <stdexcept>

namespace soket::tools {
namespace {

EVP_MD_CTX* ctx_of(void* p) {
  return static_cast<EVP_MD_CTX*>(p);
}

void start(EVP_MD_CTX* ctx) {
  if (EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256: EVP_DigestInit_ex failed");
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_) throw std::bad_alloc();
  start(ctx_of(ctx_));
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx_of(ctx_));
}

void Sha256::update(std::span<const std::byte> data) {
  if (EVP_DigestUpdate(ctx_of(ctx_), data.data(), data.size()) != 1)
    throw std::runtime_error("SHA-256: EVP_DigestUpdate failed");
}

transfer::Digest Sha256::finish() {
  transfer::Digest d{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_of(ctx_), reinterpret_cast<unsigned char*>(d.data()), &len) != 1 ||
      len != d.size())
    throw std::runtime_error("SHA-256: EVP_DigestFinal_ex failed");
  start(ctx_of(ctx_));
  return d;
}

}  // namespace soket::tools
