#include "colibri/venue/binance/requests.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "colibri/venue/binance/signing.h"
#include "colibri/core/untrusted_text.h"

namespace colibri::venue::binance {
namespace {

// RFC 3986's unreserved characters, as a table: percent_encode() looks up every byte of every
// signed request (a chain of comparisons per byte was 13 % of the order path's instructions).
constexpr std::array<bool, 256> kUnreserved = [] {
  std::array<bool, 256> table{};
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (const char c : {'-', '_', '.', '~'}) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool is_unreserved(char c) { return kUnreserved[static_cast<unsigned char>(c)]; }

// A decimal integer with an optional '-' and at most one '.' (recvWindow may have 3 decimals).
bool is_number(std::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  bool point = false;
  for (const char c : text) {
    if (c == '.') {
      if (point) return false;
      point = true;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

std::string_view side_text(model::Side side) { return side == model::Side::Buy ? "BUY" : "SELL"; }

std::string_view type_text(model::OrderType type) {
  switch (type) {
    case model::OrderType::Limit:
      return "LIMIT";
    case model::OrderType::LimitMaker:
      return "LIMIT_MAKER";
    case model::OrderType::Market:
      return "MARKET";
  }
  return "LIMIT";
}

std::string_view time_in_force_text(model::TimeInForce tif) {
  switch (tif) {
    case model::TimeInForce::GoodTillCancel:
      return "GTC";
    case model::TimeInForce::ImmediateOrCancel:
      return "IOC";
    case model::TimeInForce::FillOrKill:
      return "FOK";
  }
  return "GTC";
}

std::string_view response_type_text(OrderResponseType type) {
  switch (type) {
    case OrderResponseType::Ack:
      return "ACK";
    case OrderResponseType::Result:
      return "RESULT";
    case OrderResponseType::Full:
      return "FULL";
  }
  return "FULL";
}

// recvWindow in milliseconds, with up to 3 decimals when it is not whole (Binance accepts µs).
std::string_view recv_window_text(Duration window, std::array<char, 32>& buffer) {
  const std::int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(window).count();
  char* end = std::to_chars(buffer.data(), buffer.data() + 24, us / 1000).ptr;
  if (us % 1000 != 0) {
    *end++ = '.';
    const auto frac = static_cast<int>(us % 1000);
    *end++ = static_cast<char>('0' + frac / 100);
    *end++ = static_cast<char>('0' + frac / 10 % 10);
    *end++ = static_cast<char>('0' + frac % 10);
  }
  return {buffer.data(), static_cast<std::size_t>(end - buffer.data())};
}

Result<void> check_symbol(const model::Symbol& symbol) {
  if (symbol.empty()) return fail(ErrorCode::InvalidArgument, "request: empty symbol");
  return {};
}

// Binance's client order ids: ^[.A-Z:/a-z0-9_-]{1,36}$ (ClientOrderId holds at most 36 bytes).
Result<void> check_id(const model::ClientOrderId& id) {
  if (id.empty()) return fail(ErrorCode::InvalidArgument, "request: empty client order id");
  const auto allowed = [](char c) { return is_unreserved(c) && c != '~'; };
  for (const char c : id.view()) {
    if (!allowed(c) && c != ':' && c != '/') {
      return fail(ErrorCode::InvalidArgument,
                  "request: client order id \"{}\" has a character Binance refuses",
                  printable(id.view(), model::ClientOrderId::kCapacity));
    }
  }
  return {};
}

}  // namespace

void percent_encode(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  // Runs of unreserved characters (nearly everything a request holds) are appended whole.
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_unreserved(text[i])) continue;
    const auto byte = static_cast<unsigned char>(text[i]);
    out.append(text.data() + run, i - run);
    const char escaped[3] = {'%', kHex[byte >> 4], kHex[byte & 0x0f]};
    out.append(escaped, 3);
    run = i + 1;
  }
  out.append(text.data() + run, text.size() - run);
}

void RequestBuilder::add(std::string_view name, std::string_view value) {
  if (!text_.empty()) text_ += '&';
  percent_encode(name, text_);
  text_ += '=';
  percent_encode(value, text_);
}

void RequestBuilder::add(std::string_view name, std::int64_t value) {
  std::array<char, 24> digits{};
  const char* end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
  add(name, std::string_view(digits.data(), static_cast<std::size_t>(end - digits.data())));
}

void RequestBuilder::sign(Timestamp server_time) {
  std::array<char, 32> window{};
  add("recvWindow", recv_window_text(recv_window_, window));
  add("timestamp", server_time.ms());
  std::array<char, kSignatureHexDigits> signature{};
  signer_.sign(text_, signature);
  add("signature", std::string_view(signature.data(), signature.size()));
}

Result<std::string_view> RequestBuilder::place_order(const model::OrderRequest& request,
                                                     const model::TradingRules& rules,
                                                     OrderResponseType response_type, Timestamp server_time) {
  const std::string_view id = request.client_order_id.view();
  if (auto checked = check_id(request.client_order_id); !checked) return fail(std::move(checked.error()));
  if (request.symbol.view() != rules.symbol) {
    return fail(ErrorCode::InvalidArgument, R"(order {}: symbol "{}" is not the rules' "{}")", id,
                request.symbol, rules.symbol);
  }
  if (!request.quantity.is_positive() || !rules.lot_size.is_positive() ||
      !request.quantity.is_multiple_of(rules.lot_size)) {
    return fail(ErrorCode::InvalidArgument, "order {}: quantity {} is not a positive multiple of the lot {}",
                id, request.quantity.to_string(), rules.lot_size.to_string());
  }
  const bool priced = request.type != model::OrderType::Market;
  if (priced && (!request.price.is_positive() || !rules.tick_size.is_positive() ||
                 !request.price.is_multiple_of(rules.tick_size))) {
    return fail(ErrorCode::InvalidArgument, "order {}: price {} is not a positive multiple of the tick {}",
                id, request.price.to_string(), rules.tick_size.to_string());
  }
  char number[48];
  text_.clear();
  add("symbol", request.symbol.view());
  add("side", side_text(request.side));
  add("type", type_text(request.type));
  if (request.type == model::OrderType::Limit) add("timeInForce", time_in_force_text(request.time_in_force));
  add("quantity", std::string_view(number, request.quantity.format_to(number, rules.quantity_decimals())));
  if (priced) add("price", std::string_view(number, request.price.format_to(number, rules.price_decimals())));
  add("newClientOrderId", id);
  add("newOrderRespType", response_type_text(response_type));
  sign(server_time);
  return std::string_view(text_);
}

Result<std::string_view> RequestBuilder::cancel_order(const model::Symbol& symbol,
                                                      const model::ClientOrderId& id, Timestamp server_time) {
  if (auto checked = check_symbol(symbol); !checked) return fail(std::move(checked.error()));
  if (auto checked = check_id(id); !checked) return fail(std::move(checked.error()));
  text_.clear();
  add("symbol", symbol.view());
  add("origClientOrderId", id.view());
  sign(server_time);
  return std::string_view(text_);
}

Result<std::string_view> RequestBuilder::query_order(const model::Symbol& symbol,
                                                     const model::ClientOrderId& id, Timestamp server_time) {
  // The same parameters as a cancel: the endpoint (method) differs.
  return cancel_order(symbol, id, server_time);
}

std::string_view RequestBuilder::open_orders(const model::Symbol& symbol, Timestamp server_time) {
  text_.clear();
  if (!symbol.empty()) add("symbol", symbol.view());
  sign(server_time);
  return text_;
}

Result<std::string_view> RequestBuilder::cancel_all_orders(const model::Symbol& symbol,
                                                           Timestamp server_time) {
  if (auto checked = check_symbol(symbol); !checked) return fail(std::move(checked.error()));
  text_.clear();
  add("symbol", symbol.view());
  sign(server_time);
  return std::string_view(text_);
}

std::string_view RequestBuilder::account(Timestamp server_time) {
  text_.clear();
  add("omitZeroBalances", "true");
  sign(server_time);
  return text_;
}

Result<std::string_view> RequestBuilder::my_trades(const model::Symbol& symbol,
                                                   const model::ExchangeOrderId& exchange_order_id,
                                                   Timestamp server_time) {
  if (auto checked = check_symbol(symbol); !checked) return fail(std::move(checked.error()));
  text_.clear();
  add("symbol", symbol.view());
  if (!exchange_order_id.empty()) add("orderId", exchange_order_id.view());
  sign(server_time);
  return std::string_view(text_);
}

Result<std::string_view> RequestBuilder::exchange_info(std::span<const model::Symbol> symbols) {
  text_.clear();
  if (symbols.empty()) return std::string_view(text_);
  std::string list = "[";
  for (const model::Symbol& symbol : symbols) {
    if (auto checked = check_symbol(symbol); !checked) return fail(std::move(checked.error()));
    for (const char c : symbol.view()) {
      if (!is_unreserved(c)) {
        return fail(ErrorCode::InvalidArgument,
                    "exchangeInfo: symbol \"{}\" has a character that needs escaping", symbol);
      }
    }
    if (list.size() > 1) list += ',';
    list += '"';
    list += symbol.view();
    list += '"';
  }
  list += ']';
  add("symbols", list);
  return std::string_view(text_);
}

Result<std::string_view> RequestBuilder::depth(const model::Symbol& symbol, int limit) {
  if (auto checked = check_symbol(symbol); !checked) return fail(std::move(checked.error()));
  if (limit < 1 || limit > 5000) {
    return fail(ErrorCode::InvalidArgument, "depth {}: limit {} is outside 1..5000", symbol, limit);
  }
  text_.clear();
  add("symbol", symbol.view());
  add("limit", std::int64_t{limit});
  return std::string_view(text_);
}

// --- WebSocket API

Result<std::string> ws_api_request(std::string_view request_id, std::string_view method,
                                   std::span<const WsParam> params, const Secret* secret) {
  constexpr std::size_t kMaxParams = 32;
  if (params.size() > kMaxParams) {
    return fail(ErrorCode::InvalidArgument, "{}: {} params, more than {}", method, params.size(), kMaxParams);
  }
  const auto safe = [](std::string_view text) { return std::ranges::all_of(text, is_unreserved); };
  if (request_id.empty() || !safe(request_id)) {
    return fail(ErrorCode::InvalidArgument, "{}: request id \"{}\" is empty or needs escaping", method,
                request_id.substr(0, 40));
  }
  if (method.empty() || !safe(method))
    return fail(ErrorCode::InvalidArgument, "request method is empty or invalid");
  std::array<const WsParam*, kMaxParams> sorted{};
  for (std::size_t i = 0; i < params.size(); ++i) {
    const WsParam& p = params[i];
    if (p.name.empty() || !safe(p.name) || p.name == "signature") {
      return fail(ErrorCode::InvalidArgument, "{}: parameter name \"{}\" is empty, reserved or invalid",
                  method, p.name.substr(0, 40));
    }
    // Never quote the value in the message: it may be the API key.
    const bool valid =
        p.quoted ? safe(p.value) : (is_number(p.value) || p.value == "true" || p.value == "false");
    if (!valid) {
      return fail(ErrorCode::InvalidArgument,
                  "{}: parameter \"{}\" has a value outside the allowed characters", method, p.name);
    }
    sorted[i] = &p;
  }
  const auto begin = sorted.begin();
  const auto end = begin + static_cast<std::ptrdiff_t>(params.size());
  std::ranges::sort(begin, end, {}, [](const WsParam* p) { return p->name; });
  for (auto it = begin; it != end && it + 1 != end; ++it) {
    if ((*it)->name == (*(it + 1))->name) {
      return fail(ErrorCode::InvalidArgument, "{}: parameter \"{}\" given twice", method, (*it)->name);
    }
  }

  std::string json = R"({"id":")";
  json += request_id;
  json += R"(","method":")";
  json += method;
  json += '"';
  if (!params.empty() || secret != nullptr) {
    json += ",\"params\":{";
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (i > 0) json += ',';
      json += '"';
      json += params[i].name;
      json += "\":";
      if (params[i].quoted) json += '"';
      json += params[i].value;
      if (params[i].quoted) json += '"';
    }
    if (secret != nullptr) {
      std::string payload;
      for (auto it = begin; it != end; ++it) {
        if (it != begin) payload += '&';
        payload += (*it)->name;
        payload += '=';
        payload += (*it)->value;
      }
      if (!params.empty()) json += ',';
      json += R"("signature":")";
      json += sign_hmac_sha256(*secret, payload);
      json += '"';
    }
    json += '}';
  }
  json += '}';
  return json;
}

Result<std::string> ws_subscribe_user_data(std::string_view request_id, const Secret& api_key,
                                           const Secret& secret, Timestamp server_time,
                                           Duration recv_window) {
  std::array<char, 32> window{};
  std::array<char, 24> timestamp{};
  const char* timestamp_end =
      std::to_chars(timestamp.data(), timestamp.data() + timestamp.size(), server_time.ms()).ptr;
  const std::array<WsParam, 3> params = {
      WsParam{.name = "apiKey", .value = api_key.reveal(), .quoted = true},
      WsParam{.name = "recvWindow", .value = recv_window_text(recv_window, window), .quoted = false},
      WsParam{.name = "timestamp",
              .value = std::string_view(timestamp.data(),
                                        static_cast<std::size_t>(timestamp_end - timestamp.data())),
              .quoted = false},
  };
  return ws_api_request(request_id, "userDataStream.subscribe.signature", params, &secret);
}

Result<std::string> ws_time_request(std::string_view request_id) {
  return ws_api_request(request_id, "time", {}, nullptr);
}

}  // namespace colibri::venue::binance
