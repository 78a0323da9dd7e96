#include "colibri/venue/binance/message_parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "colibri/venue/binance/untrusted_text.h"

namespace colibri::venue::binance {
namespace {

namespace od = simdjson::ondemand;

static_assert(MessageParser::kPadding >= simdjson::SIMDJSON_PADDING);

// The members any supported message uses, by meaning. One member key can mean different things
// by kind ("a" is ask levels, the best ask or an aggregate trade id), so the value's JSON type is
// recorded and each kind checks the type it needs once the whole object has been read.
enum class Member : std::uint8_t {
  EventType,         // "e"
  EventTime,         // "E"
  TradeTime,         // "T" (transaction time on futures; trade time on trades)
  Symbol,            // "s"
  RestSymbol,        // "symbol" (COIN-M REST snapshot)
  FirstUpdateId,     // "U"
  LastUpdateId,      // "u"
  PrevLastUpdateId,  // "pu"
  SnapshotUpdateId,  // "lastUpdateId"
  TradeId,           // "t"
  BuyerIsMaker,      // "m"
  TradePrice,        // "p"
  TradeQuantity,     // "q"
  Bids,              // "b": bid levels (array) or the best bid price (string)
  BestBidQuantity,   // "B"
  Asks,              // "a": ask levels (array), the best ask price (string), an aggTrade id (integer)
  BestAskQuantity,   // "A"
  SnapshotBids,      // "bids"
  SnapshotAsks,      // "asks"
};
constexpr std::size_t kMemberCount = static_cast<std::size_t>(Member::SnapshotAsks) + 1;
constexpr std::array<std::string_view, kMemberCount> kMemberKeys = {
    "e", "E", "T", "s", "symbol", "U", "u", "pu",   "lastUpdateId", "t",
    "m", "p", "q", "b", "B",      "a", "A", "bids", "asks"};

constexpr std::string_view key_of(Member member) { return kMemberKeys[static_cast<std::size_t>(member)]; }

// Dispatches on length and first byte: this runs for every member of every message.
std::optional<Member> member_of(std::string_view key) {
  switch (key.size()) {
    case 1:
      switch (key[0]) {
        case 'e': return Member::EventType;
        case 'E': return Member::EventTime;
        case 'T': return Member::TradeTime;
        case 's': return Member::Symbol;
        case 'U': return Member::FirstUpdateId;
        case 'u': return Member::LastUpdateId;
        case 't': return Member::TradeId;
        case 'm': return Member::BuyerIsMaker;
        case 'p': return Member::TradePrice;
        case 'q': return Member::TradeQuantity;
        case 'b': return Member::Bids;
        case 'B': return Member::BestBidQuantity;
        case 'a': return Member::Asks;
        case 'A': return Member::BestAskQuantity;
        default: return std::nullopt;
      }
    case 2:
      if (key == "pu") return Member::PrevLastUpdateId;
      return std::nullopt;
    case 4:
      if (key == "bids") return Member::SnapshotBids;
      if (key == "asks") return Member::SnapshotAsks;
      return std::nullopt;
    case 6:
      if (key == "symbol") return Member::RestSymbol;
      return std::nullopt;
    case 12:
      if (key == "lastUpdateId") return Member::SnapshotUpdateId;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

// Timestamp::from_ms multiplies by 10^6: larger values would overflow (year 2262).
constexpr std::int64_t kMaxTimeMs = INT64_MAX / 1'000'000;

std::string_view type_name(od::json_type type) {
  switch (type) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "an unknown type";
}

tl::unexpected<Error> malformed(std::string_view where, simdjson::error_code error) {
  return fail(ErrorCode::Corrupt, "{}: malformed JSON ({})", where, simdjson::error_message(error));
}

tl::unexpected<Error> malformed_member(std::string_view key, simdjson::error_code error) {
  return fail(ErrorCode::Corrupt, "member {}: malformed JSON ({})", quoted(key),
              simdjson::error_message(error));
}

// Deeper JSON is rejected: Binance nests 4 levels at most, and the walk over skipped values recurses.
constexpr int kMaxDepth = 32;

// The text of a JSON string from just after its opening quote up to (not including) the closing
// quote, which stage 1 has already located; backslash-escaped characters are stepped over (the
// caller unescapes properly when it finds a backslash).
std::string_view raw_string_text(const char* begin) {
  const char* end = begin;
  while (*end != '"') end += *end == '\\' ? 2 : 1;
  return {begin, static_cast<std::size_t>(end - begin)};
}

// Members whose string value is a price or a quantity.
bool is_decimal_member(Member member) {
  switch (member) {
    case Member::TradePrice:
    case Member::TradeQuantity:
    case Member::Bids:
    case Member::BestBidQuantity:
    case Member::Asks:
    case Member::BestAskQuantity:
      return true;
    default:
      return false;
  }
}

// raw_json_token() includes the whitespace up to the next token.
std::string_view trim_trailing_whitespace(std::string_view token) {
  while (!token.empty() &&
         (token.back() == ' ' || token.back() == '\t' || token.back() == '\n' || token.back() == '\r')) {
    token.remove_suffix(1);
  }
  return token;
}

// One member's value as read: strings unescaped, numbers as their raw text (converted when the
// kind is known), booleans as such; arrays, objects and null only by type.
struct MemberValue {
  bool present = false;
  od::json_type type = od::json_type::null;
  std::string_view text;
  bool boolean = false;
  bool is_integer = false;   // a number that fits int64 (then `integer` holds it)
  std::int64_t integer = 0;
};

enum class Need : bool { Optional, Required };

}  // namespace

std::string_view to_string(MessageKind kind) noexcept {
  switch (kind) {
    case MessageKind::DepthDiff:
      return "DepthDiff";
    case MessageKind::DepthSnapshot:
      return "DepthSnapshot";
    case MessageKind::Trade:
      return "Trade";
    case MessageKind::BookTicker:
      return "BookTicker";
    case MessageKind::Unknown:
      return "Unknown";
  }
  return "Unknown";
}

// Invariants, between parse() calls: (1) bids_.size() + asks_.size() <= kMaxLevels; (2) when the
// last parse succeeded, message_'s spans point into bids_ and asks_ and its string views into
// json_'s string buffer or the parsed input.
struct MessageParser::Impl {
  od::parser json_{MessageParser::kMaxMessageBytes};
  std::unique_ptr<char[]> copy_;  // padded copy of unpadded input; grows, never shrinks
  std::size_t copy_capacity_ = 0;
  std::vector<model::PriceLevel> bids_;
  std::vector<model::PriceLevel> asks_;
  std::array<MemberValue, kMemberCount> members_{};
  bool bids_read_ = false;
  bool asks_read_ = false;
  bool stream_read_ = false;
  bool data_read_ = false;        // the envelope's "data" was found: other top-level members are ignored
  bool data_is_array_ = false;    // ... and it was an array (e.g. "!bookTicker@arr"): Unknown
  std::optional<Error> problem_;  // the first member conversion problem of this message
  const char* text_end_ = nullptr;  // one past the last byte of the message being parsed
  ParsedMessage message_;

  Result<const ParsedMessage*> parse(const char* json, std::size_t size, std::size_t capacity,
                                     Timestamp local_time);
  Result<void> read_object(od::object& object, int depth);
  Result<void> read_member(std::string_view key, od::value& value, int depth);
  Result<void> read_levels(std::string_view key, od::value& value, std::vector<model::PriceLevel>& side);
  bool scan_levels(const char* text, std::vector<model::PriceLevel>& side);
  void reset_members();
  static Result<void> check_skipped(std::string_view key, od::value& value, int depth);
  void classify(Timestamp local_time);
  void finish_diff(Timestamp local_time);
  void finish_snapshot(Timestamp local_time);
  void finish_trade(Timestamp local_time, bool aggregate);
  void finish_ticker(Timestamp local_time);

  // Conversions of recorded members; each records the first problem in problem_ and then
  // returns a placeholder, so that a kind's fields read as a flat list.
  template <typename... Args>
  void flag(fmt::format_string<Args...> format, Args&&... args);
  const MemberValue* find(Member member, od::json_type type, Need need);
  std::int64_t id(Member member, Need need);
  Timestamp time(Member member, Need need);
  std::string_view text(Member member, Need need);
  bool boolean(Member member);
  Price price(Member member, bool allow_zero);
  Quantity quantity(Member member);
  bool has_levels(Member member);
};

MessageParser::MessageParser() : impl_(std::make_unique<Impl>()) {}
MessageParser::~MessageParser() = default;
MessageParser::MessageParser(MessageParser&&) noexcept = default;
MessageParser& MessageParser::operator=(MessageParser&&) noexcept = default;

Result<const ParsedMessage*> MessageParser::parse(std::string_view json, Timestamp local_time) {
  if (json.size() > kMaxMessageBytes) {
    return fail(ErrorCode::Corrupt, "message of {} bytes exceeds the limit of {}", json.size(),
                kMaxMessageBytes);
  }
  Impl& impl = *impl_;
  const std::size_t needed = json.size() + kPadding;
  if (impl.copy_capacity_ < needed) {
    const std::size_t capacity = std::max(needed, 2 * impl.copy_capacity_);
    impl.copy_ = std::make_unique_for_overwrite<char[]>(capacity);
    impl.copy_capacity_ = capacity;
  }
  if (!json.empty()) std::memcpy(impl.copy_.get(), json.data(), json.size());
  std::memset(impl.copy_.get() + json.size(), 0, kPadding);
  return impl.parse(impl.copy_.get(), json.size(), needed, local_time);
}

Result<const ParsedMessage*> MessageParser::parse_padded(std::string_view json, Timestamp local_time) {
  if (json.size() > kMaxMessageBytes) {
    return fail(ErrorCode::Corrupt, "message of {} bytes exceeds the limit of {}", json.size(),
                kMaxMessageBytes);
  }
  return impl_->parse(json.data(), json.size(), json.size() + kPadding, local_time);
}

void MessageParser::Impl::reset_members() {
  members_.fill(MemberValue{});
  bids_.clear();
  asks_.clear();
  bids_read_ = false;
  asks_read_ = false;
}

// simdjson On-Demand reaches undefined behaviour when a document is used after an error, so
// every result is checked and the first error returns at once, abandoning the document.
Result<const ParsedMessage*> MessageParser::Impl::parse(const char* json, std::size_t size,
                                                        std::size_t capacity, Timestamp local_time) {
  message_ = ParsedMessage{};
  reset_members();
  stream_read_ = false;
  data_read_ = false;
  data_is_array_ = false;
  problem_.reset();
  text_end_ = json + size;

  od::document document;
  if (auto error = json_.iterate(json, size, capacity).get(document)) return malformed("message", error);
  od::json_type type{};
  if (auto error = document.type().get(type)) return malformed("message", error);
  if (type == od::json_type::array) {
    // Array streams ("!bookTicker@arr") are not supported: Unknown, but their JSON is still checked.
    od::array elements;
    if (auto error = document.get_array().get(elements)) return malformed("message", error);
    for (auto element_result : elements) {
      od::value element;
      if (auto error = std::move(element_result).get(element)) return malformed("message", error);
      if (auto checked = check_skipped("message", element, 2); !checked)
        return fail(std::move(checked.error()));
    }
  } else if (type == od::json_type::object) {
    od::object object;
    if (auto error = document.get_object().get(object)) return malformed("message", error);
    if (auto read = read_object(object, 1); !read) return fail(std::move(read.error()));
  } else {
    return fail(ErrorCode::Corrupt, "message: expected a JSON object");
  }
  // Trailing content: after the root value the iterator must sit at the end of the tokens
  // (current_location() reports OUT_OF_BOUNDS there).
  const char* location = nullptr;
  if (auto error = document.current_location().get(location); error != simdjson::OUT_OF_BOUNDS) {
    return fail(ErrorCode::Corrupt, "message: unexpected content after the JSON value at offset {}",
                error ? std::size_t{0} : static_cast<std::size_t>(location - json));
  }

  if (type == od::json_type::object && !data_is_array_) classify(local_time);
  if (problem_) return tl::unexpected<Error>(std::move(*problem_));
  return &message_;
}

Result<void> MessageParser::Impl::read_object(od::object& object, int depth) {
  const bool top_level = depth == 1;
  for (auto member : object) {
    od::field field;
    if (auto error = std::move(member).get(field)) return malformed("object member", error);
    // Keys are read raw (no copy): stage 1 has found the closing quote. A key with an escape is
    // unescaped properly, which also validates the escape (rare: Binance never sends one).
    std::string_view key = raw_string_text(field.key().raw());
    if (key.find('\\') != std::string_view::npos) {
      if (auto error = field.unescaped_key().get(key)) return malformed("member key", error);
    }
    od::value& value = field.value();
    if (top_level && key == "stream") {
      if (stream_read_) return fail(ErrorCode::Corrupt, "duplicate member \"stream\"");
      stream_read_ = true;
      if (auto error = value.get_string().get(message_.stream)) return malformed_member(key, error);
      continue;
    }
    if (top_level && key == "data") {
      if (data_read_) return fail(ErrorCode::Corrupt, "duplicate member \"data\"");
      data_read_ = true;
      reset_members();  // members beside "data" are not part of the message
      od::json_type type{};
      if (auto error = value.type().get(type)) return malformed_member(key, error);
      if (type == od::json_type::array) {
        data_is_array_ = true;
        if (auto checked = check_skipped(key, value, depth + 1); !checked) return checked;
        continue;
      }
      if (type != od::json_type::object) {
        return fail(ErrorCode::Corrupt, "member \"data\": expected an object, got {}", type_name(type));
      }
      od::object data;
      if (auto error = value.get_object().get(data)) return malformed_member(key, error);
      if (auto read = read_object(data, depth + 1); !read) return read;
      continue;
    }
    if (top_level && data_read_) {
      if (auto checked = check_skipped(key, value, depth + 1); !checked) return checked;
      continue;
    }
    if (auto read = read_member(key, value, depth + 1); !read) return read;
  }
  return {};
}

Result<void> MessageParser::Impl::read_member(std::string_view key, od::value& value, int depth) {
  const std::optional<Member> member = member_of(key);
  if (!member) return check_skipped(key, value, depth);
  MemberValue& slot = members_[static_cast<std::size_t>(*member)];
  if (slot.present) return fail(ErrorCode::Corrupt, "duplicate member \"{}\"", key);
  slot.present = true;
  if (auto error = value.type().get(slot.type)) return malformed_member(key, error);
  switch (slot.type) {
    case od::json_type::string:
      if (is_decimal_member(*member)) {
        // A price or quantity: taken raw between the quotes (the token is not consumed; the
        // object walk skips it) and validated character by character by Price/Quantity::parse.
        const std::string_view token = trim_trailing_whitespace(value.raw_json_token());
        if (token.size() >= 2 && token.back() == '"' && token.find('\\') == std::string_view::npos) {
          slot.text = token.substr(1, token.size() - 2);
          break;
        }
      }
      if (auto error = value.get_string().get(slot.text)) return malformed_member(key, error);
      break;
    case od::json_type::number: {
      // Kept as text (for messages) and, when integral, as a value; the kind decides later what it
      // needs. get_int64() checks the JSON syntax; a non-integer falls back to get_double().
      slot.text = trim_trailing_whitespace(value.raw_json_token());
      slot.is_integer = !value.get_int64().get(slot.integer);
      if (!slot.is_integer) {
        double number = 0;
        if (auto error = value.get_double().get(number)) return malformed_member(key, error);
      }
      break;
    }
    case od::json_type::boolean:
      if (auto error = value.get_bool().get(slot.boolean)) return malformed_member(key, error);
      break;
    case od::json_type::array:
      // Level arrays are read where they stand (On-Demand cannot come back to them).
      if (*member == Member::Bids || *member == Member::SnapshotBids) {
        if (bids_read_) return fail(ErrorCode::Corrupt, "member \"{}\": bid levels given twice", key);
        bids_read_ = true;
        return read_levels(key, value, bids_);
      }
      if (*member == Member::Asks || *member == Member::SnapshotAsks) {
        if (asks_read_) return fail(ErrorCode::Corrupt, "member \"{}\": ask levels given twice", key);
        asks_read_ = true;
        return read_levels(key, value, asks_);
      }
      return check_skipped(key, value, depth);  // other arrays: only the type is recorded
    case od::json_type::object:
    case od::json_type::null:
      return check_skipped(key, value, depth);
  }
  return {};
}

// Walks a value the message does not use so that malformed JSON inside it is reported too: On-Demand
// would otherwise skip it by counting brackets, accepting e.g. {"k":[1,}} or {"x":tru}.
Result<void> MessageParser::Impl::check_skipped(std::string_view key, od::value& value, int depth) {
  if (depth > kMaxDepth)
    return fail(ErrorCode::Corrupt, "member {}: nested deeper than {}", quoted(key), kMaxDepth);
  od::json_type type{};
  if (auto error = value.type().get(type)) return malformed_member(key, error);
  switch (type) {
    case od::json_type::array: {
      od::array elements;
      if (auto error = value.get_array().get(elements)) return malformed_member(key, error);
      for (auto element_result : elements) {
        od::value element;
        if (auto error = std::move(element_result).get(element)) return malformed_member(key, error);
        if (auto checked = check_skipped(key, element, depth + 1); !checked) return checked;
      }
      return {};
    }
    case od::json_type::object: {
      od::object object;
      if (auto error = value.get_object().get(object)) return malformed_member(key, error);
      for (auto member : object) {
        od::field field;
        if (auto error = std::move(member).get(field)) return malformed_member(key, error);
        std::string_view inner_key;
        if (auto error = field.unescaped_key().get(inner_key)) return malformed_member(key, error);
        if (auto checked = check_skipped(key, field.value(), depth + 1); !checked) return checked;
      }
      return {};
    }
    case od::json_type::number: {
      double number = 0;
      if (auto error = value.get_double().get(number)) return malformed_member(key, error);
      return {};
    }
    case od::json_type::string: {
      std::string_view text;
      if (auto error = value.get_string().get(text)) return malformed_member(key, error);
      return {};
    }
    case od::json_type::boolean: {
      bool flag = false;
      if (auto error = value.get_bool().get(flag)) return malformed_member(key, error);
      return {};
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto error = value.is_null().get(is_null)) return malformed_member(key, error);
      if (!is_null) return fail(ErrorCode::Corrupt, "member {}: malformed JSON (bad null)", quoted(key));
      return {};
    }
  }
  return {};
}

// The fast path for level arrays in the exact form Binance writes them, [["p","q"],["p","q"],...]
// with no whitespace, read straight from the text with the decimals parsed in the same pass (the
// On-Demand walk, a scan for each closing quote and then Price/Quantity::parse cost about twice
// as much). Returns false, having appended nothing, for anything else (whitespace, other element
// types or counts, escapes, a decimal outside the fast parser's common shape, a non-positive
// price or negative quantity, too many levels): the general walk below then reads the array and
// decides, with its precise messages. It accepts only valid JSON, and the levels it reads are
// those the general walk would read. The array is left unconsumed; the object walk skips it.
bool MessageParser::Impl::scan_levels(const char* text, std::vector<model::PriceLevel>& side) {
  const std::size_t first = side.size();
  const char* p = text;
  const char* const end = text_end_;
  const auto give_up = [&] {
    side.resize(first);
    return false;
  };
  // The quoted decimal at p; leaves p after its closing quote.
  const auto decimal = [&](std::int64_t& raw) {
    if (p == end || *p != '"') return false;
    const char* const stop = colibri::detail::parse_fixed_prefix(p + 1, end, raw);
    if (stop == nullptr || stop == end || *stop != '"') return false;
    p = stop + 1;
    return true;
  };
  if (p == end || *p != '[') return false;
  ++p;
  if (p != end && *p == ']') return true;
  for (;;) {
    std::int64_t price = 0;
    std::int64_t quantity = 0;
    if (p == end || *p != '[') return give_up();
    ++p;
    if (!decimal(price) || price <= 0) return give_up();
    if (p == end || *p != ',') return give_up();
    ++p;
    if (!decimal(quantity) || quantity < 0) return give_up();
    if (p == end || *p != ']') return give_up();
    ++p;
    if (bids_.size() + asks_.size() >= MessageParser::kMaxLevels) return give_up();
    side.push_back(model::PriceLevel{Price::from_raw(price), Quantity::from_raw(quantity)});
    if (p == end) return give_up();
    if (*p == ']') return true;
    if (*p != ',') return give_up();
    ++p;
  }
}

Result<void> MessageParser::Impl::read_levels(std::string_view key, od::value& value,
                                              std::vector<model::PriceLevel>& side) {
  if (scan_levels(value.raw_json_token().data(), side)) return {};
  od::array levels;
  if (auto error = value.get_array().get(levels)) return malformed_member(key, error);
  std::size_t index = 0;
  for (auto level_result : levels) {
    od::value level;
    if (auto error = std::move(level_result).get(level)) return malformed_member(key, error);
    od::array pair;
    if (auto error = level.get_array().get(pair)) {
      return fail(ErrorCode::Corrupt, "member \"{}\" level {}: expected [price, quantity] ({})", key, index,
                  simdjson::error_message(error));
    }
    std::array<std::string_view, 2> texts;
    std::size_t count = 0;
    for (auto element_result : pair) {
      od::value element;
      if (auto error = std::move(element_result).get(element)) return malformed_member(key, error);
      if (count == texts.size()) {
        return fail(ErrorCode::Corrupt, "member \"{}\" level {}: more than 2 elements", key, index);
      }
      // Decimals never need unescaping: take the raw text between the quotes (stage 1 has already
      // found the closing quote) and leave its validation to Price/Quantity::parse.
      od::raw_json_string raw;
      if (auto error = element.get_raw_json_string().get(raw)) {
        return fail(ErrorCode::Corrupt, "member \"{}\" level {}: expected decimal strings ({})", key, index,
                    simdjson::error_message(error));
      }
      const char* const text_begin = raw.raw();
      const char* text_end = text_begin;
      while (*text_end != '"' && *text_end != '\\') ++text_end;
      if (*text_end == '\\') {
        return fail(ErrorCode::Corrupt, "member \"{}\" level {}: escaped characters in a decimal", key, index);
      }
      texts[count] = std::string_view(text_begin, static_cast<std::size_t>(text_end - text_begin));
      ++count;
    }
    if (count != texts.size()) {
      return fail(ErrorCode::Corrupt, "member \"{}\" level {}: expected [price, quantity], got {} element(s)",
                  key, index, count);
    }
    if (bids_.size() + asks_.size() >= MessageParser::kMaxLevels) {
      return fail(ErrorCode::Corrupt, "member \"{}\": more than {} levels in one message", key,
                  MessageParser::kMaxLevels);
    }
    const auto price = Price::parse(texts[0]);
    if (!price)
      return fail(ErrorCode::Corrupt, "member \"{}\" level {}: {}", key, index, price.error().message());
    if (!price->is_positive()) {
      return fail(ErrorCode::Corrupt, "member \"{}\" level {}: price {} is not positive", key, index, *price);
    }
    const auto quantity = Quantity::parse(texts[1]);
    if (!quantity) {
      return fail(ErrorCode::Corrupt, "member \"{}\" level {}: {}", key, index, quantity.error().message());
    }
    if (quantity->is_negative()) {
      return fail(ErrorCode::Corrupt, "member \"{}\" level {}: negative quantity {}", key, index, *quantity);
    }
    side.push_back(model::PriceLevel{*price, *quantity});
    ++index;
  }
  return {};
}

// Decides the kind once every member has been read (member order does not matter).
void MessageParser::Impl::classify(Timestamp local_time) {
  const MemberValue& event = members_[static_cast<std::size_t>(Member::EventType)];
  if (event.present) {
    message_.event_type = text(Member::EventType, Need::Required);
    if (problem_) return;
    if (message_.event_type == "depthUpdate") return finish_diff(local_time);
    if (message_.event_type == "trade") return finish_trade(local_time, false);
    if (message_.event_type == "aggTrade") return finish_trade(local_time, true);
    if (message_.event_type == "bookTicker") return finish_ticker(local_time);
    return;  // another event type: Unknown
  }
  if (members_[static_cast<std::size_t>(Member::SnapshotUpdateId)].present)
    return finish_snapshot(local_time);
  const MemberValue& best_bid = members_[static_cast<std::size_t>(Member::Bids)];
  if (members_[static_cast<std::size_t>(Member::LastUpdateId)].present && best_bid.present &&
      best_bid.type == od::json_type::string) {
    return finish_ticker(local_time);  // spot bookTicker has no "e"
  }
}

void MessageParser::Impl::finish_diff(Timestamp local_time) {
  message_.symbol = text(Member::Symbol, Need::Required);
  model::BookDiff& diff = message_.diff;
  diff.first_update_id = id(Member::FirstUpdateId, Need::Required);
  diff.last_update_id = id(Member::LastUpdateId, Need::Required);
  diff.prev_last_update_id = id(Member::PrevLastUpdateId, Need::Optional);
  diff.exchange_time = time(Member::EventTime, Need::Required);
  diff.local_time = local_time;
  if (!has_levels(Member::Bids) || !has_levels(Member::Asks)) return;
  diff.bids = bids_;
  diff.asks = asks_;
  message_.kind = MessageKind::DepthDiff;
}

void MessageParser::Impl::finish_snapshot(Timestamp local_time) {
  if (members_[static_cast<std::size_t>(Member::RestSymbol)].present) {
    message_.symbol = text(Member::RestSymbol, Need::Optional);
  }
  model::BookSnapshot& snapshot = message_.snapshot;
  snapshot.last_update_id = id(Member::SnapshotUpdateId, Need::Required);
  snapshot.exchange_time = time(Member::EventTime, Need::Optional);
  snapshot.local_time = local_time;
  if (!has_levels(Member::SnapshotBids) || !has_levels(Member::SnapshotAsks)) return;
  snapshot.bids = bids_;
  snapshot.asks = asks_;
  message_.kind = MessageKind::DepthSnapshot;
}

void MessageParser::Impl::finish_trade(Timestamp local_time, bool aggregate) {
  message_.symbol = text(Member::Symbol, Need::Required);
  model::PublicTrade& trade = message_.trade;
  trade.trade_id = id(aggregate ? Member::Asks : Member::TradeId, Need::Required);
  trade.price = price(Member::TradePrice, false);
  trade.quantity = quantity(Member::TradeQuantity);
  trade.aggressor = boolean(Member::BuyerIsMaker) ? model::Side::Sell : model::Side::Buy;
  const bool has_trade_time = members_[static_cast<std::size_t>(Member::TradeTime)].present;
  trade.exchange_time = time(has_trade_time ? Member::TradeTime : Member::EventTime, Need::Required);
  trade.local_time = local_time;
  message_.kind = MessageKind::Trade;
}

void MessageParser::Impl::finish_ticker(Timestamp local_time) {
  message_.symbol = text(Member::Symbol, Need::Required);
  model::BookTicker& ticker = message_.ticker;
  ticker.update_id = id(Member::LastUpdateId, Need::Required);
  ticker.best_bid = {price(Member::Bids, true), quantity(Member::BestBidQuantity)};
  ticker.best_ask = {price(Member::Asks, true), quantity(Member::BestAskQuantity)};
  ticker.exchange_time = time(Member::EventTime, Need::Optional);
  ticker.local_time = local_time;
  message_.kind = MessageKind::BookTicker;
}

template <typename... Args>
void MessageParser::Impl::flag(fmt::format_string<Args...> format, Args&&... args) {
  if (!problem_) problem_.emplace(ErrorCode::Corrupt, fmt::format(format, std::forward<Args>(args)...));
}

const MemberValue* MessageParser::Impl::find(Member member, od::json_type type, Need need) {
  const MemberValue& value = members_[static_cast<std::size_t>(member)];
  if (!value.present) {
    if (need == Need::Required) flag("missing member \"{}\"", key_of(member));
    return nullptr;
  }
  if (value.type != type) {
    flag("member \"{}\": expected {}, got {}", key_of(member), type_name(type), type_name(value.type));
    return nullptr;
  }
  return &value;
}

std::int64_t MessageParser::Impl::id(Member member, Need need) {
  const MemberValue* value = find(member, od::json_type::number, need);
  if (value == nullptr) return model::kNoUpdateId;
  const std::optional<std::int64_t> number =
      value->is_integer ? std::optional<std::int64_t>(value->integer) : std::nullopt;
  if (!number) {
    flag("member \"{}\": {} is not a 64-bit integer", key_of(member), quoted(value->text));
    return model::kNoUpdateId;
  }
  if (*number < 0) {
    flag("member \"{}\": negative value {}", key_of(member), *number);
    return model::kNoUpdateId;
  }
  return *number;
}

Timestamp MessageParser::Impl::time(Member member, Need need) {
  const std::int64_t ms = id(member, need);
  if (ms == model::kNoUpdateId) return Timestamp::none();
  if (ms > kMaxTimeMs) {
    flag("member \"{}\": time {} ms is out of range", key_of(member), ms);
    return Timestamp::none();
  }
  return Timestamp::from_ms(ms);
}

std::string_view MessageParser::Impl::text(Member member, Need need) {
  const MemberValue* value = find(member, od::json_type::string, need);
  return value == nullptr ? std::string_view() : value->text;
}

bool MessageParser::Impl::boolean(Member member) {
  const MemberValue* value = find(member, od::json_type::boolean, Need::Required);
  return value != nullptr && value->boolean;
}

Price MessageParser::Impl::price(Member member, bool allow_zero) {
  const MemberValue* value = find(member, od::json_type::string, Need::Required);
  if (value == nullptr) return Price::zero();
  const auto parsed = Price::parse(value->text);
  if (!parsed) {
    flag("member \"{}\": {}", key_of(member), parsed.error().message());
    return Price::zero();
  }
  if (parsed->is_negative() || (!allow_zero && parsed->is_zero())) {
    flag("member \"{}\": price {} is not positive", key_of(member), *parsed);
    return Price::zero();
  }
  return *parsed;
}

Quantity MessageParser::Impl::quantity(Member member) {
  const MemberValue* value = find(member, od::json_type::string, Need::Required);
  if (value == nullptr) return Quantity::zero();
  const auto parsed = Quantity::parse(value->text);
  if (!parsed) {
    flag("member \"{}\": {}", key_of(member), parsed.error().message());
    return Quantity::zero();
  }
  if (parsed->is_negative()) {
    flag("member \"{}\": negative quantity {}", key_of(member), *parsed);
    return Quantity::zero();
  }
  return *parsed;
}

// Level arrays were read (and checked) while iterating; here only their presence and type.
bool MessageParser::Impl::has_levels(Member member) {
  return find(member, od::json_type::array, Need::Required) != nullptr;
}

}  // namespace colibri::venue::binance
