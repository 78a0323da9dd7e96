#include "colibri/testing/sample_data.h"

#include <cstdlib>
#include <random>
#include <stdexcept>

namespace colibri::testing {

std::optional<std::filesystem::path> sample_data_dir() {
  std::filesystem::path dir;
  if (const char* env = std::getenv("COLIBRI_SAMPLE_DATA"); env != nullptr && *env != '\0') {
    dir = env;
  } else {
    dir = COLIBRI_DEFAULT_SAMPLE_DATA;
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return std::nullopt;
  return dir;
}

std::optional<std::filesystem::path> sample_file(const std::string& relative) {
  auto dir = sample_data_dir();
  if (!dir) return std::nullopt;
  auto path = *dir / relative;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  return path;
}

TempDir::TempDir() {
  std::random_device rd;
  const auto base = std::filesystem::temp_directory_path();
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = base / ("colibri-test-" + std::to_string(rd()));
    std::error_code ec;
    if (std::filesystem::create_directory(candidate, ec)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace colibri::testing
