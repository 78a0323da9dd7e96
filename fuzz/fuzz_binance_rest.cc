// libFuzzer target: every REST answer parser of ApiParser (exchangeInfo, account, order, openOrders,
// myTrades, server time, error body) on the same arbitrary bytes, one parser reused as in
// production. Each must parse or fail cleanly with a message; what parses keeps the header's
// contract (rules that validate, non-negative balances with total >= free, fills with positive
// price and quantity tied to their order).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "colibri/venue/binance/api_parser.h"

namespace {

using colibri::venue::binance::ApiParser;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz_binance_rest: %s\n", what);
  std::abort();
}

template <typename T>
bool failed_cleanly(const colibri::Result<T>& result) {
  if (result) return false;
  if (result.error().message().empty()) violated("error without a message");
  return true;
}

void check_fill(const colibri::model::Fill& fill) {
  if (!fill.price.is_positive() || !fill.quantity.is_positive()) violated("fill price or quantity");
  if (fill.trade_id.empty() || fill.exchange_order_id.empty()) violated("fill ids");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ApiParser parser;
  const std::string_view json(reinterpret_cast<const char*>(data), size);

  if (auto info = parser.parse_exchange_info(json); !failed_cleanly(info)) {
    for (const auto& symbol : (*info)->symbols) {
      if (!symbol.rules.validate()) violated("exchangeInfo rules that do not validate");
    }
    for (const auto& skipped : (*info)->skipped) {
      if (skipped.reason.empty()) violated("skipped symbol without a reason");
    }
    for (const auto& limit : (*info)->rate_limits) {
      if (limit.limit < 1 || limit.interval_num < 1 || limit.pool_id().empty()) violated("rate limit");
    }
  }
  if (auto balances = parser.parse_account(json); !failed_cleanly(balances)) {
    for (const auto& b : *balances) {
      if (b.available.is_negative() || b.total < b.available || b.asset.empty()) violated("balance");
    }
  }
  if (auto order = parser.parse_order(json); !failed_cleanly(order)) {
    const auto& o = **order;
    if (o.report.client_order_id.empty() || o.report.exchange_order_id.empty() || o.report.symbol.empty()) {
      violated("order ids");
    }
    if (o.report.cumulative_filled.is_negative()) violated("order filled");
    for (const auto& fill : o.fills) {
      check_fill(fill);
      if (fill.client_order_id != o.report.client_order_id) violated("fill of another order");
    }
  }
  if (auto orders = parser.parse_open_orders(json); !failed_cleanly(orders)) {
    for (const auto& o : *orders) {
      if (!o.fills.empty()) violated("open order with fills");
    }
  }
  const auto ours = colibri::model::ClientOrderId::truncating("fuzz");
  if (auto trades = parser.parse_my_trades(json, ours); !failed_cleanly(trades)) {
    for (const auto& fill : *trades) {
      check_fill(fill);
      if (fill.client_order_id != ours) violated("trade of another order");
    }
  }
  if (auto time = parser.parse_server_time(json); !failed_cleanly(time)) {
    if (time->is_none() || time->ns() < 0) violated("server time");
  }
  (void)failed_cleanly(parser.parse_error(json));
  return 0;
}
