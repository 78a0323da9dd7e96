#include "colibri/model/book_sync.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace colibri::model {
namespace {

// Binance spot's rules, restated here so that the model layer is tested without the venue.
class ContiguousIdsPolicy final : public BookSequencePolicy {
 public:
  DiffVerdict first_after_snapshot(const BookDiff& d, UpdateId id) const override {
    if (d.last_update_id <= id) return DiffVerdict::Stale;
    return d.first_update_id <= id + 1 ? DiffVerdict::Apply : DiffVerdict::Gap;
  }
  DiffVerdict next(const BookDiff& d, UpdateId last) const override {
    if (d.last_update_id <= last) return DiffVerdict::Stale;
    return d.first_update_id > last + 1 ? DiffVerdict::Gap : DiffVerdict::Apply;
  }
  std::string_view name() const override { return "contiguous"; }
};

Price P(const char* s) { return *Price::parse(s); }
Quantity Q(const char* s) { return *Quantity::parse(s); }

class BookSyncTest : public ::testing::Test {
 protected:
  SyncOutcome snapshot(UpdateId id) {
    const std::vector<PriceLevel> bids = {{P("100"), Q("1")}, {P("99"), Q("1")}};
    const std::vector<PriceLevel> asks = {{P("101"), Q("1")}, {P("102"), Q("1")}};
    BookSnapshot s;
    s.last_update_id = id;
    s.bids = bids;
    s.asks = asks;
    return sync_.on_snapshot(s);
  }
  // A diff [first, last] that sets the bid at 100 to `last` units, so the book records which
  // diff was applied last.
  SyncOutcome diff(UpdateId first, UpdateId last, const char* bid_price = "100") {
    levels_.assign(1, PriceLevel{P(bid_price), Quantity::from_int(last)});
    BookDiff d;
    d.first_update_id = first;
    d.last_update_id = last;
    d.bids = levels_;
    return sync_.on_diff(d);
  }
  void expect_accounting() const {
    const BookSyncStats& s = sync_.stats();
    EXPECT_EQ(s.diffs, s.applied + s.stale + s.skipped + sync_.buffered());
  }

