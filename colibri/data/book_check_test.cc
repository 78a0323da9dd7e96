// Book rebuilding on the real Binance recordings in the sample data folder (read in place).

#include "colibri/data/book_check.h"

#include <gtest/gtest.h>

#include "colibri/data/event_log.h"
#include "colibri/data/event_tape.h"
#include "colibri/data/market_file.h"
#include "colibri/testing/sample_data.h"
#include "colibri/venue/binance/sequence_policy.h"

namespace colibri::data {
namespace {

namespace fs = std::filesystem;
const venue::binance::InferredSequencePolicy kPolicy;

BookCheckReport check_files(const std::vector<fs::path>& files, MarketReplayStats* stats_out = nullptr) {
  BookCheck check(kPolicy);
  MarketReplayStats stats;
  auto ok = replay_market_files(files, check, stats);
  EXPECT_TRUE(ok) << ok.error().describe();
  if (stats_out != nullptr) *stats_out = stats;
  return check.report();
}

struct RecordingCase {
  const char* first;
  const char* second;  // continues the first (no snapshot of its own); may be null
};

class EveryRecording : public ::testing::TestWithParam<RecordingCase> {};

TEST_P(EveryRecording, RebuildsWithoutGapsOrCrossedBooks) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(first, GetParam().first);
  std::vector<fs::path> files = {first};
  if (GetParam().second != nullptr) {
    COLIBRI_SAMPLE_FILE_OR_SKIP(second, GetParam().second);
    files.push_back(second);
  }
  MarketReplayStats stats;
  const BookCheckReport r = check_files(files, &stats);
  EXPECT_EQ(stats.recordings.malformed, 0u);
  EXPECT_EQ(r.snapshots, 1u);
  EXPECT_GT(r.diffs, 1000u);
  EXPECT_GT(r.trades, 100u);
  EXPECT_EQ(r.sync.gaps, 0u);
  EXPECT_EQ(r.sync.crossed, 0u);
  EXPECT_EQ(r.sync.invalid, 0u);
  EXPECT_EQ(r.state, model::BookSyncState::Synced);
  EXPECT_GT(r.sync.stale, 0u) << "the snapshot arrives after the first diffs: some must be dropped as stale";
  EXPECT_EQ(r.sync.applied + r.sync.stale, r.diffs);
  ASSERT_TRUE(r.best_bid && r.best_ask);
  EXPECT_LT(r.best_bid->price, r.best_ask->price);
  EXPECT_GT(r.bid_levels, 100u);
  EXPECT_GT(r.ask_levels, 100u);
  // Where the venue's own best bid/ask refers to the same update as the book, they agree.
  EXPECT_EQ(r.ticker_mismatches, 0u);
}

INSTANTIATE_TEST_SUITE_P(
    SampleData, EveryRecording,
    ::testing::Values(RecordingCase{"binance/spot/btcusdt_20240808.gz", "binance/spot/btcusdt_20240809.gz"},
                      RecordingCase{"binance/spot/ethusdt_20240808.gz", "binance/spot/ethusdt_20240809.gz"},
                      RecordingCase{"binance/usdm/btcusdt_20240808.gz", nullptr},
                      RecordingCase{"binance/usdm/ethusdt_20240808.gz", nullptr},
                      RecordingCase{"binance/cm/btcusd_perp_20240808.gz", "binance/cm/btcusd_perp_20240809.gz"},
                      RecordingCase{"binance/cm/ethusd_perp_20240808.gz", "binance/cm/ethusd_perp_20240809.gz"}),
    [](const auto& info) {
      std::string name = fs::path(info.param.first).parent_path().filename().string() + "_" +
                         fs::path(info.param.first).stem().string();
      for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

TEST(BookCheck, UsdmBookMatchesEveryBookTickerWithTheSameUpdateId) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(usdm, "binance/usdm/btcusdt_20240808.gz");
  const BookCheckReport r = check_files({usdm});
  EXPECT_GT(r.ticker_checks, 500u);  // measured: 629 tickers share an id with an applied diff
  EXPECT_EQ(r.ticker_mismatches, 0u);
}

TEST(BookCheck, SecondDayAloneHasNoSnapshotAndNeverSyncs) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(second, "binance/spot/btcusdt_20240809.gz");
  const BookCheckReport r = check_files({second});
  EXPECT_EQ(r.snapshots, 0u);
  EXPECT_EQ(r.state, model::BookSyncState::AwaitingSnapshot);
  EXPECT_FALSE(r.best_bid.has_value());
  EXPECT_EQ(r.sync.applied, 0u);
}

// Fault injection on the real stream, in memory.
class InjectedFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    auto path = testing::sample_file("binance/spot/btcusdt_20240808.gz");
    if (!path) GTEST_SKIP() << "sample data not found";
    MarketReplayStats stats;
    const std::vector<fs::path> files = {*path};
    ASSERT_TRUE(replay_market_files(files, tape_, stats));
    // Index of the snapshot and of a diff well after it.
    for (std::size_t i = 0; i < tape_.events().size(); ++i) {
      const auto* book = std::get_if<EventTape::Book>(&tape_.events()[i]);
      if (book == nullptr) continue;
      if (book->is_snapshot) snapshot_index_ = i;
      if (!book->is_snapshot && snapshot_index_ != 0 && i > snapshot_index_ + 500 && late_diff_index_ == 0) {
        late_diff_index_ = i;
      }
    }
    ASSERT_GT(snapshot_index_, 0u) << "the snapshot is not the first message";
    ASSERT_GT(late_diff_index_, 0u);
  }
  BookCheckReport replay_with(std::size_t skip, std::size_t duplicate) {
    BookCheck check(kPolicy);
    for (std::size_t i = 0; i < tape_.events().size(); ++i) {
      if (i == skip) continue;
      EventTape::deliver(tape_.events()[i], check);
      if (i == duplicate) EventTape::deliver(tape_.events()[i], check);
    }
    return check.report();
  }
  static constexpr std::size_t kNone = SIZE_MAX;
  EventTape tape_;
  std::size_t snapshot_index_ = 0;
  std::size_t late_diff_index_ = 0;
};

