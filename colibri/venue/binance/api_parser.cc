#include "colibri/venue/binance/api_parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <utility>

#include <simdjson.h>

#include "colibri/core/untrusted_text.h"
#include "colibri/venue/binance/json_member_key.h"

namespace colibri::venue::binance {
namespace {

namespace od = simdjson::ondemand;

// Timestamp::from_ms multiplies by 10^6: larger values would overflow (year 2262).
constexpr std::int64_t kMaxTimeMs = INT64_MAX / 1'000'000;
constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);

std::string_view type_name(od::json_type type) {
  constexpr std::array<std::string_view, 7> kNames = {"an unknown type", "an array",  "an object", "a number",
                                                      "a string",        "a boolean", "null"};
  const auto index = static_cast<std::size_t>(type);
  return index < kNames.size() ? kNames[index] : kNames[0];
}

// One member's value as read: strings unescaped, numbers as their raw text and, when integral, as
// a value; booleans as such; arrays and objects only by type (their handler read them).
struct Value {
  bool present = false;
  od::json_type type = od::json_type::null;
  std::string_view text;
  bool boolean = false;
  bool is_integer = false;
  std::int64_t integer = 0;
};

using Keys = std::span<const std::string_view>;

// The keys a message kind uses, with single-character keys (most of the user stream's) found by
// table: a linear search with string compares was a quarter of an executionReport's parsing.
// Invariants: (1) at most 254 keys; (2) single_[c] is the index of the key "c" (c < 128), or kNone.
class KeyList {
 public:
  template <std::size_t N>
  constexpr KeyList(const std::array<std::string_view, N>& keys) : KeyList(Keys(keys)) {}  // NOLINT: implicit
  constexpr explicit KeyList(Keys keys) : keys_(keys) {
    single_.fill(kNone);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i].size() == 1 && static_cast<unsigned char>(keys[i][0]) < single_.size()) {
        single_[static_cast<unsigned char>(keys[i][0])] = static_cast<std::uint8_t>(i);
      }
    }
  }
  [[nodiscard]] constexpr Keys keys() const { return keys_; }
  [[nodiscard]] constexpr std::size_t size() const { return keys_.size(); }
  // The index of `key`, or size() when it is not in the list.
  [[nodiscard]] std::size_t find(std::string_view key) const {
    if (key.size() == 1) {
      const auto c = static_cast<unsigned char>(key[0]);
      return c < single_.size() && single_[c] != kNone ? single_[c] : keys_.size();
    }
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] == key) return i;
    }
    return keys_.size();
  }

 private:
  static constexpr std::uint8_t kNone = 0xff;
  Keys keys_;
  std::array<std::uint8_t, 128> single_{};
};

// "where[index]" for messages; index kNoIndex: just "where".
std::string place(std::string_view where, std::size_t index) {
  return index == kNoIndex ? std::string(where) : fmt::format("{}[{}]", where, index);
}

tl::unexpected<Error> malformed(std::string_view where, simdjson::error_code error) {
  return fail(ErrorCode::Corrupt, "{}: malformed JSON ({})", where, simdjson::error_message(error));
}

enum class Need : bool { Optional, Required };

// Reads the members of `object` named in `keys` into `values` (same index). An array or object
// member named in `keys` is handed to nested(index, value), which reads it or leaves it to be
// skipped; members not named are skipped (checked by simdjson's structural pass only).
template <typename Nested>
Result<void> read_members(od::object& object, const KeyList& keys, std::span<Value> values,
                          std::string_view where, std::size_t index, Nested&& nested) {
  for (Value& value : values) value = Value{};
  for (auto member : object) {
    od::field field;
    if (auto error = std::move(member).get(field)) return malformed(place(where, index), error);
    std::string_view key;
    if (auto error = member_key(field, key)) return malformed(place(where, index), error);
    const std::size_t slot_index = keys.find(key);
    if (slot_index == keys.size()) continue;
    Value& slot = values[slot_index];
    if (slot.present)
      return fail(ErrorCode::Corrupt, "{}: duplicate member {}", place(where, index), quote_untrusted(key));
    slot.present = true;
    od::value& value = field.value();
    const auto bad = [&](simdjson::error_code error) {
      return fail(ErrorCode::Corrupt, "{} member \"{}\": malformed JSON ({})", place(where, index), key,
                  simdjson::error_message(error));
    };
    if (auto error = value.type().get(slot.type)) return bad(error);
    switch (slot.type) {
      case od::json_type::string:
        if (auto error = value.get_string().get(slot.text)) return bad(error);
        break;
      case od::json_type::number: {
        slot.text = value.raw_json_token();
        while (!slot.text.empty() && (slot.text.back() == ' ' || slot.text.back() == '\n' ||
                                      slot.text.back() == '\r' || slot.text.back() == '\t')) {
          slot.text.remove_suffix(1);
        }
        slot.is_integer = !value.get_int64().get(slot.integer);
        if (!slot.is_integer) {
          double number = 0;
          if (auto error = value.get_double().get(number)) return bad(error);
        }
        break;
      }
      case od::json_type::boolean:
        if (auto error = value.get_bool().get(slot.boolean)) return bad(error);
        break;
      case od::json_type::null: {
        bool is_null = false;
        if (auto error = value.is_null().get(is_null)) return bad(error);
        if (!is_null) return bad(simdjson::N_ATOM_ERROR);
        break;
      }
      case od::json_type::array:
      case od::json_type::object:
        if (auto read = nested(slot_index, value); !read) return read;
        break;
    }
  }
  return {};
}

constexpr auto kNoNested = [](std::size_t, od::value&) -> Result<void> { return {}; };

// Calls each(element_index, object) for every element of an array of objects.
template <typename Each>
Result<void> for_each_object(od::value& value, std::string_view where, Each&& each) {
  od::array array;
  if (auto error = value.get_array().get(array)) return malformed(where, error);
  std::size_t index = 0;
  for (auto element_result : array) {
    od::value element;
    if (auto error = std::move(element_result).get(element)) return malformed(place(where, index), error);
    od::object object;
    if (auto error = element.get_object().get(object)) {
      return fail(ErrorCode::Corrupt, "{}: expected an object ({})", place(where, index),
                  simdjson::error_message(error));
    }
    if (auto read = each(index, object); !read) return read;
    ++index;
  }
  return {};
}

// Typed access to the values read_members() filled in. Each accessor records the first problem
// (missing member, wrong type, bad text) in `problem` and returns a placeholder, so that a message's
// fields read as a flat list; the caller checks `problem` once at the end.
class Fields {
 public:
  Fields(Keys keys, std::span<const Value> values, std::string_view where, std::size_t index,
         std::optional<Error>& problem)
      : keys_(keys), values_(values), where_(where), index_(index), problem_(problem) {}

  [[nodiscard]] bool has(std::size_t i) const { return values_[i].present; }
  // Flags a member that is present with another type (nested arrays and objects are read by their
  // handlers only when they have the right type).
  void expect(std::size_t i, od::json_type type, Need need) { (void)find(i, type, need); }
  [[nodiscard]] bool is_null(std::size_t i) const {
    return values_[i].present && values_[i].type == od::json_type::null;
  }

