#include "colibri/connector/sim/queue_model.h"

#include <gtest/gtest.h>

namespace colibri::connector::sim {
namespace {

Quantity q(std::int64_t whole) { return Quantity::from_int(whole); }
Quantity qs(const char* text) { return *Quantity::parse(text); }

TEST(RiskAverseQueueModel, NoFillUntilQueueAheadIsTraded) {
  const RiskAverseQueueModel model;
  QueuePosition pos;
  model.on_order_rested(pos, q(10));
  EXPECT_EQ(pos.ahead, q(10));
  EXPECT_EQ(model.on_trade(pos, q(4)), q(0));
  EXPECT_EQ(pos.ahead, q(6));
  EXPECT_EQ(model.on_trade(pos, q(6)), q(0));  // exactly consumed: we are first, nothing reached us
  EXPECT_EQ(pos.ahead, q(0));
  EXPECT_EQ(model.on_trade(pos, qs("0.5")), qs("0.5"));
}

TEST(RiskAverseQueueModel, TradeLargerThanQueueAheadReachesTheOrderPartially) {
  const RiskAverseQueueModel model;
  QueuePosition pos;
  model.on_order_rested(pos, q(3));
  EXPECT_EQ(model.on_trade(pos, q(5)), q(2));  // 3 ahead consumed, 2 reached us
  EXPECT_EQ(pos.ahead, q(0));
}

TEST(RiskAverseQueueModel, DepthDecreasesAreAssumedBehindTheOrder) {
  const RiskAverseQueueModel model;
  QueuePosition pos;
  model.on_order_rested(pos, q(10));
  model.on_depth_change(pos, q(10), q(15));  // growth: behind us
  EXPECT_EQ(pos.ahead, q(10));
  model.on_depth_change(pos, q(15), q(12));  // decrease: assumed behind us
  EXPECT_EQ(pos.ahead, q(10));
  model.on_depth_change(pos, q(12), q(7));  // the level is smaller than our queue ahead
  EXPECT_EQ(pos.ahead, q(7));
  model.on_depth_change(pos, q(7), q(0));
  EXPECT_EQ(pos.ahead, q(0));
}

TEST(RiskAverseQueueModel, TradeThenMatchingDepthDecreaseCountsOnce) {
  const RiskAverseQueueModel model;
  QueuePosition pos;
  model.on_order_rested(pos, q(10));
  EXPECT_EQ(model.on_trade(pos, q(4)), q(0));
  model.on_depth_change(pos, q(10), q(6));  // the diff that shows the trade
  EXPECT_EQ(pos.ahead, q(6));
}

TEST(ProbQueueModel, LinearPowerSplitsCancelsByQueueShares) {
  // n = 1: p = back / (back + front). front 25, back 75: p = 0.75; a cancel of 20 removes
  // (1 - p) * 20 = 5 from ahead of us.
  const ProbQueueModel<PowerProbQueueFunc> model(PowerProbQueueFunc(1.0));
  QueuePosition pos;
  model.on_order_rested(pos, q(25));
  model.on_depth_change(pos, q(100), q(80));
  EXPECT_EQ(pos.ahead, q(20));
}

TEST(ProbQueueModel, CancelsNearTheBackBarelyMoveAnOrderAtTheFront) {
  // n = 2, front 10, back 90: p = 8100 / (8100 + 100) = 0.98780487...; a cancel of 41 moves us
  // (1 - p) * 41 = 0.5 ahead: 10 - 0.5 = 9.5.
  const ProbQueueModel<PowerProbQueueFunc> model(PowerProbQueueFunc(2.0));
  QueuePosition pos;
  model.on_order_rested(pos, q(10));
  model.on_depth_change(pos, q(100), q(59));
  EXPECT_EQ(pos.ahead, qs("9.5"));
}

TEST(ProbQueueModel, CancelsAheadOfAnOrderAtTheBackMoveItUp) {
  // n = 2, front 90, back 10: p = 100 / 8200; a cancel of 41 removes (8100/8200) * 41 = 40.5
  // from ahead: 90 - 40.5 = 49.5, and min(back - p * 41, 0) = 0 since 10 - 0.5 > 0.
  const ProbQueueModel<PowerProbQueueFunc> model(PowerProbQueueFunc(2.0));
  QueuePosition pos;
  model.on_order_rested(pos, q(90));
  model.on_depth_change(pos, q(100), q(59));
  EXPECT_EQ(pos.ahead, qs("49.5"));
}

TEST(ProbQueueModel, DecreaseLargerThanTheBackComesFromTheFrontToo) {
  // n = 1, front 2, back 18: p = 0.9; cancel 15: 2 - 0.1 * 15 + min(18 - 13.5, 0) = 0.5.
  const ProbQueueModel<PowerProbQueueFunc> model(PowerProbQueueFunc(1.0));
  QueuePosition pos;
  model.on_order_rested(pos, q(2));
  model.on_depth_change(pos, q(20), q(5));
  EXPECT_EQ(pos.ahead, qs("0.5"));
  // front 10, back 10 (p = 0.5), cancel 18: 10 - 9 + min(10 - 9, 0) = 1.
  model.on_order_rested(pos, q(10));
  model.on_depth_change(pos, q(20), q(2));
  EXPECT_EQ(pos.ahead, q(1));
  // front 10, back 4 (p = 4/14), cancel 13: 10 - (10/14) * 13 + min(4 - (4/14) * 13, 0)
  // = 10 - 9.2857 + min(0.2857, 0) = 0.7142..., capped by the level's 1 -> 0.71428571.
  model.on_order_rested(pos, q(10));
  model.on_depth_change(pos, q(14), q(1));
  EXPECT_EQ(pos.ahead, qs("0.71428571"));
}

TEST(ProbQueueModel, TradesAreNotCountedAgainAsCancels) {
  const ProbQueueModel<PowerProbQueueFunc> model(PowerProbQueueFunc(1.0));
  QueuePosition pos;
  model.on_order_rested(pos, q(25));
  EXPECT_EQ(model.on_trade(pos, q(5)), q(0));
  EXPECT_EQ(pos.ahead, q(20));
  // The diff shows 100 -> 95: the 5 traded, no cancel. Nothing more moves.
  model.on_depth_change(pos, q(100), q(95));
  EXPECT_EQ(pos.ahead, q(20));
  EXPECT_EQ(pos.traded_since_depth, q(0));
}

TEST(ProbQueueModel, NoFillUntilQueueAheadIsTradedThenPartialFills) {
  const ProbQueueModel<LogProbQueueFunc> model;
  QueuePosition pos;
  model.on_order_rested(pos, q(3));
  EXPECT_EQ(model.on_trade(pos, q(2)), q(0));
  EXPECT_EQ(model.on_trade(pos, q(2)), q(1));
  EXPECT_EQ(model.on_trade(pos, q(2)), q(2));
}

TEST(ProbQueueModel, GrowthOfTheLevelDoesNotMoveTheOrder) {
  const ProbQueueModel<LogProbQueueFunc> model;
  QueuePosition pos;
  model.on_order_rested(pos, q(3));
  model.on_depth_change(pos, q(3), q(30));
  EXPECT_EQ(pos.ahead, q(3));
}

TEST(LogProbQueueFunc, EqualQueuesSplitEvenlyAndEmptyFrontGoesBehind) {
  const LogProbQueueFunc f;
  EXPECT_DOUBLE_EQ(f(5e8, 5e8), 0.5);
  EXPECT_DOUBLE_EQ(f(0, 5e8), 1.0);
  // log(1 + 1) / (log(1 + 1) + log(1 + 3)) = log 2 / (3 log 2) = 1/3 (base units).
  EXPECT_NEAR(f(3e8, 1e8), 1.0 / 3.0, 1e-15);
  const ProbQueueModel<LogProbQueueFunc> model;
  QueuePosition pos;
  model.on_order_rested(pos, q(3));
  model.on_depth_change(pos, q(4), q(1));  // p = 1/3, cancel 3: 3 - (2/3) * 3 + min(1 - 1, 0) = 1
  EXPECT_EQ(pos.ahead, q(1));
}

TEST(ProbQueueFuncVariants, MatchHftbacktestFormulas) {
  EXPECT_DOUBLE_EQ(PowerProbQueueFunc2(2.0)(1.0, 3.0), 9.0 / 16.0);
  EXPECT_DOUBLE_EQ(PowerProbQueueFunc3(2.0)(1.0, 3.0), 1.0 - 1.0 / 16.0);
  EXPECT_NEAR(LogProbQueueFunc2()(1e8, 3e8), std::log(4.0) / std::log(5.0), 1e-15);
}

TEST(MakeQueueModel, BuildsEveryNamedModelAndRefusesOthers) {
  for (const char* name : {"risk_averse", "prob_power", "prob_power2", "prob_power3", "prob_log", "prob_log2"}) {
    auto model = make_queue_model(name, 3.0);
    ASSERT_TRUE(model) << name;
    EXPECT_EQ((*model)->name(), name);
  }
  auto unknown = make_queue_model("optimistic");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message().find("allowed: risk_averse"), std::string::npos);
  EXPECT_FALSE(make_queue_model("prob_power", 0.0));
  EXPECT_FALSE(make_queue_model("prob_power2", -1.0));
}

}  // namespace
}  // namespace colibri::connector::sim
