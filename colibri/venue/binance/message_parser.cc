#include "colibri/venue/binance/message_parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "colibri/core/untrusted_text.h"
#include "colibri/venue/binance/json_member_key.h"

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
  return fail(ErrorCode::Corrupt, "member {}: malformed JSON ({})", quote_untrusted(key),
              simdjson::error_message(error));
}

// Deeper JSON is rejected: Binance nests 4 levels at most, and the walk over skipped values recurses.
constexpr int kMaxDepth = 32;

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

// A forward-only reader over message text for the one-pass path. Each step consumes exactly the
// bytes of its narrow grammar, checking every byte and the end of the text (nothing past it is
// read), and returns false otherwise; after a false the position is unspecified and the reader
// is abandoned. Everything it accepts is valid JSON that the general walk reads the same way.
class Cursor {
 public:
  Cursor(const char* begin, const char* end) : p_(begin), end_(end) {}

  [[nodiscard]] const char* end() const { return end_; }
  [[nodiscard]] bool at_end() const { return p_ == end_; }

  // Consumes `text` (a literal) when the input continues with it; otherwise stays in place.
  template <std::size_t N>
  bool literal(const char (&text)[N]) {
    constexpr std::size_t size = N - 1;
    if (static_cast<std::size_t>(end_ - p_) < size || std::memcmp(p_, text, size) != 0) return false;
    p_ += size;
    return true;
  }

  // A JSON integer without sign, fraction, exponent or leading zero, of at most 18 digits (so it
  // fits int64; longer ones take the general walk).
  bool integer(std::int64_t& out) {
    const char* const start = p_;
    std::uint64_t value = 0;
    p_ = colibri::detail::parse_digits(p_, end_, value);
    const auto digits = p_ - start;
    if (digits == 0 || digits > 18 || (digits > 1 && *start == '0')) return false;
    out = static_cast<std::int64_t>(value);
    return true;
  }

  // An integer time in ms within Timestamp's range.
  bool time(Timestamp& out) {
    std::int64_t ms = 0;
    if (!integer(ms) || ms > kMaxTimeMs) return false;
    out = Timestamp::from_ms(ms);
    return true;
  }

  // A JSON string of printable ASCII without escapes (so its text is its value); the view is of
  // the characters between the quotes.
  bool plain_string(std::string_view& out) {
    if (p_ == end_ || *p_ != '"') return false;
    const char* const start = ++p_;
    while (p_ != end_ && *p_ >= 0x20 && *p_ <= 0x7e && *p_ != '"' && *p_ != '\\') ++p_;
    if (p_ == end_ || *p_ != '"') return false;
    out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return true;
  }

  // A quoted decimal in the common shape (detail::parse_fixed_prefix), as units of 10^-8: what
  // Price/Quantity::parse give for the same text.
  bool decimal(std::int64_t& raw) {
    if (p_ == end_ || *p_ != '"') return false;
    const char* const stop = colibri::detail::parse_fixed_prefix(p_ + 1, end_, raw);
    if (stop == nullptr || stop == end_ || *stop != '"') return false;
    p_ = stop + 1;
    return true;
  }

  bool boolean(bool& out) {
    if (literal("true")) {
      out = true;
      return true;
    }
    out = false;
    return literal("false");
  }

 private:
  const char* p_;
  const char* const end_;
};

// Text the one-pass reader keeps (stream, symbol) is copied into the parser, as the general walk's
// unescaped strings are; longer text takes the general walk.
constexpr std::size_t kMaxKeptText = 64;

// `text` (at most kMaxKeptText characters) copied into `kept`; a bare message has no stream.
std::string_view keep(std::string_view text, std::array<char, kMaxKeptText>& kept) {
  if (text.empty()) return {};
  std::memcpy(kept.data(), text.data(), text.size());
  return {kept.data(), text.size()};
}

}  // namespace

