#include "colibri/core/zeroed_array.h"

#include <cstdint>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

namespace colibri {
namespace {

TEST(ZeroedArray, StartsZeroAndKeepsWhatIsWritten) {
  ZeroedArray<std::int64_t> a(1000);
  ASSERT_EQ(a.size(), 1000u);
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], 0) << i;
  a[7] = -3;
  a[999] = 42;
  ZeroedArray<std::int64_t> copy(a);
  EXPECT_EQ(copy[7], -3);
  EXPECT_EQ(copy[999], 42);
  copy[7] = 1;
  EXPECT_EQ(a[7], -3) << "a copy owns its own block";
  ZeroedArray<std::int64_t> moved(std::move(a));
  EXPECT_EQ(moved[999], 42);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  copy = moved;
  EXPECT_EQ(copy[7], -3);
}

// Resident set size of this process, bytes (Linux /proc/self/statm: pages).
std::int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

// The point of the type: a large block costs memory only where it is written.
TEST(ZeroedArray, UntouchedPagesAreNotResident) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's allocator writes its own shadow for every block";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  GTEST_SKIP() << "AddressSanitizer's allocator writes its own shadow for every block";
#endif
#endif
  const std::int64_t before = resident_bytes();
  ZeroedArray<std::int64_t> big(8u << 20);  // 64 MiB
  big[12345] = 1;
  big[(8u << 20) - 1] = 2;
  const std::int64_t after = resident_bytes();
  EXPECT_LT(after - before, 4 << 20) << "64 MiB allocated, two values written";
  EXPECT_EQ(big[12345] + big[(8u << 20) - 1], 3);
}

}  // namespace
}  // namespace colibri
