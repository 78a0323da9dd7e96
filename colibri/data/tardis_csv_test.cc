#include "colibri/data/tardis_csv.h"

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include "colibri/testing/sample_data.h"

namespace colibri::data {
namespace {

using model::PriceLevel;
using model::Side;

Price px(const char* text) { return Price::parse(text).value(); }
Quantity qty(const char* text) { return Quantity::parse(text).value(); }

// Copies every message, so that tests can look at them after the views expire.
struct RecordingSink : MarketEventSink {
  struct Message {
    bool is_snapshot = false;
    Timestamp exchange_time;
    Timestamp local_time;
    model::UpdateId first_id = 0;
    model::UpdateId last_id = 0;
    std::vector<PriceLevel> bids;
    std::vector<PriceLevel> asks;
  };
  std::vector<Message> book;
  std::vector<model::PublicTrade> trades;

  void on_snapshot(const model::BookSnapshot& s) override {
    book.push_back({true,
                    s.exchange_time,
                    s.local_time,
                    s.last_update_id,
                    s.last_update_id,
                    {s.bids.begin(), s.bids.end()},
                    {s.asks.begin(), s.asks.end()}});
  }
  void on_diff(const model::BookDiff& d) override {
    book.push_back({false,
                    d.exchange_time,
                    d.local_time,
                    d.first_update_id,
                    d.last_update_id,
                    {d.bids.begin(), d.bids.end()},
                    {d.asks.begin(), d.asks.end()}});
  }
  void on_trade(const model::PublicTrade& t) override { trades.push_back(t); }
};

std::filesystem::path write_file(const testing::TempDir& dir, const std::string& name,
                                 const std::string& text) {
  const auto path = dir / name;
  std::ofstream(path) << text;
  return path;
}

constexpr const char* kBookHeader =
    "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount\n";
constexpr const char* kTradesHeader = "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n";

TEST(TardisCsv, ExpandsExponentNotationExactly) {
  EXPECT_EQ(detail::expand_exponent("1e-05"), "0.00001");
  EXPECT_EQ(detail::expand_exponent("1.5E-05"), "0.000015");
  EXPECT_EQ(detail::expand_exponent("-2.5e+3"), "-2500");
  EXPECT_EQ(detail::expand_exponent("12.345e1"), "123.45");
  EXPECT_EQ(detail::expand_exponent("12.345e-2"), "0.12345");
  EXPECT_EQ(detail::expand_exponent("1e"), std::nullopt);
  EXPECT_EQ(detail::expand_exponent("e5"), std::nullopt);
  EXPECT_EQ(detail::expand_exponent("1e999"), std::nullopt);
  EXPECT_EQ(parse_decimal_or_exponent<Quantity>("1e-05").value(), qty("0.00001"));
  EXPECT_EQ(parse_decimal_or_exponent<Price>("6421.5").value(), px("6421.5"));
  EXPECT_FALSE(parse_decimal_or_exponent<Quantity>("1e-09").has_value());  // below 10^-8: not exact
  EXPECT_FALSE(parse_decimal_or_exponent<Price>("abc").has_value());
}

TEST(TardisBookReader, ReadsDeribitSampleAsOneSnapshot) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(path, "tardis/deribit_incremental_book_L2_BTC-PERPETUAL.csv");
  RecordingSink sink;
  auto report = read_tardis_book(path, sink);
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_EQ(report->rows, 15);
  EXPECT_EQ(report->bad_rows, 0);
  EXPECT_EQ(report->snapshots, 1);
  ASSERT_EQ(sink.book.size(), 1U);
  const auto& snapshot = sink.book[0];
  EXPECT_TRUE(snapshot.is_snapshot);
  EXPECT_EQ(snapshot.first_id, model::kNoUpdateId);
  EXPECT_EQ(snapshot.exchange_time, Timestamp::from_ns(1585699200245000 * 1000));
  EXPECT_EQ(snapshot.local_time, Timestamp::from_ns(1585699200355684 * 1000));
  EXPECT_TRUE(snapshot.bids.empty());
  ASSERT_EQ(snapshot.asks.size(), 15U);
  EXPECT_EQ(snapshot.asks.front(), (PriceLevel{px("6421.5"), qty("18640")}));
  EXPECT_EQ(snapshot.asks.back(), (PriceLevel{px("6428.5"), qty("39950")}));
}

TEST(TardisBookReader, GroupsRowsByLocalTimestampIntoSnapshotsAndDiffs) {
  testing::TempDir dir;
  const auto path = write_file(dir, "book.csv",
                               std::string(kBookHeader) +
                                   "x,BTC,100,110,true,ask,101,2\n"
                                   "x,BTC,100,110,true,bid,99,1\n"
                                   "x,BTC,100,110,true,bid,99.5,3\n"
                                   "x,BTC,100,110,true,ask,100.5,1e-05\n"
                                   "x,BTC,200,210,false,bid,99.5,0\n"
                                   "x,BTC,201,210,false,ask,100.7,4\n"
                                   "x,BTC,300,310,false,bid,99.1,5\n"
                                   "x,BTC,400,410,true,bid,98,1\n");
  RecordingSink sink;
  auto report = read_tardis_book(path, sink);
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_EQ(report->rows, 8);
  EXPECT_EQ(report->snapshots, 2);
  EXPECT_EQ(report->diffs, 2);
  ASSERT_EQ(sink.book.size(), 4U);
  // Snapshot levels best first on both sides.
  EXPECT_EQ(sink.book[0].bids, (std::vector<PriceLevel>{{px("99.5"), qty("3")}, {px("99"), qty("1")}}));
  EXPECT_EQ(sink.book[0].asks,
            (std::vector<PriceLevel>{{px("100.5"), qty("0.00001")}, {px("101"), qty("2")}}));
  // Diff: one message for local time 210, exchange time from its first row; zero kept (removal).
  EXPECT_FALSE(sink.book[1].is_snapshot);
  EXPECT_EQ(sink.book[1].exchange_time, Timestamp::from_ns(200'000));
  EXPECT_EQ(sink.book[1].local_time, Timestamp::from_ns(210'000));
  EXPECT_EQ(sink.book[1].bids, (std::vector<PriceLevel>{{px("99.5"), qty("0")}}));
  EXPECT_EQ(sink.book[1].asks, (std::vector<PriceLevel>{{px("100.7"), qty("4")}}));
  EXPECT_EQ(sink.book[1].first_id, model::kNoUpdateId);
  EXPECT_EQ(sink.book[2].bids.size(), 1U);
  EXPECT_TRUE(sink.book[3].is_snapshot);  // a new snapshot run: the consumer resets its book
}

TEST(TardisBookReader, ReadsGzipFilesLineByLine) {
  testing::TempDir dir;
  const auto path = dir / "book.csv.gz";
  {
    gzFile out = gzopen(path.c_str(), "wb");
    ASSERT_NE(out, nullptr);
    gzputs(out, kBookHeader);
    for (int i = 0; i < 1000; ++i) {
      gzputs(out, fmt::format("x,BTC,{},{},false,bid,{}.5,1\n", i, i, 100 + i).c_str());
    }
    gzclose(out);
  }
  RecordingSink sink;
  auto report = read_tardis_book(path, sink);
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_EQ(report->diffs, 1000);
  EXPECT_EQ(sink.book.back().bids.front(), (PriceLevel{px("1099.5"), qty("1")}));
}

TEST(TardisBookReader, SkipsBadRowsAndNamesFileLineColumnAndValue) {
  testing::TempDir dir;
  const auto path = write_file(dir, "tardis.csv",
                               std::string(kBookHeader) +
                                   "x,BTC,100,110,false,bid,99,1\n"
                                   "x,BTC,100,110,false,bid,abc,1\n"    // line 3
                                   "x,BTC,100,110,false,middle,99,1\n"  // line 4
                                   "x,BTC,100,110,false,bid,98,-1\n"    // line 5
                                   "x,BTC,1x0,110,false,bid,98,1\n"     // line 6
                                   "x,BTC,100,110,false,bid\n"          // line 7
                                   "x,BTC,100,110,false,ask,101,2\n");
  RecordingSink sink;
  auto report = read_tardis_book(path, sink);
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_EQ(report->rows, 7);
  EXPECT_EQ(report->bad_rows, 5);
  ASSERT_TRUE(report->first_error.has_value());
  EXPECT_EQ(report->first_error->message(), path.string() + ":3: column price: invalid price \"abc\"");
  ASSERT_EQ(sink.book.size(), 1U);  // the good rows still form their message
  EXPECT_EQ(sink.book[0].bids.size(), 1U);
  EXPECT_EQ(sink.book[0].asks.size(), 1U);
}

TEST(TardisBookReader, FailFastStopsAtTheFirstBadRow) {
  testing::TempDir dir;
  const auto path = write_file(dir, "tardis.csv",
                               std::string(kBookHeader) +
                                   "x,BTC,100,110,false,bid,99,1\n"
                                   "x,BTC,200,210,false,bid,99,1\n"
                                   "x,BTC,300,310,false,bid,99,zz\n"
                                   "x,BTC,400,410,false,bid,99,1\n");
  auto reader = TardisBookReader::open(path, BadRowPolicy::Fail);
  ASSERT_TRUE(reader.has_value());
  RecordingSink sink;
  EXPECT_EQ(reader->next(sink), true);
  auto failed = reader->next(sink);
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(failed.error().message(), path.string() + ":4: column amount: invalid amount \"zz\"");
  EXPECT_EQ(reader->next(sink), false);
  EXPECT_EQ(sink.book.size(), 1U);
  EXPECT_EQ(reader->report().bad_rows, 1);
}

TEST(TardisBookReader, RejectsMissingFileAndWrongHeader) {
  testing::TempDir dir;
  auto missing = TardisBookReader::open(dir / "nope.csv");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::NotFound);
  const auto trades = write_file(dir, "trades.csv", std::string(kTradesHeader));
  auto wrong = TardisBookReader::open(trades);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code(), ErrorCode::InvalidArgument);
  EXPECT_NE(wrong.error().message().find("not a Tardis incremental_book_L2 file"), std::string::npos);
}

TEST(TardisTradeReader, ReadsBitmexSample) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(path, "tardis/bitmex_trades_XBTUSD.csv");
  RecordingSink sink;
  auto report = read_tardis_trades(path, sink);
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_EQ(report->rows, 10);
  EXPECT_EQ(report->bad_rows, 0);
  ASSERT_EQ(sink.trades.size(), 10U);
  const auto& first = sink.trades.front();
  EXPECT_EQ(first.price, px("8531.5"));
  EXPECT_EQ(first.quantity, qty("2152"));
  EXPECT_EQ(first.aggressor, Side::Sell);
  EXPECT_EQ(first.exchange_time, Timestamp::from_ns(1583020803145000 * 1000));
  EXPECT_EQ(first.local_time, Timestamp::from_ns(1583020803307160 * 1000));
  // UUID ids are replaced by the increasing data-row number.
  EXPECT_EQ(first.trade_id, 1);
  EXPECT_EQ(sink.trades.back().trade_id, 10);
}

TEST(TardisTradeReader, MapsSidesIdsAndCountsUnknownAggressor) {
  testing::TempDir dir;
  const auto path = write_file(dir, "trades.csv.gz.txt",
                               std::string(kTradesHeader) +
                                   "binance,BTCUSDT,100,110,12345,buy,61000.1,0.001\r\n"
                                   "binance,BTCUSDT,101,111,12346,unknown,61000.1,0.001\r\n"
                                   "binance,BTCUSDT,102,112,12347,sell,6.1e4,5e-3\r\n"
                                   "binance,BTCUSDT,103,113,12348,sell,61000,0\r\n");
  RecordingSink sink;
  auto report = read_tardis_trades(path, sink);
  ASSERT_TRUE(report.has_value()) << report.error().describe();
  EXPECT_EQ(report->rows, 4);
  EXPECT_EQ(report->trades, 2);
  EXPECT_EQ(report->unknown_aggressor_trades, 1);
  EXPECT_EQ(report->bad_rows, 1);  // zero amount
  ASSERT_EQ(sink.trades.size(), 2U);
  EXPECT_EQ(sink.trades[0].trade_id, 12345);
  EXPECT_EQ(sink.trades[0].aggressor, Side::Buy);
  EXPECT_EQ(sink.trades[1].trade_id, 12347);
  EXPECT_EQ(sink.trades[1].price, px("61000"));
  EXPECT_EQ(sink.trades[1].quantity, qty("0.005"));
  EXPECT_EQ(report->first_error->message(), path.string() + ":5: column amount: invalid amount \"0\"");
}

}  // namespace
}  // namespace colibri::data
