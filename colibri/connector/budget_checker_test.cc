#include "colibri/connector/budget_checker.h"

#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "colibri/core/test_allocations.h"
#include "colibri/testing/markets.h"

namespace colibri::connector {
namespace {

using model::OrderType;
using model::Side;

Price P(std::string_view text) { return Price::parse(text).value(); }
Quantity Q(std::string_view text) { return Quantity::parse(text).value(); }
Notional N(std::string_view text) { return Notional::parse(text).value(); }
model::FeeRate F(std::string_view text) { return model::FeeRate::parse_fraction(text).value(); }

model::TradingRules btc_usdt() { return testing::btcusdt_rules(); }

model::Balance balance(std::string_view asset, std::string_view total, std::string_view free) {
  return model::Balance{model::Asset::truncating(asset), Q(total), Q(free)};
}

// BTC/USDT fees; QuoteAsset makes a buy pay its fee in quote on top of its cost.
model::FeeSchedule fees(model::FeeRate maker, model::FeeRate taker,
                        model::FeeAssetPolicy policy = model::FeeAssetPolicy::QuoteAsset) {
  return model::FeeSchedule::create(model::Asset::truncating("BTC"), model::Asset::truncating("USDT"), maker,
                                    taker, policy, model::Asset::truncating("BNB"))
      .value();
}

BudgetChecker checker(const model::FeeSchedule& fees, std::initializer_list<model::Balance> balances) {
  BudgetChecker budget = BudgetChecker::create(fees).value();
  for (const model::Balance& b : balances) EXPECT_TRUE(budget.set_balance(b).has_value());
  return budget;
}

const model::FeeSchedule kNoFee = fees(F("0"), F("0"));
const model::FeeSchedule kTenthPercent = fees(F("0.001"), F("0.001"));

OrderCandidate buy(std::string_view price, std::string_view quantity) {
  return OrderCandidate{
      .side = Side::Buy, .type = OrderType::Limit, .price = P(price), .quantity = Q(quantity)};
}
OrderCandidate sell(std::string_view price, std::string_view quantity) {
  return OrderCandidate{
      .side = Side::Sell, .type = OrderType::Limit, .price = P(price), .quantity = Q(quantity)};
}

void expect_candidate(const OrderCandidate& c, BudgetOutcome outcome, std::string_view quantity,
                      std::string_view collateral) {
  EXPECT_EQ(c.outcome, outcome) << to_string(c.outcome);
  EXPECT_EQ(c.quantity, Q(quantity));
  EXPECT_EQ(c.collateral, N(collateral));
}

TEST(BudgetChecker, ExactFitIncludingTheFee) {
  const BudgetChecker budget = checker(kTenthPercent, {balance("USDT", "100.1", "100.1")});
  std::vector<OrderCandidate> candidates{buy("100", "1"), buy("100", "0.001")};
  ASSERT_TRUE(budget.adjust(btc_usdt(), candidates, BudgetMode::ShrinkToFit));
  expect_candidate(candidates[0], BudgetOutcome::Fits, "1", "100.1");  // 100 + 0.1 fee: all of it
  expect_candidate(candidates[1], BudgetOutcome::DroppedForBalance, "0", "0");
}

TEST(BudgetChecker, ShrinksDownToTheLotWithTheFeeIncluded) {
  const BudgetChecker budget = checker(kTenthPercent, {balance("USDT", "100", "100")});
  std::vector<OrderCandidate> candidates{buy("100", "1")};
  ASSERT_TRUE(budget.adjust(btc_usdt(), candidates, BudgetMode::ShrinkToFit));
  // 100 / (100 × 1.001) = 0.999000999 -> 0.999; cost 99.9 + 0.0999 fee.
  expect_candidate(candidates[0], BudgetOutcome::Shrunk, "0.999", "99.9999");
}

TEST(BudgetChecker, SellsLockBaseAndRoundToTheLot) {
  const BudgetChecker budget = checker(kTenthPercent, {balance("BTC", "0.5", "0.5")});
  std::vector<OrderCandidate> too_big{sell("30000", "0.8")};
  ASSERT_TRUE(budget.adjust(btc_usdt(), too_big, BudgetMode::ShrinkToFit));
  expect_candidate(too_big[0], BudgetOutcome::Shrunk, "0.5", "0.5");  // the fee comes from the proceeds

  std::vector<OrderCandidate> off_lot{sell("30000", "0.4567")};
  ASSERT_TRUE(budget.adjust(btc_usdt(), off_lot, BudgetMode::ShrinkToFit));
  expect_candidate(off_lot[0], BudgetOutcome::Shrunk, "0.456", "0.456");
}

TEST(BudgetChecker, DropsWhatTheBudgetCoversWhenBelowMinNotionalOrQuantity) {
  const BudgetChecker budget = checker(kNoFee, {balance("USDT", "4.5", "4.5"), balance("BTC", "1", "1")});
  std::vector<OrderCandidate> candidates{buy("100", "1"), buy("100", "0.04"), sell("100", "0.001"),
                                         sell("10000", "0.0004")};
  ASSERT_TRUE(budget.adjust(btc_usdt(), candidates, BudgetMode::ShrinkToFit));
  // 4.5 buys 0.045 at 100: a notional of 4.5, under the minimum 5. Dropped, so it locks nothing...
  expect_candidate(candidates[0], BudgetOutcome::DroppedBelowMinimum, "0", "0");
  // ...and the next one still sees 4.5: 0.04 × 100 = 4 is covered but under the minimum too.
  expect_candidate(candidates[1], BudgetOutcome::DroppedBelowMinimum, "0", "0");
  // Covered sells: 0.1 of notional; 0.0004 rounds to zero lots.
  expect_candidate(candidates[2], BudgetOutcome::DroppedBelowMinimum, "0", "0");
  expect_candidate(candidates[3], BudgetOutcome::DroppedBelowMinimum, "0", "0");
}

TEST(BudgetChecker, LadderConsumesTheBudgetInOrder) {
  const BudgetChecker budget = checker(kNoFee, {balance("USDT", "1000", "1000"), balance("BTC", "1", "1")});
  std::vector<OrderCandidate> ladder{buy("100", "4"),    sell("101", "0.6"), buy("99", "4"),
                                     sell("102", "0.6"), buy("98", "4"),     buy("97", "1")};
  ASSERT_TRUE(budget.adjust(btc_usdt(), ladder, BudgetMode::ShrinkToFit));
  expect_candidate(ladder[0], BudgetOutcome::Fits, "4", "400");    // 600 left
  expect_candidate(ladder[1], BudgetOutcome::Fits, "0.6", "0.6");  // 0.4 BTC left
  expect_candidate(ladder[2], BudgetOutcome::Fits, "4", "396");    // 204 left
  expect_candidate(ladder[3], BudgetOutcome::Shrunk, "0.4", "0.4");
  expect_candidate(ladder[4], BudgetOutcome::Shrunk, "2.081", "203.938");   // 204 / 98 = 2.0816...
  expect_candidate(ladder[5], BudgetOutcome::DroppedForBalance, "0", "0");  // 0.062 left
}

TEST(BudgetChecker, AllOrNoneDropsInsteadOfShrinkingAndLaterCandidatesMayStillFit) {
  const BudgetChecker budget = checker(kNoFee, {balance("USDT", "1000", "1000")});
  std::vector<OrderCandidate> ladder{buy("100", "4"), buy("99", "4"), buy("98", "4"), buy("97", "1")};
  ASSERT_TRUE(budget.adjust(btc_usdt(), ladder, BudgetMode::AllOrNone));
  expect_candidate(ladder[0], BudgetOutcome::Fits, "4", "400");
  expect_candidate(ladder[1], BudgetOutcome::Fits, "4", "396");
  expect_candidate(ladder[2], BudgetOutcome::DroppedForBalance, "0", "0");  // 392 > 204
  expect_candidate(ladder[3], BudgetOutcome::Fits, "1", "97");              // 97 <= 204
}

TEST(BudgetChecker, OpenOrdersReduceWhatIsAvailable) {
  BudgetChecker budget = checker(kTenthPercent, {balance("USDT", "1000", "1000")});
  const model::TradingRules rules = btc_usdt();
  // Our buy of 1 at 100 is open, but the venue's balance does not show it yet: 100.1 is locked.
  ASSERT_TRUE(budget.add_open_order(rules, OpenOrderLock{Side::Buy, OrderType::Limit, P("100"), Q("1")}));
  EXPECT_EQ(budget.available("USDT"), N("899.9"));
  std::vector<OrderCandidate> candidates{buy("90", "10")};
  ASSERT_TRUE(budget.adjust(rules, candidates, BudgetMode::ShrinkToFit));
  // 899.9 / (90 × 1.001) = 9.9888... -> 9.988: 898.92 + 0.89892 fee.
  expect_candidate(candidates[0], BudgetOutcome::Shrunk, "9.988", "899.81892");

  // Once the venue has reflected it (and something else locks 100 more), free is the lower bound.
  ASSERT_TRUE(budget.set_balance(balance("USDT", "1000", "799.9")));
  EXPECT_EQ(budget.available("USDT"), N("799.9"));
  budget.clear_open_orders();
  EXPECT_EQ(budget.available("USDT"), N("799.9"));
  ASSERT_TRUE(budget.set_balance(balance("USDT", "1000", "1000")));
  EXPECT_EQ(budget.available("USDT"), N("1000"));

  // An open sell locks base.
  ASSERT_TRUE(budget.set_balance(balance("BTC", "1", "1")));
  ASSERT_TRUE(
      budget.add_open_order(rules, OpenOrderLock{Side::Sell, OrderType::LimitMaker, P("200"), Q("0.3")}));
  EXPECT_EQ(budget.available("BTC"), N("0.7"));
  EXPECT_EQ(budget.available("ETH"), N("0"));
}

TEST(BudgetChecker, FeesDependOnOrderTypeAndTheFeeAssetPolicy) {
  // QuoteAsset: a buy pays its fee in quote on top of its cost.
  const BudgetChecker on_top = BudgetChecker::create(fees(F("0.001"), F("0.002"))).value();
  EXPECT_EQ(on_top.collateral(Side::Buy, OrderType::LimitMaker, P("100"), Q("1")), N("100.1"));
  EXPECT_EQ(on_top.collateral(Side::Buy, OrderType::Limit, P("100"), Q("1")), N("100.2"));  // may take
  EXPECT_EQ(on_top.collateral(Side::Buy, OrderType::Market, P("100"), Q("1")), N("100.2"));
  EXPECT_EQ(on_top.collateral(Side::Sell, OrderType::Market, P("100"), Q("1")), N("1"));

  // ReceivedAsset (Binance spot's default): the fee comes out of what the order receives.
  const BudgetChecker from_proceeds =
      BudgetChecker::create(fees(F("0.001"), F("0.002"), model::FeeAssetPolicy::ReceivedAsset)).value();
  EXPECT_EQ(from_proceeds.collateral(Side::Buy, OrderType::Limit, P("100"), Q("1")), N("100"));
  EXPECT_EQ(from_proceeds.collateral(Side::Sell, OrderType::Limit, P("100"), Q("1")), N("1"));

  // NamedAsset (BNB): paid in a third asset, nothing more locked in quote or base.
  const BudgetChecker in_bnb =
      BudgetChecker::create(fees(F("0.001"), F("0.002"), model::FeeAssetPolicy::NamedAsset)).value();
  EXPECT_EQ(in_bnb.collateral(Side::Buy, OrderType::Limit, P("100"), Q("1")), N("100"));
  EXPECT_EQ(in_bnb.collateral(Side::Sell, OrderType::Limit, P("100"), Q("1")), N("1"));

  // The fee rounds up to 1e-8 of quote, as the venue's fee is charged (FeeRate::fee_on): a cost of
  // one unit of 10^-16 at 50 % still owes a fee of 1e-8.
  const BudgetChecker half = BudgetChecker::create(fees(F("0.5"), F("0.5"))).value();
  EXPECT_EQ(half.collateral(Side::Buy, OrderType::Limit, Price::from_raw(1), Quantity::from_raw(1)),
            Notional::from_raw(1) + N("0.00000001"));

  EXPECT_FALSE(BudgetChecker::create(fees(F("-0.001"), F("0"))).has_value());  // a rebate
  EXPECT_FALSE(BudgetChecker::create(fees(F("0"), model::FeeRate::from_raw(150'000'000))).has_value());
}

TEST(BudgetChecker, InvalidInputIsRefusedAndNothingIsWritten) {
  BudgetChecker budget = checker(kNoFee, {balance("USDT", "1000", "1000")});
  std::vector<OrderCandidate> candidates{buy("100", "50"), buy("0", "1")};
  const auto result = budget.adjust(btc_usdt(), candidates, BudgetMode::ShrinkToFit);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message().find("candidate 1"), std::string::npos);
  EXPECT_EQ(candidates[0].quantity, Q("50"));

