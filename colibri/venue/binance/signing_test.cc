#include "colibri/venue/binance/signing.h"

#include <array>
#include <string>

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

TEST(BinanceSigning, KeyedSignerMatchesAndWritesIntoACallerBuffer) {
  const RequestSigner signer(kSecret);
  std::array<char, kSignatureHexDigits> out{};
  signer.sign(kPayload, out);
  EXPECT_EQ(std::string_view(out.data(), out.size()), kSignature);
  EXPECT_EQ(signer.sign(kPayload), kSignature);
  EXPECT_TRUE(signer.verify(kPayload, kSignature));
  const RequestSigner copy = signer;  // the keyed state copies
  EXPECT_EQ(copy.sign(kPayload), kSignature);
}

// Expected values from Python's hmac module (an independent implementation).
TEST(BinanceSigning, KeysOfEveryLengthFollowRfc2104) {
  EXPECT_EQ(
      sign_hmac_sha256(Secret{std::string(100, 'k')}, "symbol=BTCUSDT&timestamp=1"),
      "118b56e24fa10a461a1b7a83259048a6d1c38cf0d074099bb19ed4149fcfd2a3");  // longer than a block: hashed
  EXPECT_EQ(sign_hmac_sha256(Secret{""}, "symbol=BTCUSDT&timestamp=1"),
            "90b8ecac0dc6766ad23a22c7f724e2da4095a3806b86a28813efae673a02e745");
  EXPECT_EQ(sign_hmac_sha256(Secret{std::string(64, 'a')}, ""),
            "b389ef8fc24e40e35b42b70221b466916836a241257699d090bc736b8ad21b98");  // exactly a block
  EXPECT_EQ(sign_hmac_sha256(Secret{std::string(65, 'x')}, std::string(1000, 'p')),
            "d6147690e5d42a823db89ea60f9ba4ec7be413ebc08cf01fa2523bc7712c5104");
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
