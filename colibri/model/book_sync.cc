#include "colibri/model/book_sync.h"

namespace colibri::model {

std::string_view to_string(BookSyncState state) noexcept {
  switch (state) {
    case BookSyncState::AwaitingSnapshot: return "awaiting_snapshot";
    case BookSyncState::Synced: return "synced";
    case BookSyncState::OutOfSync: return "out_of_sync";
  }
  return "unknown";
}

std::string_view to_string(OutOfSyncReason reason) noexcept {
  switch (reason) {
    case OutOfSyncReason::None: return "none";
    case OutOfSyncReason::Gap: return "gap";
    case OutOfSyncReason::Crossed: return "crossed";
    case OutOfSyncReason::InvalidLevel: return "invalid_level";
  }
  return "unknown";
}

BookSync::BookSync(OrderBook& book, const BookSequencePolicy& policy, std::size_t max_buffered_diffs)
    : book_(&book), policy_(policy), max_buffered_(max_buffered_diffs == 0 ? 1 : max_buffered_diffs) {}

BookSync::BookSync(BookSyncTarget& target, const BookSequencePolicy& policy, std::size_t max_buffered_diffs)
    : target_(&target), policy_(policy), max_buffered_(max_buffered_diffs == 0 ? 1 : max_buffered_diffs) {}

bool BookSync::target_apply_snapshot(const BookSnapshot& snapshot) {
  if (book_ != nullptr) return book_->apply_snapshot(snapshot.bids, snapshot.asks).has_value();
  return target_->apply_snapshot(snapshot);
}

bool BookSync::target_apply_diff(const BookDiff& diff) {
  if (book_ != nullptr) return book_->apply_levels(diff.bids, diff.asks).has_value();
  return target_->apply_diff(diff);
}

bool BookSync::target_is_crossed() const { return book_ != nullptr ? book_->is_crossed() : target_->is_crossed(); }

void BookSync::target_clear() {
  if (book_ != nullptr) {
    book_->clear();
  } else {
    target_->clear();
  }
}

SyncOutcome BookSync::on_snapshot(const BookSnapshot& snapshot) {
  ++stats_.snapshots;
  if (!target_apply_snapshot(snapshot)) {
    ++stats_.invalid;
    go_out_of_sync(OutOfSyncReason::InvalidLevel);
    return SyncOutcome::OutOfSync;
  }
  if (target_is_crossed()) {
    ++stats_.crossed;
    go_out_of_sync(OutOfSyncReason::Crossed);
    return SyncOutcome::OutOfSync;
  }
  state_ = BookSyncState::Synced;
  reason_ = OutOfSyncReason::None;
  last_update_id_ = snapshot.last_update_id;
  awaiting_first_diff_ = true;

  // Replay what arrived before the snapshot: stale diffs drop out, the rest must bridge.
  while (buffer_head_ < buffer_.size()) {
    const BookDiff diff = view(buffer_[buffer_head_]);
    const DiffVerdict verdict = awaiting_first_diff_ ? policy_.first_after_snapshot(diff, last_update_id_)
                                                     : policy_.next(diff, last_update_id_);
    if (verdict == DiffVerdict::Gap) {
      // The snapshot does not reach the buffered diffs: keep them for a newer snapshot.
      ++stats_.gaps;
      go_out_of_sync(OutOfSyncReason::Gap);
      return SyncOutcome::OutOfSync;
    }
    ++buffer_head_;
    if (apply_in_sync(diff) == SyncOutcome::OutOfSync) {
      return SyncOutcome::OutOfSync;
    }
  }
  buffer_.clear();
  level_pool_.clear();
  buffer_head_ = 0;
  return SyncOutcome::Applied;
}

SyncOutcome BookSync::on_diff(const BookDiff& diff) {
  ++stats_.diffs;
  if (state_ != BookSyncState::Synced) {
    buffer(diff);
    return SyncOutcome::Buffered;
  }
  const DiffVerdict verdict = awaiting_first_diff_ ? policy_.first_after_snapshot(diff, last_update_id_)
                                                   : policy_.next(diff, last_update_id_);
  if (verdict == DiffVerdict::Gap) {
    ++stats_.gaps;
    go_out_of_sync(OutOfSyncReason::Gap);
    buffer(diff);  // the first diff after the hole: needed once a new snapshot arrives
    return SyncOutcome::OutOfSync;
  }
  return apply_in_sync(diff);
}

SyncOutcome BookSync::apply_in_sync(const BookDiff& diff) {
  const DiffVerdict verdict = awaiting_first_diff_ ? policy_.first_after_snapshot(diff, last_update_id_)
                                                   : policy_.next(diff, last_update_id_);
  if (verdict == DiffVerdict::Stale) {
    ++stats_.stale;
    return SyncOutcome::Stale;
  }
  if (!target_apply_diff(diff)) [[unlikely]] {
    ++stats_.invalid;
    ++stats_.skipped;
    go_out_of_sync(OutOfSyncReason::InvalidLevel);
    return SyncOutcome::OutOfSync;
  }
  ++stats_.applied;
  last_update_id_ = diff.last_update_id;
  awaiting_first_diff_ = false;
  if (target_is_crossed()) [[unlikely]] {
    ++stats_.crossed;
    go_out_of_sync(OutOfSyncReason::Crossed);
    return SyncOutcome::OutOfSync;
  }
  return SyncOutcome::Applied;
}

void BookSync::go_out_of_sync(OutOfSyncReason reason) {
  state_ = BookSyncState::OutOfSync;
  reason_ = reason;
  awaiting_first_diff_ = false;
  target_clear();
}

void BookSync::buffer(const BookDiff& diff) {
  if (buffered() >= max_buffered_) {
    ++stats_.buffer_overflows;
    drop_oldest_buffered();
  }
  BufferedDiff entry;
  entry.header = diff;
  entry.header.bids = {};
  entry.header.asks = {};
  entry.first_level = level_pool_.size();
  entry.bid_count = diff.bids.size();
  entry.ask_count = diff.asks.size();
  level_pool_.insert(level_pool_.end(), diff.bids.begin(), diff.bids.end());
  level_pool_.insert(level_pool_.end(), diff.asks.begin(), diff.asks.end());
  buffer_.push_back(entry);
}

void BookSync::drop_oldest_buffered() {
  if (buffer_head_ >= buffer_.size()) return;
  ++stats_.skipped;
  ++buffer_head_;
  if (buffer_head_ == buffer_.size()) {
    buffer_.clear();
    level_pool_.clear();
    buffer_head_ = 0;
  } else if (buffer_head_ > 64 && buffer_head_ * 2 > buffer_.size()) {
    // Compact: amortized O(1) per dropped diff.
    const std::size_t first_level = buffer_[buffer_head_].first_level;
    level_pool_.erase(level_pool_.begin(), level_pool_.begin() + static_cast<std::ptrdiff_t>(first_level));
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(buffer_head_));
    buffer_head_ = 0;
    for (BufferedDiff& b : buffer_) b.first_level -= first_level;
  }
}

BookDiff BookSync::view(const BufferedDiff& buffered) const {
  BookDiff diff = buffered.header;
  diff.bids = std::span<const PriceLevel>(level_pool_.data() + buffered.first_level, buffered.bid_count);
  diff.asks = std::span<const PriceLevel>(level_pool_.data() + buffered.first_level + buffered.bid_count,
                                          buffered.ask_count);
  return diff;
}

}  // namespace colibri::model
