#include "colibri/data/event_log.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include <fmt/format.h>
#include <zlib.h>

#include <gtest/gtest.h>

#include "colibri/testing/sample_data.h"

namespace colibri::data {
namespace {

using model::PriceLevel;

// Captures every event as one line of text, so sequences compare exactly.
class CaptureSink final : public MarketEventSink {
 public:
  std::vector<std::string> lines;
  void on_snapshot(const model::BookSnapshot& s) override {
    lines.push_back(fmt::format("S {} {} {} {}{}", s.last_update_id, s.exchange_time.ns(), s.local_time.ns(),
                                levels(s.bids), levels(s.asks)));
  }
  void on_diff(const model::BookDiff& d) override {
    lines.push_back(fmt::format("D {} {} {} {} {} {}{}", d.first_update_id, d.last_update_id, d.prev_last_update_id,
                                d.exchange_time.ns(), d.local_time.ns(), levels(d.bids), levels(d.asks)));
  }
  void on_trade(const model::PublicTrade& t) override {
    lines.push_back(fmt::format("T {} {} {} {} {} {}", t.trade_id, t.price, t.quantity, model::to_string(t.aggressor),
                                t.exchange_time.ns(), t.local_time.ns()));
  }
  void on_ticker(const model::BookTicker& t) override {
    lines.push_back(fmt::format("K {} {}@{} {}@{} {} {}", t.update_id, t.best_bid.quantity, t.best_bid.price,
                                t.best_ask.quantity, t.best_ask.price, t.exchange_time.ns(), t.local_time.ns()));
  }

 private:
  static std::string levels(std::span<const PriceLevel> ls) {
    std::string out = "[";
    for (const auto& l : ls) out += fmt::format("{}x{} ", l.price, l.quantity);
    return out + "]";
  }
};

Price P(const char* s) { return *Price::parse(s); }
Quantity Q(const char* s) { return *Quantity::parse(s); }

// Writes a small stream of every record kind to `sink`.
void write_sample_stream(MarketEventSink& sink) {
  const std::vector<PriceLevel> bids = {{P("100.5"), Q("1.25")}, {P("100.4"), Q("2")}};
  const std::vector<PriceLevel> asks = {{P("100.6"), Q("0.5")}};
  model::BookSnapshot s;
  s.last_update_id = 41;
  s.local_time = Timestamp::from_ns(1'000);
  s.bids = bids;
  s.asks = asks;
  sink.on_snapshot(s);
  model::BookDiff d;
  d.first_update_id = 42;
  d.last_update_id = 44;
  d.prev_last_update_id = 41;
  d.exchange_time = Timestamp::from_ms(5);
  d.local_time = Timestamp::from_ns(6'000'000);
  d.bids = std::span(bids).first(1);
  sink.on_diff(d);
  model::PublicTrade t;
  t.trade_id = 9;
  t.price = P("100.6");
  t.quantity = Q("0.1");
  t.aggressor = model::Side::Sell;
  t.exchange_time = Timestamp::from_ms(7);
  t.local_time = Timestamp::from_ms(8);
  sink.on_trade(t);
  model::BookTicker k;
  k.update_id = 44;
  k.best_bid = bids[0];
  k.best_ask = asks[0];
  k.local_time = Timestamp::from_ms(9);
  sink.on_ticker(k);
}

class EventLogTest : public ::testing::Test {
 protected:
  std::filesystem::path write_log() {
    const auto path = dir_ / "sample.clog";
    EventLogInfo info;
    info.symbol = "BTCUSDT";
    info.market = EventLogInfo::Market::BinanceUsdM;
    info.tick_size = P("0.1");
    auto writer = EventLogWriter::create(path, info);
    EXPECT_TRUE(writer) << writer.error().describe();
    write_sample_stream(**writer);
    EXPECT_TRUE((*writer)->finish());
    return path;
  }
  testing::TempDir dir_;
};

TEST_F(EventLogTest, ReadsBackTheIdenticalEventSequence) {
  const auto path = write_log();
  CaptureSink expected;
  write_sample_stream(expected);
  auto reader = EventLogReader::open(path);
  ASSERT_TRUE(reader) << reader.error().describe();
  EXPECT_EQ(reader->info().symbol, "BTCUSDT");
  EXPECT_EQ(reader->info().market, EventLogInfo::Market::BinanceUsdM);
  EXPECT_EQ(reader->info().tick_size, P("0.1"));
  EXPECT_EQ(reader->info().messages, 4u);
  EXPECT_EQ(reader->info().events, 3u + 1u + 1u + 1u);  // 3 snapshot levels, 1 diff level, trade, ticker
  CaptureSink got;
  ASSERT_TRUE(reader->replay(got));
  EXPECT_EQ(got.lines, expected.lines);
  EXPECT_TRUE(EventLogReader::looks_like_event_log(path));
}

TEST_F(EventLogTest, TruncatedFileIsAClearError) {
  const auto path = write_log();
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 5);
  auto reader = EventLogReader::open(path);
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().code(), ErrorCode::Corrupt);
  EXPECT_NE(reader.error().message().find("truncated"), std::string::npos) << reader.error().message();
  EXPECT_NE(reader.error().message().find("sample.clog"), std::string::npos);
  std::filesystem::resize_file(path, 100);
  EXPECT_FALSE(EventLogReader::open(path));
}

TEST_F(EventLogTest, FlippedPayloadByteFailsTheChecksum) {
  const auto path = write_log();
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(300);
    f.put('\x7f');
  }
  auto reader = EventLogReader::open(path);
  ASSERT_FALSE(reader);
  EXPECT_NE(reader.error().message().find("payload checksum"), std::string::npos) << reader.error().message();
}