  std::string_view text(std::size_t i, Need need) {
    const Value* value = find(i, od::json_type::string, need);
    return value == nullptr ? std::string_view() : value->text;
  }

  std::int64_t integer(std::size_t i, Need need, std::int64_t min, std::int64_t max) {
    const Value* value = find(i, od::json_type::number, need);
    if (value == nullptr) return min;
    if (!value->is_integer) {
      flag(i, "{} is not a 64-bit integer", quote_untrusted(value->text));
      return min;
    }
    if (value->integer < min || value->integer > max) {
      flag(i, "{} is outside {}..{}", value->integer, min, max);
      return min;
    }
    return value->integer;
  }

  Timestamp time(std::size_t i, Need need) {
    if (!has(i) && need == Need::Optional) return Timestamp::none();
    const std::int64_t ms = integer(i, need, 0, kMaxTimeMs);
    return problem_ ? Timestamp::none() : Timestamp::from_ms(ms);
  }

  bool boolean(std::size_t i, Need need) {
    const Value* value = find(i, od::json_type::boolean, need);
    return value != nullptr && value->boolean;
  }

  // A decimal string; `sign`: 0 allows any, 1 requires >= 0, 2 requires > 0.
  template <typename T>
  T decimal(std::size_t i, Need need, int sign) {
    const Value* value = find(i, od::json_type::string, need);
    if (value == nullptr) return T::zero();
    const auto parsed = T::parse(value->text);
    if (!parsed) {
      flag(i, "{}", parsed.error().message());
      return T::zero();
    }
    if ((sign >= 1 && parsed->is_negative()) || (sign == 2 && parsed->is_zero())) {
      flag(i, "{} is not {}", quote_untrusted(value->text), sign == 2 ? "positive" : "non-negative");
      return T::zero();
    }
    return *parsed;
  }
  Price price(std::size_t i, Need need, int sign = 2) { return decimal<Price>(i, need, sign); }
  Quantity quantity(std::size_t i, Need need, int sign = 1) { return decimal<Quantity>(i, need, sign); }

  // An identifier (symbol, asset, client order id): a present one may not be empty.
  template <std::size_t N>
  FixedString<N> fixed(std::size_t i, Need need) {
    const std::string_view value = text(i, need);
    if (value.empty()) {
      if (has(i) && values_[i].type == od::json_type::string) flag(i, "empty");
      return {};
    }
    auto fixed = FixedString<N>::from(value);
    if (!fixed) {
      flag(i, "{} is longer than {} bytes", quote_untrusted(value), N);
      return {};
    }
    return *fixed;
  }

  // An id that Binance sends as an integer, kept as its decimal text.
  template <std::size_t N>
  FixedString<N> id_text(std::size_t i, Need need) {
    const std::int64_t id = integer(i, need, 0, INT64_MAX);
    if (problem_ || !has(i)) return {};
    std::array<char, 24> digits{};
    const char* end = std::to_chars(digits.data(), digits.data() + digits.size(), id).ptr;
    return FixedString<N>::truncating(
        std::string_view(digits.data(), static_cast<std::size_t>(end - digits.data())));
  }

  template <typename... Args>
  void flag(std::size_t i, fmt::format_string<Args...> format, Args&&... args) {
    if (problem_) return;
    problem_.emplace(ErrorCode::Corrupt, fmt::format("{} member \"{}\": {}", place(where_, index_), keys_[i],
                                                     fmt::format(format, std::forward<Args>(args)...)));
  }

 private:
  const Value* find(std::size_t i, od::json_type type, Need need) {
    const Value& value = values_[i];
    if (!value.present) {
      if (need == Need::Required && !problem_) {
        problem_.emplace(ErrorCode::Corrupt,
                         fmt::format("{}: missing member \"{}\"", place(where_, index_), keys_[i]));
      }
      return nullptr;
    }
    if (value.type != type) {
      flag(i, "expected {}, got {}", type_name(type), type_name(value.type));
      return nullptr;
    }
    return &value;
  }

  Keys keys_;
  std::span<const Value> values_;
  std::string_view where_;
  std::size_t index_;
  std::optional<Error>& problem_;
};

// --- enums

std::optional<model::Side> side_from(std::string_view text) {
  if (text == "BUY") return model::Side::Buy;
  if (text == "SELL") return model::Side::Sell;
  return std::nullopt;
}

std::optional<model::OrderType> order_type_from(std::string_view text) {
  if (text == "LIMIT") return model::OrderType::Limit;
  if (text == "LIMIT_MAKER") return model::OrderType::LimitMaker;
  if (text == "MARKET") return model::OrderType::Market;
  return std::nullopt;
}

std::optional<model::TimeInForce> time_in_force_from(std::string_view text) {
  if (text == "GTC") return model::TimeInForce::GoodTillCancel;
  if (text == "IOC") return model::TimeInForce::ImmediateOrCancel;
  if (text == "FOK") return model::TimeInForce::FillOrKill;
  return std::nullopt;
}

ExecutionType execution_type_from(std::string_view text) {
  constexpr std::array<std::pair<std::string_view, ExecutionType>, 7> kWords = {{
      {"NEW", ExecutionType::New},
      {"CANCELED", ExecutionType::Canceled},
      {"REPLACED", ExecutionType::Replaced},
      {"REJECTED", ExecutionType::Rejected},
      {"TRADE", ExecutionType::Trade},
      {"EXPIRED", ExecutionType::Expired},
      {"TRADE_PREVENTION", ExecutionType::TradePrevention},
  }};
  for (const auto& [word, type] : kWords) {
    if (word == text) return type;
  }
  return ExecutionType::Other;
}

// --- key lists (indices by enum)

// Order answers (place ACK/RESULT/FULL, cancel, query) and openOrders elements.
enum OrderKey : std::uint8_t {
  kOrderSymbol,
  kOrderId,
  kOrderClientId,
  kOrderOrigClientId,
  kOrderTransactTime,
  kOrderTime,
  kOrderUpdateTime,
  kOrderPrice,
  kOrderOrigQty,
  kOrderExecutedQty,
  kOrderQuoteQty,
  kOrderStatus,
  kOrderTimeInForce,
  kOrderType,
  kOrderSide,
  kOrderFills,
  kOrderKeyCount
};
constexpr std::array<std::string_view, kOrderKeyCount> kOrderKeys = {
    "symbol", "orderId", "clientOrderId", "origClientOrderId",   "transactTime", "time",        "updateTime",
    "price",  "origQty", "executedQty",   "cummulativeQuoteQty", "status",       "timeInForce", "type",
    "side",   "fills"};

enum FillKey : std::uint8_t {
  kFillPrice,
  kFillQty,
  kFillCommission,
  kFillCommissionAsset,
  kFillTradeId,
  kFillKeyCount
};
constexpr std::array<std::string_view, kFillKeyCount> kFillKeys = {"price", "qty", "commission",
                                                                   "commissionAsset", "tradeId"};

