#include "colibri/connector/sim/sequenced_feed.h"

namespace colibri::connector::sim {

SequencedFeed::SequencedFeed(MatchingEngine& engine, const model::BookSequencePolicy& policy)
    : engine_(engine), sync_(static_cast<model::BookSyncTarget&>(*this), policy) {}

// The engine skips and counts invalid levels itself (MatchingEngineStats::invalid_levels): a bad
// level never takes the simulated exchange's book out of sync.
bool SequencedFeed::apply_snapshot(const model::BookSnapshot& snapshot) {
  engine_.on_snapshot(snapshot);
  return true;
}

bool SequencedFeed::apply_diff(const model::BookDiff& diff) {
  engine_.on_diff(diff);
  return true;
}

}  // namespace colibri::connector::sim
