#include "colibri/data/event_log.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <type_traits>

#include <xxhash.h>
#if defined(__x86_64__)
#include <xxh_x86dispatch.h>
#endif
#include <zlib.h>

namespace colibri::data {
namespace {

// XXH3 over the payload with the widest vector unit this CPU has: Debian's libxxhash picks AVX2 at
// run time in its _dispatch entry points (the plain ones use SSE2). The hash is the same either way.
XXH_errorcode hash_update(XXH3_state_t* state, const void* data, std::size_t size) {
#if defined(__x86_64__)
  return XXH3_64bits_update_dispatch(state, data, size);
#else
  return XXH3_64bits_update(state, data, size);
#endif
}

// On-disk layout (little-endian); docs/EVENT_LOG.md describes it for other readers.
constexpr std::array<char, 8> kMagic = {'C', 'L', 'B', 'E', 'V', 'L', 'O', 'G'};
// Version 2 checks the payload with XXH3-64 (about 20 times cheaper to verify than zlib's CRC-32,
// which was a sixth of a backtest's time); version 1 files (CRC-32) are still read.
constexpr std::uint32_t kVersion = 2;
constexpr std::uint32_t kVersionCrc32 = 1;
constexpr std::size_t kHeaderSize = 256;
constexpr std::size_t kHeaderCrcOffset = 252;
constexpr std::uint8_t kFlagComplete = 1;
constexpr std::size_t kSymbolBytes = 32;

enum RecordType : std::uint8_t { kDiff = 1, kSnapshot = 2, kTrade = 3, kTicker = 4 };
constexpr std::uint8_t kTradeAggressorSell = 1;

constexpr std::size_t kRecordHeader = 8;               // type, flags, reserved, level count
constexpr std::size_t kBookRecord = kRecordHeader + 48;  // + exch, local, first, last, prev, n_bids, n_asks
constexpr std::size_t kTradeRecord = kRecordHeader + 40;
constexpr std::size_t kTickerRecord = kRecordHeader + 56;
constexpr std::size_t kLevelBytes = 16;
static_assert(sizeof(model::PriceLevel) == kLevelBytes, "levels are copied to and from the file as two int64");

template <typename T>
void put(unsigned char* out, std::size_t offset, T value) {
  std::memcpy(out + offset, &value, sizeof(T));
}
template <typename T>
T get(const unsigned char* in, std::size_t offset) {
  T value;
  std::memcpy(&value, in + offset, sizeof(T));
  return value;
}

std::array<unsigned char, kHeaderSize> encode_header(const EventLogInfo& info, bool complete, std::uint64_t messages,
                                                     std::uint64_t events, std::uint64_t payload_bytes,
                                                     std::uint64_t payload_hash) {
  std::array<unsigned char, kHeaderSize> h{};
  std::memcpy(h.data(), kMagic.data(), kMagic.size());
  put<std::uint32_t>(h.data(), 8, kVersion);
  put<std::uint32_t>(h.data(), 12, static_cast<std::uint32_t>(kHeaderSize));
  h[16] = static_cast<unsigned char>(Price::kDecimals);
  h[17] = static_cast<unsigned char>(Quantity::kDecimals);
  h[18] = static_cast<unsigned char>(info.market);
  h[19] = complete ? kFlagComplete : 0;
  std::memcpy(h.data() + 24, info.symbol.data(), std::min(info.symbol.size(), kSymbolBytes - 1));
  put<std::int64_t>(h.data(), 56, info.tick_size.raw());
  put<std::int64_t>(h.data(), 64, info.lot_size.raw());
  put<std::uint64_t>(h.data(), 72, messages);
  put<std::uint64_t>(h.data(), 80, events);
  put<std::uint64_t>(h.data(), 88, payload_bytes);
  put<std::uint64_t>(h.data(), 96, payload_hash);
  put<std::uint32_t>(h.data(), kHeaderCrcOffset,
                     static_cast<std::uint32_t>(crc32_z(0, h.data(), kHeaderCrcOffset)));
  return h;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Writer

Result<std::unique_ptr<EventLogWriter>> EventLogWriter::create(const std::filesystem::path& path,
                                                               const EventLogInfo& info) {
  if (info.symbol.size() >= kSymbolBytes) {
    return fail(ErrorCode::InvalidArgument, "{}: symbol \"{}\" longer than {} bytes", path.string(), info.symbol,
                kSymbolBytes - 1);
  }
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return fail(ErrorCode::Io, "{}: cannot create: {}", path.string(), std::strerror(errno));
  auto writer = std::unique_ptr<EventLogWriter>(new EventLogWriter(path, file, info));
  // Placeholder header (incomplete) until finish().
  const auto header = encode_header(info, false, 0, 0, 0, 0);
  if (std::fwrite(header.data(), 1, header.size(), file) != header.size()) {
    return fail(ErrorCode::Io, "{}: write failed: {}", path.string(), std::strerror(errno));
  }
  return writer;
}

struct EventLogWriter::PayloadHash {
  PayloadHash() : state(XXH3_createState()) {
    if (state == nullptr) throw std::bad_alloc();
    XXH3_64bits_reset(state);
  }
  PayloadHash(const PayloadHash&) = delete;
  PayloadHash& operator=(const PayloadHash&) = delete;
  ~PayloadHash() { XXH3_freeState(state); }
  XXH3_state_t* state;
};

EventLogWriter::EventLogWriter(std::filesystem::path path, std::FILE* file, EventLogInfo info)
    : path_(std::move(path)), file_(file), info_(std::move(info)), hash_(std::make_unique<PayloadHash>()) {
  buffer_.reserve(1u << 20);
}

EventLogWriter::~EventLogWriter() {
  if (file_ != nullptr) std::fclose(file_);  // unfinished: the header stays "incomplete"
}

void EventLogWriter::append(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  buffer_.insert(buffer_.end(), bytes, bytes + size);
  if (buffer_.size() >= (1u << 20)) flush_buffer();
}

void EventLogWriter::flush_buffer() {
  if (buffer_.empty() || failed_) {
    buffer_.clear();
    return;
  }
  hash_update(hash_->state, buffer_.data(), buffer_.size());
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) failed_ = true;
  payload_bytes_ += buffer_.size();
  buffer_.clear();
}

void EventLogWriter::write_book(std::uint8_t type, std::int64_t exchange_ns, std::int64_t local_ns,
                                model::UpdateId first, model::UpdateId last, model::UpdateId prev,
                                std::span<const model::PriceLevel> bids, std::span<const model::PriceLevel> asks) {
  unsigned char record[kBookRecord] = {};
  record[0] = type;
  put<std::uint32_t>(record, 4, static_cast<std::uint32_t>(bids.size() + asks.size()));
  put<std::int64_t>(record, 8, exchange_ns);
  put<std::int64_t>(record, 16, local_ns);
  put<std::int64_t>(record, 24, first);
  put<std::int64_t>(record, 32, last);
  put<std::int64_t>(record, 40, prev);
  put<std::uint32_t>(record, 48, static_cast<std::uint32_t>(bids.size()));
  put<std::uint32_t>(record, 52, static_cast<std::uint32_t>(asks.size()));
  append(record, sizeof(record));
  append(bids.data(), bids.size_bytes());
  append(asks.data(), asks.size_bytes());
  ++messages_;
  events_ += bids.size() + asks.size();
}

void EventLogWriter::on_snapshot(const model::BookSnapshot& s) {
  write_book(kSnapshot, s.exchange_time.ns(), s.local_time.ns(), model::kNoUpdateId, s.last_update_id,
             model::kNoUpdateId, s.bids, s.asks);
}

void EventLogWriter::on_diff(const model::BookDiff& d) {
  write_book(kDiff, d.exchange_time.ns(), d.local_time.ns(), d.first_update_id, d.last_update_id,
             d.prev_last_update_id, d.bids, d.asks);
}

void EventLogWriter::on_trade(const model::PublicTrade& t) {
  unsigned char record[kTradeRecord] = {};
  record[0] = kTrade;
  record[1] = t.aggressor == model::Side::Sell ? kTradeAggressorSell : 0;
  put<std::int64_t>(record, 8, t.exchange_time.ns());
  put<std::int64_t>(record, 16, t.local_time.ns());
  put<std::int64_t>(record, 24, t.trade_id);
  put<std::int64_t>(record, 32, t.price.raw());
  put<std::int64_t>(record, 40, t.quantity.raw());
  append(record, sizeof(record));
  ++messages_;
  ++events_;
}

void EventLogWriter::on_ticker(const model::BookTicker& t) {
  unsigned char record[kTickerRecord] = {};
  record[0] = kTicker;
  put<std::int64_t>(record, 8, t.exchange_time.ns());
  put<std::int64_t>(record, 16, t.local_time.ns());
  put<std::int64_t>(record, 24, t.update_id);
  put<std::int64_t>(record, 32, t.best_bid.price.raw());
  put<std::int64_t>(record, 40, t.best_bid.quantity.raw());
  put<std::int64_t>(record, 48, t.best_ask.price.raw());
  put<std::int64_t>(record, 56, t.best_ask.quantity.raw());
  append(record, sizeof(record));
  ++messages_;
  ++events_;
}

Result<void> EventLogWriter::finish() {
  if (finished_) return {};
  flush_buffer();
  const auto header = encode_header(info_, true, messages_, events_, payload_bytes_, XXH3_64bits_digest(hash_->state));
  if (!failed_ && (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0 ||
                   std::fwrite(header.data(), 1, header.size(), file_) != header.size())) {
    failed_ = true;
  }
  const bool close_failed = std::fclose(file_) != 0;
  file_ = nullptr;
  finished_ = true;
  if (failed_ || close_failed) return fail(ErrorCode::Io, "{}: write failed: {}", path_.string(), std::strerror(errno));
  return {};
}

// ---------------------------------------------------------------------------------------------
// Reader

bool EventLogReader::looks_like_event_log(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 8> magic{};
  return in.read(magic.data(), magic.size()) && magic == kMagic;
}

Result<EventLogReader> EventLogReader::open(const std::filesystem::path& path, bool verify_payload) {
  const std::string name = path.string();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return fail(errno == ENOENT ? ErrorCode::NotFound : ErrorCode::Io, "{}: cannot open: {}", name,
                std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return fail(ErrorCode::Io, "{}: cannot stat: {}", name, std::strerror(err));
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size < kHeaderSize) {
    ::close(fd);
    return fail(ErrorCode::Corrupt, "{}: not an event log or truncated: {} bytes, the header alone is {}", name, size,
                kHeaderSize);
  }
  void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int map_errno = errno;
  ::close(fd);
  if (mapped == MAP_FAILED) return fail(ErrorCode::Io, "{}: cannot map: {}", name, std::strerror(map_errno));
  ::madvise(mapped, size, MADV_SEQUENTIAL);

  EventLogReader reader;
  reader.path_ = std::make_unique<std::filesystem::path>(path);
  reader.data_ = static_cast<const unsigned char*>(mapped);
  reader.size_ = size;
  const unsigned char* h = reader.data_;

  if (std::memcmp(h, kMagic.data(), kMagic.size()) != 0) {
    return fail(ErrorCode::Corrupt, "{}: not an event log (bad magic)", name);
  }
  if (get<std::uint32_t>(h, kHeaderCrcOffset) != static_cast<std::uint32_t>(crc32_z(0, h, kHeaderCrcOffset))) {
    return fail(ErrorCode::Corrupt, "{}: header checksum mismatch", name);
  }
  const auto version = get<std::uint32_t>(h, 8);
  if (version != kVersion && version != kVersionCrc32) {
    return fail(ErrorCode::Unsupported, "{}: event log version {} (this build reads versions {} and {})", name,
                version, kVersionCrc32, kVersion);
  }
  if (get<std::uint32_t>(h, 12) != kHeaderSize || h[16] != Price::kDecimals || h[17] != Quantity::kDecimals) {
    return fail(ErrorCode::Unsupported, "{}: unsupported header size or decimal scales", name);
  }
  if ((h[19] & kFlagComplete) == 0) {
    return fail(ErrorCode::Corrupt, "{}: incomplete: its writer did not finish", name);
  }
  EventLogInfo& info = reader.info_;
  const auto* symbol = reinterpret_cast<const char*>(h + 24);
  info.symbol.assign(symbol, strnlen(symbol, kSymbolBytes));
  info.market = static_cast<EventLogInfo::Market>(h[18]);
  info.tick_size = Price::from_raw(get<std::int64_t>(h, 56));
  info.lot_size = Quantity::from_raw(get<std::int64_t>(h, 64));
  info.messages = get<std::uint64_t>(h, 72);
  info.events = get<std::uint64_t>(h, 80);
  info.payload_bytes = get<std::uint64_t>(h, 88);
  if (info.payload_bytes != size - kHeaderSize) {
    return fail(ErrorCode::Corrupt, "{}: truncated or padded: the header says {} payload bytes, the file has {}", name,
                info.payload_bytes, size - kHeaderSize);
  }
  if (verify_payload) {
    // In chunks, releasing each: checking a large log must not make it all resident.
    constexpr std::size_t kChunk = std::size_t{8} << 20;
    bool intact = false;
    if (version == kVersionCrc32) {
      auto crc = crc32_z(0, nullptr, 0);
      for (std::size_t at = kHeaderSize; at < size; at += kChunk) {
        const std::size_t n = std::min(kChunk, size - at);
        crc = crc32_z(crc, h + at, n);
        reader.release_before(at + n);
      }
      intact = static_cast<std::uint32_t>(crc) == get<std::uint32_t>(h, 96);
    } else {
      XXH3_state_t* state = XXH3_createState();
      if (state == nullptr) return fail(ErrorCode::Io, "{}: out of memory", name);
      XXH3_64bits_reset(state);
      for (std::size_t at = kHeaderSize; at < size; at += kChunk) {
        const std::size_t n = std::min(kChunk, size - at);
        hash_update(state, h + at, n);
        reader.release_before(at + n);
      }
      intact = XXH3_64bits_digest(state) == get<std::uint64_t>(h, 96);
      XXH3_freeState(state);
    }
    reader.released_ = 0;  // the replay reads from the start again
    if (!intact) return fail(ErrorCode::Corrupt, "{}: payload checksum mismatch", name);
  }
  return reader;
}

void EventLogReader::release_before(std::size_t offset) const noexcept {
  static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t end = std::min(offset, size_) / page * page;
  if (data_ == nullptr || end <= released_) return;
  ::madvise(const_cast<unsigned char*>(data_) + released_, end - released_, MADV_DONTNEED);
  released_ = end;
}

EventLogReader::EventLogReader(EventLogReader&& other) noexcept
    : path_(std::move(other.path_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      released_(std::exchange(other.released_, 0)),
      info_(std::move(other.info_)) {}

EventLogReader& EventLogReader::operator=(EventLogReader&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) ::munmap(const_cast<unsigned char*>(data_), size_);
    path_ = std::move(other.path_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    released_ = std::exchange(other.released_, 0);
    info_ = std::move(other.info_);
  }
  return *this;
}

EventLogReader::~EventLogReader() {
  if (data_ != nullptr) ::munmap(const_cast<unsigned char*>(data_), size_);
}

Result<void> EventLogReader::replay(MarketEventSink& sink) {
  EventLogCursor c = cursor();
  for (std::uint64_t n = 1;; ++n) {
    auto more = c.next(sink);
    if (!more) return fail(std::move(more.error()));
    if (!*more) return {};
    if (n % 65'536 == 0) release_before(c.offset());
  }
}

EventLogCursor EventLogReader::cursor() const { return EventLogCursor(data_, size_, kHeaderSize, path_.get()); }

Timestamp EventLogCursor::peek_time(std::size_t field) const noexcept {
  if (offset_ >= size_ || size_ - offset_ < field + 8) return Timestamp::none();
  return Timestamp::from_ns(get<std::int64_t>(data_, offset_ + field));
}
Timestamp EventLogCursor::peek_exchange_time() const noexcept { return peek_time(8); }
Timestamp EventLogCursor::peek_local_time() const noexcept { return peek_time(16); }

namespace {

// A record's levels are stored exactly as model::PriceLevel lays them out in memory on this
// platform (two little-endian 64-bit integers, price then quantity), and every record is a multiple
// of 8 bytes long from a page-aligned mapping: the sink can read them in place, without a copy (a
// backtest's hottest memmove). Null when the bytes are not aligned (a mapping this code did not
// make), and the caller copies them.
static_assert(std::endian::native == std::endian::little, "event logs are little-endian");
static_assert(sizeof(model::PriceLevel) == kLevelBytes && std::is_trivially_copyable_v<model::PriceLevel>);
static_assert(offsetof(model::PriceLevel, price) == 0 && offsetof(model::PriceLevel, quantity) == 8);
static_assert(kHeaderSize % 8 == 0 && kBookRecord % 8 == 0 && kTradeRecord % 8 == 0 && kTickerRecord % 8 == 0);

const model::PriceLevel* levels_in_place(const unsigned char* bytes) noexcept {
  if (reinterpret_cast<std::uintptr_t>(bytes) % alignof(model::PriceLevel) != 0) return nullptr;
  return reinterpret_cast<const model::PriceLevel*>(bytes);
}

}  // namespace

Result<bool> EventLogCursor::next(MarketEventSink& sink) {
  if (offset_ >= size_) return false;
  const unsigned char* p = data_;
  const std::size_t offset = offset_;
  const std::string_view name = path_->native();
  // Any error leaves the cursor at the end: nothing after a malformed record is trusted.
  const auto corrupt = [&](const std::string& what) {
    offset_ = size_;
    return fail(ErrorCode::Corrupt, "{}: offset {}: {}", name, offset, what);
  };
  {
    if (size_ - offset < kRecordHeader) {
      return corrupt("truncated record");
    }
    const std::uint8_t type = p[offset];
    switch (type) {
      case kDiff:
      case kSnapshot: {
        if (size_ - offset < kBookRecord) return corrupt("truncated record");
        const auto n_bids = get<std::uint32_t>(p, offset + 48);
        const auto n_asks = get<std::uint32_t>(p, offset + 52);
        const std::uint64_t n = static_cast<std::uint64_t>(n_bids) + n_asks;
        if (n != get<std::uint32_t>(p, offset + 4) || n * kLevelBytes > size_ - offset - kBookRecord) {
          return corrupt(fmt::format("bad level count {} + {}", n_bids, n_asks));
        }
        const model::PriceLevel* levels = levels_in_place(p + offset + kBookRecord);
        if (levels == nullptr) {
          levels_.resize(n);
          std::memcpy(static_cast<void*>(levels_.data()), p + offset + kBookRecord, n * kLevelBytes);
          levels = levels_.data();
        }
        const std::span<const model::PriceLevel> bids(levels, n_bids);
        const std::span<const model::PriceLevel> asks(levels + n_bids, n_asks);
        const auto exchange = Timestamp::from_ns(get<std::int64_t>(p, offset + 8));
        const auto local = Timestamp::from_ns(get<std::int64_t>(p, offset + 16));
        if (type == kDiff) {
          model::BookDiff d;
          d.exchange_time = exchange;
          d.local_time = local;
          d.first_update_id = get<std::int64_t>(p, offset + 24);
          d.last_update_id = get<std::int64_t>(p, offset + 32);
          d.prev_last_update_id = get<std::int64_t>(p, offset + 40);
          d.bids = bids;
          d.asks = asks;
          sink.on_diff(d);
        } else {
          model::BookSnapshot s;
          s.exchange_time = exchange;
          s.local_time = local;
          s.last_update_id = get<std::int64_t>(p, offset + 32);
          s.bids = bids;
          s.asks = asks;
          sink.on_snapshot(s);
        }
        offset_ = offset + kBookRecord + n * kLevelBytes;
        break;
      }
      case kTrade: {
        if (size_ - offset < kTradeRecord) return corrupt("truncated record");
        model::PublicTrade t;
        t.aggressor = (p[offset + 1] & kTradeAggressorSell) != 0 ? model::Side::Sell : model::Side::Buy;
        t.exchange_time = Timestamp::from_ns(get<std::int64_t>(p, offset + 8));
        t.local_time = Timestamp::from_ns(get<std::int64_t>(p, offset + 16));
        t.trade_id = get<std::int64_t>(p, offset + 24);
        t.price = Price::from_raw(get<std::int64_t>(p, offset + 32));
        t.quantity = Quantity::from_raw(get<std::int64_t>(p, offset + 40));
        sink.on_trade(t);
        offset_ = offset + kTradeRecord;
        break;
      }
      case kTicker: {
        if (size_ - offset < kTickerRecord) return corrupt("truncated record");
        model::BookTicker t;
        t.exchange_time = Timestamp::from_ns(get<std::int64_t>(p, offset + 8));
        t.local_time = Timestamp::from_ns(get<std::int64_t>(p, offset + 16));
        t.update_id = get<std::int64_t>(p, offset + 24);
        t.best_bid = {Price::from_raw(get<std::int64_t>(p, offset + 32)), Quantity::from_raw(get<std::int64_t>(p, offset + 40))};
        t.best_ask = {Price::from_raw(get<std::int64_t>(p, offset + 48)), Quantity::from_raw(get<std::int64_t>(p, offset + 56))};
        sink.on_ticker(t);
        offset_ = offset + kTickerRecord;
        break;
      }
      default:
        return corrupt(fmt::format("unknown record type {}", type));
    }
  }
  ++records_;
  return true;
}

}  // namespace colibri::data