  OrderBook book_;
  ContiguousIdsPolicy policy_;
  BookSync sync_{book_, policy_, 8};
  std::vector<PriceLevel> levels_;
};

TEST_F(BookSyncTest, DiffsBeforeTheSnapshotAreBufferedAndTheStaleOnesDropped) {
  EXPECT_EQ(sync_.state(), BookSyncState::AwaitingSnapshot);
  EXPECT_EQ(diff(1, 5), SyncOutcome::Buffered);
  EXPECT_EQ(diff(6, 9), SyncOutcome::Buffered);
  EXPECT_EQ(diff(10, 12), SyncOutcome::Buffered);
  EXPECT_EQ(sync_.buffered(), 3u);
  EXPECT_EQ(snapshot(7), SyncOutcome::Applied);  // 1-5 stale; 6-9 bridges 8; 10-12 continues
  EXPECT_TRUE(sync_.is_synced());
  EXPECT_EQ(sync_.last_update_id(), 12);
  EXPECT_EQ(book_.quantity_at(BookSide::Bid, P("100")), Quantity::from_int(12));
  EXPECT_EQ(sync_.stats().stale, 1u);
  EXPECT_EQ(sync_.stats().applied, 2u);
  EXPECT_EQ(sync_.buffered(), 0u);
  expect_accounting();
}

TEST_F(BookSyncTest, DuplicatedDiffIsIgnored) {
  ASSERT_EQ(snapshot(10), SyncOutcome::Applied);
  ASSERT_EQ(diff(11, 13), SyncOutcome::Applied);
  EXPECT_EQ(diff(11, 13), SyncOutcome::Stale);
  EXPECT_EQ(diff(14, 15), SyncOutcome::Applied);
  EXPECT_EQ(sync_.stats().gaps, 0u);
  EXPECT_EQ(book_.quantity_at(BookSide::Bid, P("100")), Quantity::from_int(15));
  expect_accounting();
}

TEST_F(BookSyncTest, DroppedDiffIsAGapThatClearsTheBookUntilTheNextSnapshot) {
  ASSERT_EQ(snapshot(10), SyncOutcome::Applied);
  ASSERT_EQ(diff(11, 13), SyncOutcome::Applied);
  EXPECT_EQ(diff(16, 18), SyncOutcome::OutOfSync);  // 14-15 never arrived
  EXPECT_EQ(sync_.reason(), OutOfSyncReason::Gap);
  EXPECT_TRUE(sync_.needs_snapshot());
  EXPECT_TRUE(book_.empty(BookSide::Bid));  // never used stale
  EXPECT_EQ(diff(19, 20), SyncOutcome::Buffered);
  EXPECT_EQ(snapshot(17), SyncOutcome::Applied);  // bridges 16-18, then 19-20
  EXPECT_TRUE(sync_.is_synced());
  EXPECT_EQ(sync_.last_update_id(), 20);
  EXPECT_EQ(sync_.stats().gaps, 1u);
  expect_accounting();
}

TEST_F(BookSyncTest, SnapshotOlderThanTheBufferedDiffsStaysOutOfSync) {
  diff(20, 25);
  EXPECT_EQ(snapshot(10), SyncOutcome::OutOfSync);  // 11-19 missing
  EXPECT_EQ(sync_.reason(), OutOfSyncReason::Gap);
  EXPECT_EQ(sync_.buffered(), 1u);  // kept for a newer snapshot
  EXPECT_EQ(snapshot(22), SyncOutcome::Applied);
  EXPECT_EQ(sync_.last_update_id(), 25);
  expect_accounting();
}

TEST_F(BookSyncTest, CrossedBookGoesOutOfSync) {
  ASSERT_EQ(snapshot(10), SyncOutcome::Applied);
  EXPECT_EQ(diff(11, 11, "101.5"), SyncOutcome::OutOfSync);
  EXPECT_EQ(sync_.reason(), OutOfSyncReason::Crossed);
  EXPECT_EQ(sync_.stats().crossed, 1u);
  EXPECT_TRUE(book_.empty(BookSide::Ask));
  expect_accounting();
}

TEST_F(BookSyncTest, FullBufferDropsTheOldestAndCountsItSkipped) {
  for (UpdateId id = 1; id <= 20; ++id) diff(id, id);
  EXPECT_EQ(sync_.buffered(), 8u);
  EXPECT_EQ(sync_.stats().skipped, 12u);
  EXPECT_EQ(sync_.stats().buffer_overflows, 12u);
  EXPECT_EQ(snapshot(14), SyncOutcome::Applied);  // 13 stale... 15-20 applied
  EXPECT_EQ(sync_.last_update_id(), 20);
  expect_accounting();
}

TEST_F(BookSyncTest, InvalidLevelPutsTheBookOutOfSync) {
  ASSERT_EQ(snapshot(10), SyncOutcome::Applied);
  levels_.assign(1, PriceLevel{P("0"), Q("1")});
  BookDiff d;
  d.first_update_id = 11;
  d.last_update_id = 11;
  d.asks = levels_;
  EXPECT_EQ(sync_.on_diff(d), SyncOutcome::OutOfSync);
  EXPECT_EQ(sync_.reason(), OutOfSyncReason::InvalidLevel);
  EXPECT_EQ(sync_.stats().invalid, 1u);
  expect_accounting();
}

// A target other than an OrderBook sees exactly the snapshots and the diffs the policy accepted,
// in order, and is cleared when the stream breaks.
class RecordingTarget final : public BookSyncTarget {
 public:
  bool apply_snapshot(const BookSnapshot& s) override {
    calls.push_back("snapshot " + std::to_string(s.last_update_id));
    return true;
  }
  bool apply_diff(const BookDiff& d) override {
    calls.push_back("diff " + std::to_string(d.first_update_id) + "-" + std::to_string(d.last_update_id));
    return true;
  }
  bool is_crossed() const override { return false; }
  void clear() override { calls.push_back("clear"); }
  std::vector<std::string> calls;
};

TEST(BookSyncTargetTest, ReceivesOnlyTheAcceptedStreamInOrder) {
  ContiguousIdsPolicy policy;
  RecordingTarget target;
  BookSync sync(target, policy);
  auto diff = [&](UpdateId first, UpdateId last) {
    BookDiff d;
    d.first_update_id = first;
    d.last_update_id = last;
    return sync.on_diff(d);
  };
  EXPECT_EQ(diff(1, 5), SyncOutcome::Buffered);
  EXPECT_EQ(diff(6, 9), SyncOutcome::Buffered);
  BookSnapshot snapshot;
  snapshot.last_update_id = 7;
  EXPECT_EQ(sync.on_snapshot(snapshot), SyncOutcome::Applied);  // 1-5 stale, 6-9 bridges
  EXPECT_EQ(diff(10, 12), SyncOutcome::Applied);
  EXPECT_EQ(diff(11, 12), SyncOutcome::Stale);
  EXPECT_EQ(diff(20, 21), SyncOutcome::OutOfSync);  // gap
  EXPECT_EQ(diff(22, 23), SyncOutcome::Buffered);
  const std::vector<std::string> expected = {"snapshot 7", "diff 6-9", "diff 10-12", "clear"};
  EXPECT_EQ(target.calls, expected);
}

}  // namespace
}  // namespace colibri::model
