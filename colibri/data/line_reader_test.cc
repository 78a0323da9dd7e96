#include "colibri/data/line_reader.h"

#include <fstream>

#include <gtest/gtest.h>
#include <zlib.h>

#include "colibri/testing/sample_data.h"

namespace colibri::data {
namespace {

std::vector<std::string> read_all(const std::filesystem::path& path, std::size_t max_line = LineReader::kDefaultMaxLineBytes) {
  auto reader = LineReader::open(path, max_line);
  EXPECT_TRUE(reader);
  std::vector<std::string> lines;
  for (;;) {
    auto line = reader->next();
    EXPECT_TRUE(line) << line.error().describe();
    if (!line || !*line) break;
    lines.emplace_back(**line);
  }
  return lines;
}

TEST(LineReader, ReadsPlainAndGzipTextTheSame) {
  testing::TempDir dir;
  const std::string text = "first\nsecond\r\n\nlast without newline";
  std::ofstream(dir / "plain.txt") << text;
  gzFile gz = gzopen((dir / "text.gz").c_str(), "wb");
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  const std::vector<std::string> want = {"first", "second", "", "last without newline"};
  EXPECT_EQ(read_all(dir / "plain.txt"), want);
  EXPECT_EQ(read_all(dir / "text.gz"), want);
}

TEST(LineReader, LinesLongerThanTheBufferGrowItAndOverLongLinesAreErrors) {
  testing::TempDir dir;
  const std::string long_line(3u << 20, 'a');
  std::ofstream(dir / "long.txt") << "x\n" << long_line << "\ny\n";
  const auto lines = read_all(dir / "long.txt");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].size(), long_line.size());
  auto reader = LineReader::open(dir / "long.txt", 2u << 20);
  ASSERT_TRUE(reader);
  ASSERT_TRUE(reader->next());
  auto bad = reader->next();
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find(":2: line longer than"), std::string::npos) << bad.error().message();
}

TEST(LineReader, TruncatedGzipIsReportedNotSilentlyShortened) {
  testing::TempDir dir;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i * 7919) + "\n";
  gzFile gz = gzopen((dir / "t.gz").c_str(), "wb");
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  std::filesystem::resize_file(dir / "t.gz", std::filesystem::file_size(dir / "t.gz") / 2);
  auto reader = LineReader::open(dir / "t.gz");
  ASSERT_TRUE(reader);
  bool saw_error = false;
  for (int i = 0; i < 30000; ++i) {
    auto line = reader->next();
    if (!line) {
      saw_error = true;
      EXPECT_NE(line.error().message().find("t.gz"), std::string::npos);
      break;
    }
    if (!*line) break;
  }
  EXPECT_TRUE(saw_error);
}

TEST(LineReader, MissingFileIsNotFound) {
  auto r = LineReader::open("/nonexistent/colibri.gz");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::NotFound);
  EXPECT_NE(r.error().message().find("/nonexistent/colibri.gz"), std::string::npos);
}

}  // namespace
}  // namespace colibri::data
