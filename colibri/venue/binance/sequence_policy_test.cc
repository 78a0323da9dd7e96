#include "colibri/venue/binance/sequence_policy.h"

#include <gtest/gtest.h>

namespace colibri::venue::binance {
namespace {

using model::BookDiff;
using model::DiffVerdict;

BookDiff diff(model::UpdateId first, model::UpdateId last, model::UpdateId prev = model::kNoUpdateId) {
  BookDiff d;
  d.first_update_id = first;
  d.last_update_id = last;
  d.prev_last_update_id = prev;
  return d;
}

TEST(SpotSequencePolicy, FollowsBinanceSpotRules) {
  const auto& p = sequence_policy(Market::Spot);
  // First diff after snapshot 100: drop u <= 100; apply U <= 101 <= u.
  EXPECT_EQ(p.first_after_snapshot(diff(90, 100), 100), DiffVerdict::Stale);
  EXPECT_EQ(p.first_after_snapshot(diff(95, 101), 100), DiffVerdict::Apply);
  EXPECT_EQ(p.first_after_snapshot(diff(101, 105), 100), DiffVerdict::Apply);
  EXPECT_EQ(p.first_after_snapshot(diff(102, 105), 100), DiffVerdict::Gap);
  // Later: U above last + 1 is a gap; wholly older is stale; overlap applies.
  EXPECT_EQ(p.next(diff(106, 110), 105), DiffVerdict::Apply);
  EXPECT_EQ(p.next(diff(107, 110), 105), DiffVerdict::Gap);
  EXPECT_EQ(p.next(diff(100, 105), 105), DiffVerdict::Stale);
  EXPECT_EQ(p.next(diff(104, 108), 105), DiffVerdict::Apply);
}

TEST(FuturesSequencePolicy, FollowsBinanceFuturesRules) {
  const auto& p = sequence_policy(Market::UsdM);
  EXPECT_EQ(&p, &sequence_policy(Market::CoinM));
  // First diff after snapshot 100: drop u < 100; apply U <= 100 <= u.
  EXPECT_EQ(p.first_after_snapshot(diff(90, 99, 89), 100), DiffVerdict::Stale);
  EXPECT_EQ(p.first_after_snapshot(diff(95, 100, 94), 100), DiffVerdict::Apply);
  EXPECT_EQ(p.first_after_snapshot(diff(101, 105, 100), 100), DiffVerdict::Gap);
  // Later: pu must equal the last applied u.
  EXPECT_EQ(p.next(diff(106, 110, 105), 105), DiffVerdict::Apply);
  EXPECT_EQ(p.next(diff(106, 110, 104), 105), DiffVerdict::Gap);
  EXPECT_EQ(p.next(diff(101, 105, 100), 105), DiffVerdict::Stale);
}

}  // namespace
}  // namespace colibri::venue::binance

namespace colibri::venue::binance {
namespace {

TEST(InferredSequencePolicy, UsesFuturesRulesWhenADiffCarriesPu) {
  const InferredSequencePolicy p;
  // Spot-shaped diff (no pu): U <= id + 1 bridges.
  EXPECT_EQ(p.first_after_snapshot(diff(101, 105), 100), DiffVerdict::Apply);
  // Futures-shaped diff: U must be <= id.
  EXPECT_EQ(p.first_after_snapshot(diff(101, 105, 100), 100), DiffVerdict::Gap);
  EXPECT_EQ(p.next(diff(106, 110, 104), 105), DiffVerdict::Gap);
  EXPECT_EQ(p.next(diff(106, 110), 105), DiffVerdict::Apply);
}

}  // namespace
}  // namespace colibri::venue::binance
