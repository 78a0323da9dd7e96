#pragma once
// BookSync: keeps an OrderBook in step with a venue's snapshot + diff stream, following the
// venue's sequence rules (DESIGN.md decision 7). The rules are injected as a
// BookSequencePolicy (Binance spot and futures policies live in venue/binance).
//
// Procedure: diffs that arrive before a snapshot are buffered (bounded); a snapshot replaces the
// book, buffered diffs older than it are dropped as stale and the rest are applied in order.
// After that each diff must continue the sequence. A gap, a crossed book or an invalid level
// puts the book out of sync with a reason: the book is cleared (never used stale), later diffs
// are buffered, and only a new snapshot brings it back. Live, the connector sees
// needs_snapshot() and fetches one; in a file the book stays out of sync until the file's next
// snapshot, and the diffs that could not be used are counted as skipped.
//
// Every diff handed to on_diff() ends in exactly one bucket of BookSyncStats: applied, stale,
// skipped, or (still) buffered.
//
// Not thread-safe: owned by the bot's event-loop thread.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "colibri/model/market_data.h"
#include "colibri/model/order_book.h"

namespace colibri::model {

// What a venue's sequence numbers say about one diff.
enum class DiffVerdict : std::uint8_t {
  Apply,  // continues the book
  Stale,  // entirely older than the book: ignore, not an error
  Gap,    // updates are missing between the book and this diff
};

// A venue's sequence rules. Implementations are stateless.
class BookSequencePolicy {
 public:
  virtual ~BookSequencePolicy() = default;
  // The first diff considered after a snapshot whose last update id is `snapshot_id`.
  [[nodiscard]] virtual DiffVerdict first_after_snapshot(const BookDiff& diff, UpdateId snapshot_id) const = 0;
  // A later diff; `last_applied` is the last update id of the previously applied diff.
  [[nodiscard]] virtual DiffVerdict next(const BookDiff& diff, UpdateId last_applied) const = 0;
  [[nodiscard]] virtual std::string_view name() const = 0;
};

// For sources without update ids (e.g. Tardis CSV): every diff applies in arrival order.
class UnsequencedPolicy final : public BookSequencePolicy {
 public:
  DiffVerdict first_after_snapshot(const BookDiff&, UpdateId) const override { return DiffVerdict::Apply; }
  DiffVerdict next(const BookDiff&, UpdateId) const override { return DiffVerdict::Apply; }
  std::string_view name() const override { return "unsequenced"; }
};

// What a BookSync keeps in step when it is not a plain OrderBook: the simulated exchange's matching
// engine, whose book also moves queue positions. Called only with diffs the policy accepted, in order.
class BookSyncTarget {
 public:
  virtual ~BookSyncTarget() = default;
  [[nodiscard]] virtual bool apply_snapshot(const BookSnapshot& snapshot) = 0;  // false: an invalid level
  [[nodiscard]] virtual bool apply_diff(const BookDiff& diff) = 0;              // false: an invalid level
  [[nodiscard]] virtual bool is_crossed() const = 0;
  virtual void clear() = 0;  // out of sync: the target must not be used until the next snapshot
};

enum class BookSyncState : std::uint8_t {
  AwaitingSnapshot,  // no snapshot yet: diffs are buffered
  Synced,            // the book is usable
  OutOfSync,         // a gap, crossed book or invalid level: waiting for a new snapshot
};

enum class OutOfSyncReason : std::uint8_t { None, Gap, Crossed, InvalidLevel };

[[nodiscard]] std::string_view to_string(BookSyncState state) noexcept;
[[nodiscard]] std::string_view to_string(OutOfSyncReason reason) noexcept;

// What happened to one diff (or, for a snapshot, to the book).
enum class SyncOutcome : std::uint8_t {
  Applied,     // the book changed and is in sync
  Buffered,    // kept until a snapshot arrives
  Stale,       // ignored: older than the book
  OutOfSync,   // this diff or snapshot revealed a gap, crossed book or invalid level
};

struct BookSyncStats {
  std::uint64_t snapshots = 0;
  std::uint64_t diffs = 0;            // diffs handed to on_diff()
  std::uint64_t applied = 0;          // diffs applied to the book
  std::uint64_t stale = 0;            // diffs ignored as older than the book
  std::uint64_t skipped = 0;          // diffs dropped unused while out of sync
  std::uint64_t gaps = 0;             // sequence gaps detected
  std::uint64_t crossed = 0;          // crossed books detected
  std::uint64_t invalid = 0;          // diffs or snapshots with an invalid level
  std::uint64_t buffer_overflows = 0; // times the buffer was full and dropped its oldest diff
};

class BookSync {
 public:
  static constexpr std::size_t kDefaultMaxBufferedDiffs = 10'000;