  EXPECT_FALSE(budget.set_balance(balance("USDT", "10", "11")).has_value());
  EXPECT_FALSE(
      budget.add_open_order(btc_usdt(), OpenOrderLock{Side::Buy, OrderType::Limit, P("100"), Q("-1")})
          .has_value());
}

TEST(BudgetChecker, NoBalanceForTheAssetDropsTheCandidate) {
  const BudgetChecker budget = checker(kNoFee, {balance("USDT", "1000", "1000")});
  std::vector<OrderCandidate> candidates{sell("100", "1")};
  ASSERT_TRUE(budget.adjust(btc_usdt(), candidates, BudgetMode::ShrinkToFit));
  expect_candidate(candidates[0], BudgetOutcome::DroppedForBalance, "0", "0");
}

TEST(BudgetChecker, AdjustDoesNotAllocate) {
  const BudgetChecker budget =
      checker(kTenthPercent, {balance("USDT", "1000", "1000"), balance("BTC", "1", "1")});
  const model::TradingRules rules = btc_usdt();
  std::vector<OrderCandidate> ladder{buy("100", "4"), buy("99", "4"), buy("98", "4"), sell("101", "2")};
  const std::size_t before = testing::allocations_on_this_thread();
  ASSERT_TRUE(budget.adjust(rules, ladder, BudgetMode::ShrinkToFit));
  EXPECT_EQ(testing::allocations_on_this_thread(), before);
}

}  // namespace
}  // namespace colibri::connector
