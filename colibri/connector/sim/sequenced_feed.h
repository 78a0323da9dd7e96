#pragma once
// SequencedFeed: the simulated exchange's side of a replayed venue stream. Snapshots and diffs go
// through a model::BookSync with the venue's sequence policy before they reach the matching
// engine, exactly as they would reach a connector's book: diffs recorded before the first
// snapshot are buffered and bridged, stale diffs are dropped, and after a gap the engine's book is
// cleared (nothing fills against it) until the stream's next snapshot. Trades go straight through.
//
// Without it a recording that starts with diffs (Binance's recordings do: the REST snapshot
// arrives after the first diffs) would build a partial, possibly crossed book in the engine.
// Not thread-safe: lives on the replay thread with the engine.

#include "colibri/connector/sim/matching_engine.h"
#include "colibri/data/market_event_sink.h"
#include "colibri/model/book_sync.h"

namespace colibri::connector::sim {

class SequencedFeed final : public data::MarketEventSink, private model::BookSyncTarget {
 public:
  // `engine` and `policy` must outlive the feed.
  SequencedFeed(MatchingEngine& engine, const model::BookSequencePolicy& policy);

  void on_snapshot(const model::BookSnapshot& snapshot) override { sync_.on_snapshot(snapshot); }
  void on_diff(const model::BookDiff& diff) override { sync_.on_diff(diff); }
  void on_trade(const model::PublicTrade& trade) override { engine_.on_trade(trade); }
  void on_ticker(const model::BookTicker& ticker) override { engine_.on_ticker(ticker); }

  [[nodiscard]] const model::BookSync& sync() const noexcept { return sync_; }

 private:
  bool apply_snapshot(const model::BookSnapshot& snapshot) override;
  bool apply_diff(const model::BookDiff& diff) override;
  bool is_crossed() const override { return engine_.book().is_crossed(); }
  void clear() override { engine_.clear_book(); }

  MatchingEngine& engine_;
  model::BookSync sync_;
};

}  // namespace colibri::connector::sim
