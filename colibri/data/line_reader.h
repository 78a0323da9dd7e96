#pragma once
// LineReader: streams the lines of a text file, gzip-compressed or plain (zlib detects which),
// in constant memory.
//
// Each line is handed out as a view into an internal buffer, valid until the next call, with at
// least kLinePadding readable bytes after its end (what simdjson needs to parse in place).
// Lines longer than max_line_bytes are an error naming the line number. Not thread-safe.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colibri/core/result.h"

namespace colibri::data {

class LineReader {
 public:
  static constexpr std::size_t kLinePadding = 64;
  static constexpr std::size_t kDefaultMaxLineBytes = 64u << 20;

  // NotFound / Io errors name the file.
  static Result<LineReader> open(const std::filesystem::path& path,
                                 std::size_t max_line_bytes = kDefaultMaxLineBytes);
  LineReader(LineReader&&) noexcept;
  LineReader& operator=(LineReader&&) noexcept;
  ~LineReader();

  // The next line without its '\n' (and without a trailing '\r'); std::nullopt at the end of
  // the file. Corrupt for a damaged gzip stream or an over-long line, with file and line.
  Result<std::optional<std::string_view>> next();

  // The same, for loops: sets `line` and returns true, or returns false at the end of the file.
  Result<bool> next_line(std::string_view& line);

  // 1-based number of the line last returned.
  [[nodiscard]] std::uint64_t line_number() const noexcept { return line_number_; }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  // The path as text, for error messages ("file:line: ...").
  [[nodiscard]] std::string name() const { return path_.string(); }
  // Compressed bytes consumed so far (for progress), and the file's size on disk.
  [[nodiscard]] std::uint64_t compressed_offset() const noexcept;
  [[nodiscard]] std::uint64_t file_size() const noexcept { return file_size_; }

 private:
  struct GzFile;
  LineReader(std::filesystem::path path, std::unique_ptr<GzFile> file, std::size_t max_line_bytes,
             std::uint64_t file_size);
  Result<bool> fill();

  std::filesystem::path path_;
  std::unique_ptr<GzFile> file_;
  std::size_t max_line_bytes_;
  std::uint64_t file_size_ = 0;
  std::vector<char> buffer_;  // [begin_, end_) unread bytes; kLinePadding spare bytes at the end
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  std::uint64_t line_number_ = 0;
};

}  // namespace colibri::data
