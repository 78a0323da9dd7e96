#pragma once
// Binance request signing (SIGNED endpoints, HMAC-SHA256 keys), exactly as Binance documents it:
// the signature is the lower-case hex HMAC-SHA256 of the "total params" — the query string and the
// request body concatenated as sent (for the WebSocket API: the request's params other than
// `signature`, sorted by name, joined as key=value&...) — keyed with the API secret.
//
// The secret arrives as a colibri::Secret and is used only here; nothing in this file logs.
// Both sides use it: the connector signs, the exchange simulator verifies.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "colibri/core/secret.h"

namespace colibri::venue::binance {

// Hex digits in a signature.
inline constexpr std::size_t kSignatureHexDigits = 64;

// 64 lower-case hex digits: HMAC-SHA256(secret, payload).
[[nodiscard]] std::string sign_hmac_sha256(const Secret& secret, std::string_view payload);
// The same into `out`, without allocating (request building on the order path).
void sign_hmac_sha256(const Secret& secret, std::string_view payload,
                      std::span<char, kSignatureHexDigits> out);

// True when `signature` (hex, either case) is the HMAC-SHA256 of `payload` under `secret`.
// Compares in constant time over the digest, so a verifier does not leak how many digits matched.
[[nodiscard]] bool verify_hmac_sha256(const Secret& secret, std::string_view payload,
                                      std::string_view signature);

}  // namespace colibri::venue::binance
