// MessageParser on the real Binance recordings (../shared/data/binance, read in place): every line
// parses, each kind occurs, and every price and quantity string reads back exactly as recorded,
// checked against an extraction of the strings from the raw text that does not use the parser.
// Every diff, trade and ticker is read by the one-pass reader, with the same result as the general walk.

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include "colibri/testing/sample_data.h"
#include "colibri/venue/binance/message_parser.h"

namespace colibri::venue::binance {
namespace {

// One gzip text file, line by line.
class GzipLines {
 public:
  explicit GzipLines(const std::filesystem::path& path) : file_(gzopen(path.c_str(), "rb")) {
    if (file_ != nullptr) gzbuffer(file_, 1 << 20);
  }
  ~GzipLines() {
    if (file_ != nullptr) gzclose(file_);
  }
  GzipLines(const GzipLines&) = delete;
  GzipLines& operator=(const GzipLines&) = delete;

  [[nodiscard]] bool is_open() const { return file_ != nullptr; }
  // The next line without its newline; false at the end of the file.
  bool next(std::string& line) {
    line.clear();
    while (gzgets(file_, chunk_, sizeof(chunk_)) != nullptr) {
      line += chunk_;
      if (!line.empty() && line.back() == '\n') {
        line.pop_back();
        return true;
      }
    }
    return !line.empty();
  }

