#include "colibri/data/candles_csv.h"

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "colibri/testing/sample_data.h"

namespace colibri::data {
namespace {

Price px(const char* text) { return Price::parse(text).value(); }
Quantity qty(const char* text) { return Quantity::parse(text).value(); }

constexpr const char* kHeader = "timestamp,open,high,low,close,volume\n";

std::filesystem::path write_file(const testing::TempDir& dir, const std::string& text) {
  const auto path = dir / "candles.csv";
  std::ofstream(path) << text;
  return path;
}

TEST(CandlesCsv, ReadsTheOneMonthSampleExactly) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(path, "candles/btc-perp-20211231-20220201_1m.csv");
  auto candles = read_candles_csv(path);
  ASSERT_TRUE(candles.has_value()) << candles.error().describe();
  ASSERT_EQ(candles->size(), 45'031U);
  // 2021-12-31 23:01:00.000000,46319.0,46385.0,46319.0,46377.0,2300413.7295
  EXPECT_EQ(candles->front(), (Candle{parse_candle_time("2021-12-31T23:01:00Z").value(), px("46319"),
                                      px("46385"), px("46319"), px("46377"), qty("2300413.7295")}));
  EXPECT_EQ(candles->front().open_time, Timestamp::from_ns(1'640'991'660'000'000'000));
  // 2022-02-01 05:31:00.000000,38525.0,38546.0,38525.0,38544.0,685906.9735
  EXPECT_EQ(candles->back(), (Candle{Timestamp::from_ns(1'643'693'460'000'000'000), px("38525"), px("38546"),
                                     px("38525"), px("38544"), qty("685906.9735")}));
}

TEST(CandlesCsv, StreamsToACallback) {
  testing::TempDir dir;
  const auto path =
      write_file(dir, std::string(kHeader) + "1700000000,10,12,9,11,5\n1700000060000,11,11,10,10,0\n");
  std::vector<Candle> seen;
  auto count = read_candles_csv(path, [&](const Candle& c) { seen.push_back(c); });
  ASSERT_TRUE(count.has_value()) << count.error().describe();
  EXPECT_EQ(*count, 2);
  EXPECT_EQ(seen[0].open_time, Timestamp::from_ns(1'700'000'000'000'000'000));
  EXPECT_EQ(seen[1].open_time, Timestamp::from_ns(1'700'000'060'000'000'000));  // milliseconds
  EXPECT_EQ(seen[1].volume, Quantity::zero());
}

TEST(CandlesCsv, RoundsFloatingPointArtefactsPastTheEighthDecimal) {
  testing::TempDir dir;
  const auto path = write_file(dir, std::string(kHeader) +
                                        "1,10.000000004,12,9,11,218102.59507500002\n"
                                        "2,10.000000005,12,9,11,0.123456785\n"
                                        "3,10.000000015,12,9,11,0.123456775\n"
                                        "4,10.0000000051,12,9,11,0.0000000049\n");
  auto candles = read_candles_csv(path);
  ASSERT_TRUE(candles.has_value()) << candles.error().describe();
  EXPECT_EQ((*candles)[0].open, px("10"));
  EXPECT_EQ((*candles)[0].volume, qty("218102.595075"));
  EXPECT_EQ((*candles)[1].open, px("10"));  // tie, to even
  EXPECT_EQ((*candles)[1].volume, qty("0.12345678"));
  EXPECT_EQ((*candles)[2].open, px("10.00000002"));
  EXPECT_EQ((*candles)[2].volume, qty("0.12345678"));
  EXPECT_EQ((*candles)[3].open, px("10.00000001"));
  EXPECT_EQ((*candles)[3].volume, qty("0"));
}

TEST(CandlesCsv, ParsesTimestampFormats) {
  EXPECT_EQ(parse_candle_time("1970-01-01 00:00:01.5").value(), Timestamp::from_ns(1'500'000'000));
  EXPECT_EQ(parse_candle_time("1970-01-02T00:00:00.000000001Z").value(),
            Timestamp::from_ns(86'400'000'000'001));
  EXPECT_EQ(parse_candle_time("1700000000000000").value(), Timestamp::from_ns(1'700'000'000'000'000'000));
  EXPECT_FALSE(parse_candle_time("2022-02-30 00:00:00").has_value());
  EXPECT_FALSE(parse_candle_time("2022-01-01 24:00:00").has_value());
  EXPECT_FALSE(parse_candle_time("2022-01-01").has_value());
  EXPECT_FALSE(parse_candle_time("2022-01-01 00:00:00.").has_value());
  EXPECT_FALSE(parse_candle_time("yesterday").has_value());
}

struct BadCase {
  const char* row;
  const char* message;  // after "<file>:2: "
};

TEST(CandlesCsv, RejectsInvalidBarsNamingLineAndField) {
  const BadCase cases[] = {
      {"1700000000,10,10.5,9,11,5", "column high: high below max(open, close) \"10.5\""},
      {"1700000000,10,12,10.5,11,5", "column low: low above min(open, close) \"10.5\""},
      {"1700000000,10,12,9,11,-5", "column volume: invalid volume \"-5\""},
      {"1700000000,10,12,9,1.2.3,5", "column close: invalid price \"1.2.3\""},
      {"17OO000000,10,12,9,11,5", "column timestamp: invalid time \"17OO000000\""},
      {"1700000000,10,12,9,11", "expected 6 columns, found 5"},
  };
  for (const auto& c : cases) {
    testing::TempDir dir;
    const auto path = write_file(dir, std::string(kHeader) + c.row + "\n");
    auto result = read_candles_csv(path);
    ASSERT_FALSE(result.has_value()) << c.row;
    EXPECT_EQ(result.error().code(), ErrorCode::InvalidArgument);
    EXPECT_EQ(result.error().message(), path.string() + ":2: " + c.message);
  }
}

TEST(CandlesCsv, RejectsTimeThatDoesNotIncrease) {
  testing::TempDir dir;
  const auto path =
      write_file(dir, std::string(kHeader) + "1700000060,10,12,9,11,5\n1700000060,10,12,9,11,5\n");
  auto result = read_candles_csv(path);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message(),
            path.string() + ":3: column timestamp: time not after the previous bar's \"1700000060\"");
}

TEST(CandlesCsv, RejectsWrongHeader) {
  testing::TempDir dir;
  const auto path = write_file(dir, "time,o,h,l,c,v\n");
  auto result = read_candles_csv(path);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message().find(":1: not a candle file"), std::string::npos);
}

}  // namespace
}  // namespace colibri::data