TEST_F(InjectedFaults, DroppedDiffIsReportedAsAGap) {
  const BookCheckReport r = replay_with(late_diff_index_, kNone);
  EXPECT_EQ(r.sync.gaps, 1u);
  EXPECT_EQ(r.state, model::BookSyncState::OutOfSync);
  EXPECT_EQ(r.reason, model::OutOfSyncReason::Gap);
  EXPECT_FALSE(r.best_bid.has_value()) << "an out-of-sync book is never shown";
  EXPECT_GT(r.sync.skipped + r.sync.applied, 0u);
}

TEST_F(InjectedFaults, DuplicatedDiffIsIgnored) {
  const BookCheckReport clean = replay_with(kNone, kNone);
  const BookCheckReport r = replay_with(kNone, late_diff_index_);
  EXPECT_EQ(r.sync.gaps, 0u);
  EXPECT_EQ(r.sync.stale, clean.sync.stale + 1);
  EXPECT_EQ(r.best_bid, clean.best_bid);
  EXPECT_EQ(r.best_ask, clean.best_ask);
  EXPECT_EQ(r.bid_levels, clean.bid_levels);
}

TEST_F(InjectedFaults, DiffsBeforeTheSnapshotAreBufferedAndStaleOnesDropped) {
  // Replaying only up to the snapshot: every earlier diff was buffered, then resolved.
  BookCheck check(kPolicy);
  std::size_t diffs_before = 0;
  for (std::size_t i = 0; i < snapshot_index_; ++i) {
    EventTape::deliver(tape_.events()[i], check);
    if (const auto* b = std::get_if<EventTape::Book>(&tape_.events()[i]); b != nullptr && !b->is_snapshot) {
      ++diffs_before;
    }
  }
  ASSERT_GT(diffs_before, 0u);
  EXPECT_EQ(check.sync().buffered(), diffs_before);
  EventTape::deliver(tape_.events()[snapshot_index_], check);
  EXPECT_EQ(check.sync().buffered(), 0u);
  EXPECT_TRUE(check.sync().is_synced());
  EXPECT_EQ(check.sync().stats().stale + check.sync().stats().applied, diffs_before);
  EXPECT_GT(check.sync().stats().stale, 0u);
}