 private:
  gzFile file_;
  char chunk_[1 << 16];
};

// The number of digits after the point in a decimal string.
int decimals_of(std::string_view text) {
  const std::size_t point = text.find('.');
  return point == std::string_view::npos ? 0 : static_cast<int>(text.size() - point - 1);
}

// True when `value` printed with all 8 decimals is `text` padded with zeros to 8 decimals
// ("61234.5" -> "61234.50000000", "1001" -> "1001.00000000"): the exact value, nothing lost or added.
template <typename T>
bool reads_back_as(T value, std::string_view text) {
  const int decimals = decimals_of(text);
  if (decimals > T::kDecimals) return false;
  std::string padded(text);
  if (decimals == 0) padded += '.';
  padded.append(static_cast<std::size_t>(T::kDecimals - decimals), '0');
  return value.to_string(T::kDecimals) == padded;
}

// `"key":` followed by `suffix` (appended piecewise: GCC 12 warns falsely on operator+ chains).
std::string member_prefix(std::string_view key, std::string_view suffix) {
  std::string needle;
  needle.reserve(key.size() + 4);
  needle += '"';
  needle += key;
  needle += "\":";
  needle += suffix;
  return needle;
}

// The string value of `"key":"..."` in raw JSON (the first occurrence), or empty.
std::string_view raw_string_member(std::string_view json, std::string_view key) {
  const std::string needle = member_prefix(key, "\"");
  const std::size_t at = json.find(needle);
  if (at == std::string_view::npos) return {};
  const std::size_t start = at + needle.size();
  return json.substr(start, json.find('"', start) - start);
}

struct RawLevel {
  std::string_view price;
  std::string_view quantity;
};

// The ["price","quantity"] pairs of `"key":[...]` in raw JSON, read by hand.
std::vector<RawLevel> raw_levels(std::string_view json, std::string_view key) {
  std::vector<RawLevel> levels;
  const std::string needle = member_prefix(key, "[");
  std::size_t at = json.find(needle);
  if (at == std::string_view::npos) return levels;
  at += needle.size();
  while (at < json.size() && json[at] != ']') {
    if (json[at] == ',') ++at;
    // ["p","q"]
    const std::size_t price_start = at + 2;
    const std::size_t price_end = json.find('"', price_start);
    const std::size_t quantity_start = price_end + 3;
    const std::size_t quantity_end = json.find('"', quantity_start);
    levels.push_back({json.substr(price_start, price_end - price_start),
                      json.substr(quantity_start, quantity_end - quantity_start)});
    at = quantity_end + 2;
  }
  return levels;
}

enum class Market { Spot, UsdM, CoinM };

struct Counts {
  std::size_t lines = 0;
  std::size_t diffs = 0;
  std::size_t snapshots = 0;
  std::size_t trades = 0;
  std::size_t tickers = 0;
  std::size_t decimals_checked = 0;
  std::size_t one_pass = 0;
};

void expect_levels_read_back(std::span<const model::PriceLevel> parsed, const std::vector<RawLevel>& raw,
                             std::string_view json, Counts& counts) {
  ASSERT_EQ(parsed.size(), raw.size()) << json.substr(0, 200);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    ASSERT_TRUE(reads_back_as(parsed[i].price, raw[i].price))
        << raw[i].price << " read as " << parsed[i].price.to_string();
    ASSERT_TRUE(reads_back_as(parsed[i].quantity, raw[i].quantity))
        << raw[i].quantity << " read as " << parsed[i].quantity.to_string();
  }
  counts.decimals_checked += 2 * raw.size();
}

void expect_decimal_read_back(auto parsed, std::string_view json, std::string_view key, Counts& counts) {
  const std::string_view raw = raw_string_member(json, key);
  ASSERT_FALSE(raw.empty()) << key << " in " << json;
  ASSERT_TRUE(reads_back_as(parsed, raw)) << key << ": " << raw << " read as " << parsed.to_string();
  ++counts.decimals_checked;
}

// Parses every line of one recording and checks it against the raw text.
void check_recording(const std::filesystem::path& path, Market market, std::string_view symbol,
                     bool has_snapshot) {
  GzipLines lines(path);
  ASSERT_TRUE(lines.is_open()) << path;
  MessageParser parser;
  MessageParser general(MessageParser::Reading::GeneralOnly);
  std::string line;
  std::vector<char> padded;
  Counts counts;
  const bool futures = market != Market::Spot;
  while (lines.next(line)) {
    ++counts.lines;
    const std::size_t space = line.find(' ');
    ASSERT_NE(space, std::string::npos) << "line " << counts.lines;
    std::int64_t local_ns = 0;
    ASSERT_EQ(std::from_chars(line.data(), line.data() + space, local_ns).ec, std::errc());
    const std::string_view json = std::string_view(line).substr(space + 1);

    // Alternate between the copying and the zero-copy entry points.
    Result<const ParsedMessage*> parsed = parser.parse(json, Timestamp::from_ns(local_ns));
    if (counts.lines % 2 == 0) {
      padded.assign(json.begin(), json.end());
      padded.resize(json.size() + MessageParser::kPadding, '\0');
      parsed =
          parser.parse_padded(std::string_view(padded.data(), json.size()), Timestamp::from_ns(local_ns));
    }
    ASSERT_TRUE(parsed) << path.filename() << " line " << counts.lines << ": " << parsed.error().describe();
    const ParsedMessage& m = **parsed;
    counts.one_pass += parser.last_read_one_pass() ? 1 : 0;
    const auto walked = general.parse(json, Timestamp::from_ns(local_ns));
    ASSERT_TRUE(walked) << json.substr(0, 200);
    ASSERT_TRUE(same_message(m, **walked)) << json.substr(0, 200);
    const bool enveloped = json.starts_with(R"({"stream":)");
    EXPECT_EQ(!m.stream.empty(), enveloped) << json;

    switch (m.kind) {
      case MessageKind::DepthDiff:
        ++counts.diffs;
        ASSERT_EQ(m.symbol, symbol);
        ASSERT_EQ(m.diff.local_time, Timestamp::from_ns(local_ns));
        ASSERT_FALSE(m.diff.exchange_time.is_none());
        ASSERT_LE(m.diff.first_update_id, m.diff.last_update_id);
        ASSERT_EQ(m.diff.prev_last_update_id != model::kNoUpdateId, futures) << json;
        expect_levels_read_back(m.diff.bids, raw_levels(json, "b"), json, counts);
        expect_levels_read_back(m.diff.asks, raw_levels(json, "a"), json, counts);
        break;
      case MessageKind::DepthSnapshot:
        ++counts.snapshots;
        ASSERT_FALSE(enveloped);
        ASSERT_GT(m.snapshot.last_update_id, 0);
        ASSERT_EQ(m.snapshot.exchange_time.is_none(), !futures);
        if (market == Market::CoinM) {
          ASSERT_EQ(m.symbol, symbol);
        }
        ASSERT_GT(m.snapshot.bids.size(), 100U);
        ASSERT_GT(m.snapshot.asks.size(), 100U);
        expect_levels_read_back(m.snapshot.bids, raw_levels(json, "bids"), json, counts);
        expect_levels_read_back(m.snapshot.asks, raw_levels(json, "asks"), json, counts);
        break;
      case MessageKind::Trade:
        ++counts.trades;
        ASSERT_EQ(m.symbol, symbol);
        ASSERT_GT(m.trade.trade_id, 0);
        ASSERT_EQ(m.trade.aggressor == model::Side::Sell, json.find(R"("m":true)") != std::string_view::npos);
        expect_decimal_read_back(m.trade.price, json, "p", counts);
        expect_decimal_read_back(m.trade.quantity, json, "q", counts);
        break;
      case MessageKind::BookTicker:
        ++counts.tickers;
        ASSERT_EQ(m.symbol, symbol);
        ASSERT_EQ(m.ticker.exchange_time.is_none(), !futures);
        ASSERT_LT(m.ticker.best_bid.price, m.ticker.best_ask.price);
        expect_decimal_read_back(m.ticker.best_bid.price, json, "b", counts);
        expect_decimal_read_back(m.ticker.best_bid.quantity, json, "B", counts);
        expect_decimal_read_back(m.ticker.best_ask.price, json, "a", counts);
        expect_decimal_read_back(m.ticker.best_ask.quantity, json, "A", counts);
        break;
      case MessageKind::Unknown:
        FAIL() << "unexpected Unknown message: " << json.substr(0, 200);
    }
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GT(counts.lines, 10'000U);
  EXPECT_GT(counts.diffs, 0U);
  EXPECT_GT(counts.trades, 0U);
  EXPECT_GT(counts.tickers, 0U);
  EXPECT_EQ(counts.snapshots, has_snapshot ? 1U : 0U);
  EXPECT_EQ(counts.diffs + counts.snapshots + counts.trades + counts.tickers, counts.lines);
  EXPECT_GT(counts.decimals_checked, 4 * counts.lines);
  EXPECT_EQ(counts.one_pass, counts.diffs + counts.trades + counts.tickers);
  ::testing::Test::RecordProperty("decimals_checked", std::to_string(counts.decimals_checked));
}

TEST(MessageParserOnRecordings, SpotBtcusdt0808) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(path, "binance/spot/btcusdt_20240808.gz");
  check_recording(path, Market::Spot, "BTCUSDT", true);
}
TEST(MessageParserOnRecordings, SpotBtcusdt0809) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(path, "binance/spot/btcusdt_20240809.gz");
  check_recording(path, Market::Spot, "BTCUSDT", false);
}
TEST(MessageParserOnRecordings, SpotEthusdt0808) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(path, "binance/spot/ethusdt_20240808.gz");
  check_recording(path, Market::Spot, "ETHUSDT", true);
}
TEST(MessageParserOnRecordings, SpotEthusdt0809) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(path, "binance/spot/ethusdt_20240809.gz");
  check_recording(path, Market::Spot, "ETHUSDT", false);
}
TEST(MessageParserOnRecordings, UsdmBtcusdt0808) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(path, "binance/usdm/btcusdt_20240808.gz");
  check_recording(path, Market::UsdM, "BTCUSDT", true);
}
TEST(MessageParserOnRecordings, UsdmEthusdt0808) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(path, "binance/usdm/ethusdt_20240808.gz");
  check_recording(path, Market::UsdM, "ETHUSDT", true);
}
TEST(MessageParserOnRecordings, CoinmBtcusdPerp0808) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(path, "binance/cm/btcusd_perp_20240808.gz");
  check_recording(path, Market::CoinM, "BTCUSD_PERP", true);
}
TEST(MessageParserOnRecordings, CoinmBtcusdPerp0809) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(path, "binance/cm/btcusd_perp_20240809.gz");
  check_recording(path, Market::CoinM, "BTCUSD_PERP", false);
}
TEST(MessageParserOnRecordings, CoinmEthusdPerp0808) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(path, "binance/cm/ethusd_perp_20240808.gz");
  check_recording(path, Market::CoinM, "ETHUSD_PERP", true);
}
TEST(MessageParserOnRecordings, CoinmEthusdPerp0809) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(path, "binance/cm/ethusd_perp_20240809.gz");
  check_recording(path, Market::CoinM, "ETHUSD_PERP", false);
}

