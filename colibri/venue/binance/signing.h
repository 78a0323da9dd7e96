#pragma once
// Binance request signing (SIGNED endpoints, HMAC-SHA256 keys), exactly as Binance documents it:
// the signature is the lower-case hex HMAC-SHA256 of the "total params" — the query string and the
// request body concatenated as sent (for the WebSocket API: the request's params other than
// `signature`, sorted by name, joined as key=value&...) — keyed with the API secret.
//
// The secret arrives as a colibri::Secret and is used only here; nothing in this file logs.
// Both sides use it: the connector signs, the exchange simulator verifies.

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "colibri/core/secret.h"

namespace colibri::venue::binance {

// Hex digits in a signature.
inline constexpr std::size_t kSignatureHexDigits = 64;

// One secret's HMAC-SHA256, keyed once: the SHA-256 states after the key's inner and outer pads
// are kept, so a signature costs two short hashes and allocates nothing (the order path; OpenSSL's
// EVP_MAC re-initialisation allocates on every call). The states are as sensitive as the secret
// (they sign requests): never printed, wiped on destruction. Copyable; const methods are safe to
// call from several threads.
class RequestSigner {
 public:
  explicit RequestSigner(const Secret& secret);
  ~RequestSigner();
  RequestSigner(const RequestSigner&) = default;
  RequestSigner& operator=(const RequestSigner&) = default;

  // 64 lower-case hex digits of HMAC-SHA256(secret, payload) into `out`.
  void sign(std::string_view payload, std::span<char, kSignatureHexDigits> out) const noexcept;
  [[nodiscard]] std::string sign(std::string_view payload) const;
  // True when `signature` (hex, either case) is this secret's signature of `payload`, compared in
  // constant time over the digest (a verifier does not leak how many digits matched).
  [[nodiscard]] bool verify(std::string_view payload, std::string_view signature) const noexcept;

 private:
  using Digest = std::array<unsigned char, 32>;
  using HashState = std::array<unsigned char, 128>;  // an OpenSSL SHA256_CTX (checked in signing.cc)
  [[nodiscard]] Digest digest(std::string_view payload) const noexcept;

  alignas(8) HashState inner_{};  // SHA-256 after (key ^ ipad)
  alignas(8) HashState outer_{};  // SHA-256 after (key ^ opad)
};

// 64 lower-case hex digits: HMAC-SHA256(secret, payload) (keys a RequestSigner for one call).
[[nodiscard]] std::string sign_hmac_sha256(const Secret& secret, std::string_view payload);

// True when `signature` (hex, either case) is the HMAC-SHA256 of `payload` under `secret`, in
// constant time over the digest.
[[nodiscard]] bool verify_hmac_sha256(const Secret& secret, std::string_view payload,
                                      std::string_view signature);

}  // namespace colibri::venue::binance
