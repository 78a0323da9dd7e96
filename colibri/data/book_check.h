#pragma once
// BookCheck: rebuilds a book from a market-data stream and counts what a data check reports —
// messages, diffs, trades, gaps, crossed books, and the final top of book — and cross-checks the
// rebuilt best bid/ask against every bookTicker whose update id equals the last update id of an
// applied diff. The ticker stream often runs ahead of the depth stream, so a ticker newer than the
// book waits (bounded) until the diff with its id is applied, and is compared then.
// It is a MarketEventSink, so it consumes any replay (recording, event log, synthetic market).

#include <cstdint>
#include <deque>
#include <optional>

#include "colibri/data/market_event_sink.h"
#include "colibri/model/book_sync.h"
#include "colibri/model/order_book.h"

namespace colibri::data {

struct BookCheckReport {
  std::uint64_t messages = 0;
  std::uint64_t snapshots = 0;
  std::uint64_t diffs = 0;
  std::uint64_t trades = 0;
  std::uint64_t tickers = 0;
  std::uint64_t ticker_checks = 0;      // tickers compared with the rebuilt book
  std::uint64_t ticker_mismatches = 0;  // ... that disagreed
  std::uint64_t ticker_unmatched = 0;   // tickers whose id fell inside a diff, or an unsynced book
  model::BookSyncStats sync;
  model::BookSyncState state = model::BookSyncState::AwaitingSnapshot;
  model::OutOfSyncReason reason = model::OutOfSyncReason::None;
  std::optional<model::PriceLevel> best_bid;
  std::optional<model::PriceLevel> best_ask;
  std::size_t bid_levels = 0;
  std::size_t ask_levels = 0;
};

class BookCheck final : public MarketEventSink {
 public:
  // `policy` must outlive the check.
  explicit BookCheck(const model::BookSequencePolicy& policy);

  void on_snapshot(const model::BookSnapshot& snapshot) override;
  void on_diff(const model::BookDiff& diff) override;
  void on_trade(const model::PublicTrade& trade) override;
  void on_ticker(const model::BookTicker& ticker) override;

  [[nodiscard]] BookCheckReport report() const;
  [[nodiscard]] const model::OrderBook& book() const noexcept { return book_; }
  [[nodiscard]] const model::BookSync& sync() const noexcept { return sync_; }

 private:
  static constexpr std::size_t kMaxPendingTickers = 4096;
  void compare(const model::BookTicker& ticker);
  void settle_pending_tickers();

  model::OrderBook book_;
  model::BookSync sync_;
  BookCheckReport counts_;
  std::deque<model::BookTicker> pending_tickers_;  // ids above the book's, oldest first
};

}  // namespace colibri::data
