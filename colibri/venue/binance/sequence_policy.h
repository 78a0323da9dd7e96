#pragma once
// Binance's documented order-book sequence rules ("How to manage a local order book correctly"),
// which differ between spot and futures (USD-M and COIN-M).
//
// Spot:    drop diffs with u <= lastUpdateId; the first applied diff has
//          U <= lastUpdateId + 1 <= u; after that a diff whose U > last applied u + 1 is a gap.
// Futures: drop diffs with u < lastUpdateId; the first applied diff has U <= lastUpdateId <= u;
//          after that each diff's pu must equal the last applied u.
// Both:    a diff entirely older than the book (u <= last applied u) is stale, not a gap.

#include "colibri/model/book_sync.h"

namespace colibri::venue::binance {

class SpotSequencePolicy final : public model::BookSequencePolicy {
 public:
  model::DiffVerdict first_after_snapshot(const model::BookDiff& diff, model::UpdateId snapshot_id) const override;
  model::DiffVerdict next(const model::BookDiff& diff, model::UpdateId last_applied) const override;
  std::string_view name() const override { return "binance-spot"; }
};

class FuturesSequencePolicy final : public model::BookSequencePolicy {
 public:
  model::DiffVerdict first_after_snapshot(const model::BookDiff& diff, model::UpdateId snapshot_id) const override;
  model::DiffVerdict next(const model::BookDiff& diff, model::UpdateId last_applied) const override;
  std::string_view name() const override { return "binance-futures"; }
};

// Chooses per diff: futures rules when the diff carries "pu", spot rules otherwise. For replaying
// recordings whose market is not declared (every diff of one stream has the same shape).
class InferredSequencePolicy final : public model::BookSequencePolicy {
 public:
  model::DiffVerdict first_after_snapshot(const model::BookDiff& diff, model::UpdateId snapshot_id) const override;
  model::DiffVerdict next(const model::BookDiff& diff, model::UpdateId last_applied) const override;
  std::string_view name() const override { return "binance-inferred"; }
};

// Which Binance market a stream comes from; decides the sequence policy.
enum class Market : std::uint8_t { Spot, UsdM, CoinM };

// The policy for a market (static instances; never null).
[[nodiscard]] const model::BookSequencePolicy& sequence_policy(Market market) noexcept;

}  // namespace colibri::venue::binance
