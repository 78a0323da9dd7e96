#include "colibri/connector/sim/sequenced_feed.h"

#include <vector>

#include <gtest/gtest.h>

#include "colibri/connector/sim/ledger.h"
#include "colibri/connector/sim/queue_model.h"
#include "colibri/testing/markets.h"

namespace colibri::connector::sim {
namespace {

Price px(const char* text) { return *Price::parse(text); }
Quantity qty(const char* text) { return *Quantity::parse(text); }

// Binance spot's rule, restated: a diff continues the book when its first id is at most last + 1.
class ContiguousIds final : public model::BookSequencePolicy {
 public:
  model::DiffVerdict first_after_snapshot(const model::BookDiff& d, model::UpdateId id) const override {
    if (d.last_update_id <= id) return model::DiffVerdict::Stale;
    return d.first_update_id <= id + 1 ? model::DiffVerdict::Apply : model::DiffVerdict::Gap;
  }
  model::DiffVerdict next(const model::BookDiff& d, model::UpdateId last) const override {
    if (d.last_update_id <= last) return model::DiffVerdict::Stale;
    return d.first_update_id > last + 1 ? model::DiffVerdict::Gap : model::DiffVerdict::Apply;
  }
  std::string_view name() const override { return "contiguous"; }
};

class SequencedFeedTest : public ::testing::Test {
 protected:
  void diff(model::UpdateId first, model::UpdateId last, const char* bid, const char* quantity) {
    levels_.assign(1, model::PriceLevel{px(bid), qty(quantity)});
    model::BookDiff d;
    d.first_update_id = first;
    d.last_update_id = last;
    d.bids = levels_;
    feed_.on_diff(d);
  }
  void snapshot(model::UpdateId id) {
    const model::PriceLevel bids[] = {{px("100.00"), qty("1")}};
    const model::PriceLevel asks[] = {{px("100.10"), qty("1")}};
    model::BookSnapshot s;
    s.last_update_id = id;
    s.bids = bids;
    s.asks = asks;
    feed_.on_snapshot(s);
  }

  RiskAverseQueueModel queue_;
  Ledger ledger_;
  MatchingEngine engine_{testing::btcusdt_rules(), queue_, ledger_};
  ContiguousIds policy_;
  SequencedFeed feed_{engine_, policy_};
  std::vector<model::PriceLevel> levels_;
};

TEST_F(SequencedFeedTest, DiffsBeforeTheSnapshotNeverReachTheEngineUnlessTheyBridgeIt) {
  diff(1, 5, "99.00", "7");    // older than the snapshot: dropped
  diff(6, 9, "100.05", "2");   // bridges snapshot 7: applied after it
  EXPECT_TRUE(!engine_.book().best_bid()) << "nothing reaches the engine before the snapshot";
  snapshot(7);
  EXPECT_EQ(engine_.book().quantity_at(model::BookSide::Bid, px("99.00")), Quantity::zero());
  EXPECT_EQ(engine_.book().best_bid()->price, px("100.05"));
  EXPECT_EQ(feed_.sync().stats().stale, 1u);
}

TEST_F(SequencedFeedTest, AGapEmptiesTheEnginesBookUntilTheNextSnapshot) {
  snapshot(7);
  diff(8, 8, "100.01", "1");
  EXPECT_EQ(engine_.book().best_bid()->price, px("100.01"));
  diff(20, 21, "100.02", "1");  // 9..19 missing
  EXPECT_TRUE(!engine_.book().best_bid());
  diff(22, 22, "100.03", "1");
  EXPECT_TRUE(!engine_.book().best_bid());
  snapshot(30);
  EXPECT_EQ(engine_.book().best_bid()->price, px("100.00"));
  EXPECT_EQ(feed_.sync().stats().gaps, 1u);
}

}  // namespace
}  // namespace colibri::connector::sim
