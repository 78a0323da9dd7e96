#include "colibri/core/inline_function.h"

#include <array>
#include <memory>

#include <gtest/gtest.h>

#include "colibri/core/test_allocations.h"

namespace colibri {
namespace {

using Small = InlineFunction<int(int), 64>;

TEST(InlineFunction, StoresSmallCallablesWithoutAllocating) {
  std::array<int, 8> payload{1, 2, 3, 4, 5, 6, 7, 8};  // 32 bytes: fits
  const auto before = testing::allocations_on_this_thread();
  Small f = [payload](int x) { return x + payload[7]; };
  Small g = std::move(f);
  EXPECT_EQ(testing::allocations_on_this_thread(), before);
  EXPECT_FALSE(static_cast<bool>(f));  // NOLINT(bugprone-use-after-move): moved-from is empty
  ASSERT_TRUE(static_cast<bool>(g));
  EXPECT_EQ(g(1), 9);
}

TEST(InlineFunction, LargeCallablesGoToTheHeapAndStillWork) {
  std::array<int, 64> payload{};  // 256 bytes: does not fit 64
  payload[63] = 5;
  Small f = [payload](int x) { return x * payload[63]; };
  Small g = std::move(f);
  EXPECT_EQ(g(3), 15);
  g = nullptr;
  EXPECT_FALSE(static_cast<bool>(g));
}

TEST(InlineFunction, DestroysWhatItHoldsExactlyOnce) {
  auto counter = std::make_shared<int>(0);
  {
    Small f = [counter](int) { return ++*counter; };
    EXPECT_EQ(counter.use_count(), 2);
    Small g = std::move(f);
    EXPECT_EQ(counter.use_count(), 2);  // moved, not copied
    EXPECT_EQ(g(0), 1);
    Small h;
    h = std::move(g);
    EXPECT_EQ(counter.use_count(), 2);
  }
  EXPECT_EQ(counter.use_count(), 1);
}

}  // namespace
}  // namespace colibri