enum TradeKey : std::uint8_t {
  kTradeSymbol,
  kTradeId,
  kTradeOrderId,
  kTradePrice,
  kTradeQty,
  kTradeCommission,
  kTradeCommissionAsset,
  kTradeTime,
  kTradeIsBuyer,
  kTradeIsMaker,
  kTradeKeyCount
};
constexpr std::array<std::string_view, kTradeKeyCount> kTradeKeys = {
    "symbol", "id", "orderId", "price", "qty", "commission", "commissionAsset", "time", "isBuyer", "isMaker"};

enum BalanceKey : std::uint8_t { kBalanceAsset, kBalanceFree, kBalanceLocked, kBalanceKeyCount };
constexpr std::array<std::string_view, kBalanceKeyCount> kBalanceKeys = {"asset", "free", "locked"};
// outboundAccountPosition's "B" elements.
constexpr std::array<std::string_view, kBalanceKeyCount> kPositionKeys = {"a", "f", "l"};

enum RateLimitKey : std::uint8_t {
  kLimitType,
  kLimitInterval,
  kLimitIntervalNum,
  kLimitLimit,
  kLimitCount,
  kLimitKeyCount
};
constexpr std::array<std::string_view, kLimitKeyCount> kRateLimitKeys = {"rateLimitType", "interval",
                                                                         "intervalNum", "limit", "count"};

enum SymbolKey : std::uint8_t {
  kSymbolName,
  kSymbolStatus,
  kSymbolBase,
  kSymbolQuote,
  kSymbolOrderTypes,
  kSymbolFilters,
  kSymbolKeyCount
};
constexpr std::array<std::string_view, kSymbolKeyCount> kSymbolKeys = {
    "symbol", "status", "baseAsset", "quoteAsset", "orderTypes", "filters"};

enum FilterKey : std::uint8_t {
  kFilterType,
  kFilterMinPrice,
  kFilterMaxPrice,
  kFilterTickSize,
  kFilterMinQty,
  kFilterMaxQty,
  kFilterStepSize,
  kFilterMinNotional,
  kFilterMaxNotional,
  kFilterBidUp,
  kFilterBidDown,
  kFilterAskUp,
  kFilterAskDown,
  kFilterAvgPriceMins,
  kFilterKeyCount
};
constexpr std::array<std::string_view, kFilterKeyCount> kFilterKeys = {"filterType",
                                                                       "minPrice",
                                                                       "maxPrice",
                                                                       "tickSize",
                                                                       "minQty",
                                                                       "maxQty",
                                                                       "stepSize",
                                                                       "minNotional",
                                                                       "maxNotional",
                                                                       "bidMultiplierUp",
                                                                       "bidMultiplierDown",
                                                                       "askMultiplierUp",
                                                                       "askMultiplierDown",
                                                                       "avgPriceMins"};

// User-stream events, then the envelope members of a WebSocket API frame (top level only).
enum StreamKey : std::uint8_t {
  kEvType,             // e
  kEvTime,             // E
  kEvSymbol,           // s
  kEvClientId,         // c
  kEvOrigClientId,     // C
  kEvSide,             // S
  kEvOrderType,        // o
  kEvTimeInForce,      // f
  kEvQuantity,         // q
  kEvPrice,            // p
  kEvExecution,        // x
  kEvStatus,           // X
  kEvRejectReason,     // r
  kEvOrderId,          // i
  kEvLastQty,          // l
  kEvCumulativeQty,    // z
  kEvLastPrice,        // L
  kEvCommission,       // n
  kEvCommissionAsset,  // N
  kEvTransactTime,     // T (also balanceUpdate's clear time)
  kEvTradeId,          // t
  kEvMaker,            // m
  kEvQuoteQty,         // Z
  kEvBalances,         // B (outboundAccountPosition; a string in executionReport)
  kEvAsset,            // a (balanceUpdate; an integer in executionReport)
  kEvDelta,            // d (balanceUpdate)
  kEventKeyCount,
  kEnvSubscriptionId = kEventKeyCount,
  kEnvEvent,
  kEnvStream,
  kEnvData,
  kEnvId,
  kEnvStatus,
  kEnvResult,
  kEnvError,
  kEnvRateLimits,
  kStreamKeyCount
};
constexpr std::array<std::string_view, kStreamKeyCount> kStreamKeys = {
    "e",     "E",      "s",    "c",  "C",      "S",      "o",     "f",         "q",
    "p",     "x",      "X",    "r",  "i",      "l",      "z",     "L",         "n",
    "N",     "T",      "t",    "m",  "Z",      "B",      "a",     "d",         "subscriptionId",
    "event", "stream", "data", "id", "status", "result", "error", "rateLimits"};

// The user stream's lists, built once (the hot path).
constexpr KeyList kStreamKeyList{kStreamKeys};
constexpr KeyList kEventKeyList{Keys(kStreamKeys).first(kEventKeyCount)};

enum ResultKey : std::uint8_t { kResultSubscriptionId, kResultServerTime, kResultKeyCount };
constexpr std::array<std::string_view, kResultKeyCount> kResultKeys = {"subscriptionId", "serverTime"};

enum ErrorKey : std::uint8_t { kErrorCode, kErrorMsg, kErrorData, kErrorKeyCount };
constexpr std::array<std::string_view, kErrorKeyCount> kErrorKeys = {"code", "msg", "data"};
enum ErrorDataKey : std::uint8_t { kErrorRetryAfter, kErrorDataKeyCount };
constexpr std::array<std::string_view, kErrorDataKeyCount> kErrorDataKeys = {"retryAfter"};

constexpr std::array<std::string_view, 1> kServerTimeKeys = {"serverTime"};
constexpr std::array<std::string_view, 1> kAccountKeys = {"balances"};
enum InfoKey : std::uint8_t { kInfoServerTime, kInfoRateLimits, kInfoSymbols, kInfoKeyCount };
constexpr std::array<std::string_view, kInfoKeyCount> kInfoKeys = {"serverTime", "rateLimits", "symbols"};

}  // namespace

// --- public helpers

Duration RateLimitRule::interval() const noexcept {
  switch (interval_unit) {
    case 'S':
      return std::chrono::seconds(interval_num);
    case 'M':
      return std::chrono::minutes(interval_num);
    case 'H':
      return std::chrono::hours(interval_num);
    default:
      return std::chrono::hours(24) * interval_num;
  }
}

std::string RateLimitRule::pool_id() const {
  switch (type) {
    case RateLimitType::RequestWeight:
      return "REQUEST_WEIGHT";
    case RateLimitType::RawRequests:
      return "RAW_REQUESTS";
    case RateLimitType::Orders:
      return fmt::format("ORDERS_{}{}", interval_num, interval_unit);
  }
  return "REQUEST_WEIGHT";
}

std::string RateLimitRule::usage_header() const {
  switch (type) {
    case RateLimitType::RequestWeight:
      return fmt::format("X-MBX-USED-WEIGHT-{}{}", interval_num, interval_unit);
    case RateLimitType::Orders:
      return fmt::format("X-MBX-ORDER-COUNT-{}{}", interval_num, interval_unit);
    case RateLimitType::RawRequests:
      return {};
  }
  return {};
}