bool same_message(const ParsedMessage& a, const ParsedMessage& b) noexcept {
  const auto same_levels = [](std::span<const model::PriceLevel> x, std::span<const model::PriceLevel> y) {
    return std::ranges::equal(x, y);
  };
  const model::BookDiff& da = a.diff;
  const model::BookDiff& db = b.diff;
  const model::BookSnapshot& sa = a.snapshot;
  const model::BookSnapshot& sb = b.snapshot;
  const model::PublicTrade& ta = a.trade;
  const model::PublicTrade& tb = b.trade;
  const model::BookTicker& ka = a.ticker;
  const model::BookTicker& kb = b.ticker;
  return a.kind == b.kind && a.stream == b.stream && a.event_type == b.event_type && a.symbol == b.symbol &&
         da.first_update_id == db.first_update_id && da.last_update_id == db.last_update_id &&
         da.prev_last_update_id == db.prev_last_update_id && da.exchange_time == db.exchange_time &&
         da.local_time == db.local_time && same_levels(da.bids, db.bids) && same_levels(da.asks, db.asks) &&
         sa.last_update_id == sb.last_update_id && sa.exchange_time == sb.exchange_time &&
         sa.local_time == sb.local_time && same_levels(sa.bids, sb.bids) && same_levels(sa.asks, sb.asks) &&
         ta.price == tb.price && ta.quantity == tb.quantity && ta.aggressor == tb.aggressor &&
         ta.trade_id == tb.trade_id && ta.exchange_time == tb.exchange_time && ta.local_time == tb.local_time &&
         ka.update_id == kb.update_id && ka.best_bid == kb.best_bid && ka.best_ask == kb.best_ask &&
         ka.exchange_time == kb.exchange_time && ka.local_time == kb.local_time;
}

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
// json_'s string buffer, the parsed input or kept_stream_/kept_symbol_.
struct MessageParser::Impl {
  explicit Impl(Reading reading) : reading_(reading) {}

