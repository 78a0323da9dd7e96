#include "colibri/venue/binance/api_errors.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

#include "colibri/venue/binance/untrusted_text.h"

namespace colibri::venue::binance {
namespace {

using enum RecoveryAction;

// Binance spot error codes (errors.md) the connector can meet, sorted by code. Codes not listed
// fall back to the HTTP status (see classify()).
constexpr std::array kRules = {
    ApiErrorRule{-2026, ErrorCode::NotFound, None, "ORDER_ARCHIVED"},
    ApiErrorRule{-2016, ErrorCode::Rejected, None, "NO_TRADING_WINDOW"},
    ApiErrorRule{-2015, ErrorCode::Rejected, CheckCredentials, "REJECTED_MBX_KEY"},
    ApiErrorRule{-2014, ErrorCode::Rejected, CheckCredentials, "BAD_API_KEY_FMT"},
    ApiErrorRule{-2013, ErrorCode::NotFound, None, "NO_SUCH_ORDER"},
    ApiErrorRule{-2011, ErrorCode::NotFound, None, "CANCEL_REJECTED"},
    ApiErrorRule{-2010, ErrorCode::Rejected, None, "NEW_ORDER_REJECTED"},
    ApiErrorRule{-1099, ErrorCode::Rejected, CheckCredentials, "NOT_FOUND_AUTHENTICATED_OR_AUTHORIZED"},
    ApiErrorRule{-1034, ErrorCode::RateLimited, WaitUntil, "TOO_MANY_CONNECTIONS"},
    ApiErrorRule{-1022, ErrorCode::Rejected, CheckCredentials, "INVALID_SIGNATURE"},
    ApiErrorRule{-1021, ErrorCode::Disconnected, ResyncClock, "INVALID_TIMESTAMP"},
    ApiErrorRule{-1020, ErrorCode::Rejected, None, "UNSUPPORTED_OPERATION"},
    ApiErrorRule{-1015, ErrorCode::RateLimited, WaitUntil, "TOO_MANY_ORDERS"},
    ApiErrorRule{-1014, ErrorCode::Rejected, None, "UNKNOWN_ORDER_COMPOSITION"},
    ApiErrorRule{-1013, ErrorCode::Rejected, None, "INVALID_MESSAGE"},
    ApiErrorRule{-1008, ErrorCode::Ambiguous, QueryOrder, "SERVER_BUSY"},
    ApiErrorRule{-1007, ErrorCode::Ambiguous, QueryOrder, "TIMEOUT"},
    ApiErrorRule{-1006, ErrorCode::Ambiguous, QueryOrder, "UNEXPECTED_RESP"},
    ApiErrorRule{-1003, ErrorCode::RateLimited, WaitUntil, "TOO_MANY_REQUESTS"},
    ApiErrorRule{-1002, ErrorCode::Rejected, CheckCredentials, "UNAUTHORIZED"},
    ApiErrorRule{-1001, ErrorCode::Ambiguous, QueryOrder, "DISCONNECTED"},
    ApiErrorRule{-1000, ErrorCode::Ambiguous, QueryOrder, "UNKNOWN"},
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
  const auto* it = std::lower_bound(kRules.begin(), kRules.end(), code,
                                    [](const ApiErrorRule& rule, int c) { return rule.code < c; });
  return it != kRules.end() && it->code == code ? it : nullptr;
}

ErrorClass classify(const FailedRequest& failed, Timestamp now, Duration server_minus_local,
                    Duration default_wait) {
  const int status = failed.http_status;
  const std::optional<int> code = failed.body ? std::optional<int>(failed.body->code) : std::nullopt;
  const ApiErrorRule* rule = code ? find_api_error_rule(*code) : nullptr;
  const bool rate_limited = status == 429 || status == 418 || (rule != nullptr && rule->action == WaitUntil);
  if (rate_limited) {
    return {ErrorCode::RateLimited, WaitUntil,
            rate_limit_until(failed, now, server_minus_local, default_wait)};
  }
  if (status >= 500) return {ErrorCode::Ambiguous, QueryOrder};
  if (rule != nullptr) return {rule->error, rule->action};
  if (code && is_request_error(*code)) return {ErrorCode::Rejected, None};
  if (status == 403) return {ErrorCode::Rejected, None};
  if (status >= 400) return {ErrorCode::Rejected, None};
  return {ErrorCode::Ambiguous, QueryOrder};
}

ErrorClass classify(TransportFailure failure) noexcept {
  switch (failure) {
    case TransportFailure::NotSent:
      return {ErrorCode::Disconnected, Resend};
    case TransportFailure::NoAnswer:
    case TransportFailure::BadAnswer:
      return {ErrorCode::Ambiguous, QueryOrder};
  }
  return {ErrorCode::Ambiguous, QueryOrder};
}

std::optional<Duration> parse_retry_after(std::string_view header) noexcept {
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
  if (header.empty() || header.size() > 9) return std::nullopt;  // at most ~31 years of seconds
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (ec != std::errc{} || end != header.data() + header.size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
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
  return Error(classified.error, std::move(message));
}

}  // namespace colibri::venue::binance
