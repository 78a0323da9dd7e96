// libFuzzer target: ApiParser::parse_user_stream (the frames of Binance's WebSocket API connection:
// user-data events and request responses) on arbitrary bytes. Any input must parse or fail cleanly
// (no crash, no UB, no hang under ASan/UBSan), a failure must say why, and a parsed message must
// keep the header's contract: spans no longer than the input can hold, quantities and fees as
// promised, a fill only on a TRADE and then exactly one, ids and states consistent.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "colibri/venue/binance/api_parser.h"

namespace {

using colibri::venue::binance::ApiParser;
using colibri::venue::binance::ExecutionType;
using colibri::venue::binance::UserEventKind;
using colibri::venue::binance::UserStreamMessage;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz_binance_user_stream: %s\n", what);
  std::abort();
}

void check(const UserStreamMessage& m, std::size_t size) {
  if (m.subscription_id < -1) violated("subscription id");
  if (m.kind == UserStreamMessage::Kind::Response) {
    const auto& r = m.response;
    if (r.status < 100 || r.status > 999) violated("status range");
    if (r.id.size() > size) violated("id view longer than the input");
    if (r.rate_limits.size() * 60 > size + 1) violated("rate limit count");
    for (const auto& limit : r.rate_limits) {
      if (limit.limit < 1 || limit.interval_num < 1) violated("rate limit values");
    }
    if (r.ok() && r.error) violated("ok with an error");
    return;
  }
  const auto& e = m.event;
  if (e.event_type.size() > size) violated("event type view");
  switch (e.kind) {
    case UserEventKind::ExecutionReport: {
      const auto& er = e.execution;
      const auto& report = er.order.report;
      if (report.client_order_id.empty() || report.symbol.empty() || report.exchange_order_id.empty()) {
        violated("report ids");
      }
      if (report.cumulative_filled.is_negative() || er.order.quantity.is_negative() ||
          er.order.price.is_negative()) {
        violated("report quantities");
      }
      if (report.time.is_none() || er.event_time.is_none()) violated("report times");
      const bool trade = er.execution == ExecutionType::Trade;
      if (er.order.fills.size() != (trade ? 1u : 0u)) violated("fills only on TRADE, exactly one");
      for (const auto& fill : er.order.fills) {
        if (!fill.price.is_positive() || !fill.quantity.is_positive() || fill.fee.amount.is_negative()) {
          violated("fill values");
        }
        if (fill.client_order_id != report.client_order_id || fill.symbol != report.symbol ||
            fill.trade_id.empty()) {
          violated("fill ids");
        }
      }
      break;
    }
    case UserEventKind::AccountPosition:
      if (e.balances.size() * 20 > size + 1) violated("balance count");
      for (const auto& b : e.balances) {
        if (b.available.is_negative() || b.total < b.available || b.asset.empty()) violated("balance values");
      }
      break;
    case UserEventKind::BalanceUpdate:
      if (e.balance_delta.asset.size() > size) violated("asset");
      break;
    case UserEventKind::StreamTerminated:
    case UserEventKind::Other:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ApiParser parser;  // reused across inputs, as in production
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  const auto parsed = parser.parse_user_stream(json);
  if (!parsed) {
    if (parsed.error().message().empty()) violated("error without a message");
    return 0;
  }
  check(**parsed, size);
  return 0;
}