// The read-back check can fail: a value one unit off, or read with a digit lost, is caught.
TEST(MessageParserOnRecordings, ReadBackCheckDetectsWrongValues) {
  EXPECT_TRUE(reads_back_as(*Price::parse("61234.5"), "61234.5"));
  EXPECT_TRUE(reads_back_as(*Price::parse("61837.63"), "61837.63000000"));
  EXPECT_TRUE(reads_back_as(*Quantity::parse("1001"), "1001"));
  EXPECT_FALSE(reads_back_as(*Price::parse("61234.50000001"), "61234.5"));
  EXPECT_FALSE(reads_back_as(*Price::parse("6123.45"), "61234.5"));
  EXPECT_FALSE(reads_back_as(*Quantity::parse("100"), "1001"));
  EXPECT_FALSE(reads_back_as(*Quantity::parse("1"), "1.000000000"));
  const std::vector<RawLevel> raw = raw_levels(R"({"b":[["1.5","2"],["1.25","0.000"]],"a":[]})", "b");
  ASSERT_EQ(raw.size(), 2U);
  EXPECT_EQ(raw[1].price, "1.25");
  EXPECT_EQ(raw[1].quantity, "0.000");
  EXPECT_TRUE(raw_levels(R"({"b":[],"a":[]})", "a").empty());
}

}  // namespace
}  // namespace colibri::venue::binance
