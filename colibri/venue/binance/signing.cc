#include "colibri/venue/binance/signing.h"

#include <array>
#include <cstddef>
#include <tuple>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace colibri::venue::binance {
namespace {

using Digest = std::array<unsigned char, 32>;

Digest hmac_sha256(const Secret& secret, std::string_view payload) {
  Digest digest{};
  unsigned int length = 0;
  const std::string& key = secret.reveal();
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), digest.data(), &length);
  return digest;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void sign_hmac_sha256(const Secret& secret, std::string_view payload,
                      std::span<char, kSignatureHexDigits> out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const Digest digest = hmac_sha256(secret, payload);
  static_assert(kSignatureHexDigits == 2 * std::tuple_size_v<Digest>);
  for (std::size_t i = 0; i < digest.size(); ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0x0f];
  }
}

std::string sign_hmac_sha256(const Secret& secret, std::string_view payload) {
  std::string out(kSignatureHexDigits, '0');
  sign_hmac_sha256(secret, payload, std::span<char, kSignatureHexDigits>(out.data(), kSignatureHexDigits));
  return out;
}

bool verify_hmac_sha256(const Secret& secret, std::string_view payload, std::string_view signature) {
  Digest given{};
  if (signature.size() != given.size() * 2) return false;
  for (std::size_t i = 0; i < given.size(); ++i) {
    const int high = hex_value(signature[2 * i]);
    const int low = hex_value(signature[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    given[i] = static_cast<unsigned char>(high * 16 + low);
  }
  const Digest expected = hmac_sha256(secret, payload);
  return CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace colibri::venue::binance
