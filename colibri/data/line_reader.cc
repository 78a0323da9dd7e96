#include "colibri/data/line_reader.h"

#include <cstring>

#include <zlib.h>

namespace colibri::data {

namespace {
constexpr std::size_t kChunk = 1u << 20;
}  // namespace

struct LineReader::GzFile {
  gzFile handle = nullptr;
  ~GzFile() {
    if (handle != nullptr) gzclose(handle);
  }
};

Result<LineReader> LineReader::open(const std::filesystem::path& path, std::size_t max_line_bytes) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return fail(ErrorCode::NotFound, "{}: no such file", path.string());
  }
  const auto size = std::filesystem::file_size(path, ec);
  auto file = std::make_unique<GzFile>();
  file->handle = gzopen(path.c_str(), "rb");
  if (file->handle == nullptr) {
    return fail(ErrorCode::Io, "{}: cannot open: {}", path.string(), std::strerror(errno));
  }
  gzbuffer(file->handle, 256u << 10);
  return LineReader(path, std::move(file), max_line_bytes, ec ? 0 : size);
}

LineReader::LineReader(std::filesystem::path path, std::unique_ptr<GzFile> file, std::size_t max_line_bytes,
                       std::uint64_t file_size)
    : path_(std::move(path)),
      file_(std::move(file)),
      max_line_bytes_(max_line_bytes),
      file_size_(file_size),
      buffer_(kChunk + kLinePadding, '\0') {}

LineReader::LineReader(LineReader&&) noexcept = default;
LineReader& LineReader::operator=(LineReader&&) noexcept = default;
LineReader::~LineReader() = default;

std::uint64_t LineReader::compressed_offset() const noexcept {
  const auto off = gzoffset(file_->handle);
  return off < 0 ? 0 : static_cast<std::uint64_t>(off);
}

// Moves the unread tail to the front, grows the buffer if a line does not fit, and reads more.
// Returns false at the end of the file.
Result<bool> LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  const std::size_t capacity = buffer_.size() - kLinePadding;
  if (end_ == capacity) {
    if (capacity >= max_line_bytes_) {
      return fail(ErrorCode::Corrupt, "{}:{}: line longer than {} bytes", path_.string(), line_number_ + 1,
                  max_line_bytes_);
    }
    buffer_.resize(std::min(capacity * 2, max_line_bytes_) + kLinePadding);
  }
  const std::size_t room = buffer_.size() - kLinePadding - end_;
  const int n = gzread(file_->handle, buffer_.data() + end_, static_cast<unsigned>(std::min<std::size_t>(room, INT32_MAX)));
  if (n < 0) {
    int errnum = 0;
    const char* message = gzerror(file_->handle, &errnum);
    return fail(ErrorCode::Corrupt, "{}: after line {}: damaged gzip stream: {}", path_.string(), line_number_,
                message != nullptr ? message : "unknown error");
  }
  if (n == 0) {
    // gzread returns 0 both at a clean end and at a truncated stream; gzerror tells which.
    int errnum = 0;
    const char* message = gzerror(file_->handle, &errnum);
    if (errnum != Z_OK && errnum != Z_STREAM_END) {
      return fail(ErrorCode::Corrupt, "{}: after line {}: damaged gzip stream: {}", path_.string(), line_number_,
                  message != nullptr ? message : "unknown error");
    }
    eof_ = true;
    return false;
  }
  end_ += static_cast<std::size_t>(n);
  return true;
}

Result<std::optional<std::string_view>> LineReader::next() {
  for (;;) {
    const char* start = buffer_.data() + begin_;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    if (newline != nullptr || (eof_ && begin_ < end_)) {
      const std::size_t length = newline != nullptr ? static_cast<std::size_t>(newline - start) : end_ - begin_;
      begin_ += length + (newline != nullptr ? 1 : 0);
      ++line_number_;
      std::string_view line(start, length);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      return std::optional<std::string_view>(line);
    }
    if (eof_) return std::optional<std::string_view>();
    auto more = fill();
    if (!more) return tl::unexpected<Error>(std::move(more.error()));
    if (!*more && begin_ == end_) return std::optional<std::string_view>();
  }
}

Result<bool> LineReader::next_line(std::string_view& line) {
  auto next_one = next();
  if (!next_one) return tl::unexpected<Error>(std::move(next_one.error()));
  if (!*next_one) return false;
  line = **next_one;
  return true;
}

}  // namespace colibri::data
