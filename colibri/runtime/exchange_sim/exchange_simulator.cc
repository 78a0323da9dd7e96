// The exchange simulator: Binance's REST, streams and WebSocket API over connector/sim.
// Order of a request: rate-limit fault -> route -> authenticate (key, timestamp, signature) ->
// act on the engine -> user-stream events -> reply faults (drop, 5xx, latency) -> answer.

#include "colibri/runtime/exchange_sim/exchange_simulator.h"

#include <algorithm>
#include <charconv>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <unordered_map>
#include <variant>

#include "colibri/connector/sim/ledger.h"
#include "colibri/connector/sim/matching_engine.h"
#include "colibri/connector/sim/queue_model.h"
#include "colibri/core/ascii.h"
#include "colibri/core/log.h"
#include "colibri/data/event_tape.h"
#include "colibri/data/market_file.h"
#include "colibri/data/synthetic_market.h"
#include "colibri/runtime/exchange_sim/json.h"
#include "colibri/runtime/exchange_sim/ws_request.h"
#include "colibri/venue/binance/requests.h"
#include "colibri/venue/binance/signing.h"

namespace colibri::exchange_sim {

namespace sim = connector::sim;
using model::OrderState;
using model::OrderType;
using model::Side;
using model::TimeInForce;
using net::HttpRequest;
using net::HttpResponse;

namespace {

constexpr std::int64_t kMaxRecvWindowMs = 60'000;
constexpr std::size_t kRecentTrades = 1000;

HttpResponse json_response(int status, std::string body) { return HttpResponse{status, {}, std::move(body)}; }

HttpResponse binance_error(int status, int code, std::string_view message) {
  return json_response(status, fmt::format(R"({{"code":{},"msg":{}}})", code, json_string(message)));
}

// Binance's text for an engine error "CODE message (detail)".
std::pair<int, std::string> binance_code_of(const Error& error) {
  const std::string& text = error.message();
  int code = -1000;
  std::size_t pos = 0;
  if (!text.empty() && text[0] == '-') {
    code = std::atoi(text.c_str());
    pos = text.find(' ');
    pos = pos == std::string::npos ? text.size() : pos + 1;
  }
  std::string message = text.substr(pos);
  if (const std::size_t paren = message.find(" ("); paren != std::string::npos) message.resize(paren);
  if (code == -2010 && !message.empty() && message.back() != '.') message += '.';
  if (code == -1121) message = "Invalid symbol.";
  if (code == -2011) message = "Unknown order sent.";
  if (code == -2013) message = "Order does not exist.";
  return {code, message};
}

std::string_view status_text(OrderState state) noexcept {
  switch (state) {
    case OrderState::PendingCreate:
    case OrderState::Open:
      return "NEW";
    case OrderState::PartiallyFilled:
      return "PARTIALLY_FILLED";
    case OrderState::PendingCancel:
      return "PENDING_CANCEL";
    case OrderState::Filled:
      return "FILLED";
    case OrderState::Canceled:
      return "CANCELED";
    case OrderState::Expired:
      return "EXPIRED";
    case OrderState::Failed:
      return "REJECTED";
  }
  return "NEW";
}

std::string_view type_text(OrderType type) noexcept {
  switch (type) {
    case OrderType::Limit:
      return "LIMIT";
    case OrderType::LimitMaker:
      return "LIMIT_MAKER";
    case OrderType::Market:
      return "MARKET";
  }
  return "LIMIT";
}

std::string_view tif_text(TimeInForce tif) noexcept {
  switch (tif) {
    case TimeInForce::GoodTillCancel:
      return "GTC";
    case TimeInForce::ImmediateOrCancel:
      return "IOC";
    case TimeInForce::FillOrKill:
      return "FOK";
  }
  return "GTC";
}

// Removes the `signature=...` parameter (and the '&' that joined it) from a query string or form
// body; everything else stays byte for byte as sent, since that is what the client signed.
std::string without_signature(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find('&', at), text.size());
    if (text.substr(at, end - at).rfind("signature=", 0) == 0) {
      if (at > 0) return std::string(text.substr(0, at - 1)) + std::string(text.substr(end));
      return std::string(text.substr(end == text.size() ? end : end + 1));
    }
    at = end + 1;
  }
  return std::string(text);
}

struct Params {
  std::map<std::string, std::string> values;
  [[nodiscard]] const std::string* get(std::string_view key) const {
    const auto it = values.find(std::string(key));
    return it == values.end() || it->second.empty() ? nullptr : &it->second;
  }
};

HttpResponse mandatory(std::string_view name) {
  return binance_error(
      400, -1102, fmt::format("Mandatory parameter '{}' was not sent, was empty/null, or malformed.", name));
}

// A count in fixed windows of the server's clock, as Binance counts its limits (the calendar
// minute for request weight, 10 s and the day for orders). Times are milliseconds since the
// windows' origin (Impl::limit_ms()). Invariant: `count` is the count of window number `window`
// (floor(t / length_ms)); any other window's count is 0.
struct WindowCount {
  std::int64_t length_ms = 60'000;
  std::int64_t window = INT64_MIN;
  std::int64_t count = 0;

  [[nodiscard]] std::int64_t number(std::int64_t t) const {
    return t >= 0 ? t / length_ms : -((-t + length_ms - 1) / length_ms);
  }
  void add(std::int64_t t, std::int64_t n) {
    if (number(t) != window) {
      window = number(t);
      count = 0;
    }
    count += n;
  }
  [[nodiscard]] std::int64_t at(std::int64_t t) const { return number(t) == window ? count : 0; }
  // Where the window holding `t` ends (the next one starts).
  [[nodiscard]] std::int64_t end(std::int64_t t) const { return (number(t) + 1) * length_ms; }
  void clear() { window = INT64_MIN, count = 0; }
};

// Binance's request weight of a REST request (developers.binance.com, each endpoint's "Weight";
// the same table as connector/binance/rate_limits.h's binance_spot kinds). Unknown endpoints weigh 1.
std::int64_t request_weight(std::string_view method, std::string_view path, const Params& p) {
  if (path == "/api/v3/depth") {
    std::int64_t limit = 100;
    if (const std::string* l = p.get("limit")) limit = std::atoll(l->c_str());
    return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
  }
  if (path == "/api/v3/exchangeInfo" || path == "/api/v3/account") return 20;
  if (path == "/api/v3/trades") return 25;
  if (path == "/api/v3/ticker/bookTicker") return p.get("symbol") != nullptr ? 2 : 4;
  if (path == "/api/v3/myTrades") return p.get("orderId") != nullptr ? 5 : 20;
  if (path == "/api/v3/openOrders" && method == "GET") return p.get("symbol") != nullptr ? 6 : 80;
  if (path == "/api/v3/order" && method == "GET") return 4;
  return 1;
}

// The WebSocket API's weights (they count in the same per-IP minute as REST).
std::int64_t ws_request_weight(std::string_view method) {
  if (method == "userDataStream.subscribe.signature" || method == "userDataStream.unsubscribe" ||
      method == "session.subscriptions") {
    return 2;
  }
  return 1;
}

// Binance's spot limits, as exchangeInfo's rateLimits advertises them, enforced as Binance does
// (docs/EXCHANGE_SIM.md "Rate limits").
constexpr std::int64_t kWeightPerMinute = 6000;    // REQUEST_WEIGHT, per IP, REST and WS API
constexpr std::int64_t kRawRequestsPer5m = 61000;  // RAW_REQUESTS, per IP
constexpr std::int64_t kOrdersPer10s = 50;         // ORDERS, per account
constexpr std::int64_t kOrdersPerDay = 160000;
// Requests an IP may still send while a 429 tells it to wait before it is banned (HTTP 418);
// bans last 2 minutes, doubling with each ban up to 3 days ("from 2 minutes to 3 days").
constexpr std::uint64_t kEarlyRequestsBeforeBan = 10;
constexpr Duration kFirstBan = std::chrono::minutes(2);
constexpr Duration kLongestBan = std::chrono::hours(72);

std::string rate_limits_json() {
  return fmt::format(
      R"([{{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":{}}},{{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":{}}},{{"rateLimitType":"ORDERS","interval":"DAY","intervalNum":1,"limit":{}}},{{"rateLimitType":"RAW_REQUESTS","interval":"MINUTE","intervalNum":5,"limit":{}}}])",
      kWeightPerMinute, kOrdersPer10s, kOrdersPerDay, kRawRequestsPer5m);
}

