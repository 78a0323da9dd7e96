#include "colibri/data/recording_reader.h"

#include <fstream>

#include <gtest/gtest.h>

#include "colibri/data/event_tape.h"
#include "colibri/testing/sample_data.h"

namespace colibri::data {
namespace {

TEST(RecordingReader, CountsMalformedLinesWithTheirLineNumbersAndKeepsGoing) {
  testing::TempDir dir;
  const auto path = dir / "rec.txt";
  std::ofstream(path)
      << R"(1000000000 {"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":5,"p":"10.5","q":"1","T":1,"m":true}})"
      << "\nnot-a-timestamp {}\n"
      << R"(2000000000 {"stream":"btcusdt@trade","data":{"e":"trade","E":2,"s":"BTCUSDT","t":6,"p":"1.2.3","q":"1","T":2,"m":false}})"
      << "\n"
      << R"(3000000000 {"stream":"btcusdt@kline_1m","data":{"e":"kline","E":3,"s":"BTCUSDT"}})"
      << "\n"
      << R"(4000000000 {"stream":"ethusdt@trade","data":{"e":"trade","E":4,"s":"ETHUSDT","t":7,"p":"3","q":"1","T":4,"m":false}})"
      << "\n";
  EventTape tape;
  LocalTimeCorrector clock;
  RecordingStats stats;
  ASSERT_TRUE(replay_recording(path, tape, clock, stats));
  EXPECT_EQ(stats.lines, 5u);
  EXPECT_EQ(stats.messages, 1u);
  EXPECT_EQ(stats.trades, 1u);
  EXPECT_EQ(stats.malformed, 2u);
  EXPECT_EQ(stats.skipped, 2u);  // the kline, and the other symbol
  EXPECT_EQ(stats.symbol, "BTCUSDT");
  ASSERT_EQ(stats.malformed_examples.size(), 2u);
  EXPECT_NE(stats.malformed_examples[0].find("rec.txt:2:"), std::string::npos) << stats.malformed_examples[0];
  EXPECT_NE(stats.malformed_examples[1].find("rec.txt:3:"), std::string::npos) << stats.malformed_examples[1];
  EXPECT_NE(stats.malformed_examples[1].find("1.2.3"), std::string::npos) << stats.malformed_examples[1];

  RecordingStats strict_stats;
  RecordingOptions strict;
  strict.stop_on_malformed = true;
  auto r = replay_recording(path, tape, clock, strict_stats, strict);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("rec.txt:2:"), std::string::npos);
}

TEST(LocalTimeCorrector, RaisesLatencyToTheFloorAndEstimatesMissingExchangeTimes) {
  LocalTimeCorrector clock(std::chrono::milliseconds(1));
  // The recorder's clock is 1.27 s behind: local = exchange - 1.27 s.
  Timestamp local = Timestamp::from_ms(10'000 - 1'270);
  Timestamp exchange = Timestamp::from_ms(10'000);
  clock.correct(local, exchange);
  EXPECT_EQ(local, Timestamp::from_ms(10'001));
  EXPECT_EQ(clock.offset(), std::chrono::milliseconds(1'271));
  // A later event with 5 ms more latency keeps it (the offset does not shrink).
  Timestamp local2 = Timestamp::from_ms(11'000 - 1'265);
  Timestamp exchange2 = Timestamp::from_ms(11'000);
  clock.correct(local2, exchange2);
  EXPECT_EQ(local2 - exchange2, std::chrono::milliseconds(6));
  // No exchange time: estimated as corrected local time minus the floor.
  Timestamp local3 = Timestamp::from_ms(11'000 - 1'260);
  Timestamp exchange3 = Timestamp::none();
  clock.correct(local3, exchange3);
  EXPECT_EQ(exchange3, local3 - std::chrono::milliseconds(1));
}

// On the real sample: after correction no event has a feed latency below the floor, and the
// offset found is the recorder's ~1.27 s lag.
class LatencyProbe final : public MarketEventSink {
 public:
  Duration min_latency = Duration::max();
  Timestamp last_local = Timestamp::from_ns(INT64_MIN + 1);
  bool monotonic = true;
  void on_snapshot(const model::BookSnapshot& s) override { see(s.local_time, s.exchange_time); }
  void on_diff(const model::BookDiff& d) override { see(d.local_time, d.exchange_time); }
  void on_trade(const model::PublicTrade& t) override { see(t.local_time, t.exchange_time); }
  void on_ticker(const model::BookTicker& t) override { see(t.local_time, t.exchange_time); }

 private:
  void see(Timestamp local, Timestamp exchange) {
    min_latency = std::min(min_latency, local - exchange);
    monotonic = monotonic && local >= last_local;
    last_local = local;
  }
};

TEST(RecordingReader, CorrectsTheSampleRecordersClockLag) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(path, "binance/spot/btcusdt_20240808.gz");
  LatencyProbe probe;
  LocalTimeCorrector clock(std::chrono::milliseconds(1));
  RecordingStats stats;
  ASSERT_TRUE(replay_recording(path, probe, clock, stats));
  EXPECT_GE(probe.min_latency, std::chrono::milliseconds(1));
  EXPECT_TRUE(probe.monotonic);
  EXPECT_GT(clock.offset(), std::chrono::milliseconds(1'200));
  EXPECT_LT(clock.offset(), std::chrono::milliseconds(1'400));
}

}  // namespace
}  // namespace colibri::data