  // `book` (or `target`) and `policy` must outlive the BookSync.
  BookSync(OrderBook& book, const BookSequencePolicy& policy,
           std::size_t max_buffered_diffs = kDefaultMaxBufferedDiffs);
  BookSync(BookSyncTarget& target, const BookSequencePolicy& policy,
           std::size_t max_buffered_diffs = kDefaultMaxBufferedDiffs);

  SyncOutcome on_snapshot(const BookSnapshot& snapshot);
  SyncOutcome on_diff(const BookDiff& diff);

  [[nodiscard]] BookSyncState state() const noexcept { return state_; }
  [[nodiscard]] bool is_synced() const noexcept { return state_ == BookSyncState::Synced; }
  [[nodiscard]] bool needs_snapshot() const noexcept { return state_ != BookSyncState::Synced; }
  [[nodiscard]] OutOfSyncReason reason() const noexcept { return reason_; }
  // The last update id the book reflects (kNoUpdateId before the first snapshot).
  [[nodiscard]] UpdateId last_update_id() const noexcept { return last_update_id_; }
  [[nodiscard]] std::size_t buffered() const noexcept { return buffer_.size() - buffer_head_; }
  [[nodiscard]] const BookSyncStats& stats() const noexcept { return stats_; }
  // The book kept in step; only for a BookSync built over an OrderBook.
  [[nodiscard]] const OrderBook& book() const noexcept { return *book_; }

 private:
  struct BufferedDiff {
    BookDiff header;  // spans unused: levels live in level_pool_
    std::size_t first_level = 0;
    std::size_t bid_count = 0;
    std::size_t ask_count = 0;
  };

  // Applies a diff in sync; returns Applied, Stale or OutOfSync.
  SyncOutcome apply_in_sync(const BookDiff& diff);
  void buffer(const BookDiff& diff);
  void drop_oldest_buffered();
  void go_out_of_sync(OutOfSyncReason reason);
  [[nodiscard]] BookDiff view(const BufferedDiff& buffered) const;

  // The target's operations; the OrderBook path is direct (no virtual call per diff).
  [[nodiscard]] bool target_apply_snapshot(const BookSnapshot& snapshot);
  [[nodiscard]] bool target_apply_diff(const BookDiff& diff);
  [[nodiscard]] bool target_is_crossed() const;
  void target_clear();

  OrderBook* book_ = nullptr;          // exactly one of book_ and target_ is set
  BookSyncTarget* target_ = nullptr;
  const BookSequencePolicy& policy_;
  std::size_t max_buffered_;
  BookSyncState state_ = BookSyncState::AwaitingSnapshot;
  OutOfSyncReason reason_ = OutOfSyncReason::None;
  UpdateId last_update_id_ = kNoUpdateId;
  bool awaiting_first_diff_ = false;  // the next diff is judged against the snapshot id
  std::vector<BufferedDiff> buffer_;  // [buffer_head_, size) are live, oldest first
  std::size_t buffer_head_ = 0;
  std::vector<PriceLevel> level_pool_;
  BookSyncStats stats_;
};

}  // namespace colibri::model
