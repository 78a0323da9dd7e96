#pragma once
// Shared by the benchmark suites: where the sample data is, and a std::map book as the baseline.

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "colibri/model/market_data.h"

namespace colibri::bench {

inline std::optional<std::filesystem::path> sample_file(const std::string& relative) {
  const char* env = std::getenv("COLIBRI_SAMPLE_DATA");
  const std::filesystem::path dir = env != nullptr && *env != '\0' ? env : COLIBRI_DEFAULT_SAMPLE_DATA;
  auto path = dir / relative;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  return path;
}

// The straightforward book: one ordered map per side. The baseline the ladder is compared with.
class MapBook {
 public:
  void apply(model::BookSide side, const model::PriceLevel& level) {
    auto& book = side == model::BookSide::Bid ? bids_ : asks_;
    if (level.quantity.is_zero()) {
      book.erase(level.price.raw());
    } else {
      book.insert_or_assign(level.price.raw(), level.quantity.raw());
    }
  }
  [[nodiscard]] std::int64_t best_bid() const { return bids_.empty() ? 0 : bids_.rbegin()->first; }
  [[nodiscard]] std::int64_t best_ask() const { return asks_.empty() ? 0 : asks_.begin()->first; }
  void clear() {
    bids_.clear();
    asks_.clear();
  }

 private:
  std::map<std::int64_t, std::int64_t> bids_;
  std::map<std::int64_t, std::int64_t> asks_;
};

}  // namespace colibri::bench