TEST(EventLogConversion, ReadsBackTheIdenticalEventSequenceAndCheck) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(first, "binance/spot/btcusdt_20240808.gz");
  COLIBRI_SAMPLE_FILE_OR_SKIP(second, "binance/spot/btcusdt_20240809.gz");
  testing::TempDir dir;
  const std::vector<fs::path> recordings = {first, second};
  EventTape from_recording;
  {
    auto writer = EventLogWriter::create(dir / "btc.clog", EventLogInfo{});
    ASSERT_TRUE(writer);
    MarketReplayStats stats;
    ASSERT_TRUE(replay_market_files(recordings, from_recording, stats));
    from_recording.replay(**writer);
    ASSERT_TRUE((*writer)->finish());
  }
  EventTape from_log;
  MarketReplayStats log_stats;
  const std::vector<fs::path> logs = {dir / "btc.clog"};
  ASSERT_TRUE(replay_market_files(logs, from_log, log_stats));
  ASSERT_EQ(from_log.events().size(), from_recording.events().size());
  for (std::size_t i = 0; i < from_log.events().size(); ++i) {
    const auto& a = from_recording.events()[i];
    const auto& b = from_log.events()[i];
    ASSERT_EQ(a.index(), b.index()) << "event " << i;
    if (const auto* x = std::get_if<EventTape::Book>(&a)) {
      const auto& y = std::get<EventTape::Book>(b);
      ASSERT_EQ(x->is_snapshot, y.is_snapshot) << i;
      ASSERT_EQ(x->header.first_update_id, y.header.first_update_id) << i;
      ASSERT_EQ(x->header.last_update_id, y.header.last_update_id) << i;
      ASSERT_EQ(x->header.prev_last_update_id, y.header.prev_last_update_id) << i;
      ASSERT_EQ(x->header.exchange_time, y.header.exchange_time) << i;
      ASSERT_EQ(x->header.local_time, y.header.local_time) << i;
      ASSERT_EQ(x->bids, y.bids) << i;
      ASSERT_EQ(x->asks, y.asks) << i;
    } else if (const auto* t = std::get_if<model::PublicTrade>(&a)) {
      const auto& u = std::get<model::PublicTrade>(b);
      ASSERT_TRUE(t->trade_id == u.trade_id && t->price == u.price && t->quantity == u.quantity &&
                  t->aggressor == u.aggressor && t->exchange_time == u.exchange_time && t->local_time == u.local_time)
          << i;
    } else {
      const auto& t1 = std::get<model::BookTicker>(a);
      const auto& t2 = std::get<model::BookTicker>(b);
      ASSERT_TRUE(t1.update_id == t2.update_id && t1.best_bid == t2.best_bid && t1.best_ask == t2.best_ask &&
                  t1.exchange_time == t2.exchange_time && t1.local_time == t2.local_time)
          << i;
    }
  }
  const BookCheckReport a = check_files(recordings);
  const BookCheckReport b = check_files(logs);
  EXPECT_EQ(a.messages, b.messages);
  EXPECT_EQ(a.diffs, b.diffs);
  EXPECT_EQ(a.trades, b.trades);
  EXPECT_EQ(a.sync.gaps, b.sync.gaps);
  EXPECT_EQ(a.best_bid, b.best_bid);
  EXPECT_EQ(a.best_ask, b.best_ask);
  EXPECT_EQ(a.bid_levels, b.bid_levels);
  EXPECT_EQ(a.ask_levels, b.ask_levels);
}

}  // namespace
}  // namespace colibri::data
