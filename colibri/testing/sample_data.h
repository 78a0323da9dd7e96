#pragma once
// Locates the read-only sample market data (../shared/data, or $COLIBRI_SAMPLE_DATA).
// Tests read it in place and never copy it. On a clone without the folder, tests that need it
// report themselves skipped; CI (.ci/run) checks that the folder is present, so there they run.

#include <filesystem>
#include <optional>
#include <string>

namespace colibri::testing {

// The sample data folder if it exists: $COLIBRI_SAMPLE_DATA when set, else the folder named at
// configure time (the repository's ../shared/data).
std::optional<std::filesystem::path> sample_data_dir();

// The path of `relative` inside the sample data folder, if that file exists.
std::optional<std::filesystem::path> sample_file(const std::string& relative);

// A fresh, empty temporary folder for one test, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace colibri::testing

// Declares `var` as the path of a sample file, or skips the current test when it is absent.
#define COLIBRI_SAMPLE_FILE_OR_SKIP(var, relative)                                  \
  const auto var##_opt = ::colibri::testing::sample_file(relative);                  \
  if (!var##_opt) GTEST_SKIP() << "sample data not found: " << (relative)           \
                               << " (set COLIBRI_SAMPLE_DATA to the shared/data folder)"; \
  const std::filesystem::path var = *var##_opt
