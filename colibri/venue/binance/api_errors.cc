#include "colibri/venue/binance/api_errors.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

#include "colibri/core/untrusted_text.h"

namespace colibri::venue::binance {
namespace {

using enum RecoveryAction;

// Binance spot error codes (errors.md) the connector can meet, sorted by code. Codes not listed
// fall back to the HTTP status (see classify()).
constexpr std::array kRules = {
    ApiErrorRule{.code = -2026, .error = ErrorCode::NotFound, .action = None, .name = "ORDER_ARCHIVED"},
    ApiErrorRule{.code = -2016, .error = ErrorCode::Rejected, .action = None, .name = "NO_TRADING_WINDOW"},
    ApiErrorRule{
        .code = -2015, .error = ErrorCode::Rejected, .action = CheckCredentials, .name = "REJECTED_MBX_KEY"},
    ApiErrorRule{
        .code = -2014, .error = ErrorCode::Rejected, .action = CheckCredentials, .name = "BAD_API_KEY_FMT"},
    ApiErrorRule{.code = -2013, .error = ErrorCode::NotFound, .action = None, .name = "NO_SUCH_ORDER"},
    ApiErrorRule{.code = -2011, .error = ErrorCode::NotFound, .action = None, .name = "CANCEL_REJECTED"},
    ApiErrorRule{.code = -2010, .error = ErrorCode::Rejected, .action = None, .name = "NEW_ORDER_REJECTED"},
    ApiErrorRule{.code = -1099,
                 .error = ErrorCode::Rejected,
                 .action = CheckCredentials,
                 .name = "NOT_FOUND_AUTHENTICATED_OR_AUTHORIZED"},
    ApiErrorRule{
        .code = -1034, .error = ErrorCode::RateLimited, .action = WaitUntil, .name = "TOO_MANY_CONNECTIONS"},
    ApiErrorRule{
        .code = -1022, .error = ErrorCode::Rejected, .action = CheckCredentials, .name = "INVALID_SIGNATURE"},
    ApiErrorRule{
        .code = -1021, .error = ErrorCode::Disconnected, .action = ResyncClock, .name = "INVALID_TIMESTAMP"},
    ApiErrorRule{
        .code = -1020, .error = ErrorCode::Rejected, .action = None, .name = "UNSUPPORTED_OPERATION"},
    ApiErrorRule{
        .code = -1015, .error = ErrorCode::RateLimited, .action = WaitUntil, .name = "TOO_MANY_ORDERS"},
    ApiErrorRule{
        .code = -1014, .error = ErrorCode::Rejected, .action = None, .name = "UNKNOWN_ORDER_COMPOSITION"},
    ApiErrorRule{.code = -1013, .error = ErrorCode::Rejected, .action = None, .name = "INVALID_MESSAGE"},
    ApiErrorRule{.code = -1008, .error = ErrorCode::Ambiguous, .action = QueryOrder, .name = "SERVER_BUSY"},
    ApiErrorRule{.code = -1007, .error = ErrorCode::Ambiguous, .action = QueryOrder, .name = "TIMEOUT"},
    ApiErrorRule{
        .code = -1006, .error = ErrorCode::Ambiguous, .action = QueryOrder, .name = "UNEXPECTED_RESP"},
    ApiErrorRule{
        .code = -1003, .error = ErrorCode::RateLimited, .action = WaitUntil, .name = "TOO_MANY_REQUESTS"},
    ApiErrorRule{
        .code = -1002, .error = ErrorCode::Rejected, .action = CheckCredentials, .name = "UNAUTHORIZED"},
    ApiErrorRule{.code = -1001, .error = ErrorCode::Ambiguous, .action = QueryOrder, .name = "DISCONNECTED"},
    ApiErrorRule{.code = -1000, .error = ErrorCode::Ambiguous, .action = QueryOrder, .name = "UNKNOWN"},
};

constexpr bool sorted_by_code() {
  for (std::size_t i = 1; i < kRules.size(); ++i) {
    if (kRules[i - 1].code >= kRules[i].code) return false;
  }
  return true;
}
static_assert(sorted_by_code(), "kRules must be sorted by code");

// Request errors (-1100 .. -1199: a parameter we sent is wrong, i.e. a bug on our side).
bool is_request_error(int code) { return code <= -1100 && code >= -1199; }

Timestamp rate_limit_until(const FailedRequest& failed, Timestamp now, Duration server_minus_local,
                           Duration default_wait) {
  if (const auto wait = parse_retry_after(failed.retry_after_header)) return now + *wait;
  if (failed.body) {
    Timestamp server = failed.body->retry_after;
    if (server.is_none()) server = ban_end_in_message(failed.body->message).value_or(Timestamp::none());
    if (!server.is_none()) {
      // server - offset, saturating: both come from the network or an estimate.
      std::int64_t local_ns = 0;
      if (__builtin_sub_overflow(server.ns(), server_minus_local.count(), &local_ns)) {
        local_ns = server_minus_local.count() < 0 ? INT64_MAX : INT64_MIN + 1;
      }
      const Timestamp local = Timestamp::from_ns(local_ns);
      return local > now ? local : now;
    }
  }
  return now + default_wait;
}

}  // namespace

std::string_view to_string(RecoveryAction action) noexcept {
  switch (action) {
    case None:
      return "None";
    case WaitUntil:
      return "WaitUntil";
    case QueryOrder:
      return "QueryOrder";
    case ResyncClock:
      return "ResyncClock";
    case Resend:
      return "Resend";
    case CheckCredentials:
      return "CheckCredentials";
  }
  return "None";
}

std::span<const ApiErrorRule> api_error_rules() noexcept { return kRules; }

const ApiErrorRule* find_api_error_rule(int code) noexcept {
  const auto* it = std::ranges::lower_bound(kRules, code, {}, &ApiErrorRule::code);
  return it != kRules.end() && it->code == code ? it : nullptr;
}

ErrorClass classify(const FailedRequest& failed, Timestamp now, Duration server_minus_local,
                    Duration default_wait) {
  const int status = failed.http_status;
  const std::optional<int> code = failed.body ? std::optional<int>(failed.body->code) : std::nullopt;
  const ApiErrorRule* rule = code ? find_api_error_rule(*code) : nullptr;
  const bool rate_limited = status == 429 || status == 418 || (rule != nullptr && rule->action == WaitUntil);
  if (rate_limited) {
    return {.error = ErrorCode::RateLimited,
            .action = WaitUntil,
            .retry_at = rate_limit_until(failed, now, server_minus_local, default_wait)};
  }
  if (status >= 500) return {.error = ErrorCode::Ambiguous, .action = QueryOrder};
  if (rule != nullptr) return {.error = rule->error, .action = rule->action};
  if (code && is_request_error(*code)) return {.error = ErrorCode::Rejected, .action = None};
  if (status == 403) return {.error = ErrorCode::Rejected, .action = None};
  if (status >= 400) return {.error = ErrorCode::Rejected, .action = None};
  return {.error = ErrorCode::Ambiguous, .action = QueryOrder};
}

ErrorClass classify(TransportFailure failure) noexcept {
  switch (failure) {
    case TransportFailure::NotSent:
      return {.error = ErrorCode::Disconnected, .action = Resend};
    case TransportFailure::NoAnswer:
    case TransportFailure::BadAnswer:
      return {.error = ErrorCode::Ambiguous, .action = QueryOrder};
  }
  return {.error = ErrorCode::Ambiguous, .action = QueryOrder};
}

std::optional<Duration> parse_retry_after(std::string_view header) noexcept {
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
  if (header.empty() || header.size() > 9) return std::nullopt;  // at most ~31 years of seconds
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (ec != std::errc{} || end != header.data() + header.size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds{seconds};
}

std::optional<Timestamp> ban_end_in_message(std::string_view message) noexcept {
  constexpr std::string_view kMarker = "banned until ";
  const auto at = message.find(kMarker);
  if (at == std::string_view::npos) return std::nullopt;
  const char* begin = message.data() + at + kMarker.size();
  const char* end = message.data() + message.size();
  std::int64_t ms = 0;
  const auto [stop, ec] = std::from_chars(begin, end, ms);
  // Timestamp::from_ms multiplies by 10^6: later than year 2262 would overflow.
  if (ec != std::errc{} || stop == begin || ms < 0 || ms > INT64_MAX / 1'000'000) return std::nullopt;
  return Timestamp::from_ms(ms);
}

Error to_error(const ErrorClass& classified, const FailedRequest& failed, std::string_view what) {
  std::string message(what);
  if (failed.body) {
    const ApiErrorRule* rule = find_api_error_rule(failed.body->code);
    message +=
        fmt::format(": Binance {}{}{} \"{}\"", failed.body->code, rule != nullptr ? " " : "",
                    rule != nullptr ? rule->name : std::string_view(), printable(failed.body->message, 200));
  }
  if (failed.http_status != 0) message += fmt::format(" (HTTP {})", failed.http_status);
  if (classified.action != None) message += fmt::format(" [{}]", to_string(classified.action));
  return {classified.error, std::move(message)};
}

}  // namespace colibri::venue::binance
