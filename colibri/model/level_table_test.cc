#include "colibri/model/level_table.h"

#include <map>
#include <random>

#include <gtest/gtest.h>

namespace colibri::model::detail {
namespace {

// Random inserts, updates and erases (with clustered keys, so probe runs collide and backward
// shifts happen) against a std::map reference.
TEST(LevelTable, MatchesAReferenceMapUnderRandomOperations) {
  std::mt19937_64 rng(11);
  LevelTable table;
  std::map<std::int64_t, std::int64_t> ref;
  for (int step = 0; step < 300'000; ++step) {
    const std::int64_t key = -static_cast<std::int64_t>(rng() % 3000) - (step % 7 == 0 ? 1'000'000 : 0);
    const std::int64_t qty = rng() % 3 == 0 ? 0 : static_cast<std::int64_t>(rng() % 100 + 1);
    table.set(key, qty);
    if (qty == 0) ref.erase(key); else ref[key] = qty;
    if (step % 1000 == 0) {
      ASSERT_EQ(table.size(), ref.size()) << step;
      for (const auto& [k, q] : ref) ASSERT_EQ(table.get(k), q) << k;
      if (!ref.empty()) {
        ASSERT_EQ(table.max_key(), ref.rbegin()->first);
      }
    }
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  table.extract_at_or_above(-1500, out);
  std::size_t expected = 0;
  for (const auto& [k, q] : ref) expected += k >= -1500 ? 1 : 0;
  EXPECT_EQ(out.size(), expected);
  for (const auto& [k, q] : out) EXPECT_EQ(ref.at(k), q);
  EXPECT_EQ(table.size(), ref.size() - expected);
  EXPECT_EQ(table.get(-1), 0);
  table.clear();
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.get(ref.begin()->first), 0);
}

}  // namespace
}  // namespace colibri::model::detail