// Version 1 files (payload checked with zlib's CRC-32 rather than XXH3-64) are still read: rewrite a
// fresh file's header as version 1 would have written it.
TEST_F(EventLogTest, VersionOneFilesWithACrc32AreStillRead) {
  const auto path = write_log();
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto* b = reinterpret_cast<unsigned char*>(bytes.data());
  auto put32 = [&](std::size_t at, std::uint32_t v) { std::memcpy(b + at, &v, 4); };
  put32(8, 1);  // version
  std::memset(b + 96, 0, 8);
  put32(96, static_cast<std::uint32_t>(crc32_z(0, b + 256, bytes.size() - 256)));
  put32(252, static_cast<std::uint32_t>(crc32_z(0, b, 252)));
  const auto v1 = dir_ / "v1.clog";
  std::ofstream(v1, std::ios::binary) << bytes;
  auto reader = EventLogReader::open(v1);
  ASSERT_TRUE(reader) << reader.error().describe();
  CaptureSink expected;
  write_sample_stream(expected);
  CaptureSink got;
  ASSERT_TRUE(reader->replay(got));
  EXPECT_EQ(got.lines, expected.lines);

  b[300] ^= 0x7f;  // and its checksum still protects it
  std::ofstream(v1, std::ios::binary | std::ios::trunc) << bytes;
  auto corrupt = EventLogReader::open(v1);
  ASSERT_FALSE(corrupt);
  EXPECT_NE(corrupt.error().message().find("payload checksum"), std::string::npos);
}

TEST_F(EventLogTest, FlippedHeaderByteFailsTheHeaderChecksum) {
  const auto path = write_log();
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30);
    f.put('X');
  }
  auto reader = EventLogReader::open(path);
  ASSERT_FALSE(reader);
  EXPECT_NE(reader.error().message().find("header checksum"), std::string::npos) << reader.error().message();
}

TEST_F(EventLogTest, UnfinishedWriterLeavesAnIncompleteFileThatIsRefused) {
  const auto path = dir_ / "unfinished.clog";
  {
    auto writer = EventLogWriter::create(path, EventLogInfo{});
    ASSERT_TRUE(writer);
    write_sample_stream(**writer);
  }  // destroyed without finish()
  auto reader = EventLogReader::open(path);
  ASSERT_FALSE(reader);
  EXPECT_NE(reader.error().message().find("incomplete"), std::string::npos) << reader.error().message();
}

TEST_F(EventLogTest, MissingOrForeignFilesAreClearErrors) {
  auto missing = EventLogReader::open(dir_ / "nope.clog");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::NotFound);
  const auto text = dir_ / "text.clog";
  std::ofstream(text) << std::string(400, 'x');
  auto foreign = EventLogReader::open(text);
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().message().find("bad magic"), std::string::npos);
  EXPECT_FALSE(EventLogReader::looks_like_event_log(text));
}

}  // namespace
}  // namespace colibri::data