  Reading reading_;
  bool one_pass_ = false;  // the last message was read by the one-pass reader
  std::array<char, kMaxKeptText> kept_stream_{};
  std::array<char, kMaxKeptText> kept_symbol_{};
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
  bool scan_levels(Cursor& in, std::vector<model::PriceLevel>& side);
  bool read_one_pass(const char* json, std::size_t size, Timestamp local_time);
  bool one_pass_diff(Cursor& in, Timestamp local_time);
  bool one_pass_trade(Cursor& in, Timestamp local_time);
  bool one_pass_ticker(Cursor& in, Timestamp local_time);
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

MessageParser::MessageParser(Reading reading) : impl_(std::make_unique<Impl>(reading)) {}
MessageParser::~MessageParser() = default;
MessageParser::MessageParser(MessageParser&&) noexcept = default;
MessageParser& MessageParser::operator=(MessageParser&&) noexcept = default;

Result<const ParsedMessage*> MessageParser::parse(std::string_view json, Timestamp local_time) {
  if (json.size() > kMaxMessageBytes) {
    return fail(ErrorCode::Corrupt, "message of {} bytes exceeds the limit of {}", json.size(),
                kMaxMessageBytes);
  }
  Impl& impl = *impl_;
  // The one-pass reader reads nothing past the text, so it needs no padded copy.
  if (impl.read_one_pass(json.data(), json.size(), local_time)) return &impl.message_;
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
  if (impl_->read_one_pass(json.data(), json.size(), local_time)) return &impl_->message_;
  return impl_->parse(json.data(), json.size(), json.size() + kPadding, local_time);
}

bool MessageParser::last_read_one_pass() const noexcept { return impl_->one_pass_; }

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
  one_pass_ = false;
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
    std::string_view key;
    if (auto error = member_key(field, key)) return malformed("member key", error);
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
    return fail(ErrorCode::Corrupt, "member {}: nested deeper than {}", quote_untrusted(key), kMaxDepth);
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
      if (!is_null) return fail(ErrorCode::Corrupt, "member {}: malformed JSON (bad null)", quote_untrusted(key));
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
// those the general walk would read. On success `in` is after the array's ']'. The general walk
// leaves the array unconsumed and skips it; the one-pass reader continues there.
bool MessageParser::Impl::scan_levels(Cursor& in, std::vector<model::PriceLevel>& side) {
  const std::size_t first = side.size();
  const auto give_up = [&] {
    side.resize(first);
    return false;
  };
  if (!in.literal("[")) return false;
  if (in.literal("]")) return true;
  do {
    std::int64_t price = 0;
    std::int64_t quantity = 0;
    if (!(in.literal("[") && in.decimal(price) && price > 0 && in.literal(",") && in.decimal(quantity) &&
          quantity >= 0 && in.literal("]"))) {
      return give_up();
    }
    if (bids_.size() + asks_.size() >= MessageParser::kMaxLevels) return give_up();
    side.push_back(model::PriceLevel{Price::from_raw(price), Quantity::from_raw(quantity)});
  } while (in.literal(","));
  return in.literal("]") || give_up();
}

// The one-pass reader: Binance's exact forms of depthUpdate, trade and bookTicker (see the header),
// read in one pass over the text without simdjson. Returns false on the first deviation, leaving
// message_, bids_ and asks_ for the general walk to reset.
bool MessageParser::Impl::read_one_pass(const char* json, std::size_t size, Timestamp local_time) {
  one_pass_ = false;
  if (reading_ != Reading::OnePassFirst) return false;
  message_ = ParsedMessage{};
  bids_.clear();
  asks_.clear();
  text_end_ = json + size;
  Cursor in(json, text_end_);
  std::string_view stream;
  const bool enveloped = in.literal(R"({"stream":)");
  if (enveloped && !(in.plain_string(stream) && in.literal(R"(,"data":)"))) return false;
  bool read = false;
  if (in.literal(R"({"e":"depthUpdate",)")) {
    read = one_pass_diff(in, local_time);
  } else if (in.literal(R"({"e":"trade",)")) {
    read = one_pass_trade(in, local_time);
  } else if (in.literal("{")) {
    read = one_pass_ticker(in, local_time);
  }
  if (!read || (enveloped && !in.literal("}")) || !in.at_end()) return false;
  if (stream.size() > kMaxKeptText || message_.symbol.size() > kMaxKeptText) return false;
  // Copied so that the message does not refer to the caller's text (as with the general walk).
  message_.stream = keep(stream, kept_stream_);
  message_.symbol = keep(message_.symbol, kept_symbol_);
  one_pass_ = true;
  return true;
}

// After {"e":"depthUpdate",  spot: "E","s","U","u","b","a"; futures: "E","T","s",("ps",)"U","u","pu","b","a".
bool MessageParser::Impl::one_pass_diff(Cursor& in, Timestamp local_time) {
  model::BookDiff& diff = message_.diff;
  std::int64_t transaction_time = 0;  // futures "T": not used
  std::string_view pair;              // COIN-M "ps": not used
  if (!(in.literal(R"("E":)") && in.time(diff.exchange_time))) return false;
  if (in.literal(R"(,"T":)") && !in.integer(transaction_time)) return false;
  if (!(in.literal(R"(,"s":)") && in.plain_string(message_.symbol))) return false;
  if (in.literal(R"(,"ps":)") && !in.plain_string(pair)) return false;
  if (!(in.literal(R"(,"U":)") && in.integer(diff.first_update_id) && in.literal(R"(,"u":)") &&
        in.integer(diff.last_update_id))) {
    return false;
  }
  if (in.literal(R"(,"pu":)") && !in.integer(diff.prev_last_update_id)) return false;
  if (!(in.literal(R"(,"b":)") && scan_levels(in, bids_) && in.literal(R"(,"a":)") &&
        scan_levels(in, asks_) && in.literal("}"))) {
    return false;
  }
  diff.local_time = local_time;
  diff.bids = bids_;
  diff.asks = asks_;
  message_.event_type = "depthUpdate";
  message_.kind = MessageKind::DepthDiff;
  return true;
}

// After {"e":"trade",  spot: "E","s","t","p","q","T","m","M"; USD-M: "E","T","s","t","p","q","X","m".
bool MessageParser::Impl::one_pass_trade(Cursor& in, Timestamp local_time) {
  model::PublicTrade& trade = message_.trade;
  Timestamp event_time;
  Timestamp trade_time;
  bool has_trade_time = false;
  std::int64_t price = 0;
  std::int64_t quantity = 0;
  std::string_view execution;  // USD-M "X": not used
  bool buyer_is_maker = false;
  bool best_match = false;  // spot "M": not used
  if (!(in.literal(R"("E":)") && in.time(event_time))) return false;
  if (in.literal(R"(,"T":)")) {
    if (!in.time(trade_time)) return false;
    has_trade_time = true;
  }
  if (!(in.literal(R"(,"s":)") && in.plain_string(message_.symbol) && in.literal(R"(,"t":)") &&
        in.integer(trade.trade_id) && in.literal(R"(,"p":)") && in.decimal(price) && price > 0 &&
        in.literal(R"(,"q":)") && in.decimal(quantity) && quantity >= 0)) {
    return false;
  }
  if (!has_trade_time && in.literal(R"(,"T":)")) {
    if (!in.time(trade_time)) return false;
    has_trade_time = true;
  }
  if (in.literal(R"(,"X":)") && !in.plain_string(execution)) return false;
  if (!(in.literal(R"(,"m":)") && in.boolean(buyer_is_maker))) return false;
  if (in.literal(R"(,"M":)") && !in.boolean(best_match)) return false;
  if (!in.literal("}")) return false;
  trade.price = Price::from_raw(price);
  trade.quantity = Quantity::from_raw(quantity);
  trade.aggressor = buyer_is_maker ? model::Side::Sell : model::Side::Buy;
  trade.exchange_time = has_trade_time ? trade_time : event_time;
  trade.local_time = local_time;
  message_.event_type = "trade";
  message_.kind = MessageKind::Trade;
  return true;
}

// After {  spot: "u","s","b","B","a","A"; USD-M: "e","u","s","b","B","a","A","T","E";
// COIN-M: "u","e","s","ps","b","B","a","A","T","E".
bool MessageParser::Impl::one_pass_ticker(Cursor& in, Timestamp local_time) {
  model::BookTicker& ticker = message_.ticker;
  bool has_event_type = in.literal(R"("e":"bookTicker",)");
  std::int64_t transaction_time = 0;  // futures "T": not used
  std::string_view pair;              // COIN-M "ps": not used
  std::int64_t bid = 0;
  std::int64_t bid_quantity = 0;
  std::int64_t ask = 0;
  std::int64_t ask_quantity = 0;
  if (!(in.literal(R"("u":)") && in.integer(ticker.update_id))) return false;
  if (!has_event_type) has_event_type = in.literal(R"(,"e":"bookTicker")");
  if (!(in.literal(R"(,"s":)") && in.plain_string(message_.symbol))) return false;
  if (in.literal(R"(,"ps":)") && !in.plain_string(pair)) return false;
  if (!(in.literal(R"(,"b":)") && in.decimal(bid) && bid >= 0 && in.literal(R"(,"B":)") &&
        in.decimal(bid_quantity) && bid_quantity >= 0 && in.literal(R"(,"a":)") && in.decimal(ask) && ask >= 0 &&
        in.literal(R"(,"A":)") && in.decimal(ask_quantity) && ask_quantity >= 0)) {
    return false;
  }
  if (in.literal(R"(,"T":)") && !in.integer(transaction_time)) return false;
  if (in.literal(R"(,"E":)") && !in.time(ticker.exchange_time)) return false;
  if (!in.literal("}")) return false;
  ticker.best_bid = {Price::from_raw(bid), Quantity::from_raw(bid_quantity)};
  ticker.best_ask = {Price::from_raw(ask), Quantity::from_raw(ask_quantity)};
  ticker.local_time = local_time;
  if (has_event_type) message_.event_type = "bookTicker";
  message_.kind = MessageKind::BookTicker;
  return true;
}

Result<void> MessageParser::Impl::read_levels(std::string_view key, od::value& value,
                                              std::vector<model::PriceLevel>& side) {
  if (Cursor in(value.raw_json_token().data(), text_end_); scan_levels(in, side)) return {};
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
    flag("member \"{}\": {} is not a 64-bit integer", key_of(member), quote_untrusted(value->text));
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
