#include "colibri/venue/binance/api_errors.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace colibri::venue::binance {
namespace {

using ::testing::HasSubstr;

constexpr Timestamp kNow = Timestamp::from_ms(1659142900000);
constexpr Duration kServerAhead = std::chrono::milliseconds(250);  // server clock - local clock

FailedRequest answer(int status, int code, std::string message = "msg") {
  return FailedRequest{status, ApiError{code, std::move(message), Timestamp::none()}, {}};
}

ErrorClass classify_answer(int status, int code) {
  return classify(answer(status, code), kNow, kServerAhead);
}

void expect_class(const ErrorClass& c, ErrorCode error, RecoveryAction action) {
  EXPECT_EQ(c.error, error);
  EXPECT_EQ(c.action, action) << to_string(c.action);
}

TEST(ApiErrors, TableIsSortedAndEveryRowIsFound) {
  const auto rules = api_error_rules();
  ASSERT_FALSE(rules.empty());
  for (const ApiErrorRule& rule : rules) {
    const ApiErrorRule* found = find_api_error_rule(rule.code);
    ASSERT_NE(found, nullptr) << rule.code;
    EXPECT_EQ(found->name, rule.name);
    // A 4xx answer with this code is classified as the row says.
    const ErrorClass c = classify_answer(400, rule.code);
    EXPECT_EQ(c.error, rule.error) << rule.code;
    EXPECT_EQ(c.action, rule.action) << rule.code;
  }
  EXPECT_EQ(find_api_error_rule(-9999), nullptr);
  EXPECT_EQ(find_api_error_rule(0), nullptr);
}

TEST(ApiErrors, DefiniteRejections) {
  expect_class(classify_answer(400, -2010), ErrorCode::Rejected, RecoveryAction::None);
  expect_class(classify_answer(400, -1013), ErrorCode::Rejected, RecoveryAction::None);
  // -11xx: a parameter we sent is wrong (a bug on our side); nothing exists.
  expect_class(classify_answer(400, -1121), ErrorCode::Rejected, RecoveryAction::None);
  expect_class(classify_answer(400, -1102), ErrorCode::Rejected, RecoveryAction::None);
  expect_class(classify_answer(400, -1111), ErrorCode::Rejected, RecoveryAction::None);
  // An unknown code with a 4xx status.
  expect_class(classify_answer(400, -4242), ErrorCode::Rejected, RecoveryAction::None);
  // The Web Application Firewall.
  expect_class(classify(FailedRequest{403, std::nullopt, {}}, kNow, kServerAhead), ErrorCode::Rejected,
               RecoveryAction::None);
}

TEST(ApiErrors, UnknownOrderIsNotFound) {
  expect_class(classify_answer(400, -2011), ErrorCode::NotFound, RecoveryAction::None);
  expect_class(classify_answer(400, -2013), ErrorCode::NotFound, RecoveryAction::None);
  expect_class(classify_answer(400, -2026), ErrorCode::NotFound, RecoveryAction::None);
}

TEST(ApiErrors, ServerErrorsAreAmbiguousWhateverTheBodySays) {
  expect_class(classify_answer(500, -1006), ErrorCode::Ambiguous, RecoveryAction::QueryOrder);
  expect_class(classify_answer(503, -1007), ErrorCode::Ambiguous, RecoveryAction::QueryOrder);
  expect_class(classify_answer(503, -1008), ErrorCode::Ambiguous, RecoveryAction::QueryOrder);
  expect_class(classify_answer(502, -2010), ErrorCode::Ambiguous, RecoveryAction::QueryOrder);
  expect_class(classify(FailedRequest{504, std::nullopt, {}}, kNow, kServerAhead), ErrorCode::Ambiguous,
               RecoveryAction::QueryOrder);
  // -1006 / -1007 are ambiguous even without a 5xx (WebSocket API errors carry a status, REST ones
  // might not reach us with one).
  expect_class(classify_answer(0, -1006), ErrorCode::Ambiguous, RecoveryAction::QueryOrder);
  expect_class(classify_answer(400, -1007), ErrorCode::Ambiguous, RecoveryAction::QueryOrder);
  // An unknown code without any status: we cannot tell.
  expect_class(classify_answer(0, -4242), ErrorCode::Ambiguous, RecoveryAction::QueryOrder);
}

TEST(ApiErrors, TransportFailures) {
  expect_class(classify(TransportFailure::NotSent), ErrorCode::Disconnected, RecoveryAction::Resend);
  expect_class(classify(TransportFailure::NoAnswer), ErrorCode::Ambiguous, RecoveryAction::QueryOrder);
  expect_class(classify(TransportFailure::BadAnswer), ErrorCode::Ambiguous, RecoveryAction::QueryOrder);
}

TEST(ApiErrors, TimestampOutsideRecvWindowResyncsTheClockAndResends) {
  expect_class(classify_answer(400, -1021), ErrorCode::Disconnected, RecoveryAction::ResyncClock);
}

TEST(ApiErrors, AuthenticationErrorsAskForCredentials) {
  for (const int code : {-1002, -1022, -2014, -2015, -1099}) {
    expect_class(classify_answer(401, code), ErrorCode::Rejected, RecoveryAction::CheckCredentials);
  }
}

TEST(ApiErrors, TooManyRequestsWaitsForRetryAfter) {
  FailedRequest failed =
      answer(429, -1003, "Too much request weight used; current limit is 6000 request weight per 1 MINUTE.");
  failed.retry_after_header = "30";
  const ErrorClass c = classify(failed, kNow, kServerAhead);
  expect_class(c, ErrorCode::RateLimited, RecoveryAction::WaitUntil);
  EXPECT_EQ(c.retry_at, kNow + std::chrono::seconds(30));
}

TEST(ApiErrors, IpBanWaitsUntilTheBanEndsOnOurClock) {
  // HTTP 418 with the ban time in the message (server clock): local = server - offset.
  const FailedRequest failed =
      answer(418, -1003,
             "Way too much request weight used; IP banned until 1659146400000. Please use "
             "WebSocket Streams for live updates to avoid bans.");
  const ErrorClass c = classify(failed, kNow, kServerAhead);
  expect_class(c, ErrorCode::RateLimited, RecoveryAction::WaitUntil);
  EXPECT_EQ(c.retry_at, Timestamp::from_ms(1659146400000) - kServerAhead);
}

TEST(ApiErrors, WebSocketApiRetryAfterIsOnTheServersClock) {
  FailedRequest failed = answer(429, -1003, "Too many requests");
  failed.body->retry_after = Timestamp::from_ms(1659142960000);
  const ErrorClass c = classify(failed, kNow, kServerAhead);
  EXPECT_EQ(c.retry_at, Timestamp::from_ms(1659142960000) - kServerAhead);
  // A retry time already past on our clock: wait until now, never in the past.
  failed.body->retry_after = Timestamp::from_ms(1659142800000);
  EXPECT_EQ(classify(failed, kNow, kServerAhead).retry_at, kNow);
}

TEST(ApiErrors, RateLimitWithoutAnyWaitLastsTheDefault) {
  const ErrorClass c = classify(FailedRequest{429, std::nullopt, {}}, kNow, kServerAhead);
  expect_class(c, ErrorCode::RateLimited, RecoveryAction::WaitUntil);
  EXPECT_EQ(c.retry_at, kNow + std::chrono::minutes(1));
  EXPECT_EQ(
      classify(FailedRequest{418, std::nullopt, {}}, kNow, kServerAhead, std::chrono::seconds(5)).retry_at,
      kNow + std::chrono::seconds(5));
  // Order rate limit and connection limit codes.
  expect_class(classify_answer(400, -1015), ErrorCode::RateLimited, RecoveryAction::WaitUntil);
  expect_class(classify_answer(400, -1034), ErrorCode::RateLimited, RecoveryAction::WaitUntil);
  // Rate limits win over a 5xx.
  expect_class(classify_answer(503, -1003), ErrorCode::RateLimited, RecoveryAction::WaitUntil);
}

TEST(ApiErrors, RetryAfterHeaderSyntax) {
  EXPECT_EQ(parse_retry_after("120"), std::chrono::seconds(120));
  EXPECT_EQ(parse_retry_after(" 0 "), std::chrono::seconds(0));
  EXPECT_EQ(parse_retry_after(""), std::nullopt);
  EXPECT_EQ(parse_retry_after("-1"), std::nullopt);
  EXPECT_EQ(parse_retry_after("1.5"), std::nullopt);
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(parse_retry_after("99999999999999999999"), std::nullopt);
}

TEST(ApiErrors, BanEndInMessage) {
  EXPECT_EQ(ban_end_in_message("IP banned until 1659146400000."), Timestamp::from_ms(1659146400000));
  EXPECT_EQ(ban_end_in_message("IP banned until soon"), std::nullopt);
  EXPECT_EQ(ban_end_in_message("banned until 99999999999999999999"), std::nullopt);
  EXPECT_EQ(ban_end_in_message("banned until 9999999999999"), std::nullopt);  // past year 2262
  EXPECT_EQ(ban_end_in_message("banned until 9223372036854"), Timestamp::from_ms(9223372036854));
  EXPECT_EQ(ban_end_in_message("Too many requests"), std::nullopt);
}

TEST(ApiErrors, ErrorMessageNamesTheRequestCodeAndStatusAndIsSanitised) {
  FailedRequest failed = answer(400, -2010, "Account has insufficient balance for requested action.");
  const Error error = to_error(classify(failed, kNow, kServerAhead), failed, "place order clbB1");
  EXPECT_EQ(error.code(), ErrorCode::Rejected);
  EXPECT_EQ(
      error.message(),
      "place order clbB1: Binance -2010 NEW_ORDER_REJECTED \"Account has insufficient balance for requested "
      "action.\" (HTTP 400)");

  failed = answer(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
  EXPECT_THAT(
      to_error(classify(failed, kNow, kServerAhead), failed, "cancel").message(),
      HasSubstr("INVALID_TIMESTAMP \"Timestamp for this request was 1000ms ahead of the server's time.\" "
                "(HTTP 400) [ResyncClock]"));

  failed = answer(400, -1100, std::string("bad\n\"line\"") + std::string(500, 'x'));
  const std::string message = to_error(classify(failed, kNow, kServerAhead), failed, "q").message();
  EXPECT_THAT(message, HasSubstr("bad\\x0a\\x22line\\x22xxx"));
  EXPECT_THAT(message, HasSubstr("...\" (HTTP 400)"));
  EXPECT_LT(message.size(), 300u);

  const Error transport =
      to_error(classify(TransportFailure::NoAnswer), FailedRequest{}, "place order clbB2");
  EXPECT_EQ(transport.code(), ErrorCode::Ambiguous);
  EXPECT_EQ(transport.message(), "place order clbB2 [QueryOrder]");
}

}  // namespace
}  // namespace colibri::venue::binance
