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

const model::BookSequencePolicy& sequence_policy(Market market) noexcept {
  static const SpotSequencePolicy spot;
  static const FuturesSequencePolicy futures;
  return market == Market::Spot ? static_cast<const model::BookSequencePolicy&>(spot) : futures;
}

}  // namespace colibri::venue::binance
