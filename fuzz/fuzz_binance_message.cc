// libFuzzer target: MessageParser on arbitrary bytes, through both the copying and the zero-copy
// (caller-padded) entry points. Any input must parse or fail cleanly (no crash, no UB, no hang
// under ASan/UBSan); both entry points must agree; the one-pass reader must give exactly what the
// general walk alone gives (a parser with Reading::GeneralOnly reads every input too: same
// message, or the same error); and a parsed message must satisfy the header's contract: levels
// within the cap, prices positive, quantities not negative, views inside bounds.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "colibri/venue/binance/message_parser.h"

namespace {

using colibri::venue::binance::MessageKind;
using colibri::venue::binance::MessageParser;
using colibri::venue::binance::ParsedMessage;

constexpr colibri::Timestamp kLocal = colibri::Timestamp::from_ns(1'723'161'254'000'000'000);

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz_binance_message: %s\n", what);
  std::abort();
}

void check_levels(std::span<const colibri::model::PriceLevel> levels) {
  for (const colibri::model::PriceLevel& level : levels) {
    if (!level.price.is_positive()) violated("level price not positive");
    if (level.quantity.is_negative()) violated("level quantity negative");
  }
}

// What one parse produced, to compare the two entry points.
struct Summary {
  bool ok = false;
  MessageKind kind = MessageKind::Unknown;
  std::size_t levels = 0;
  friend bool operator==(const Summary&, const Summary&) = default;
};

Summary check(const colibri::Result<const ParsedMessage*>& parsed, std::size_t input_size) {
  if (!parsed) {
    if (parsed.error().message().empty()) violated("error without a message");
    return {};
  }
  const ParsedMessage& m = **parsed;
  if (m.stream.size() > input_size || m.symbol.size() > input_size || m.event_type.size() > input_size) {
    violated("text view longer than the input");
  }
  std::size_t levels = 0;
  switch (m.kind) {
    case MessageKind::DepthDiff:
      check_levels(m.diff.bids);
      check_levels(m.diff.asks);
      levels = m.diff.bids.size() + m.diff.asks.size();
      if (m.diff.local_time != kLocal || m.diff.exchange_time.is_none()) violated("diff times");
      if (m.diff.first_update_id < 0 || m.diff.last_update_id < 0) violated("diff ids");
      break;
    case MessageKind::DepthSnapshot:
      check_levels(m.snapshot.bids);
      check_levels(m.snapshot.asks);
      levels = m.snapshot.bids.size() + m.snapshot.asks.size();
      if (m.snapshot.last_update_id < 0) violated("snapshot id");
      break;
    case MessageKind::Trade:
      if (!m.trade.price.is_positive() || m.trade.quantity.is_negative()) violated("trade values");
      if (m.trade.exchange_time.is_none() || m.trade.local_time != kLocal) violated("trade times");
      break;
    case MessageKind::BookTicker:
      if (m.ticker.best_bid.price.is_negative() || m.ticker.best_ask.quantity.is_negative()) {
        violated("ticker values");
      }
      break;
    case MessageKind::Unknown:
      break;
  }
  // A level takes at least 9 bytes of JSON (["1","0"],).
  if (levels > MessageParser::kMaxLevels || levels * 9 > input_size + 1) violated("level count");
  return {true, m.kind, levels};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Reused across inputs, as in production: buffers carry over from message to message.
  static MessageParser parser;
  static std::vector<char> padded;
  const std::string_view json(reinterpret_cast<const char*>(data), size);

  const Summary copied = check(parser.parse(json, kLocal), size);

  padded.assign(json.begin(), json.end());
  padded.resize(size + MessageParser::kPadding, '\0');
  const auto parsed = parser.parse_padded(std::string_view(padded.data(), size), kLocal);
  const Summary in_place = check(parsed, size);
  if (!(copied == in_place)) violated("padded and unpadded parses disagree");

  static MessageParser general(MessageParser::Reading::GeneralOnly);
  const auto walked = general.parse(json, kLocal);
  if (parsed.has_value() != walked.has_value()) violated("one-pass and general reading disagree on success");
  if (!parsed) {
    if (parsed.error().message() != walked.error().message()) violated("one-pass and general errors differ");
  } else if (!colibri::venue::binance::same_message(**parsed, **walked)) {
    violated("one-pass and general reading give different messages");
  }
  return 0;
}
