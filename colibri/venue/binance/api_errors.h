#pragma once
// What a failed Binance request means for the connector: an HTTP status and a Binance error code
// (from the body {"code":-2010,"msg":"..."} or a WebSocket API "error"), or a transport failure,
// mapped to colibri's ErrorCode with the meanings of connector/exchange_api.h, plus what the
// connector must do about it. Pure functions over one table; no state, thread-safe.
//
// | answer                                   | ErrorCode     | action         | meaning |
// |------------------------------------------|---------------|----------------|--------------------------------------|
// | HTTP 429, 418, -1003, -1015, -1034       | RateLimited   | WaitUntil      | nothing is sent before
// Retry-After    | | HTTP 5xx (any code), -1000, -1001, -1006,| Ambiguous     | QueryOrder     | unknown
// outcome: the order stays in   | |   -1007, -1008; timeout or disconnect    |               | | flight,
// query it before any resend    | |   after the request was written          |               | | | | -1021
// (timestamp outside recvWindow)     | Disconnected  | ResyncClock    | not executed: resync the clock,
// resend| |                                          |               |                | with the same client
// order id         | | not connected / failed before writing    | Disconnected  | Resend         | not
// executed: safe to resend          | | -1002, -1022, -2014, -2015, -1099        | Rejected      |
// CheckCredentials| key, signature or permission: stop   | | -2011 (cancel: unknown order), -2013,    |
// NotFound      | None           | count and confirm (promise 3)         | |   -2026 (archived) | | | | |
// -1013 (filter), -2010 (new order         | Rejected      | None           | definite rejection: nothing
// exists    | |   rejected), -11xx (bad parameter, our   |               |                | | |   bug),
// -1014, -1020, -2016, other 4xx   |               |                |                                      |
// | HTTP 403 (WAF)                           | Rejected      | None           | blocked before reaching the
// engine    |
//
// 5xx wins over the body's code (Binance: "execution status is UNKNOWN and could have been a
// success"); 429/418 win over everything. An unknown code with a 4xx status is a Rejected; an
// unknown code without a status (WebSocket API error without "status") is Ambiguous.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "colibri/core/result.h"
#include "colibri/core/time.h"

namespace colibri::venue::binance {

// What the connector does after a failure, beyond handing the ErrorCode to ExchangeBase.
enum class RecoveryAction : std::uint8_t {
  None,              // the ErrorCode says it all
  WaitUntil,         // rate limited: nothing may be sent before ErrorClass::retry_at
  QueryOrder,        // ambiguous: keep the order in flight and query it before anything is resent
  ResyncClock,       // -1021: resynchronise the clock (time_sync.h), then resend with the same id
  Resend,            // the request never left: resend it as it was
  CheckCredentials,  // the key, signature or permissions are wrong: stop trading and tell the user
};

[[nodiscard]] std::string_view to_string(RecoveryAction action) noexcept;

// One row of the code table.
struct ApiErrorRule {
  int code;  // Binance error code (negative)
  ErrorCode error;
  RecoveryAction action;
  std::string_view name;  // Binance's name for it, e.g. "NEW_ORDER_REJECTED"
};

// The rows, sorted by code (for documentation and tests).
[[nodiscard]] std::span<const ApiErrorRule> api_error_rules() noexcept;
// The row for `code`; null when Binance's code is not in the table.
[[nodiscard]] const ApiErrorRule* find_api_error_rule(int code) noexcept;

// A failure classified.
struct ErrorClass {
  ErrorCode error = ErrorCode::Ambiguous;
  RecoveryAction action = RecoveryAction::QueryOrder;
  Timestamp retry_at = Timestamp::none();  // WaitUntil: local time before which nothing is sent
};

// Binance's error body, as parsed (api_parser.h): code, message, and for rate limits the WebSocket
// API's error.data.retryAfter (server clock, ms) when present.
struct ApiError {
  int code = 0;
  std::string message;
  Timestamp retry_after = Timestamp::none();  // server clock
};

// What the caller knows about a failed request.
struct FailedRequest {
  int http_status = 0;                  // 0: no HTTP status (WebSocket API without one, transport failure)
  std::optional<ApiError> body;         // parsed from the answer, when there was one
  std::string_view retry_after_header;  // HTTP Retry-After (seconds), empty when absent
};

// How a transport failure happened.
enum class TransportFailure : std::uint8_t {
  NotSent,    // not connected, or failed before any byte of the request was written
  NoAnswer,   // written, then timed out or disconnected before a complete answer
  BadAnswer,  // answered with text we cannot read (not JSON, truncated): execution unknown
};

// Classifies an answer. `now` and `server_minus_local` (the clock offset estimate) turn a
// rate-limit wait into local time: Retry-After counts from `now`; a ban time in the message ("IP
// banned until 1659146400000") or the WebSocket API's retryAfter is on the server's clock. When no
// wait is given, a rate limit lasts `default_wait` (Binance's weight window is one minute).
[[nodiscard]] ErrorClass classify(const FailedRequest& failed, Timestamp now, Duration server_minus_local,
                                  Duration default_wait = std::chrono::minutes(1));
[[nodiscard]] ErrorClass classify(TransportFailure failure) noexcept;

// Retry-After is an integer number of seconds (Binance sends no HTTP-date). nullopt otherwise.
[[nodiscard]] std::optional<Duration> parse_retry_after(std::string_view header) noexcept;
// The time in "... banned until 1659146400000 ..." (server clock), when the message has one.
[[nodiscard]] std::optional<Timestamp> ban_end_in_message(std::string_view message) noexcept;

// The Error handed to ExchangeBase: `what` (e.g. "place order clbB...") then Binance's code and
// message (sanitised: at most 200 bytes, control characters escaped) and the HTTP status.
[[nodiscard]] Error to_error(const ErrorClass& classified, const FailedRequest& failed,
                             std::string_view what);

}  // namespace colibri::venue::binance