std::optional<RateLimitRule> order_limit_in_message(std::string_view message) noexcept {
  constexpr std::string_view kMarker = "current limit is ";
  constexpr std::string_view kPer = " orders per ";
  const auto at = message.find(kMarker);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = message.substr(at + kMarker.size());
  const auto number = [&rest](std::int64_t& out, std::int64_t most) {
    const auto [stop, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), out);
    if (ec != std::errc{} || stop == rest.data() || out < 1 || out > most) return false;
    rest.remove_prefix(static_cast<std::size_t>(stop - rest.data()));
    return true;
  };
  RateLimitRule rule;
  rule.type = RateLimitType::Orders;
  std::int64_t interval_num = 0;
  if (!number(rule.limit, INT64_MAX) || rest.substr(0, kPer.size()) != kPer) return std::nullopt;
  rest.remove_prefix(kPer.size());
  if (!number(interval_num, 100'000) || rest.empty() || rest.front() != ' ') return std::nullopt;
  rest.remove_prefix(1);
  for (const std::string_view unit : {"SECOND", "MINUTE", "HOUR", "DAY"}) {
    if (rest.substr(0, unit.size()) == unit) {
      rule.interval_unit = unit[0];
      rule.interval_num = static_cast<int>(interval_num);
      rule.count = rule.limit;
      return rule;
    }
  }
  return std::nullopt;
}

std::string_view to_string(ExecutionType type) noexcept {
  constexpr std::array<std::string_view, 8> kNames = {"NEW",   "CANCELED", "REPLACED",         "REJECTED",
                                                      "TRADE", "EXPIRED",  "TRADE_PREVENTION", "OTHER"};
  return kNames[static_cast<std::size_t>(type)];
}

Result<model::OrderState> order_state_from(std::string_view status, Quantity cumulative_filled) {
  using model::OrderState;
  const OrderState resting = cumulative_filled.is_positive() ? OrderState::PartiallyFilled : OrderState::Open;
  if (status == "NEW" || status == "PENDING_NEW") return resting;
  if (status == "PARTIALLY_FILLED") return OrderState::PartiallyFilled;
  if (status == "FILLED") return OrderState::Filled;
  if (status == "CANCELED") return OrderState::Canceled;
  if (status == "PENDING_CANCEL") return resting;
  if (status == "REJECTED") return OrderState::Failed;
  if (status == "EXPIRED" || status == "EXPIRED_IN_MATCH") return OrderState::Expired;
  return fail(ErrorCode::InvalidArgument, "unknown order status {}", quote_untrusted(status));
}

// Invariants, between parse calls: (1) a returned span or pointer refers to the member named for
// its parse_ call (orders_, fills_, ...); (2) its string views point into json_'s string buffer
// or copy_, both kept until the next load().
struct ApiParser::Impl {
  od::parser json_{ApiParser::kMaxMessageBytes};
  std::unique_ptr<char[]> copy_;  // padded copy of the input; grows, never shrinks
  std::size_t copy_capacity_ = 0;
  od::document document_;
  std::optional<Error> problem_;

  ExchangeInfo info_;
  std::vector<model::Balance> balances_;
  std::size_t skipped_assets_ = 0;
  OrderUpdate order_;
  std::vector<OrderUpdate> orders_;
  std::vector<model::Fill> fills_;
  std::vector<RateLimitRule> limits_;
  UserStreamMessage message_;
  std::array<model::Fill, 1> event_fill_{};

  std::array<Value, kOrderKeyCount> order_values_{};
  std::array<Value, kFillKeyCount> fill_values_{};
  std::array<Value, kStreamKeyCount> stream_values_{};
  std::array<Value, kBalanceKeyCount> balance_values_{};

  Result<void> load(std::string_view json);
  Result<void> finish();
  // load(), then the root value as an object (array); Corrupt naming `where` otherwise.
  Result<od::object> load_object(std::string_view json, std::string_view where);
  Result<od::array> load_array(std::string_view json, std::string_view where);
  Result<void> read_order(od::object& object, std::string_view where, std::size_t index, OrderUpdate& out,
                          bool with_fills);
  Result<void> read_balances(od::value& value, std::string_view where, const KeyList& keys);
  Result<void> read_rate_limits(od::value& value, std::string_view where, std::vector<RateLimitRule>& out);
  Result<void> read_symbol(od::object& object, std::size_t index);
  Result<void> read_event_members(od::object& object, std::string_view where);
  Result<void> read_error(od::value& value, ApiError& out);
  Result<void> read_result(od::value& value, WsApiResponse& out);
  void finish_execution_report(Fields& f);
};

ApiParser::ApiParser() : impl_(std::make_unique<Impl>()) {}
ApiParser::~ApiParser() = default;
ApiParser::ApiParser(ApiParser&&) noexcept = default;
ApiParser& ApiParser::operator=(ApiParser&&) noexcept = default;

std::size_t ApiParser::skipped_assets() const noexcept { return impl_->skipped_assets_; }

Result<void> ApiParser::Impl::load(std::string_view json) {
  problem_.reset();
  if (json.size() > ApiParser::kMaxMessageBytes) {
    return fail(ErrorCode::Corrupt, "message of {} bytes exceeds the limit of {}", json.size(),
                ApiParser::kMaxMessageBytes);
  }
  const std::size_t needed = json.size() + simdjson::SIMDJSON_PADDING;
  if (copy_capacity_ < needed) {
    const std::size_t capacity = std::max(needed, 2 * copy_capacity_);
    copy_ = std::make_unique_for_overwrite<char[]>(capacity);
    copy_capacity_ = capacity;
  }
  if (!json.empty()) std::memcpy(copy_.get(), json.data(), json.size());
  std::memset(copy_.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);
  if (auto error = json_.iterate(copy_.get(), json.size(), needed).get(document_))
    return malformed("message", error);
  return {};
}

// After the root value only whitespace may follow: the iterator is then at the end of its tokens.
Result<void> ApiParser::Impl::finish() {
  const char* location = nullptr;
  if (auto error = document_.current_location().get(location); error != simdjson::OUT_OF_BOUNDS) {
    return fail(ErrorCode::Corrupt, "message: unexpected content after the JSON value");
  }
  if (problem_) return tl::unexpected<Error>(std::move(*problem_));
  return {};
}

Result<od::object> ApiParser::Impl::load_object(std::string_view json, std::string_view where) {
  if (auto loaded = load(json); !loaded) return fail(std::move(loaded.error()));
  od::object object;
  if (auto error = document_.get_object().get(object)) {
    return fail(ErrorCode::Corrupt, "{}: expected a JSON object ({})", where, simdjson::error_message(error));
  }
  return object;
}

Result<od::array> ApiParser::Impl::load_array(std::string_view json, std::string_view where) {
  if (auto loaded = load(json); !loaded) return fail(std::move(loaded.error()));
  od::array array;
  if (auto error = document_.get_array().get(array)) {
    return fail(ErrorCode::Corrupt, "{}: expected a JSON array ({})", where, simdjson::error_message(error));
  }
  return array;
}

// --- orders

Result<void> ApiParser::Impl::read_order(od::object& object, std::string_view where, std::size_t index,
                                         OrderUpdate& out, bool with_fills) {
  const std::size_t first_fill = fills_.size();
  auto nested = [&](std::size_t key, od::value& value) -> Result<void> {
    if (key != kOrderFills || !with_fills) return {};
    return for_each_object(value, "order fills", [&](std::size_t i, od::object& fill) -> Result<void> {
      if (auto read = read_members(fill, kFillKeys, fill_values_, "order fills", i, kNoNested); !read)
        return read;
      Fields f(kFillKeys, fill_values_, "order fills", i, problem_);
      model::Fill& out_fill = fills_.emplace_back();
      out_fill.price = f.price(kFillPrice, Need::Required);
      out_fill.quantity = f.quantity(kFillQty, Need::Required, 2);
      out_fill.fee.amount = f.quantity(kFillCommission, Need::Required, 0);
      out_fill.fee.asset = f.fixed<model::Asset::kCapacity>(kFillCommissionAsset, Need::Required);
      out_fill.trade_id = f.id_text<model::ExchangeTradeId::kCapacity>(kFillTradeId, Need::Required);
      out_fill.liquidity = model::Liquidity::Taker;  // matched on arrival
      return {};
    });
  };
  if (auto read = read_members(object, kOrderKeys, order_values_, where, index, nested); !read) return read;
  Fields f(kOrderKeys, order_values_, where, index, problem_);
  if (with_fills) f.expect(kOrderFills, od::json_type::array, Need::Optional);
  out = OrderUpdate{};
  model::OrderReport& report = out.report;
  report.symbol = f.fixed<model::Symbol::kCapacity>(kOrderSymbol, Need::Required);
  report.exchange_order_id = f.id_text<model::ExchangeOrderId::kCapacity>(kOrderId, Need::Required);
  const std::size_t id_key = f.has(kOrderOrigClientId) ? kOrderOrigClientId : kOrderClientId;
  report.client_order_id = f.fixed<model::ClientOrderId::kCapacity>(id_key, Need::Required);
  for (const std::size_t time_key : {kOrderTransactTime, kOrderUpdateTime, kOrderTime}) {
    if (f.has(time_key)) {
      report.time = f.time(time_key, Need::Required);
      break;
    }
  }
  out.ack_only = !f.has(kOrderStatus);
  const Need need = out.ack_only ? Need::Optional : Need::Required;
  report.cumulative_filled = f.quantity(kOrderExecutedQty, need);
  out.quantity = f.quantity(kOrderOrigQty, need);
  out.price = f.price(kOrderPrice, need, 1);
  out.cumulative_quote = f.quantity(kOrderQuoteQty, need);
  if (!out.ack_only) {
    const std::string_view status = f.text(kOrderStatus, Need::Required);
    if (auto state = order_state_from(status, report.cumulative_filled)) {
      report.state = *state;
    } else {
      f.flag(kOrderStatus, "{}", state.error().message());
    }
    const std::string_view side = f.text(kOrderSide, Need::Required);
    if (auto parsed = side_from(side)) {
      out.side = *parsed;
    } else if (!problem_) {
      f.flag(kOrderSide, "unknown side {}", quote_untrusted(side));
    }
    if (f.has(kOrderType)) out.type = order_type_from(f.text(kOrderType, Need::Required));
    if (f.has(kOrderTimeInForce))
      out.time_in_force = time_in_force_from(f.text(kOrderTimeInForce, Need::Required));
  } else {
    report.state = model::OrderState::Open;
  }
  if (problem_) return tl::unexpected<Error>(std::move(*problem_));
  for (std::size_t i = first_fill; i < fills_.size(); ++i) {
    model::Fill& fill = fills_[i];
    fill.client_order_id = report.client_order_id;
    fill.exchange_order_id = report.exchange_order_id;
    fill.symbol = report.symbol;
    fill.side = out.side;
    fill.time = report.time;
  }
  return {};
}

Result<const OrderUpdate*> ApiParser::parse_order(std::string_view json) {
  Impl& impl = *impl_;
  auto object = impl.load_object(json, "order");
  if (!object) return fail(std::move(object.error()));
  impl.fills_.clear();
  if (auto read = impl.read_order(*object, "order", kNoIndex, impl.order_, true); !read) {
    return fail(std::move(read.error()));
  }
  if (auto finished = impl.finish(); !finished) return fail(std::move(finished.error()));
  impl.order_.fills = impl.fills_;
  return &impl.order_;
}

Result<std::span<const OrderUpdate>> ApiParser::parse_open_orders(std::string_view json) {
  Impl& impl = *impl_;
  auto array = impl.load_array(json, "openOrders");
  if (!array) return fail(std::move(array.error()));
  impl.orders_.clear();
  impl.fills_.clear();
  std::size_t index = 0;
  for (auto element_result : *array) {
    od::value element;
    if (auto error = std::move(element_result).get(element))
      return malformed(place("openOrders", index), error);
    od::object object;
    if (auto error = element.get_object().get(object)) return malformed(place("openOrders", index), error);
    if (auto read = impl.read_order(object, "openOrders", index, impl.orders_.emplace_back(), false); !read) {
      return fail(std::move(read.error()));
    }
    ++index;
  }
  if (auto finished = impl.finish(); !finished) return fail(std::move(finished.error()));
  return std::span<const OrderUpdate>(impl.orders_);
}

Result<std::span<const model::Fill>> ApiParser::parse_my_trades(std::string_view json,
                                                                const model::ClientOrderId& order) {
  Impl& impl = *impl_;
  auto array = impl.load_array(json, "myTrades");
  if (!array) return fail(std::move(array.error()));
  impl.fills_.clear();
  std::array<Value, kTradeKeyCount> values{};
  std::size_t index = 0;
  for (auto element_result : *array) {
    od::value element;
    if (auto error = std::move(element_result).get(element))
      return malformed(place("myTrades", index), error);
    od::object object;
    if (auto error = element.get_object().get(object)) return malformed(place("myTrades", index), error);
    if (auto read = read_members(object, kTradeKeys, values, "myTrades", index, kNoNested); !read) {
      return fail(std::move(read.error()));
    }
    Fields f(kTradeKeys, values, "myTrades", index, impl.problem_);
    model::Fill& fill = impl.fills_.emplace_back();
    fill.client_order_id = order;
    fill.symbol = f.fixed<model::Symbol::kCapacity>(kTradeSymbol, Need::Required);
    fill.trade_id = f.id_text<model::ExchangeTradeId::kCapacity>(kTradeId, Need::Required);
    fill.exchange_order_id = f.id_text<model::ExchangeOrderId::kCapacity>(kTradeOrderId, Need::Required);
    fill.price = f.price(kTradePrice, Need::Required);
    fill.quantity = f.quantity(kTradeQty, Need::Required, 2);
    fill.fee.amount = f.quantity(kTradeCommission, Need::Required, 0);
    fill.fee.asset = f.fixed<model::Asset::kCapacity>(kTradeCommissionAsset, Need::Required);
    fill.time = f.time(kTradeTime, Need::Required);
    fill.side = f.boolean(kTradeIsBuyer, Need::Required) ? model::Side::Buy : model::Side::Sell;
    fill.liquidity =
        f.boolean(kTradeIsMaker, Need::Required) ? model::Liquidity::Maker : model::Liquidity::Taker;
    if (impl.problem_) return tl::unexpected<Error>(std::move(*impl.problem_));
    ++index;
  }
  if (auto finished = impl.finish(); !finished) return fail(std::move(finished.error()));
  return std::span<const model::Fill>(impl.fills_);
}

// --- account, time, errors

Result<void> ApiParser::Impl::read_balances(od::value& value, std::string_view where, const KeyList& keys) {
  return for_each_object(value, where, [&](std::size_t index, od::object& object) -> Result<void> {
    if (auto read = read_members(object, keys, balance_values_, where, index, kNoNested); !read) return read;
    Fields f(keys.keys(), balance_values_, where, index, problem_);
    const std::string_view asset = f.text(kBalanceAsset, Need::Required);
    const Quantity free = f.quantity(kBalanceFree, Need::Required);
    const Quantity locked = f.quantity(kBalanceLocked, Need::Required);
    if (!problem_ && asset.empty()) f.flag(kBalanceAsset, "empty");
    if (problem_) return {};
    auto total = free.checked_add(locked);
    if (!total) {
      f.flag(kBalanceLocked, "{}", total.error().message());
      return {};
    }
    auto code = model::Asset::from(asset);
    if (!code) {
      ++skipped_assets_;
      return {};
    }
    balances_.push_back(model::Balance{.asset = *code, .total = *total, .available = free});
    return {};
  });
}

Result<std::span<const model::Balance>> ApiParser::parse_account(std::string_view json) {
  Impl& impl = *impl_;
  auto object = impl.load_object(json, "account");
  if (!object) return fail(std::move(object.error()));
  impl.balances_.clear();
  impl.skipped_assets_ = 0;
  std::array<Value, 1> values{};
  auto nested = [&](std::size_t, od::value& value) {
    return impl.read_balances(value, "account balances", kBalanceKeys);
  };
  if (auto read = read_members(*object, kAccountKeys, values, "account", kNoIndex, nested); !read) {
    return fail(std::move(read.error()));
  }
  Fields f(kAccountKeys, values, "account", kNoIndex, impl.problem_);
  if (!f.has(0))
    f.flag(0, "missing");
  else if (values[0].type != od::json_type::array)
    f.flag(0, "expected an array, got {}", type_name(values[0].type));
  if (auto finished = impl.finish(); !finished) return fail(std::move(finished.error()));
  return std::span<const model::Balance>(impl.balances_);
}

Result<Timestamp> ApiParser::parse_server_time(std::string_view json) {
  Impl& impl = *impl_;
  auto object = impl.load_object(json, "time");
  if (!object) return fail(std::move(object.error()));
  std::array<Value, 1> values{};
  if (auto read = read_members(*object, kServerTimeKeys, values, "time", kNoIndex, kNoNested); !read) {
    return fail(std::move(read.error()));
  }
  Fields f(kServerTimeKeys, values, "time", kNoIndex, impl.problem_);
  const Timestamp time = f.time(0, Need::Required);
  if (auto finished = impl.finish(); !finished) return fail(std::move(finished.error()));
  return time;
}

Result<void> ApiParser::Impl::read_error(od::value& value, ApiError& out) {
  od::object object;
  if (auto error = value.get_object().get(object)) return malformed("error", error);
  std::array<Value, kErrorKeyCount> values{};
  std::array<Value, kErrorDataKeyCount> data_values{};
  auto nested = [&](std::size_t key, od::value& inner) -> Result<void> {
    if (key != kErrorData || values[kErrorData].type != od::json_type::object) return {};
    od::object data;
    if (auto error = inner.get_object().get(data)) return malformed("error data", error);
    return read_members(data, kErrorDataKeys, data_values, "error data", kNoIndex, kNoNested);
  };
  if (auto read = read_members(object, kErrorKeys, values, "error", kNoIndex, nested); !read) return read;
  Fields f(kErrorKeys, values, "error", kNoIndex, problem_);
  f.expect(kErrorData, od::json_type::object, Need::Optional);
  out.code = static_cast<int>(f.integer(kErrorCode, Need::Required, INT32_MIN, INT32_MAX));
  out.message = std::string(f.text(kErrorMsg, Need::Optional));
  Fields data(kErrorDataKeys, data_values, "error data", kNoIndex, problem_);
  out.retry_after = data.time(kErrorRetryAfter, Need::Optional);
  return {};
}

Result<ApiError> ApiParser::parse_error(std::string_view json) {
  Impl& impl = *impl_;
  if (auto loaded = impl.load(json); !loaded) return fail(std::move(loaded.error()));
  od::value root;
  if (auto error = impl.document_.get_value().get(root)) return malformed("error", error);
  ApiError out;
  if (auto read = impl.read_error(root, out); !read) return fail(std::move(read.error()));
  if (auto finished = impl.finish(); !finished) return fail(std::move(finished.error()));
  return out;
}

// --- exchangeInfo

Result<void> ApiParser::Impl::read_rate_limits(od::value& value, std::string_view where,
                                               std::vector<RateLimitRule>& out) {
  std::array<Value, kLimitKeyCount> values{};
  return for_each_object(value, where, [&](std::size_t index, od::object& object) -> Result<void> {
    if (auto read = read_members(object, kRateLimitKeys, values, where, index, kNoNested); !read) return read;
    Fields f(kRateLimitKeys, values, where, index, problem_);
    RateLimitRule rule;
    const std::string_view type = f.text(kLimitType, Need::Required);
    const std::string_view interval = f.text(kLimitInterval, Need::Required);
    rule.interval_num = static_cast<int>(f.integer(kLimitIntervalNum, Need::Required, 1, 100'000));
    rule.limit = f.integer(kLimitLimit, Need::Required, 1, INT64_MAX);
    if (f.has(kLimitCount)) rule.count = f.integer(kLimitCount, Need::Required, 0, INT64_MAX);
    if (problem_) return {};
    if (interval == "SECOND" || interval == "MINUTE" || interval == "HOUR" || interval == "DAY") {
      rule.interval_unit = interval[0];
    } else {
      f.flag(kLimitInterval, "unknown interval {}", quote_untrusted(interval));
      return {};
    }
    if (type == "REQUEST_WEIGHT") {
      rule.type = RateLimitType::RequestWeight;
    } else if (type == "ORDERS") {
      rule.type = RateLimitType::Orders;
    } else if (type == "RAW_REQUESTS") {
      rule.type = RateLimitType::RawRequests;
    } else {
      return {};  // a kind of limit the connector does not track (e.g. CONNECTIONS)
    }
    out.push_back(rule);
    return {};
  });
}

Result<void> ApiParser::Impl::read_symbol(od::object& object, std::size_t index) {
  SymbolInfo info;
  std::optional<Error> symbol_problem;  // bad rules skip the symbol; bad JSON fails the message
  bool has_price_filter = false;
  bool has_lot_size = false;
  std::array<Value, kFilterKeyCount> filter_values{};
  auto nested = [&](std::size_t key, od::value& value) -> Result<void> {
    if (key == kSymbolOrderTypes) {
      od::array types;
      if (auto error = value.get_array().get(types)) return malformed("orderTypes", error);
      for (auto type_result : types) {
        std::string_view type;
        if (auto error = type_result.get_string().get(type)) return malformed("orderTypes", error);
        info.limit_allowed |= type == "LIMIT";
        info.limit_maker_allowed |= type == "LIMIT_MAKER";
        info.market_allowed |= type == "MARKET";
      }
      return {};
    }
    if (key != kSymbolFilters) return {};
    return for_each_object(value, "filters", [&](std::size_t i, od::object& filter) -> Result<void> {
      if (auto read = read_members(filter, kFilterKeys, filter_values, "filters", i, kNoNested); !read)
        return read;
      Fields f(kFilterKeys, filter_values, "filters", i, symbol_problem);
      const std::string_view type = f.text(kFilterType, Need::Required);
      model::TradingRules& rules = info.rules;
      if (type == "PRICE_FILTER") {
        has_price_filter = true;
        info.min_price = f.price(kFilterMinPrice, Need::Required, 1);
        info.max_price = f.price(kFilterMaxPrice, Need::Required, 1);
        rules.tick_size = f.price(kFilterTickSize, Need::Required, 1);
      } else if (type == "LOT_SIZE") {
        has_lot_size = true;
        rules.min_quantity = f.quantity(kFilterMinQty, Need::Required);
        rules.max_quantity = f.quantity(kFilterMaxQty, Need::Required);
        rules.lot_size = f.quantity(kFilterStepSize, Need::Required);
      } else if (type == "NOTIONAL" || type == "MIN_NOTIONAL") {
        // Both carry minNotional (a quote amount); NOTIONAL also maxNotional.
        rules.min_notional = Notional::from_quantity(f.quantity(kFilterMinNotional, Need::Required));
        if (f.has(kFilterMaxNotional)) info.max_notional = f.quantity(kFilterMaxNotional, Need::Required);
      } else if (type == "PERCENT_PRICE_BY_SIDE") {
        PercentPriceBySide& p = info.percent_price_by_side.emplace();
        p.bid_up = f.decimal<Multiplier>(kFilterBidUp, Need::Required, 2);
        p.bid_down = f.decimal<Multiplier>(kFilterBidDown, Need::Required, 1);
        p.ask_up = f.decimal<Multiplier>(kFilterAskUp, Need::Required, 2);
        p.ask_down = f.decimal<Multiplier>(kFilterAskDown, Need::Required, 1);
        p.avg_price_mins = static_cast<int>(f.integer(kFilterAvgPriceMins, Need::Required, 0, 100'000));
      }
      return {};
    });
  };
  std::array<Value, kSymbolKeyCount> values{};
  if (auto read = read_members(object, kSymbolKeys, values, "symbols", index, nested); !read) return read;
  Fields f(kSymbolKeys, values, "symbols", index, symbol_problem);
  f.expect(kSymbolFilters, od::json_type::array, Need::Required);
  f.expect(kSymbolOrderTypes, od::json_type::array, Need::Optional);
  info.rules.symbol = std::string(f.text(kSymbolName, Need::Required));
  info.status = std::string(f.text(kSymbolStatus, Need::Required));
  info.rules.base = std::string(f.text(kSymbolBase, Need::Required));
  info.rules.quote = std::string(f.text(kSymbolQuote, Need::Required));
  if (!symbol_problem && !has_price_filter)
    symbol_problem.emplace(ErrorCode::InvalidArgument, "no PRICE_FILTER");
  if (!symbol_problem && !has_lot_size)
    symbol_problem.emplace(ErrorCode::InvalidArgument, "no LOT_SIZE filter");
  if (!symbol_problem) {
    if (auto valid = info.rules.validate(); !valid) symbol_problem = std::move(valid.error());
  }
  if (symbol_problem) {
    info_.skipped.push_back(
        {info.rules.symbol.empty() ? place("symbols", index) : info.rules.symbol, symbol_problem->message()});
    return {};
  }
  info_.symbols.push_back(std::move(info));
  return {};
}

Result<const ExchangeInfo*> ApiParser::parse_exchange_info(std::string_view json) {
  Impl& impl = *impl_;
  auto object = impl.load_object(json, "exchangeInfo");
  if (!object) return fail(std::move(object.error()));
  impl.info_ = ExchangeInfo{};
  std::array<Value, kInfoKeyCount> values{};
  auto nested = [&](std::size_t key, od::value& value) -> Result<void> {
    if (key == kInfoRateLimits) return impl.read_rate_limits(value, "rateLimits", impl.info_.rate_limits);
    if (key == kInfoSymbols) {
      return for_each_object(value, "symbols", [&](std::size_t index, od::object& symbol) {
        return impl.read_symbol(symbol, index);
      });
    }
    return {};
  };
  if (auto read = read_members(*object, kInfoKeys, values, "exchangeInfo", kNoIndex, nested); !read) {
    return fail(std::move(read.error()));
  }
  Fields f(kInfoKeys, values, "exchangeInfo", kNoIndex, impl.problem_);
  impl.info_.server_time = f.time(kInfoServerTime, Need::Optional);
  f.expect(kInfoSymbols, od::json_type::array, Need::Required);
  f.expect(kInfoRateLimits, od::json_type::array, Need::Optional);
  if (auto finished = impl.finish(); !finished) return fail(std::move(finished.error()));
  return &impl.info_;
}

// --- user stream

Result<void> ApiParser::Impl::read_event_members(od::object& object, std::string_view where) {
  const std::span<Value> values = std::span(stream_values_).first(kEventKeyCount);
  return read_members(object, kEventKeyList, values, where, kNoIndex,
                      [&](std::size_t key, od::value& value) -> Result<void> {
                        if (key != kEvBalances) return {};
                        return read_balances(value, "outboundAccountPosition balances", kPositionKeys);
                      });
}

Result<void> ApiParser::Impl::read_result(od::value& value, WsApiResponse& out) {
  od::object object;
  if (auto error = value.get_object().get(object)) return malformed("result", error);
  std::array<Value, kResultKeyCount> values{};
  if (auto read = read_members(object, kResultKeys, values, "result", kNoIndex, kNoNested); !read)
    return read;
  Fields f(kResultKeys, values, "result", kNoIndex, problem_);
  if (f.has(kResultSubscriptionId))
    out.subscription_id = f.integer(kResultSubscriptionId, Need::Required, 0, INT64_MAX);
  out.server_time = f.time(kResultServerTime, Need::Optional);
  return {};
}

void ApiParser::Impl::finish_execution_report(Fields& f) {
  ExecutionReport& er = message_.event.execution;
  er = ExecutionReport{};
  OrderUpdate& order = er.order;
  model::OrderReport& report = order.report;
  report.symbol = f.fixed<model::Symbol::kCapacity>(kEvSymbol, Need::Required);
  const std::string_view original = f.is_null(kEvOrigClientId) ? "" : f.text(kEvOrigClientId, Need::Optional);
  report.client_order_id = f.fixed<model::ClientOrderId::kCapacity>(
      original.empty() ? kEvClientId : kEvOrigClientId, Need::Required);
  report.exchange_order_id = f.id_text<model::ExchangeOrderId::kCapacity>(kEvOrderId, Need::Required);
  report.cumulative_filled = f.quantity(kEvCumulativeQty, Need::Required);
  report.time = f.time(kEvTransactTime, Need::Required);
  const std::string_view side = f.text(kEvSide, Need::Required);
  if (auto parsed = side_from(side)) {
    order.side = *parsed;
  } else {
    f.flag(kEvSide, "unknown side {}", quote_untrusted(side));
  }
  order.type = order_type_from(f.text(kEvOrderType, Need::Required));
  order.time_in_force = time_in_force_from(f.text(kEvTimeInForce, Need::Required));
  order.quantity = f.quantity(kEvQuantity, Need::Required);
  order.price = f.price(kEvPrice, Need::Required, 1);
  order.cumulative_quote = f.quantity(kEvQuoteQty, Need::Optional);
  const std::string_view status = f.text(kEvStatus, Need::Required);
  if (auto state = order_state_from(status, report.cumulative_filled)) {
    report.state = *state;
  } else {
    f.flag(kEvStatus, "{}", state.error().message());
  }
  er.execution = execution_type_from(f.text(kEvExecution, Need::Required));
  er.reject_reason = f.text(kEvRejectReason, Need::Optional);
  er.event_time = f.time(kEvTime, Need::Required);
  if (er.execution != ExecutionType::Trade) return;
  model::Fill& fill = event_fill_[0];
  fill = model::Fill{};
  fill.client_order_id = report.client_order_id;
  fill.exchange_order_id = report.exchange_order_id;
  fill.symbol = report.symbol;
  fill.side = order.side;
  fill.trade_id = f.id_text<model::ExchangeTradeId::kCapacity>(kEvTradeId, Need::Required);
  fill.price = f.price(kEvLastPrice, Need::Required);
  fill.quantity = f.quantity(kEvLastQty, Need::Required, 2);
  fill.fee.amount = f.quantity(kEvCommission, Need::Required, 0);
  // N is null while no commission is charged.
  if (!f.is_null(kEvCommissionAsset)) {
    fill.fee.asset = f.fixed<model::Asset::kCapacity>(kEvCommissionAsset, Need::Required);
  } else if (!fill.fee.amount.is_zero()) {
    f.flag(kEvCommissionAsset, "null with a commission of {}", fill.fee.amount.to_string());
  }
  fill.liquidity = f.boolean(kEvMaker, Need::Required) ? model::Liquidity::Maker : model::Liquidity::Taker;
  fill.time = report.time;
  order.fills = event_fill_;
}

Result<const UserStreamMessage*> ApiParser::parse_user_stream(std::string_view json) {
  Impl& impl = *impl_;
  auto object = impl.load_object(json, "user stream message");
  if (!object) return fail(std::move(object.error()));
  UserStreamMessage& message = impl.message_;
  message = UserStreamMessage{};
  impl.balances_.clear();
  impl.limits_.clear();
  impl.skipped_assets_ = 0;
  auto nested = [&](std::size_t key, od::value& value) -> Result<void> {
    switch (key) {
      case kEvBalances:
        return impl.read_balances(value, "outboundAccountPosition balances", kPositionKeys);
      case kEnvEvent:
      case kEnvData: {
        od::object event;
        if (auto error = value.get_object().get(event)) return malformed(kStreamKeys[key], error);
        // The event object is the message: members beside it (other than the envelope's) are not.
        impl.balances_.clear();
        return impl.read_event_members(event, "event");
      }
      case kEnvResult:
        if (impl.stream_values_[kEnvResult].type != od::json_type::object) return {};
        return impl.read_result(value, message.response);
      case kEnvError:
        return impl.read_error(value, message.response.error.emplace());
      case kEnvRateLimits:
        return impl.read_rate_limits(value, "rateLimits", impl.limits_);
      default:
        return {};
    }
  };
  // Envelope members and a bare event's members share stream_values_; an "event"/"data" object
  // overwrites the event part.
  if (auto read =
          read_members(*object, kStreamKeyList, impl.stream_values_, "user stream message", kNoIndex, nested);
      !read) {
    return fail(std::move(read.error()));
  }
  Fields envelope(kStreamKeys, impl.stream_values_, "user stream message", kNoIndex, impl.problem_);
  envelope.expect(kEnvEvent, od::json_type::object, Need::Optional);
  envelope.expect(kEnvData, od::json_type::object, Need::Optional);
  envelope.expect(kEnvError, od::json_type::object, Need::Optional);
  envelope.expect(kEnvRateLimits, od::json_type::array, Need::Optional);
  if (envelope.has(kEnvSubscriptionId)) {
    message.subscription_id = envelope.integer(kEnvSubscriptionId, Need::Required, 0, INT64_MAX);
  }
  const bool response = envelope.has(kEnvStatus) || envelope.has(kEnvId);
  if (response && !envelope.has(kEnvEvent) && !envelope.has(kEnvData) && !envelope.has(kEvType)) {
    message.kind = UserStreamMessage::Kind::Response;
    WsApiResponse& r = message.response;
    r.status = static_cast<int>(envelope.integer(kEnvStatus, Need::Required, 100, 999));
    if (envelope.has(kEnvId) && !envelope.is_null(kEnvId)) r.id = impl.stream_values_[kEnvId].text;
    r.rate_limits = impl.limits_;
  } else {
    Fields f(kStreamKeys, impl.stream_values_, "event", kNoIndex, impl.problem_);
    UserEvent& event = message.event;
    event.event_type = f.text(kEvType, Need::Required);
    if (event.event_type == "executionReport") {
      event.kind = UserEventKind::ExecutionReport;
      Fields er(kStreamKeys, impl.stream_values_, "executionReport", kNoIndex, impl.problem_);
      impl.finish_execution_report(er);
    } else if (event.event_type == "outboundAccountPosition") {
      event.kind = UserEventKind::AccountPosition;
      if (!f.has(kEvBalances) || impl.stream_values_[kEvBalances].type != od::json_type::array) {
        f.flag(kEvBalances, "expected an array of balances");
      }
      event.balances = impl.balances_;
    } else if (event.event_type == "balanceUpdate") {
      event.kind = UserEventKind::BalanceUpdate;
      Fields bu(kStreamKeys, impl.stream_values_, "balanceUpdate", kNoIndex, impl.problem_);
      event.balance_delta.asset = bu.fixed<model::Asset::kCapacity>(kEvAsset, Need::Required);
      event.balance_delta.delta = bu.quantity(kEvDelta, Need::Required, 0);
      event.balance_delta.clear_time = bu.time(kEvTransactTime, Need::Optional);
    } else if (event.event_type == "eventStreamTerminated") {
      event.kind = UserEventKind::StreamTerminated;
    }
    if (!impl.problem_)
      event.event_time =
          f.time(kEvTime, event.kind == UserEventKind::Other ? Need::Optional : Need::Required);
  }
  if (auto finished = impl.finish(); !finished) return fail(std::move(finished.error()));
  return &impl.message_;
}

}  // namespace colibri::venue::binance