// Whole seconds from `now` to `until`, rounded up, at least 1 (Retry-After).
std::int64_t seconds_until(Timestamp until, Timestamp now) {
  return std::max<std::int64_t>(1, ((until - now).count() + 999'999'999) / 1'000'000'000);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// State

// One of our orders as Binance describes it. Invariants: executed <= request.quantity;
// cumulative_quote = sum of price × quantity of its fills.
struct OrderRecord {
  std::size_t account = 0;
  model::OrderRequest request;
  std::int64_t order_id = 0;
  OrderState state = OrderState::Open;
  Quantity executed;
  Notional cumulative_quote;
  std::int64_t time_ms = 0;
  std::int64_t update_ms = 0;
  std::vector<std::size_t> trades;  // indices in Impl::trades
};

// One of our fills (GET /api/v3/myTrades).
struct TradeRecord {
  std::size_t account = 0;
  std::int64_t order_id = 0;
  model::Fill fill;
};

// A market-stream connection and what it subscribed to.
struct MarketSession {
  std::shared_ptr<net::WebSocketConnection> connection;
  std::vector<std::string> streams;
  bool combined = false;
};

// A WebSocket API connection; subscriptions are (subscriptionId, account index).
struct ApiSession {
  std::shared_ptr<net::WebSocketConnection> connection;
  std::vector<std::pair<int, std::size_t>> subscriptions;
  int next_subscription = 0;
};

struct ExchangeSimulator::Impl {
  class Listener;

  struct Account {
    SimAccountConfig config;
    std::unique_ptr<Listener> listener;
    std::map<std::string, model::Balance> changed_balances;  // since the last outboundAccountPosition
    std::optional<std::string> held_event;                   // user_reorder: waiting for the next event
    TimerId held_timer;
    WindowCount orders_10s{10'000};  // orders accepted (X-MBX-ORDER-COUNT-10S)
    WindowCount orders_1d{86'400'000};
  };

  Impl(Scheduler& s, ExchangeSimConfig c) : scheduler(s), config(std::move(c)), faults(config.faults) {
    rng.seed(config.fault_seed);
    limit_origin_ms = config.limit_windows_origin.ms();
  }

  Scheduler& scheduler;
  ExchangeSimConfig config;
  model::TradingRules rules;
  std::string symbol_lower;
  sim::RiskAverseQueueModel queue_model;
  sim::Ledger ledger;
  std::unique_ptr<sim::MatchingEngine> engine;
  std::vector<Account> accounts;

  // replay
  std::shared_ptr<const data::EventTape> tape;  // the market, shared when the config gave one
  std::size_t next_event = 0;
  Timestamp data_start = Timestamp::none();
  Timestamp replay_start = Timestamp::none();
  TimerId replay_timer;
  TimerId depth_timer;
  model::UpdateId last_update_id = model::kNoUpdateId;
  std::map<std::int64_t, Quantity> pending_bids;  // depth stream: levels changed since the last frame
  std::map<std::int64_t, Quantity> pending_asks;
  model::UpdateId pending_first = model::kNoUpdateId;
  model::UpdateId pending_last = model::kNoUpdateId;
  std::deque<model::PublicTrade> recent_trades;
  Timestamp market_time = Timestamp::none();  // wall time of the last replayed event

  // orders
  std::vector<OrderRecord> orders;
  std::unordered_map<std::string, std::size_t> order_by_client;  // "account/clientOrderId"
  std::unordered_map<std::int64_t, std::size_t> order_by_id;
  std::vector<TradeRecord> trades;
  std::uint64_t generated_ids = 0;

  // connections
  std::vector<std::shared_ptr<MarketSession>> market_sessions;
  std::vector<std::shared_ptr<ApiSession>> api_sessions;

  // faults
  FaultSet faults;
  std::mt19937_64 rng;
  std::array<std::uint64_t, kFaultKinds> fired{};
  // The IP's state for rate: told to wait until limited_until (a 429: the rate_limit fault, or
  // over a limit), banned until banned_until (418). early_requests: sent while told to wait,
  // since the last 429 (kEarlyRequestsBeforeBan of them make a ban).
  Timestamp limited_until = Timestamp::none();
  Timestamp banned_until = Timestamp::none();
  std::uint64_t requests_while_limited = 0;
  std::uint64_t early_requests = 0;
  std::uint64_t bans = 0;
  std::uint64_t refused_for_rate = 0;  // 429/418 answers, faults included
  std::uint64_t requests = 0;
  // Request weight of the (one) IP in the current minute, REST and WS API (X-MBX-USED-WEIGHT-1M).
  WindowCount used_weight{60'000};
  WindowCount raw_requests{300'000};  // requests of the IP in the current 5 minutes (RAW_REQUESTS)
  // Every rate-limit window starts at a whole number of its lengths from here (server clock, ms).
  std::int64_t limit_origin_ms = 0;

  // --- helpers
  [[nodiscard]] std::int64_t now_ms() const { return scheduler.now().ms(); }
  // The time the rate-limit windows are counted in (WindowCount).
  [[nodiscard]] std::int64_t limit_ms() const { return now_ms() - limit_origin_ms; }

  bool fire(FaultKind kind, std::string_view endpoint = {}) {
    FaultSpec& spec = faults[kind];
    if (spec.rate <= 0) return false;
    if (!spec.only.empty() && !endpoint.empty() && spec.only != endpoint) return false;
    if (!spec.only.empty() && endpoint.empty()) return false;
    if (spec.rate < 1 && std::uniform_real_distribution<double>(0, 1)(rng) >= spec.rate) return false;
    ++fired[static_cast<std::size_t>(kind)];
    if (spec.one_shot) spec.rate = 0;
    return true;
  }

  static std::string client_key(std::size_t account, std::string_view id) {
    return fmt::format("{}/{}", account, id);
  }

  OrderRecord* find_order(std::size_t account, const Params& p) {
    if (const std::string* id = p.get("orderId")) {
      const auto it = order_by_id.find(std::atoll(id->c_str()));
      if (it != order_by_id.end() && orders[it->second].account == account) return &orders[it->second];
      return nullptr;
    }
    if (const std::string* id = p.get("origClientOrderId")) {
      const auto it = order_by_client.find(client_key(account, *id));
      return it == order_by_client.end() ? nullptr : &orders[it->second];
    }
    return nullptr;
  }

  // --- JSON of orders and trades
  std::string order_json(const OrderRecord& o, bool query_shape) const {
    const model::OrderRequest& r = o.request;
    std::string out =
        fmt::format(R"({{"symbol":{},"orderId":{},"orderListId":-1,"clientOrderId":{},)",
                    json_string(rules.symbol), o.order_id, json_string(r.client_order_id.view()));
    if (!query_shape) out += fmt::format(R"("transactTime":{},)", o.update_ms);
    out += fmt::format(
        R"("price":{},"origQty":{},"executedQty":{},"cummulativeQuoteQty":{},"status":"{}","timeInForce":"{}","type":"{}","side":"{}",)",
        json_decimal(r.price), json_decimal(r.quantity), json_decimal(o.executed),
        json_decimal(o.cumulative_quote.to_quantity(Rounding::Down).value_or(Quantity::zero())),
        status_text(o.state), tif_text(r.time_in_force), type_text(r.type), model::to_string(r.side));
    if (query_shape) {
      out += fmt::format(
          R"("stopPrice":"0.00000000","icebergQty":"0.00000000","time":{},"updateTime":{},"isWorking":true,"workingTime":{},"origQuoteOrderQty":"0.00000000",)",
          o.time_ms, o.update_ms, o.time_ms);
    } else {
      out += fmt::format(R"("origQuoteOrderQty":"0.00000000","workingTime":{},)", o.time_ms);
    }
    out += R"("selfTradePreventionMode":"NONE"})";
    return out;
  }

  std::string trade_json(const TradeRecord& t) const {
    const model::Fill& f = t.fill;
    const Quantity quote = (f.price * f.quantity).to_quantity(Rounding::Down).value_or(Quantity::zero());
    return fmt::format(
        R"({{"symbol":{},"id":{},"orderId":{},"orderListId":-1,"price":{},"qty":{},"quoteQty":{},"commission":{},"commissionAsset":{},"time":{},"isBuyer":{},"isMaker":{},"isBestMatch":true}})",
        json_string(rules.symbol), f.trade_id.view(), t.order_id, json_decimal(f.price),
        json_decimal(f.quantity), json_decimal(quote), json_decimal(f.fee.amount),
        json_string(f.fee.asset.view()), f.time.ms(), f.side == Side::Buy,
        f.liquidity == model::Liquidity::Maker);
  }

  std::string balances_json(std::size_t account) const {
    std::string out = "[";
    ledger.for_each_balance(static_cast<sim::AccountId>(account), [&](const model::Balance& b) {
      if (out.size() > 1) out += ',';
      out += fmt::format(R"({{"asset":{},"free":{},"locked":{}}})", json_string(b.asset.view()),
                         json_decimal(b.available), json_decimal(b.total - b.available));
    });
    return out + "]";
  }

  // executionReport for an order; `fill` set for x=TRADE.
  std::string execution_report(const OrderRecord& o, std::string_view execution, const model::Fill* fill,
                               std::string_view cancel_client_id = {}) const {
    const model::OrderRequest& r = o.request;
    const bool canceled = execution == "CANCELED";
    const std::string c = canceled && !cancel_client_id.empty() ? std::string(cancel_client_id)
                                                                : std::string(r.client_order_id.view());
    const std::string orig = canceled ? std::string(r.client_order_id.view()) : std::string();
    const Quantity cum_quote = o.cumulative_quote.to_quantity(Rounding::Down).value_or(Quantity::zero());
    const std::int64_t event_ms = now_ms();
    std::string last_qty = "\"0.00000000\"";
    std::string last_price = "\"0.00000000\"";
    std::string commission = "\"0\"";
    std::string commission_asset = "null";
    std::string last_quote = "\"0.00000000\"";
    std::int64_t trade_id = -1;
    bool maker = false;
    std::int64_t transaction_ms = o.update_ms;
    if (fill != nullptr) {
      last_qty = json_decimal(fill->quantity);
      last_price = json_decimal(fill->price);
      commission = json_decimal(fill->fee.amount);
      commission_asset = json_string(fill->fee.asset.view());
      last_quote =
          json_decimal((fill->price * fill->quantity).to_quantity(Rounding::Down).value_or(Quantity::zero()));
      trade_id = std::atoll(std::string(fill->trade_id.view()).c_str());
      maker = fill->liquidity == model::Liquidity::Maker;
      transaction_ms = fill->time.ms();
    }
    return fmt::format(
        R"({{"e":"executionReport","E":{},"s":{},"c":{},"S":"{}","o":"{}","f":"{}","q":{},"p":{},"P":"0.00000000","F":"0.00000000","g":-1,"C":{},"x":"{}","X":"{}","r":"NONE","i":{},"l":{},"z":{},"L":{},"n":{},"N":{},"T":{},"t":{},"I":{},"w":{},"m":{},"M":{},"O":{},"Z":{},"Y":{},"Q":"0.00000000","W":{},"V":"NONE"}})",
        event_ms, json_string(rules.symbol), json_string(c), model::to_string(r.side), type_text(r.type),
        tif_text(r.time_in_force), json_decimal(r.quantity), json_decimal(r.price), json_string(orig),
        execution, status_text(o.state), o.order_id, last_qty, json_decimal(o.executed), last_price,
        commission, commission_asset, transaction_ms, trade_id, o.trades.size() + 1,
        o.state == OrderState::Open || o.state == OrderState::PartiallyFilled, maker, fill != nullptr,
        o.time_ms, json_decimal(cum_quote), last_quote, o.time_ms);
  }

  // --- user stream
  void send_user_event(std::size_t account, const std::string& event) {
    const auto sessions = api_sessions;  // copy: an abort removes its session from api_sessions
    for (const auto& session : sessions) {
      for (const auto& [subscription, subscribed] : session->subscriptions) {
        if (subscribed != account || !session->connection->is_open()) continue;
        if (fire(FaultKind::WsDisconnect)) {
          session->connection->abort();
          break;
        }
        session->connection->send(fmt::format(R"({{"subscriptionId":{},"event":{}}})", subscription, event));
      }
    }
  }

  // Applies the user-stream faults, then sends.
  void emit_user_event(std::size_t account, std::string event, bool is_fill) {
    if (is_fill && fire(FaultKind::UserDropFill)) return;
    if (is_fill && fire(FaultKind::UserDelayFill)) {
      const std::int64_t ms =
          faults[FaultKind::UserDelayFill].ms > 0 ? faults[FaultKind::UserDelayFill].ms : 2000;
      auto shared = std::make_shared<std::string>(std::move(event));
      scheduler.schedule_after(std::chrono::milliseconds(ms),
                               [this, account, shared](Timestamp) { send_user_event(account, *shared); });
      return;
    }
    Account& a = accounts[account];
    if (!a.held_event && fire(FaultKind::UserReorder)) {
      a.held_event = std::move(event);
      const std::int64_t ms =
          faults[FaultKind::UserReorder].ms > 0 ? faults[FaultKind::UserReorder].ms : 1000;
      a.held_timer = scheduler.schedule_after(std::chrono::milliseconds(ms),
                                              [this, account](Timestamp) { release_held(account); });
      return;
    }
    const bool duplicate = fire(FaultKind::UserDuplicate);
    send_user_event(account, event);
    if (duplicate) send_user_event(account, event);
    release_held(account);  // a held event goes out after the one that overtook it
  }

  void release_held(std::size_t account) {
    Account& a = accounts[account];
    if (!a.held_event) return;
    std::string event = std::move(*a.held_event);
    a.held_event.reset();
    scheduler.cancel(a.held_timer);
    send_user_event(account, event);
  }

  // After every engine call: one outboundAccountPosition per account whose balances changed.
  void flush_balances() {
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      Account& a = accounts[i];
      if (a.changed_balances.empty()) continue;
      std::string list;
      for (const auto& [asset, b] : a.changed_balances) {
        if (!list.empty()) list += ',';
        list += fmt::format(R"({{"a":{},"f":{},"l":{}}})", json_string(asset), json_decimal(b.available),
                            json_decimal(b.total - b.available));
      }
      a.changed_balances.clear();
      const std::int64_t ms = now_ms();
      emit_user_event(
          i, fmt::format(R"({{"e":"outboundAccountPosition","E":{},"u":{},"B":[{}]}})", ms, ms, list), false);
    }
  }

  // --- engine callbacks
  void on_report(std::size_t account, const model::OrderReport& report) {
    const auto it = order_by_client.find(client_key(account, report.client_order_id.view()));
    if (it == order_by_client.end()) return;
    OrderRecord& o = orders[it->second];
    if (o.order_id == 0) {
      o.order_id = std::atoll(std::string(report.exchange_order_id.view()).c_str());
      order_by_id[o.order_id] = it->second;
    }
    o.update_ms = now_ms();
    if (report.state == OrderState::PartiallyFilled || report.state == OrderState::Filled) {
      // The trade's executionReport carries it (sent from on_fill).
      if (report.state == OrderState::Filled) o.state = OrderState::Filled;
      return;
    }
    o.state = report.state;
    const std::string_view execution = report.state == OrderState::Open       ? "NEW"
                                       : report.state == OrderState::Canceled ? "CANCELED"
                                       : report.state == OrderState::Expired  ? "EXPIRED"
                                                                              : "REJECTED";
    if (report.state == OrderState::Open && o.executed.is_positive()) return;
    emit_user_event(account, execution_report(o, execution, nullptr, pending_cancel_id), false);
  }

  void on_fill(std::size_t account, const model::Fill& fill) {
    const auto it = order_by_client.find(client_key(account, fill.client_order_id.view()));
    if (it == order_by_client.end()) return;
    OrderRecord& o = orders[it->second];
    o.executed += fill.quantity;
    o.cumulative_quote += fill.price * fill.quantity;
    o.state = o.executed == o.request.quantity ? OrderState::Filled : OrderState::PartiallyFilled;
    o.update_ms = now_ms();
    trades.push_back(TradeRecord{account, o.order_id, fill});
    o.trades.push_back(trades.size() - 1);
    emit_user_event(account, execution_report(o, "TRADE", &fill), true);
  }

  void on_balance(std::size_t account, const model::Balance& balance) {
    accounts[account].changed_balances[std::string(balance.asset.view())] = balance;
  }

  std::string pending_cancel_id;  // newClientOrderId of the cancel in progress (executionReport "c")

  // --- market replay (implemented below)
  void deliver_due();
  void deliver(const data::EventTape::Event& event, Timestamp at);
  void emit_depth_frame();
  void broadcast(const std::string& stream, const std::string& payload);
  // Whether a market-stream connection listens to `stream` (frames nobody hears are not formatted).
  [[nodiscard]] bool listened(const std::string& stream) const;
  void broadcast_book_ticker();
  [[nodiscard]] Timestamp due_time(std::size_t index) const;
  [[nodiscard]] Timestamp event_time(const data::EventTape::Event& event) const;

  // A signed request's refusal: HTTP status (REST) or WS API status, Binance code and message.
  struct Refusal {
    int status = 400;
    int code = 0;
    std::string message;
  };
  // Binance's checks of a signed request's `timestamp` and `recvWindow` (null: 5000 ms), as sent,
  // against the server's clock, and the clock_skew fault. nullopt: on time.
  std::optional<Refusal> check_time(const std::string& timestamp, const std::string* recv_window,
                                    std::string_view endpoint);

  // A refusal for rate of the IP: HTTP (or WS API) status 429 or 418, Binance's -1003 message, and
  // the time before which the IP must send nothing (Retry-After; WS API retryAfter).
  struct RateRefusal {
    int status = 429;
    std::string message;
    Timestamp until;
  };
  // Admits one request of `weight` from the IP (REST, or the WS API when `rest_endpoint` is null)
  // and counts it, or refuses it without counting it: banned (418); told to wait by a 429 (429
  // again, and a ban after kEarlyRequestsBeforeBan of them); the rate_limit fault (REST); over
  // REQUEST_WEIGHT or RAW_REQUESTS in the current window (429 until that window ends).
  std::optional<RateRefusal> admit_ip_request(std::int64_t weight, const std::string* rest_endpoint);
  // Bans the IP until `until` (a new ban unless it is the current one's end); its 418 refusal.
  RateRefusal ban(Timestamp until);
  // -1015 for an order of `account` above an ORDERS limit, nullopt when the order may be placed.
  std::optional<HttpResponse> refuse_order_for_rate(std::size_t account) const;

  // --- REST (implemented below)
  void handle(HttpRequest request, net::HttpReply reply);
  // `order_account`: set to the account of an authenticated POST /api/v3/order (its answer carries
  // that account's order counts).
  HttpResponse route(const HttpRequest& request, const Params& params,
                     std::optional<std::size_t>& order_account);
  // Adds Binance's usage headers: the IP's weight, and `order_account`'s order counts.
  void add_usage_headers(HttpResponse& response, std::optional<std::size_t> order_account) const;
  std::variant<std::size_t, HttpResponse> authenticate(const HttpRequest& request, const Params& params,
                                                       std::string_view endpoint);
  HttpResponse new_order(std::size_t account, const Params& p);
  HttpResponse cancel_order(std::size_t account, const Params& p, std::string_view endpoint);
  HttpResponse cancel_all(std::size_t account, const Params& p);
  HttpResponse depth(const Params& p) const;
  HttpResponse admin(const HttpRequest& request);
  std::string faults_json() const;
  std::string state_json() const;

  // --- WebSocket API (implemented below)
  void on_api_message(const std::shared_ptr<ApiSession>& session, std::string_view text);
  // Ends the session's subscriptions for which `which(subscriptionId, account)` is true, each
  // with an eventStreamTerminated; the connection stays open. Returns how many ended.
  template <typename Which>
  std::size_t end_subscriptions(ApiSession& session, Which which) {
    std::vector<int> ended;
    std::erase_if(session.subscriptions, [&](const auto& sub) {
      if (!which(sub.first, sub.second)) return false;
      ended.push_back(sub.first);
      return true;
    });
    for (const int sub : ended) {
      session.connection->send(fmt::format(
          R"({{"subscriptionId":{},"event":{{"e":"eventStreamTerminated","E":{}}}}})", sub, now_ms()));
    }
    return ended.size();
  }
};

class ExchangeSimulator::Impl::Listener final : public sim::ExecutionListener {
 public:
  Listener(Impl& impl, std::size_t account) : impl_(impl), account_(account) {}
  void on_execution_report(const model::OrderReport& report) override { impl_.on_report(account_, report); }
  void on_execution(const model::Fill& fill) override { impl_.on_fill(account_, fill); }
  void on_balance_update(const model::Balance& balance) override { impl_.on_balance(account_, balance); }

 private:
  Impl& impl_;
  std::size_t account_;
};

using Impl = ExchangeSimulator::Impl;

// ---------------------------------------------------------------------------------------------
// Market replay

Timestamp Impl::event_time(const data::EventTape::Event& event) const {
  return std::visit(
      [](const auto& e) -> Timestamp {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, data::EventTape::Book>) {
          return e.header.exchange_time;
        } else {
          return e.exchange_time;
        }
      },
      event);
}

Timestamp Impl::due_time(std::size_t index) const {
  const Timestamp t = event_time(tape->events()[index]);
  if (t.is_none() || data_start.is_none()) return replay_start;
  const auto offset = static_cast<std::int64_t>(static_cast<double>((t - data_start).count()) / config.speed);
  return replay_start + Duration(std::max<std::int64_t>(offset, 0));
}

void Impl::deliver_due() {
  const Timestamp now = scheduler.now();
  const auto& events = tape->events();
  while (next_event < events.size() && due_time(next_event) <= now) {
    deliver(events[next_event], due_time(next_event));
    ++next_event;
  }
  flush_balances();
}

void Impl::deliver(const data::EventTape::Event& event, Timestamp at) {
  market_time = at;
  if (const auto* book = std::get_if<data::EventTape::Book>(&event)) {
    if (book->is_snapshot) {
      model::BookSnapshot s;
      s.last_update_id = book->header.last_update_id;
      s.exchange_time = at;
      s.local_time = at;
      s.bids = book->bids;
      s.asks = book->asks;
      engine->on_snapshot(s);
      if (s.last_update_id > last_update_id) last_update_id = s.last_update_id;
    } else {
      model::BookDiff d = book->header;
      if (d.last_update_id != model::kNoUpdateId && d.last_update_id <= last_update_id)
        return;  // older than the book
      d.exchange_time = at;
      d.local_time = at;
      d.bids = book->bids;
      d.asks = book->asks;
      engine->on_diff(d);
      if (pending_first == model::kNoUpdateId) pending_first = d.first_update_id;
      pending_last = d.last_update_id;
      last_update_id = d.last_update_id;
      for (const model::PriceLevel& l : d.bids) pending_bids[l.price.raw()] = l.quantity;
      for (const model::PriceLevel& l : d.asks) pending_asks[l.price.raw()] = l.quantity;
    }
    broadcast_book_ticker();
    return;
  }
  if (const auto* trade = std::get_if<model::PublicTrade>(&event)) {
    model::PublicTrade t = *trade;
    t.exchange_time = at;
    t.local_time = at;
    engine->on_trade(t);
    recent_trades.push_back(t);
    if (recent_trades.size() > kRecentTrades) recent_trades.pop_front();
    const std::string stream = symbol_lower + "@trade";
    if (!listened(stream)) return;
    broadcast(stream,
              fmt::format(R"({{"e":"trade","E":{},"s":{},"t":{},"p":{},"q":{},"T":{},"m":{},"M":true}})",
                          now_ms(), json_string(rules.symbol), t.trade_id, json_decimal(t.price),
                          json_decimal(t.quantity), at.ms(), t.aggressor == Side::Sell));
  }
  // Recorded bookTickers are not replayed: @bookTicker is computed from the book.
}

void Impl::broadcast_book_ticker() {
  const std::string stream = symbol_lower + "@bookTicker";
  if (!listened(stream)) return;
  const auto bid = engine->book().best_bid();
  const auto ask = engine->book().best_ask();
  if (!bid || !ask) return;
  broadcast(stream,
            fmt::format(R"({{"u":{},"s":{},"b":{},"B":{},"a":{},"A":{}}})", last_update_id,
                        json_string(rules.symbol), json_decimal(bid->price), json_decimal(bid->quantity),
                        json_decimal(ask->price), json_decimal(ask->quantity)));
}

void Impl::emit_depth_frame() {
  if (pending_first == model::kNoUpdateId && pending_bids.empty() && pending_asks.empty()) return;
  const bool gap = fire(FaultKind::DepthGap);
  if (!gap && (listened(symbol_lower + "@depth@100ms") || listened(symbol_lower + "@depth"))) {
    std::string bids;
    std::string asks;
    // Binance lists bids and asks by price; order does not matter to a client applying final quantities.
    for (auto it = pending_bids.rbegin(); it != pending_bids.rend(); ++it) {
      if (!bids.empty()) bids += ',';
      bids += fmt::format("[{},{}]", json_decimal(Price::from_raw(it->first)), json_decimal(it->second));
    }
    for (const auto& [raw, quantity] : pending_asks) {
      if (!asks.empty()) asks += ',';
      asks += fmt::format("[{},{}]", json_decimal(Price::from_raw(raw)), json_decimal(quantity));
    }
    const std::string frame =
        fmt::format(R"({{"e":"depthUpdate","E":{},"s":{},"U":{},"u":{},"b":[{}],"a":[{}]}})", now_ms(),
                    json_string(rules.symbol), pending_first, pending_last, bids, asks);
    broadcast(symbol_lower + "@depth@100ms", frame);
    broadcast(symbol_lower + "@depth", frame);
  }
  pending_bids.clear();
  pending_asks.clear();
  pending_first = model::kNoUpdateId;
  pending_last = model::kNoUpdateId;
}

bool Impl::listened(const std::string& stream) const {
  return std::any_of(market_sessions.begin(), market_sessions.end(), [&](const auto& session) {
    return std::find(session->streams.begin(), session->streams.end(), stream) != session->streams.end();
  });
}

void Impl::broadcast(const std::string& stream, const std::string& payload) {
  // Copy: an abort below removes the session from market_sessions.
  const auto sessions = market_sessions;
  for (const auto& session : sessions) {
    if (std::find(session->streams.begin(), session->streams.end(), stream) == session->streams.end())
      continue;
    if (!session->connection->is_open()) continue;
    if (fire(FaultKind::WsDisconnect)) {
      session->connection->abort();
      continue;
    }
    if (session->combined) {
      session->connection->send(fmt::format(R"({{"stream":{},"data":{}}})", json_string(stream), payload));
    } else {
      session->connection->send(payload);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// REST

namespace {

// A non-negative decimal integer of at most 18 digits (no sign, no spaces): an id or a time.
std::optional<std::int64_t> parse_count(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

Impl::Refusal illegal_characters(std::string_view name, std::string_view legal) {
  return {400, -1100, fmt::format("Illegal characters found in parameter '{}'; legal range is '{}'.", name, legal)};
}

}  // namespace

std::optional<Impl::Refusal> Impl::check_time(const std::string& timestamp, const std::string* recv_window,
                                              std::string_view endpoint) {
  const std::optional<std::int64_t> ts = parse_count(timestamp);
  if (!ts) return illegal_characters("timestamp", "^[0-9]{1,18}$");
  // recvWindow: milliseconds, Binance also accepts up to three decimals (microseconds).
  std::int64_t window_ms = 5000;
  if (recv_window != nullptr) {
    const std::string_view text = *recv_window;
    const std::size_t dot = text.find('.');
    const std::optional<std::int64_t> whole = parse_count(text.substr(0, dot));
    const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    const bool fraction_ok = dot == std::string_view::npos ||
                             (!fraction.empty() && fraction.size() <= 3 && parse_count(fraction).has_value());
    if (!whole || !fraction_ok) return illegal_characters("recvWindow", "^[0-9]{1,5}(\\.[0-9]{1,3})?$");
    window_ms = *whole;
    if (window_ms > kMaxRecvWindowMs || (window_ms == 0 && parse_count(fraction).value_or(0) == 0)) {
      return Refusal{400, -1131, "recvWindow must be less than 60000"};
    }
  }
  // Both sides are far from the int64 limits: ts has at most 18 digits, window_ms <= 60000.
  const std::int64_t server = now_ms();
  if (fire(FaultKind::ClockSkew, endpoint) || *ts < server - window_ms) {
    return Refusal{400, -1021, "Timestamp for this request is outside of the recvWindow."};
  }
  if (*ts >= server + 1000) {
    return Refusal{400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."};
  }
  return std::nullopt;
}

std::variant<std::size_t, HttpResponse> Impl::authenticate(const HttpRequest& request, const Params& p,
                                                           std::string_view endpoint) {
  const std::string* key = request.header("X-MBX-APIKEY");
  if (key == nullptr || key->empty()) return binance_error(401, -2014, "API-key format invalid.");
  std::size_t account = accounts.size();
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    if (accounts[i].config.api_key.reveal() == *key) account = i;
  }
  if (account == accounts.size())
    return binance_error(401, -2015, "Invalid API-key, IP, or permissions for action.");
  const std::string* timestamp = p.get("timestamp");
  if (timestamp == nullptr) return mandatory("timestamp");
  const std::string* signature = p.get("signature");
  if (signature == nullptr) return mandatory("signature");
  if (auto late = check_time(*timestamp, p.get("recvWindow"), endpoint)) {
    return binance_error(late->status, late->code, late->message);
  }
  const std::string payload = without_signature(request.query()) + without_signature(request.body);
  if (!venue::binance::verify_hmac_sha256(accounts[account].config.secret, payload, *signature)) {
    return binance_error(400, -1022, "Signature for this request is not valid.");
  }
  return account;
}

HttpResponse Impl::new_order(std::size_t account, const Params& p) {
  const std::string* symbol = p.get("symbol");
  if (symbol == nullptr) return mandatory("symbol");
  if (*symbol != rules.symbol) return binance_error(400, -1121, "Invalid symbol.");
  const std::string* side = p.get("side");
  if (side == nullptr) return mandatory("side");
  const std::string* type = p.get("type");
  if (type == nullptr) return mandatory("type");
  model::OrderRequest r;
  r.symbol = model::Symbol::truncating(rules.symbol);
  if (*side == "BUY") {
    r.side = Side::Buy;
  } else if (*side == "SELL") {
    r.side = Side::Sell;
  } else {
    return binance_error(
        400, -1100,
        fmt::format("Illegal characters found in parameter 'side'; legal range is '^(BUY|SELL)$'."));
  }
  if (*type == "LIMIT") {
    r.type = OrderType::Limit;
  } else if (*type == "LIMIT_MAKER") {
    r.type = OrderType::LimitMaker;
  } else if (*type == "MARKET") {
    r.type = OrderType::Market;
  } else {
    return binance_error(400, -1116, "Invalid orderType.");
  }
  if (r.type == OrderType::Limit) {
    const std::string* tif = p.get("timeInForce");
    if (tif == nullptr) return mandatory("timeInForce");
    if (*tif == "GTC") {
      r.time_in_force = TimeInForce::GoodTillCancel;
    } else if (*tif == "IOC") {
      r.time_in_force = TimeInForce::ImmediateOrCancel;
    } else if (*tif == "FOK") {
      r.time_in_force = TimeInForce::FillOrKill;
    } else {
      return binance_error(400, -1115, "Invalid timeInForce.");
    }
  }
  const std::string* quantity = p.get("quantity");
  if (quantity == nullptr) return mandatory("quantity");
  auto q = Quantity::parse(*quantity);
  if (!q) return mandatory("quantity");
  r.quantity = *q;
  if (r.type != OrderType::Market) {
    const std::string* price = p.get("price");
    if (price == nullptr) return mandatory("price");
    auto px = Price::parse(*price);
    if (!px) return mandatory("price");
    r.price = *px;
  }
  std::string client_id;
  if (const std::string* id = p.get("newClientOrderId")) {
    if (id->size() > 36) {
      return binance_error(400, -1100,
                           "Illegal characters found in parameter 'newClientOrderId'; legal range is "
                           "'^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
    }
    client_id = *id;
  } else {
    client_id = fmt::format("sim{:019}", ++generated_ids);
  }
  r.client_order_id = model::ClientOrderId::truncating(client_id);
  const std::string key = client_key(account, client_id);
  if (order_by_client.contains(key)) return binance_error(400, -2010, "Duplicate order sent.");

  // The record exists before the engine acts: its pushes (NEW, TRADE) find it.
  const std::int64_t ms = now_ms();
  orders.push_back(OrderRecord{account, r, 0, OrderState::Open, Quantity::zero(), Notional{}, ms, ms, {}});
  order_by_client[key] = orders.size() - 1;
  auto placed = engine->place(static_cast<sim::AccountId>(account), r, scheduler.now());
  if (!placed) {
    order_by_client.erase(key);
    orders.pop_back();
    accounts[account].changed_balances.clear();
    const auto [code, message] = binance_code_of(placed.error());
    return binance_error(400, code, message);
  }
  flush_balances();
  const OrderRecord& o = orders[order_by_client[key]];
  std::string resp_type = r.type == OrderType::LimitMaker ? "ACK" : "FULL";
  if (const std::string* t = p.get("newOrderRespType")) resp_type = *t;
  if (resp_type == "ACK") {
    return json_response(
        200,
        fmt::format(R"({{"symbol":{},"orderId":{},"orderListId":-1,"clientOrderId":{},"transactTime":{}}})",
                    json_string(rules.symbol), o.order_id, json_string(o.request.client_order_id.view()),
                    o.time_ms));
  }
  std::string body = order_json(o, false);
  if (resp_type == "FULL") {
    std::string fills;
    for (const std::size_t t : o.trades) {
      const model::Fill& f = trades[t].fill;
      if (!fills.empty()) fills += ',';
      fills += fmt::format(R"({{"price":{},"qty":{},"commission":{},"commissionAsset":{},"tradeId":{}}})",
                           json_decimal(f.price), json_decimal(f.quantity), json_decimal(f.fee.amount),
                           json_string(f.fee.asset.view()), f.trade_id.view());
    }
    body.pop_back();
    body += R"(,"fills":[)" + fills + "]}";
  }
  return json_response(200, std::move(body));
}

HttpResponse Impl::cancel_order(std::size_t account, const Params& p, std::string_view endpoint) {
  const std::string* symbol = p.get("symbol");
  if (symbol == nullptr) return mandatory("symbol");
  if (*symbol != rules.symbol) return binance_error(400, -1121, "Invalid symbol.");
  if (p.get("orderId") == nullptr && p.get("origClientOrderId") == nullptr) return mandatory("orderId");
  if (fire(FaultKind::CancelUnknown, endpoint)) return binance_error(400, -2011, "Unknown order sent.");
  OrderRecord* o = find_order(account, p);
  if (o == nullptr || model::is_final(o->state)) return binance_error(400, -2011, "Unknown order sent.");
  const std::string* new_id = p.get("newClientOrderId");
  pending_cancel_id = new_id != nullptr ? *new_id : fmt::format("sim{:019}", ++generated_ids);
  const std::size_t index = static_cast<std::size_t>(o - orders.data());
  auto canceled =
      engine->cancel(static_cast<sim::AccountId>(account), o->request.client_order_id, scheduler.now());
  const std::string cancel_id = pending_cancel_id;
  pending_cancel_id.clear();
  if (!canceled) {
    const auto [code, message] = binance_code_of(canceled.error());
    return binance_error(400, code, message);
  }
  flush_balances();
  const OrderRecord& done = orders[index];
  std::string body = order_json(done, false);
  // Cancel shape: origClientOrderId is the order's id, clientOrderId the cancel's.
  const std::string original = json_string(done.request.client_order_id.view());
  const std::string head =
      fmt::format(R"({{"symbol":{},"origClientOrderId":{},"orderId":{},"orderListId":-1,"clientOrderId":{},)",
                  json_string(rules.symbol), original, done.order_id, json_string(cancel_id));
  const std::size_t rest = body.find(R"("transactTime")");
  return json_response(200, head + body.substr(rest));
}

HttpResponse Impl::cancel_all(std::size_t account, const Params& p) {
  const std::string* symbol = p.get("symbol");
  if (symbol == nullptr) return mandatory("symbol");
  if (*symbol != rules.symbol) return binance_error(400, -1121, "Invalid symbol.");
  std::vector<std::size_t> open;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    if (orders[i].account == account && !model::is_final(orders[i].state)) open.push_back(i);
  }
  if (open.empty()) return binance_error(400, -2011, "Unknown order sent.");
  std::string body = "[";
  for (const std::size_t i : open) {
    Params one;
    one.values["symbol"] = rules.symbol;
    one.values["orderId"] = std::to_string(orders[i].order_id);
    HttpResponse r = cancel_order(account, one, {});
    if (r.status != 200) continue;
    if (body.size() > 1) body += ',';
    body += r.body;
  }
  return json_response(200, body + "]");
}

HttpResponse Impl::depth(const Params& p) const {
  const std::string* symbol = p.get("symbol");
  if (symbol == nullptr) return mandatory("symbol");
  if (*symbol != rules.symbol) return binance_error(400, -1121, "Invalid symbol.");
  std::int64_t limit = 100;
  if (const std::string* l = p.get("limit"))
    limit = std::clamp<std::int64_t>(std::atoll(l->c_str()), 1, 5000);
  std::string sides[2];
  for (const model::BookSide side : {model::BookSide::Bid, model::BookSide::Ask}) {
    std::string& out = sides[side == model::BookSide::Bid ? 0 : 1];
    std::int64_t n = 0;
    engine->book().for_each_level(side, [&](const model::PriceLevel& level) {
      if (n++ >= limit) return false;
      if (!out.empty()) out += ',';
      out += fmt::format("[{},{}]", json_decimal(level.price), json_decimal(level.quantity));
      return true;
    });
  }
  return json_response(200, fmt::format(R"({{"lastUpdateId":{},"bids":[{}],"asks":[{}]}})", last_update_id,
                                        sides[0], sides[1]));
}

std::string Impl::faults_json() const {
  std::string out = "{";
  for (std::size_t k = 0; k < kFaultKinds; ++k) {
    const FaultSpec& s = faults.specs[k];
    if (k > 0) out += ',';
    out += fmt::format(
        R"("{}":{{"rate":{},"one_shot":{},"only":{},"ms":{},"status":{},"retry_after":{},"fired":{}}})",
        to_string(static_cast<FaultKind>(k)), s.rate, s.one_shot, json_string(s.only), s.ms, s.status,
        s.retry_after, fired[k]);
  }
  return out + "}";
}

std::string Impl::state_json() const {
  std::string out = fmt::format(
      R"({{"serverTime":{},"symbol":{},"lastUpdateId":{},"replay":{{"events":{},"delivered":{},"finished":{}}},"requests":{},"requestsWhileRateLimited":{},"refusedForRate":{},"ipBans":{},"usedWeight1m":{},"rawRequests5m":{},"accounts":[)",
      now_ms(), json_string(rules.symbol), last_update_id, tape->events().size(), next_event,
      next_event == tape->events().size(), requests, requests_while_limited, refused_for_rate, bans,
      used_weight.at(limit_ms()), raw_requests.at(limit_ms()));
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    if (i > 0) out += ',';
    out += fmt::format(R"({{"name":{},"orderCount10s":{},"orderCount1d":{},"balances":)",
                       json_string(accounts[i].config.name), accounts[i].orders_10s.at(limit_ms()),
                       accounts[i].orders_1d.at(limit_ms()));
    std::string balances = "[";
    ledger.for_each_balance(static_cast<sim::AccountId>(i), [&](const model::Balance& b) {
      if (balances.size() > 1) balances += ',';
      balances +=
          fmt::format(R"({{"asset":{},"free":{},"locked":{},"total":{}}})", json_string(b.asset.view()),
                      json_decimal(b.available), json_decimal(b.total - b.available), json_decimal(b.total));
    });
    out += balances + R"(],"openOrders":[)";
    bool first = true;
    for (const OrderRecord& o : orders) {
      if (o.account != i || model::is_final(o.state)) continue;
      if (!first) out += ',';
      first = false;
      out += order_json(o, true);
    }
    out += R"(],"orders":)" +
           std::to_string(std::count_if(orders.begin(), orders.end(),
                                        [&](const OrderRecord& o) { return o.account == i; }));
    out += R"(,"fills":[)";
    first = true;
    for (const TradeRecord& t : trades) {
      if (t.account != i) continue;
      if (!first) out += ',';
      first = false;
      out += trade_json(t);
    }
    out += "]}";
  }
  return out + R"(],"faults":)" + faults_json() + "}";
}

HttpResponse Impl::admin(const HttpRequest& request) {
  const std::string_view path = request.path();
  if (path == "/sim/state" && request.method == "GET") return json_response(200, state_json());
  if (path == "/sim/faults") {
    if (request.method == "GET") return json_response(200, faults_json());
    if (request.method == "DELETE") {
      faults = FaultSet{};
      return json_response(200, faults_json());
    }
    if (request.method == "POST" || request.method == "PUT") {
      std::uint64_t seed = 0;
      auto parsed = parse_faults(request.body, "POST /sim/faults", faults, seed);
      if (!parsed)
        return json_response(400, fmt::format(R"({{"error":{}}})", json_string(parsed.error().message())));
      if (seed != 0) rng.seed(seed);
      return json_response(200, faults_json());
    }
  }
  if (path == "/sim/deposit" && request.method == "POST") {
    Params p;
    const auto add = [&](std::string k, std::string v) { p.values.emplace(std::move(k), std::move(v)); };
    net::for_each_param(request.query(), add);
    net::for_each_param(request.body, add);
    const std::string* name = p.get("account");
    const std::string* asset = p.get("asset");
    const std::string* amount = p.get("amount");
    if (name == nullptr || asset == nullptr || amount == nullptr) {
      return json_response(400, R"({"error":"POST /sim/deposit needs account, asset and amount"})");
    }
    std::size_t account = accounts.size();
    for (std::size_t i = 0; i < accounts.size(); ++i) {
      if (accounts[i].config.name == *name) account = i;
    }
    auto quantity = Quantity::parse(*amount);
    if (account == accounts.size() || !quantity || !quantity->is_positive() ||
        asset->size() > model::Asset::kCapacity) {
      return json_response(
          400, R"({"error":"POST /sim/deposit: unknown account, or amount not a positive decimal"})");
    }
    const model::Asset code = model::Asset::truncating(*asset);
    if (auto ok = ledger.deposit(static_cast<sim::AccountId>(account), code, *quantity); !ok) {
      return json_response(400, fmt::format(R"({{"error":{}}})", json_string(ok.error().message())));
    }
    const std::int64_t ms = now_ms();
    emit_user_event(account,
                    fmt::format(R"({{"e":"balanceUpdate","E":{},"a":{},"d":{},"T":{}}})", ms,
                                json_string(*asset), json_decimal(*quantity), ms),
                    false);
    accounts[account].changed_balances[*asset] = ledger.balance(static_cast<sim::AccountId>(account), code);
    flush_balances();
    return json_response(200, balances_json(account));
  }
  if (path == "/sim/terminate-user-streams" && request.method == "POST") {
    // Binance ends a user-data subscription on its own at times (eventStreamTerminated; the
    // connection stays): every subscription, or those of `account`.
    std::optional<std::size_t> only;
    std::string name;
    const auto read = [&](const std::string& k, const std::string& v) {
      if (k == "account") name = v;
    };
    net::for_each_param(request.query(), read);
    net::for_each_param(request.body, read);
    if (!name.empty()) {
      for (std::size_t i = 0; i < accounts.size(); ++i) {
        if (accounts[i].config.name == name) only = i;
      }
      if (!only) return json_response(400, R"({"error":"POST /sim/terminate-user-streams: unknown account"})");
    }
    std::size_t ended = 0;
    for (const auto& session : std::vector(api_sessions)) {
      ended += end_subscriptions(*session, [&](int, std::size_t account) { return !only || account == *only; });
    }
    return json_response(200, fmt::format(R"({{"terminated":{}}})", ended));
  }
  if (path == "/sim/reset-limits" && request.method == "POST") {
    // Every rate-limit window starts now, every count from zero: a test knows that nothing it
    // does in the next ten seconds (a minute, a day) crosses a window boundary.
    limit_origin_ms = now_ms();
    used_weight.clear();
    raw_requests.clear();
    limited_until = banned_until = Timestamp::none();
    early_requests = 0;
    for (Account& a : accounts) a.orders_10s.clear(), a.orders_1d.clear();
    return json_response(200, fmt::format(R"({{"limitWindowsOrigin":{}}})", limit_origin_ms));
  }
  if (path == "/sim/disconnect" && request.method == "POST") {
    std::size_t closed = 0;
    for (const auto& s : std::vector(market_sessions)) s->connection->abort(), ++closed;
    for (const auto& s : std::vector(api_sessions)) s->connection->abort(), ++closed;
    return json_response(200, fmt::format(R"({{"closed":{}}})", closed));
  }
  return json_response(404, R"({"error":"no such admin endpoint"})");
}

HttpResponse Impl::route(const HttpRequest& request, const Params& p,
                         std::optional<std::size_t>& order_account) {
  const std::string_view path = request.path();
  const std::string& method = request.method;
  const std::string endpoint = method + " " + std::string(path);
  if (method == "GET") {
    if (path == "/api/v3/ping") return json_response(200, "{}");
    if (path == "/api/v3/time") return json_response(200, fmt::format(R"({{"serverTime":{}}})", now_ms()));
    if (path == "/api/v3/depth") return depth(p);
    if (path == "/api/v3/exchangeInfo") {
      const Quantity max_qty = std::min(rules.max_quantity, Quantity::from_int(9'000'000));
      return json_response(
          200,
          fmt::format(
              R"({{"timezone":"UTC","serverTime":{},"rateLimits":{},"exchangeFilters":[],"symbols":[{{"symbol":{},"status":"TRADING","baseAsset":{},"baseAssetPrecision":8,"quoteAsset":{},"quotePrecision":8,"quoteAssetPrecision":8,"baseCommissionPrecision":8,"quoteCommissionPrecision":8,"orderTypes":["LIMIT","LIMIT_MAKER","MARKET"],"icebergAllowed":false,"ocoAllowed":false,"otoAllowed":false,"quoteOrderQtyMarketAllowed":false,"allowTrailingStop":false,"cancelReplaceAllowed":false,"isSpotTradingAllowed":true,"isMarginTradingAllowed":false,"filters":[{{"filterType":"PRICE_FILTER","minPrice":{},"maxPrice":"1000000.00000000","tickSize":{}}},{{"filterType":"LOT_SIZE","minQty":{},"maxQty":{},"stepSize":{}}},{{"filterType":"NOTIONAL","minNotional":{},"applyMinToMarket":false,"maxNotional":"9000000.00000000","applyMaxToMarket":false,"avgPriceMins":5}}],"permissions":[],"permissionSets":[["SPOT"]],"defaultSelfTradePreventionMode":"NONE","allowedSelfTradePreventionModes":["NONE"]}}]}})",
              now_ms(), rate_limits_json(), json_string(rules.symbol), json_string(rules.base),
              json_string(rules.quote),
              json_decimal(rules.tick_size), json_decimal(rules.tick_size),
              json_decimal(std::max(rules.min_quantity, rules.lot_size)), json_decimal(max_qty),
              json_decimal(rules.lot_size),
              json_decimal(rules.min_notional.to_quantity(Rounding::Up).value_or(Quantity::zero()))));
    }
    if (path == "/api/v3/trades") {
      const std::string* symbol = p.get("symbol");
      if (symbol == nullptr) return mandatory("symbol");
      if (*symbol != rules.symbol) return binance_error(400, -1121, "Invalid symbol.");
      std::size_t limit = 500;
      if (const std::string* l = p.get("limit"))
        limit = static_cast<std::size_t>(std::clamp(std::atoll(l->c_str()), 1LL, 1000LL));
      const std::size_t first = recent_trades.size() > limit ? recent_trades.size() - limit : 0;
      std::string out = "[";
      for (std::size_t i = first; i < recent_trades.size(); ++i) {
        const model::PublicTrade& t = recent_trades[i];
        if (out.size() > 1) out += ',';
        out += fmt::format(
            R"({{"id":{},"price":{},"qty":{},"quoteQty":{},"time":{},"isBuyerMaker":{},"isBestMatch":true}})",
            t.trade_id, json_decimal(t.price), json_decimal(t.quantity),
            json_decimal((t.price * t.quantity).to_quantity(Rounding::Down).value_or(Quantity::zero())),
            t.exchange_time.ms(), t.aggressor == Side::Sell);
      }
      return json_response(200, out + "]");
    }
    if (path == "/api/v3/ticker/bookTicker") {
      if (const std::string* symbol = p.get("symbol"); symbol != nullptr && *symbol != rules.symbol) {
        return binance_error(400, -1121, "Invalid symbol.");
      }
      const auto bid = engine->book().best_bid();
      const auto ask = engine->book().best_ask();
      const model::PriceLevel none{};
      std::string one = fmt::format(
          R"({{"symbol":{},"bidPrice":{},"bidQty":{},"askPrice":{},"askQty":{}}})", json_string(rules.symbol),
          json_decimal(bid.value_or(none).price), json_decimal(bid.value_or(none).quantity),
          json_decimal(ask.value_or(none).price), json_decimal(ask.value_or(none).quantity));
      return json_response(200, p.get("symbol") != nullptr ? one : "[" + one + "]");
    }
  }
  const bool order = path == "/api/v3/order";
  const bool signed_endpoint = (order && (method == "GET" || method == "POST" || method == "DELETE")) ||
                               (path == "/api/v3/openOrders" && (method == "GET" || method == "DELETE")) ||
                               (method == "GET" && (path == "/api/v3/account" || path == "/api/v3/myTrades"));
  if (!signed_endpoint) {
    if (path.rfind("/api/v3/", 0) == 0)
      return binance_error(404, -1000, "An unknown error occurred while processing the request.");
    return json_response(404, R"({"error":"not found"})");
  }
  auto auth = authenticate(request, p, endpoint);
  if (auto* error = std::get_if<HttpResponse>(&auth)) return std::move(*error);
  const std::size_t account = std::get<std::size_t>(auth);
  if (order && method == "POST") {
    order_account = account;
    if (auto refused = refuse_order_for_rate(account)) return std::move(*refused);
    HttpResponse r = new_order(account, p);
    if (r.status == 200) {
      accounts[account].orders_10s.add(limit_ms(), 1);
      accounts[account].orders_1d.add(limit_ms(), 1);
    }
    return r;
  }
  if (order && method == "DELETE") return cancel_order(account, p, endpoint);
  if (path == "/api/v3/openOrders" && method == "DELETE") return cancel_all(account, p);
  if (order) {  // GET
    if (const std::string* symbol = p.get("symbol"); symbol == nullptr) return mandatory("symbol");
    if (p.get("orderId") == nullptr && p.get("origClientOrderId") == nullptr) return mandatory("orderId");
    const OrderRecord* o = find_order(account, p);
    if (o == nullptr) return binance_error(400, -2013, "Order does not exist.");
    return json_response(200, order_json(*o, true));
  }
  if (path == "/api/v3/openOrders") {
    const std::string* symbol = p.get("symbol");
    if (symbol != nullptr && *symbol != rules.symbol) return binance_error(400, -1121, "Invalid symbol.");
    std::string out = "[";
    for (const OrderRecord& o : orders) {
      if (o.account != account || model::is_final(o.state)) continue;
      if (out.size() > 1) out += ',';
      out += order_json(o, true);
    }
    return json_response(200, out + "]");
  }
  if (path == "/api/v3/account") {
    const SimAccountConfig& c = accounts[account].config;
    const auto bps = [](model::FeeRate r) { return r.raw() / 10'000; };  // 1e-8 units -> basis points
    return json_response(
        200,
        fmt::format(
            R"({{"makerCommission":{},"takerCommission":{},"buyerCommission":0,"sellerCommission":0,"commissionRates":{{"maker":{},"taker":{},"buyer":"0.00000000","seller":"0.00000000"}},"canTrade":true,"canWithdraw":true,"canDeposit":true,"brokered":false,"requireSelfTradePrevention":false,"preventSor":false,"updateTime":{},"accountType":"SPOT","balances":{},"permissions":["SPOT"],"uid":{}}})",
            bps(c.maker), bps(c.taker), json_string(Quantity::from_raw(c.maker.raw()).to_string(8)),
            json_string(Quantity::from_raw(c.taker.raw()).to_string(8)), now_ms(), balances_json(account),
            account + 1));
  }
  // myTrades
  const std::string* symbol = p.get("symbol");
  if (symbol == nullptr) return mandatory("symbol");
  if (*symbol != rules.symbol) return binance_error(400, -1121, "Invalid symbol.");
  std::int64_t only_order = 0;
  if (const std::string* id = p.get("orderId")) only_order = std::atoll(id->c_str());
  std::size_t limit = 500;
  if (const std::string* l = p.get("limit"))
    limit = static_cast<std::size_t>(std::clamp(std::atoll(l->c_str()), 1LL, 1000LL));
  std::vector<const TradeRecord*> selected;
  for (const TradeRecord& t : trades) {
    if (t.account == account && (only_order == 0 || t.order_id == only_order)) selected.push_back(&t);
  }
  if (selected.size() > limit)
    selected.erase(selected.begin(), selected.end() - static_cast<std::ptrdiff_t>(limit));
  std::string out = "[";
  for (const TradeRecord* t : selected) {
    if (out.size() > 1) out += ',';
    out += trade_json(*t);
  }
  return json_response(200, out + "]");
}

void Impl::add_usage_headers(HttpResponse& response, std::optional<std::size_t> order_account) const {
  const std::int64_t now = limit_ms();
  response.headers.push_back({std::string(venue::binance::kUsedWeight1mHeader), std::to_string(used_weight.at(now))});
  if (order_account) {
    const Account& a = accounts[*order_account];
    response.headers.push_back({std::string(venue::binance::kOrderCount10sHeader), std::to_string(a.orders_10s.at(now))});
    response.headers.push_back({std::string(venue::binance::kOrderCount1dHeader), std::to_string(a.orders_1d.at(now))});
  }
}

Impl::RateRefusal Impl::ban(Timestamp until) {
  if (until != banned_until) ++bans;
  banned_until = until;
  limited_until = Timestamp::none();
  return RateRefusal{418,
                     fmt::format("Way too many requests; IP(127.0.0.1) banned until {}. Please use the websocket "
                                 "for live updates to avoid bans.",
                                 until.ms()),
                     until};
}

std::optional<Impl::RateRefusal> Impl::admit_ip_request(std::int64_t weight, const std::string* rest_endpoint) {
  const Timestamp now = scheduler.now();
  const auto refuse = [&](RateRefusal refusal) {
    ++refused_for_rate;
    return std::optional<RateRefusal>(std::move(refusal));
  };
  const auto too_many = [] {
    return fmt::format(
        "Too many requests; current limit of IP(127.0.0.1) is {} requests per minute. Please use the websocket "
        "for live updates to avoid polling the API.",
        kWeightPerMinute);
  };
  // A new 429: the IP is told to wait until `until`; requests before then count toward a ban.
  const auto tell_to_wait = [&](Timestamp until, std::string message) {
    limited_until = until;
    early_requests = 0;
    return refuse(RateRefusal{429, std::move(message), until});
  };
  if (!banned_until.is_none() && now < banned_until) {
    ++requests_while_limited;
    return refuse(ban(banned_until));  // the same ban, its end unchanged
  }
  if (!limited_until.is_none() && now < limited_until) {
    ++requests_while_limited;
    if (++early_requests < kEarlyRequestsBeforeBan) return refuse(RateRefusal{429, too_many(), limited_until});
    // "Repeatedly violating rate limits and/or failing to back off after receiving 429s will
    // result in an automated IP ban": 2 minutes, doubling up to 3 days.
    Duration length = kFirstBan;
    for (std::uint64_t i = 0; i < bans && length < kLongestBan; ++i) length *= 2;
    return refuse(ban(now + std::min(length, kLongestBan)));
  }
  if (rest_endpoint != nullptr && fire(FaultKind::RateLimit, *rest_endpoint)) {
    const FaultSpec& spec = faults[FaultKind::RateLimit];
    const Timestamp until = now + std::chrono::seconds(spec.retry_after > 0 ? spec.retry_after : 1);
    if (spec.status == 418) return refuse(ban(until));
    return tell_to_wait(until, too_many());
  }
  // Over a limit: refused until its window ends; the request is not counted.
  const std::int64_t t = limit_ms();
  if (used_weight.at(t) + weight > kWeightPerMinute) {
    return tell_to_wait(Timestamp::from_ms(limit_origin_ms + used_weight.end(t)),
                        fmt::format("Too much request weight used; current limit is {} request weight per 1 "
                                    "MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.",
                                    kWeightPerMinute));
  }
  if (raw_requests.at(t) + 1 > kRawRequestsPer5m) {
    return tell_to_wait(Timestamp::from_ms(limit_origin_ms + raw_requests.end(t)),
                        fmt::format("Too many requests; current limit of IP(127.0.0.1) is {} requests per 5 MINUTE. "
                                    "Please use the websocket for live updates to avoid polling the API.",
                                    kRawRequestsPer5m));
  }
  used_weight.add(t, weight);
  raw_requests.add(t, 1);
  return std::nullopt;
}

std::optional<HttpResponse> Impl::refuse_order_for_rate(std::size_t account) const {
  // Binance: 429 without Retry-After; "wait for reactivation" by exchangeInfo's ORDERS limits.
  const Account& a = accounts[account];
  const std::int64_t t = limit_ms();
  if (a.orders_10s.at(t) >= kOrdersPer10s) {
    return binance_error(
        429, -1015, fmt::format("Too many new orders; current limit is {} orders per 10 SECOND.", kOrdersPer10s));
  }
  if (a.orders_1d.at(t) >= kOrdersPerDay) {
    return binance_error(
        429, -1015, fmt::format("Too many new orders; current limit is {} orders per 1 DAY.", kOrdersPerDay));
  }
  return std::nullopt;
}

void Impl::handle(HttpRequest request, net::HttpReply reply) {
  const std::string_view path = request.path();
  if (path.rfind("/sim/", 0) == 0) {
    reply.send(admin(request));
    return;
  }
  // Every answer from here on is Binance's: it carries the IP's weight (add_usage_headers).
  ++requests;
  const std::string endpoint = request.method + " " + std::string(path);
  Params params;
  const auto add = [&](std::string key, std::string value) {
    params.values.emplace(std::move(key), std::move(value));
  };
  net::for_each_param(request.query(), add);
  net::for_each_param(request.body, add);
  if (auto refused = admit_ip_request(request_weight(request.method, path, params), &endpoint)) {
    HttpResponse r = binance_error(refused->status, -1003, refused->message);
    r.headers.push_back({"Retry-After", std::to_string(seconds_until(refused->until, scheduler.now()))});
    add_usage_headers(r, std::nullopt);
    reply.send(std::move(r));
    return;
  }
  std::optional<std::size_t> order_account;
  HttpResponse response = route(request, params, order_account);
  if (fire(FaultKind::DropReply, endpoint)) {
    const std::int64_t ms = faults[FaultKind::DropReply].ms > 0 ? faults[FaultKind::DropReply].ms : 30'000;
    scheduler.schedule_after(std::chrono::milliseconds(ms),
                             [held = std::move(reply)](Timestamp) mutable { held.drop(); });
    return;
  }
  if (fire(FaultKind::ServerError, endpoint)) {
    const int status =
        faults[FaultKind::ServerError].status >= 500 ? faults[FaultKind::ServerError].status : 503;
    response =
        binance_error(status, -1001, "Internal error; unable to process your request. Please try again.");
  }
  add_usage_headers(response, order_account);  // the counts when the request was handled
  if (fire(FaultKind::Latency, endpoint)) {
    const std::int64_t ms = faults[FaultKind::Latency].ms;
    scheduler.schedule_after(
        std::chrono::milliseconds(ms),
        [held = std::move(reply), r = std::make_shared<HttpResponse>(std::move(response))](
            Timestamp) mutable { held.send(std::move(*r)); });
    return;
  }
  reply.send(std::move(response));
}

// ---------------------------------------------------------------------------------------------
// WebSocket API

void Impl::on_api_message(const std::shared_ptr<ApiSession>& session, std::string_view text) {
  const std::optional<WsRequest> request = parse_ws_request(text);
  if (!request) {
    session->connection->send(
        R"({"id":null,"status":400,"error":{"code":-1102,"msg":"Malformed request."}})");
    return;
  }
  const std::string& id = request->id;  // JSON: an integer, a string or null
  // Every answer ends with the IP's count (Binance's default; returnRateLimits is not modelled).
  const auto rate_limits = [&] {
    return fmt::format(
        R"("rateLimits":[{{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":{},"count":{}}}])",
        kWeightPerMinute, used_weight.at(limit_ms()));
  };
  if (auto refused = admit_ip_request(ws_request_weight(request->method), nullptr)) {
    // The WS API says when to retry in the error's data (server time, ms), not in a header.
    session->connection->send(fmt::format(
        R"({{"id":{},"status":{},"error":{{"code":-1003,"msg":{},"data":{{"serverTime":{},"retryAfter":{}}}}},{}}})",
        id, refused->status, json_string(refused->message), now_ms(), refused->until.ms(), rate_limits()));
    return;
  }
  const auto answer = [&](int status, const std::string& result) {
    session->connection->send(
        fmt::format(R"({{"id":{},"status":{},"result":{},{}}})", id, status, result, rate_limits()));
  };
  const auto error = [&](int status, int code, std::string_view msg) {
    session->connection->send(fmt::format(R"({{"id":{},"status":{},"error":{{"code":{},"msg":{}}},{}}})", id,
                                          status, code, json_string(msg), rate_limits()));
  };
  if (!request->id_valid) return error(400, -1102, "Malformed request: 'id' must be an integer, a string or null.");
  const std::string& method = request->method;
  if (method == "ping") return answer(200, "{}");
  if (method == "time") return answer(200, fmt::format(R"({{"serverTime":{}}})", now_ms()));
  if (method == "session.subscriptions") {
    std::string out = "[";
    for (const auto& [sub, account] : session->subscriptions) {
      if (out.size() > 1) out += ',';
      out += fmt::format(R"({{"subscriptionId":{}}})", sub);
    }
    return answer(200, out + "]");
  }
  if (method == "userDataStream.unsubscribe") {
    std::optional<int> only;  // none: every subscription of the session
    if (const std::string* sub = request->param("subscriptionId")) {
      int value = -1;
      const auto [end, ec] = std::from_chars(sub->data(), sub->data() + sub->size(), value);
      if (ec != std::errc{} || end != sub->data() + sub->size()) {
        return error(400, -1102, "Parameter 'subscriptionId' was not valid.");
      }
      only = value;
    } else if (std::find(request->other_params.begin(), request->other_params.end(), "subscriptionId") !=
               request->other_params.end()) {
      return error(400, -1102, "Parameter 'subscriptionId' was not valid.");
    }
    answer(200, "{}");
    end_subscriptions(*session, [&](int sub, std::size_t) { return !only || sub == *only; });
    return;
  }
  if (method != "userDataStream.subscribe.signature") {
    return error(400, -1102, fmt::format("Unknown method '{}'.", method));  // Binance: -1102 for bad requests
  }
  if (!request->params_is_object)
    return error(400, -1102, "Mandatory parameter 'apiKey' was not sent, was empty/null, or malformed.");
  for (const char* required : {"apiKey", "timestamp", "signature"}) {
    const std::string* value = request->param(required);
    if (value == nullptr || value->empty()) {
      return error(
          400, -1102,
          fmt::format("Mandatory parameter '{}' was not sent, was empty/null, or malformed.", required));
    }
  }
  std::size_t account = accounts.size();
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    if (accounts[i].config.api_key.reveal() == *request->param("apiKey")) account = i;
  }
  if (account == accounts.size()) return error(401, -2015, "Invalid API-key, IP, or permissions for action.");
  if (auto late = check_time(*request->param("timestamp"), request->param("recvWindow"), {})) {
    return error(late->status, late->code, late->message);
  }
  // Signed as Binance signs WebSocket API requests: the other params sorted by name.
  std::vector<std::pair<std::string, std::string>> sorted = request->params;
  std::sort(sorted.begin(), sorted.end());  // by name (then value: a repeated name is malformed anyway)
  std::string payload;
  for (const auto& [key, value] : sorted) {
    if (key == "signature") continue;
    if (!payload.empty()) payload += '&';
    payload += key + "=" + value;
  }
  if (!venue::binance::verify_hmac_sha256(accounts[account].config.secret, payload,
                                          *request->param("signature"))) {
    return error(400, -1022, "Signature for this request is not valid.");
  }
  for (const auto& [sub, subscribed] : session->subscriptions) {
    if (subscribed == account) return error(400, -2035, "User Data Stream subscription already active.");
  }
  const int subscription = session->next_subscription++;
  session->subscriptions.emplace_back(subscription, account);
  answer(200, fmt::format(R"({{"subscriptionId":{}}})", subscription));
}

// ---------------------------------------------------------------------------------------------
// ExchangeSimulator

ExchangeSimulator::ExchangeSimulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ExchangeSimulator::~ExchangeSimulator() { stop(); }

Result<std::unique_ptr<ExchangeSimulator>> ExchangeSimulator::create(Scheduler& scheduler,
                                                                     ExchangeSimConfig config) {
  if (!(config.speed > 0)) return fail(ErrorCode::InvalidArgument, "exchange-sim: --speed must be > 0");
  auto impl = std::make_unique<Impl>(scheduler, std::move(config));
  Impl& s = *impl;
  std::string data_symbol;
  if (s.config.tape) {
    s.tape = s.config.tape;
    data_symbol = s.config.accounts.market.symbol.empty()
                      ? s.config.accounts.market.base + s.config.accounts.market.quote
                      : s.config.accounts.market.symbol;
  } else if (s.config.data_files.empty()) {
    auto tape = std::make_shared<data::EventTape>();
    data::SyntheticMarketConfig synth;
    synth.seconds = s.config.synthetic_seconds;
    synth.seed = s.config.synthetic_seed;
    synth.emit_book_ticker = false;
    if (!s.config.accounts.market.symbol.empty()) synth.symbol = s.config.accounts.market.symbol;
    synth.tick_size = s.config.accounts.market.tick_size;
    synth.lot_size = s.config.accounts.market.lot_size;
    auto generated = data::generate(synth, *tape);
    if (!generated) return fail(generated.error());
    data_symbol = synth.symbol;
    s.tape = std::move(tape);
  } else {
    auto tape = std::make_shared<data::EventTape>();
    data::MarketReplayStats stats;
    auto replayed = data::replay_market_files(s.config.data_files, *tape, stats);
    if (!replayed) return fail(replayed.error());
    data_symbol = stats.symbol;
    s.tape = std::move(tape);
  }
  s.rules = s.config.accounts.market;
  if (s.rules.symbol.empty()) s.rules.symbol = data_symbol;
  if (!data_symbol.empty() && data_symbol != s.rules.symbol) {
    return fail(ErrorCode::InvalidArgument,
                "exchange-sim: the data is {} but the accounts file's market is {}", data_symbol,
                s.rules.symbol);
  }
  if (s.rules.base + s.rules.quote != s.rules.symbol) {
    return fail(
        ErrorCode::InvalidArgument,
        "exchange-sim: base {} and quote {} do not make the symbol {}: give market.base and market.quote "
        "in the accounts file",
        s.rules.base, s.rules.quote, s.rules.symbol);
  }
  if (auto valid = s.rules.validate(); !valid) return fail(valid.error());
  s.symbol_lower = to_ascii_lower(s.rules.symbol);
  for (const auto& event : s.tape->events()) {
    const Timestamp t = s.event_time(event);
    if (!t.is_none()) {
      s.data_start = t;
      break;
    }
  }
  try {
    s.engine = std::make_unique<sim::MatchingEngine>(s.rules, s.queue_model, s.ledger);
    s.accounts.reserve(s.config.accounts.accounts.size());
    for (std::size_t i = 0; i < s.config.accounts.accounts.size(); ++i) {
      const SimAccountConfig& c = s.config.accounts.accounts[i];
      logging::register_secret(c.api_key);
      logging::register_secret(c.secret);
      Impl::Account account;
      account.config = c;
      account.listener = std::make_unique<Impl::Listener>(s, i);
      s.accounts.push_back(std::move(account));
      auto fees = model::FeeSchedule::create(model::Asset::truncating(s.rules.base),
                                             model::Asset::truncating(s.rules.quote), c.maker, c.taker);
      if (!fees) return fail(fees.error());
      s.engine->add_account(static_cast<sim::AccountId>(i), *fees, *s.accounts.back().listener);
      for (const auto& [asset, amount] : c.balances) {
        auto deposited =
            s.ledger.deposit(static_cast<sim::AccountId>(i), model::Asset::truncating(asset), amount);
        if (!deposited) return fail(deposited.error());
      }
    }
  } catch (const StartupError& e) {
    return fail(e.error());
  }
  return std::unique_ptr<ExchangeSimulator>(new ExchangeSimulator(std::move(impl)));
}

void ExchangeSimulator::start() {
  Impl& s = *impl_;
  s.replay_start = s.scheduler.now();
  s.deliver_due();
  s.replay_timer =
      s.scheduler.schedule_every(std::chrono::milliseconds(5), [&s](Timestamp) { s.deliver_due(); });
  s.depth_timer =
      s.scheduler.schedule_every(s.config.depth_interval, [&s](Timestamp) { s.emit_depth_frame(); });
}

void ExchangeSimulator::stop() {
  Impl& s = *impl_;
  s.scheduler.cancel(s.replay_timer);
  s.scheduler.cancel(s.depth_timer);
  for (auto& a : s.accounts) s.scheduler.cancel(a.held_timer);
  // Handlers first: the connections may end after this object is gone.
  for (const auto& session : s.market_sessions) {
    session->connection->set_handlers({});
    session->connection->close();
  }
  for (const auto& session : s.api_sessions) {
    session->connection->set_handlers({});
    session->connection->close();
  }
  s.market_sessions.clear();
  s.api_sessions.clear();
}

void ExchangeSimulator::on_http(net::HttpRequest request, net::HttpReply reply) {
  impl_->handle(std::move(request), std::move(reply));
}

namespace {

// Splits "a/b/c" into names.
void split_streams(std::string_view list, std::vector<std::string>& out) {
  while (!list.empty()) {
    const std::size_t slash = list.find('/');
    if (slash != 0) out.emplace_back(list.substr(0, slash));
    list = slash == std::string_view::npos ? std::string_view{} : list.substr(slash + 1);
  }
}

// The streams a market-stream target asks for ("/ws/a/b", "/ws", "/stream?streams=a/b") and
// whether frames are wrapped (combined); nullopt when the target is not a market stream.
std::optional<std::pair<std::vector<std::string>, bool>> streams_of(const HttpRequest& upgrade) {
  const std::string_view path = upgrade.path();
  std::vector<std::string> streams;
  if (path == "/stream") {
    net::for_each_param(upgrade.query(), [&](const std::string& key, const std::string& value) {
      if (key == "streams") split_streams(value, streams);
    });
    return std::pair{streams, true};
  }
  if (path == "/ws") return std::pair{streams, false};
  if (path.rfind("/ws/", 0) == 0) {
    split_streams(path.substr(4), streams);
    return std::pair{streams, false};
  }
  return std::nullopt;
}

}  // namespace

bool ExchangeSimulator::accept_websocket(const net::HttpRequest& upgrade) {
  const std::string_view path = upgrade.path();
  if (path == "/ws-api/v3") return true;
  auto streams = streams_of(upgrade);
  if (!streams) return false;
  const std::vector<std::string>& names = streams->first;
  const std::string& sym = impl_->symbol_lower;
  for (const std::string& name : names) {
    if (name != sym + "@depth@100ms" && name != sym + "@depth" && name != sym + "@trade" &&
        name != sym + "@bookTicker") {
      return false;
    }
  }
  return true;
}

void ExchangeSimulator::on_websocket_open(const net::HttpRequest& upgrade,
                                          std::shared_ptr<net::WebSocketConnection> connection) {
  Impl& s = *impl_;
  if (upgrade.path() == "/ws-api/v3") {
    auto session = std::make_shared<ApiSession>();
    session->connection = connection;
    std::weak_ptr<ApiSession> weak = session;
    connection->set_handlers({[&s, weak](std::string_view text) {
                                if (auto locked = weak.lock()) s.on_api_message(locked, text);
                              },
                              [&s, weak](const Error&) {
                                std::erase_if(s.api_sessions,
                                              [&](const auto& p) { return p == weak.lock(); });
                              }});
    s.api_sessions.push_back(std::move(session));
    return;
  }
  auto session = std::make_shared<MarketSession>();
  session->connection = connection;
  auto streams = streams_of(upgrade);
  if (streams) {
    session->streams = std::move(streams->first);
    session->combined = streams->second;
  }
  std::weak_ptr<MarketSession> weak = session;
  connection->set_handlers(
      {[weak](std::string_view text) {
         // Live SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS, as Binance's stream endpoints accept.
         auto locked = weak.lock();
         if (!locked) return;
         const std::optional<WsRequest> request = parse_ws_request(text);
         if (!request) {
           locked->connection->send(R"({"error":{"code":3,"msg":"Invalid JSON"},"id":null})");
           return;
         }
         if (request->method.empty()) return;
         const std::string& id = request->id;
         if (request->method == "LIST_SUBSCRIPTIONS") {
           std::string out = "[";
           for (const std::string& st : locked->streams) out += (out.size() > 1 ? "," : "") + json_string(st);
           locked->connection->send(fmt::format(R"({{"result":{}],"id":{}}})", out, id));
           return;
         }
         for (const std::string& st : request->list) {
           if (request->method == "SUBSCRIBE") {
             if (std::find(locked->streams.begin(), locked->streams.end(), st) == locked->streams.end()) {
               locked->streams.push_back(st);
             }
           } else if (request->method == "UNSUBSCRIBE") {
             std::erase(locked->streams, st);
           }
         }
         locked->connection->send(fmt::format(R"({{"result":null,"id":{}}})", id));
       },
       [&s, weak](const Error&) {
         std::erase_if(s.market_sessions, [&](const auto& p) { return p == weak.lock(); });
       }});
  s.market_sessions.push_back(std::move(session));
}

const std::string& ExchangeSimulator::symbol() const noexcept { return impl_->rules.symbol; }

ReplayProgress ExchangeSimulator::progress() const noexcept {
  return {impl_->tape->events().size(), impl_->next_event, impl_->last_update_id};
}

std::string ExchangeSimulator::state_json() const { return impl_->state_json(); }

}  // namespace colibri::exchange_sim
