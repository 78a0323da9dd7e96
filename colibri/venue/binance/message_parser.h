#pragma once
// MessageParser: one Binance market-data JSON message (WebSocket frame or REST depth response)
// into the model's market-data types, without allocating in steady state (DESIGN.md decisions 8, 9).
//
// Accepted messages, bare `{...}` or in the combined-stream envelope
// `{"stream":"btcusdt@depth@100ms","data":{...}}`, spot, USD-M and COIN-M futures alike:
//   depthUpdate  {"e":"depthUpdate","E","s","U","u","b":[[p,q],...],"a":[...]} (+ futures "T","pu","ps")
//                -> DepthDiff: U -> first_update_id, u -> last_update_id, pu -> prev_last_update_id
//                   (kNoUpdateId when absent, as on spot), E -> exchange_time.
//   REST depth   {"lastUpdateId","bids":[...],"asks":[...]} (+ futures "E","T", COIN-M "symbol","pair")
//                -> DepthSnapshot: exchange_time = E when present, else none.
//   trade        {"e":"trade","E","s","t","p","q","T","m"} -> Trade: trade_id = t, exchange_time = T
//                (E when T is absent), aggressor Sell when m is true (the buyer was the maker).
//   aggTrade     {"e":"aggTrade","E","s","a","p","q","f","l","T","m"} -> Trade with trade_id = a.
//   bookTicker   spot {"u","s","b","B","a","A"} (no "e"), futures {"e":"bookTicker",...,"T","E"}
//                -> BookTicker: exchange_time = E when present, else none (spot).
// Anything else that is a well-formed JSON object or array (other event types, subscription replies
// like {"result":null,"id":1}, array streams) is MessageKind::Unknown, which is not an error.
// In an envelope the message is the "data" object; other members beside it are ignored.
//
// What is checked. Member order never matters; unknown members are skipped. Prices and quantities
// are JSON strings parsed exactly (Price::parse / Quantity::parse); ids and times are JSON integers
// (>= 0, times at most year 2262). Every member the message's kind uses is required unless noted
// above, must have the documented type and range, and appears at most once. Level arrays ("b", "a",
// "bids", "asks" with an array value) are read wherever they occur and must hold [price, quantity]
// string pairs with price > 0 and quantity >= 0 (ticker prices may be 0); a message holds at most
// kMaxLevels levels and kMaxMessageBytes bytes. The whole text must be valid JSON: simdjson's
// structural pass checks brackets, string quoting and UTF-8, and every value is read or walked
// (skipped members too, nested at most 32 deep), so {"k":[1,}} or {"x":tru} is Corrupt, not
// Unknown. The top-level value must be an object (an array is Unknown) and only whitespace may
// follow it. Members no kind uses (futures "T" on a diff, "X", "M", "ps") are checked for JSON
// syntax only, not for type or range.
//
// How it reads. A one-pass reader first tries the exact form Binance writes depthUpdate, trade and
// bookTicker messages in (bare or in the envelope): members in Binance's order, the optional ones
// of each market (futures "T", "pu", "ps", "X"; spot trade "M") only where Binance puts them, no
// whitespace, no escapes, printable ASCII text, plain integers, decimals in the common shape. It
// reads the text once, checking every byte, and gives up on the first deviation; the general walk
// (simdjson On-Demand, any order, every check above) then reads the message from the start. Both
// give the same result for every input the one-pass reader accepts (fuzz/fuzz_binance_message.cc
// compares them on every input).
//
// Errors: malformed input returns ErrorCode::Corrupt with a message naming the member and the
// problem (e.g. `member "b" level 3: invalid price "1.2.3": ...`). The parser stays usable.
//
// Lifetime: the ParsedMessage returned by parse() and everything it refers to (stream and symbol
// text, the level spans of diff and snapshot) belong to the parser and stay valid until its next
// parse() call or its destruction. Consumers that keep data longer copy it.
//
// Thread-safety: none. One MessageParser per thread (it is owned by the event-loop thread or a
// file reader); distinct parsers are independent.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "colibri/core/result.h"
#include "colibri/core/time.h"
#include "colibri/model/market_data.h"

namespace colibri::venue::binance {

enum class MessageKind : std::uint8_t { DepthDiff, DepthSnapshot, Trade, BookTicker, Unknown };

[[nodiscard]] std::string_view to_string(MessageKind kind) noexcept;

// One parsed message. Only the member named by `kind` is meaningful; the others hold their defaults.
struct ParsedMessage {
  MessageKind kind = MessageKind::Unknown;
  std::string_view stream;       // envelope "stream" ("btcusdt@depth@100ms"); empty for a bare message
  std::string_view event_type;   // "e" ("depthUpdate", "kline", ...); empty when absent
  std::string_view symbol;       // "s" (or the REST snapshot's "symbol"); empty when absent
  model::BookDiff diff;          // kind == DepthDiff
  model::BookSnapshot snapshot;  // kind == DepthSnapshot
  model::PublicTrade trade;      // kind == Trade
  model::BookTicker ticker;      // kind == BookTicker
};

// Whether two parsed messages say the same: kind, texts, and every field of every member (levels
// compared element by element). Views may point to different memory.
[[nodiscard]] bool same_message(const ParsedMessage& a, const ParsedMessage& b) noexcept;

// Owns the simdjson parser and the reusable buffers. Movable; a moved-from parser may only be
// destroyed or assigned to.
class MessageParser {
 public:
  // Bytes past the end of the message that parse_padded() may read (simdjson's SIMDJSON_PADDING).
  static constexpr std::size_t kPadding = 64;
  // Larger messages are rejected (Binance's largest, a 5000-level REST snapshot, is ~300 KB).
  static constexpr std::size_t kMaxMessageBytes = std::size_t{16} << 20;
  // Bids plus asks in one message; more is rejected so that hostile input cannot grow the buffers
  // without bound (Binance sends at most 5000 per side).
  static constexpr std::size_t kMaxLevels = 100'000;

  // Which readers parse() uses: the one-pass reader with the general walk as its fallback (the
  // default), or the general walk alone (to compare the two, in tests and fuzzing).
  enum class Reading : std::uint8_t { OnePassFirst, GeneralOnly };

  explicit MessageParser(Reading reading = Reading::OnePassFirst);
  ~MessageParser();
  MessageParser(MessageParser&&) noexcept;
  MessageParser& operator=(MessageParser&&) noexcept;
  MessageParser(const MessageParser&) = delete;
  MessageParser& operator=(const MessageParser&) = delete;

  // Parses `json`, stamping `local_time` (when it was received) on the result. Copies the text into
  // an internal padded buffer first (which grows to the largest message seen, then stays).
  // Returns the parsed message (valid until the next call) or Corrupt naming what is wrong.
  [[nodiscard]] Result<const ParsedMessage*> parse(std::string_view json, Timestamp local_time);

  // Zero-copy variant. Precondition: the kPadding bytes after json.data() + json.size() are
  // readable (their content does not matter), e.g. a receive buffer allocated with that slack.
  [[nodiscard]] Result<const ParsedMessage*> parse_padded(std::string_view json, Timestamp local_time);

  // Whether the last parse() or parse_padded() was read by the one-pass reader (false after an
  // error, which only the general walk reports).
  [[nodiscard]] bool last_read_one_pass() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace colibri::venue::binance
