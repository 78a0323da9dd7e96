#pragma once
// The binary event log: colibri's own market-data file, fast to replay (docs/EVENT_LOG.md).
//
// A 256-byte header (magic "CLBEVLOG", version, instrument, scales, counts, CRC-32 of the
// payload and of the header itself) followed by 8-byte-aligned records. Records keep message
// boundaries and update ids (one record per diff, snapshot, trade or ticker; the levels of a
// diff or snapshot follow its record), so a book rebuilt from a log is identical to one rebuilt
// from the recording it came from. Times are stored as read (after local-time correction).
//
// EventLogWriter is a MarketEventSink: feed it any stream, then finish(). A file whose writer
// did not finish is marked incomplete and refused by the reader. EventLogReader memory-maps a
// file, validates it (a truncated or corrupt file gives an error naming the file and what is
// wrong) and replays it into a MarketEventSink. Neither is thread-safe.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "colibri/core/result.h"
#include "colibri/data/market_event_sink.h"

namespace colibri::data {

// What a log describes. The sequence rules follow from the market.
struct EventLogInfo {
  enum class Market : std::uint8_t { BinanceSpot = 0, BinanceUsdM = 1, BinanceCoinM = 2, Unsequenced = 255 };
  std::string symbol;           // up to 31 bytes
  Market market = Market::BinanceSpot;
  Price tick_size;              // zero when unknown
  Quantity lot_size;            // zero when unknown
  // Filled in by the reader:
  std::uint64_t messages = 0;   // records: diffs + snapshots + trades + tickers
  std::uint64_t events = 0;     // level updates + trades + tickers (the unit of replay speed)
  std::uint64_t payload_bytes = 0;
};

class EventLogWriter final : public MarketEventSink {
 public:
  // Creates (truncates) `path`. Io error naming the file when it cannot.
  static Result<std::unique_ptr<EventLogWriter>> create(const std::filesystem::path& path, const EventLogInfo& info);
  ~EventLogWriter() override;

  void on_snapshot(const model::BookSnapshot& snapshot) override;
  void on_diff(const model::BookDiff& diff) override;
  void on_trade(const model::PublicTrade& trade) override;
  void on_ticker(const model::BookTicker& ticker) override;

  // Replaces the header's description (symbol, market, tick and lot sizes) written by finish():
  // a converter learns the symbol only while reading.
  void set_info(const EventLogInfo& info) { info_ = info; }
  // Flushes, writes the final header and closes. Any earlier write error is reported here.
  [[nodiscard]] Result<void> finish();
  [[nodiscard]] std::uint64_t messages() const noexcept { return messages_; }
  [[nodiscard]] std::uint64_t events() const noexcept { return events_; }

 private:
  EventLogWriter(std::filesystem::path path, std::FILE* file, EventLogInfo info);
  void write_book(std::uint8_t type, std::int64_t exchange_ns, std::int64_t local_ns, model::UpdateId first,
                  model::UpdateId last, model::UpdateId prev, std::span<const model::PriceLevel> bids,
                  std::span<const model::PriceLevel> asks);
  void append(const void* data, std::size_t size);
  void flush_buffer();

  std::filesystem::path path_;
  std::FILE* file_;
  EventLogInfo info_;
  std::vector<unsigned char> buffer_;
  struct PayloadHash;  // XXH3-64 state (xxhash stays out of this header)
  std::unique_ptr<PayloadHash> hash_;
  std::uint64_t payload_bytes_ = 0;
  std::uint64_t messages_ = 0;
  std::uint64_t events_ = 0;
  bool failed_ = false;
  bool finished_ = false;
};

class EventLogReader;

// A read position in a mapped event log: one record at a time, in file order. Several cursors may
// walk the same reader independently (the backtest reads each file twice: once at exchange time,
// once at local time). Streaming: a cursor holds an offset and a reused level buffer, never the
// file. Valid while its reader lives (moving the reader keeps the mapping, so cursors stay valid).
// Not thread-safe.
class EventLogCursor {
 public:
  // True when every record has been delivered (or next() failed).
  [[nodiscard]] bool at_end() const noexcept { return offset_ >= size_; }
  // Exchange / local time of the next record, read without delivering it; Timestamp::none() at
  // the end, or when the next record is too short to hold its times (next() then reports Corrupt).
  [[nodiscard]] Timestamp peek_exchange_time() const noexcept;
  [[nodiscard]] Timestamp peek_local_time() const noexcept;
  // Delivers the next record into `sink` and moves past it. Returns false at the end. Corrupt
  // (naming the file and byte offset) when the record is malformed; the cursor is then at_end().
  [[nodiscard]] Result<bool> next(MarketEventSink& sink);
  // Records delivered so far.
  [[nodiscard]] std::uint64_t records() const noexcept { return records_; }
  // Byte offset of the next record in the file.
  [[nodiscard]] std::size_t offset() const noexcept { return offset_; }

 private:
  friend class EventLogReader;
  EventLogCursor(const unsigned char* data, std::size_t size, std::size_t offset, const std::filesystem::path* path)
      : data_(data), size_(size), offset_(offset), path_(path) {}
  [[nodiscard]] Timestamp peek_time(std::size_t field) const noexcept;

  const unsigned char* data_;
  std::size_t size_;
  std::size_t offset_;
  const std::filesystem::path* path_;  // for error messages; owned by the reader (heap-stable)
  std::vector<model::PriceLevel> levels_;  // reused when levels cannot be read in place (unaligned)
  std::uint64_t records_ = 0;
};

class EventLogReader {
 public:
  // Maps and validates `path`: magic, version, header checksum, completeness, size against the
  // header (truncation), and — when verify_payload — the payload checksum.
  static Result<EventLogReader> open(const std::filesystem::path& path, bool verify_payload = true);
  EventLogReader(EventLogReader&&) noexcept;
  EventLogReader& operator=(EventLogReader&&) noexcept;
  ~EventLogReader();

  [[nodiscard]] const EventLogInfo& info() const noexcept { return info_; }
  // The file's size in bytes.
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  // Memory: the mapping's pages before byte `offset` will not be read again by anyone; they leave
  // this process's resident set (the kernel re-reads them from the file if they are). Keeps a
  // long replay's memory flat; replay() and open()'s checksum pass do it as they go.
  void release_before(std::size_t offset) const noexcept;
  // Replays every record into `sink` in file order. Corrupt (naming the byte offset) when a
  // record is malformed; records before it have been delivered.
  [[nodiscard]] Result<void> replay(MarketEventSink& sink);
  // A cursor at the first record (see EventLogCursor). Valid while this reader (or the reader it
  // is moved into) lives.
  [[nodiscard]] EventLogCursor cursor() const;

  // True when the file starts with the event log's magic bytes.
  [[nodiscard]] static bool looks_like_event_log(const std::filesystem::path& path);

 private:
  EventLogReader() = default;
  std::unique_ptr<std::filesystem::path> path_;  // heap: cursors keep its address across moves
  const unsigned char* data_ = nullptr;  // the whole mapped file
  std::size_t size_ = 0;
  mutable std::size_t released_ = 0;     // pages before this offset were released
  EventLogInfo info_;
};

}  // namespace colibri::data
