#include "colibri/venue/binance/signing.h"

#include <array>

#include <gtest/gtest.h>

namespace colibri::venue::binance {
namespace {

// Binance's published example ("SIGNED Endpoint Examples for POST /api/v3/order", HMAC keys).
const Secret kSecret{"NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"};
constexpr std::string_view kPayload =
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp="
    "1499827319559";
constexpr std::string_view kSignature = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";

TEST(BinanceSigning, MatchesBinancesPublishedExample) {
  EXPECT_EQ(sign_hmac_sha256(kSecret, kPayload), kSignature);
}

TEST(BinanceSigning, WritesIntoACallerBufferWithoutAllocating) {
  std::array<char, kSignatureHexDigits> out{};
  sign_hmac_sha256(kSecret, kPayload, out);
  EXPECT_EQ(std::string_view(out.data(), out.size()), kSignature);
}

TEST(BinanceSigning, VerifyAcceptsTheSignatureInEitherCase) {
  EXPECT_TRUE(verify_hmac_sha256(kSecret, kPayload, kSignature));
  EXPECT_TRUE(verify_hmac_sha256(kSecret, kPayload,
                                 "C8DB56825AE71D6D79447849E617115F4A920FA2ACDCAB2B053C4B2838BD6B71"));
}

TEST(BinanceSigning, VerifyRejectsAnyChange) {
  std::string payload(kPayload);
  payload.back() = '8';  // another timestamp
  EXPECT_FALSE(verify_hmac_sha256(kSecret, payload, kSignature));
  EXPECT_FALSE(verify_hmac_sha256(Secret{"another secret"}, kPayload, kSignature));
  std::string flipped(kSignature);
  flipped[10] = flipped[10] == '0' ? '1' : '0';
  EXPECT_FALSE(verify_hmac_sha256(kSecret, kPayload, flipped));
  EXPECT_FALSE(verify_hmac_sha256(kSecret, kPayload, kSignature.substr(1)));  // too short
  EXPECT_FALSE(verify_hmac_sha256(kSecret, kPayload, std::string(64, 'z')));  // not hex
  EXPECT_FALSE(verify_hmac_sha256(kSecret, kPayload, ""));
}

}  // namespace
}  // namespace colibri::venue::binance
