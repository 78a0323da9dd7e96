#include "colibri/venue/binance/sequence_policy.h"

namespace colibri::venue::binance {

using model::DiffVerdict;

DiffVerdict SpotSequencePolicy::first_after_snapshot(const model::BookDiff& diff,
                                                     model::UpdateId snapshot_id) const {
  if (diff.last_update_id <= snapshot_id) return DiffVerdict::Stale;
  if (diff.first_update_id <= snapshot_id + 1) return DiffVerdict::Apply;  // and snapshot_id + 1 <= u
  return DiffVerdict::Gap;
}

DiffVerdict SpotSequencePolicy::next(const model::BookDiff& diff, model::UpdateId last_applied) const {
  if (diff.last_update_id <= last_applied) return DiffVerdict::Stale;
  if (diff.first_update_id > last_applied + 1) return DiffVerdict::Gap;
  return DiffVerdict::Apply;
}

DiffVerdict FuturesSequencePolicy::first_after_snapshot(const model::BookDiff& diff,
                                                        model::UpdateId snapshot_id) const {
  if (diff.last_update_id < snapshot_id) return DiffVerdict::Stale;
  if (diff.first_update_id <= snapshot_id) return DiffVerdict::Apply;  // and snapshot_id <= u
  return DiffVerdict::Gap;
}

DiffVerdict FuturesSequencePolicy::next(const model::BookDiff& diff, model::UpdateId last_applied) const {
  if (diff.last_update_id <= last_applied) return DiffVerdict::Stale;
  if (diff.prev_last_update_id != last_applied) return DiffVerdict::Gap;
  return DiffVerdict::Apply;
}

namespace {
const SpotSequencePolicy kSpot;
const FuturesSequencePolicy kFutures;
const model::BookSequencePolicy& rules_for(const model::BookDiff& diff) {
  return diff.prev_last_update_id != model::kNoUpdateId ? static_cast<const model::BookSequencePolicy&>(kFutures)
                                                        : kSpot;
}
}  // namespace

DiffVerdict InferredSequencePolicy::first_after_snapshot(const model::BookDiff& diff,
                                                         model::UpdateId snapshot_id) const {
  return rules_for(diff).first_after_snapshot(diff, snapshot_id);
}

DiffVerdict InferredSequencePolicy::next(const model::BookDiff& diff, model::UpdateId last_applied) const {
  return rules_for(diff).next(diff, last_applied);
}

const model::BookSequencePolicy& sequence_policy(Market market) noexcept {
  return market == Market::Spot ? static_cast<const model::BookSequencePolicy&>(kSpot) : kFutures;
}

}  // namespace colibri::venue::binance
