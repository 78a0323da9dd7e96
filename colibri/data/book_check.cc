#include "colibri/data/book_check.h"

namespace colibri::data {

BookCheck::BookCheck(const model::BookSequencePolicy& policy) : sync_(book_, policy) {}

void BookCheck::on_snapshot(const model::BookSnapshot& snapshot) {
  ++counts_.messages;
  ++counts_.snapshots;
  sync_.on_snapshot(snapshot);
}

void BookCheck::on_diff(const model::BookDiff& diff) {
  ++counts_.messages;
  ++counts_.diffs;
  if (sync_.on_diff(diff) == model::SyncOutcome::Applied) settle_pending_tickers();
}

void BookCheck::on_trade(const model::PublicTrade&) {
  ++counts_.messages;
  ++counts_.trades;
}

void BookCheck::on_ticker(const model::BookTicker& ticker) {
  ++counts_.messages;
  ++counts_.tickers;
  if (!sync_.is_synced() || ticker.update_id < sync_.last_update_id()) {
    ++counts_.ticker_unmatched;
  } else if (ticker.update_id == sync_.last_update_id()) {
    compare(ticker);
  } else {
    if (pending_tickers_.size() == kMaxPendingTickers) {
      ++counts_.ticker_unmatched;
      pending_tickers_.pop_front();
    }
    pending_tickers_.push_back(ticker);
  }
}

void BookCheck::compare(const model::BookTicker& ticker) {
  ++counts_.ticker_checks;
  const auto bid = book_.best_bid();
  const auto ask = book_.best_ask();
  if (!bid || !ask || *bid != ticker.best_bid || *ask != ticker.best_ask) ++counts_.ticker_mismatches;
}

// After a diff is applied: tickers at the book's id are compared; older ones can no longer be.
void BookCheck::settle_pending_tickers() {
  const model::UpdateId last = sync_.last_update_id();
  while (!pending_tickers_.empty() && pending_tickers_.front().update_id <= last) {
    if (pending_tickers_.front().update_id == last) {
      compare(pending_tickers_.front());
    } else {
      ++counts_.ticker_unmatched;
    }
    pending_tickers_.pop_front();
  }
}

BookCheckReport BookCheck::report() const {
  BookCheckReport r = counts_;
  r.sync = sync_.stats();
  r.state = sync_.state();
  r.reason = sync_.reason();
  r.best_bid = book_.best_bid();
  r.best_ask = book_.best_ask();
  r.bid_levels = book_.level_count(model::BookSide::Bid);
  r.ask_levels = book_.level_count(model::BookSide::Ask);
  return r;
}

}  // namespace colibri::data
