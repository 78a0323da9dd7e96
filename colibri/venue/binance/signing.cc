// OpenSSL 3 marks the SHA256_* functions deprecated in favour of EVP, whose contexts cannot be
// copied without allocating; HMAC needs exactly that copy (of the keyed inner and outer states)
// per signature. SHA256_CTX is a plain struct, so the low-level API is used here, in this file only.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "colibri/venue/binance/signing.h"

#include <cstring>

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace colibri::venue::binance {
namespace {

static_assert(sizeof(SHA256_CTX) <= sizeof(std::array<unsigned char, 128>),
              "RequestSigner's HashState is too small");
static_assert(alignof(SHA256_CTX) <= 8);

constexpr std::size_t kBlock = 64;  // SHA-256 block size: the HMAC key length

SHA256_CTX load(const std::array<unsigned char, 128>& state) {
  SHA256_CTX ctx;
  std::memcpy(&ctx, state.data(), sizeof ctx);
  return ctx;
}

void store(const SHA256_CTX& ctx, std::array<unsigned char, 128>& state) {
  std::memcpy(state.data(), &ctx, sizeof ctx);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

RequestSigner::RequestSigner(const Secret& secret) {
  // HMAC (RFC 2104): a key longer than a block is hashed first, then zero-padded to a block.
  std::array<unsigned char, kBlock> key{};
  const std::string& raw = secret.reveal();
  if (raw.size() > kBlock) {
    SHA256(reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), key.data());
  } else if (!raw.empty()) {
    std::memcpy(key.data(), raw.data(), raw.size());
  }
  std::array<unsigned char, kBlock> pad{};
  SHA256_CTX ctx;
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = key[i] ^ 0x36;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, pad.data(), pad.size());
  store(ctx, inner_);
  for (std::size_t i = 0; i < kBlock; ++i) pad[i] = key[i] ^ 0x5c;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, pad.data(), pad.size());
  store(ctx, outer_);
  OPENSSL_cleanse(key.data(), key.size());
  OPENSSL_cleanse(pad.data(), pad.size());
  OPENSSL_cleanse(&ctx, sizeof ctx);
}

RequestSigner::~RequestSigner() {
  OPENSSL_cleanse(inner_.data(), inner_.size());
  OPENSSL_cleanse(outer_.data(), outer_.size());
}

RequestSigner::Digest RequestSigner::digest(std::string_view payload) const noexcept {
  Digest inner_hash{};
  Digest out{};
  SHA256_CTX ctx = load(inner_);
  SHA256_Update(&ctx, payload.data(), payload.size());
  SHA256_Final(inner_hash.data(), &ctx);
  ctx = load(outer_);
  SHA256_Update(&ctx, inner_hash.data(), inner_hash.size());
  SHA256_Final(out.data(), &ctx);
  OPENSSL_cleanse(&ctx, sizeof ctx);
  return out;
}

void RequestSigner::sign(std::string_view payload, std::span<char, kSignatureHexDigits> out) const noexcept {
  static constexpr char kHex[] = "0123456789abcdef";
  const Digest d = digest(payload);
  for (std::size_t i = 0; i < d.size(); ++i) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 0x0f];
  }
}

std::string RequestSigner::sign(std::string_view payload) const {
  std::string out(kSignatureHexDigits, '0');
  sign(payload, std::span<char, kSignatureHexDigits>(out.data(), kSignatureHexDigits));
  return out;
}

bool RequestSigner::verify(std::string_view payload, std::string_view signature) const noexcept {
  Digest given{};
  if (signature.size() != given.size() * 2) return false;
  for (std::size_t i = 0; i < given.size(); ++i) {
    const int high = hex_value(signature[2 * i]);
    const int low = hex_value(signature[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    given[i] = static_cast<unsigned char>(high * 16 + low);
  }
  const Digest expected = digest(payload);
  return CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

std::string sign_hmac_sha256(const Secret& secret, std::string_view payload) {
  return RequestSigner(secret).sign(payload);
}

bool verify_hmac_sha256(const Secret& secret, std::string_view payload, std::string_view signature) {
  return RequestSigner(secret).verify(payload, signature);
}

}  // namespace colibri::venue::binance
