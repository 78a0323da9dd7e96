#include "colibri/core/log.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "colibri/core/result.h"
#include "colibri/testing/sample_data.h"

namespace colibri {
namespace {

using namespace std::chrono_literals;

// Secrets shaped like Binance API keys (64 alphanumerics); made up for these tests.
const std::string kApiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const std::string kApiSecret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

logging::Options to_file(const std::filesystem::path& file, LogLevel level) {
  logging::Options options;
  options.level = level;
  options.to_stderr = false;
  options.file = file;
  return options;
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Log, RegisteredSecretsNeverReachTheOutputs) {
  colibri::testing::TempDir dir;
  logging::register_secret(kApiSecret);
  logging::register_secret(Secret(kApiKey));
  std::mutex forwarded_mutex;
  std::vector<std::string> forwarded;
  logging::Options options = to_file(dir / "bot.log", LogLevel::Debug);
  options.forward = [&](LogLevel, std::string_view line) {
    const std::lock_guard lock(forwarded_mutex);
    forwarded.emplace_back(line);
  };
  logging::init(options);
  log_info("signing with {}", kApiSecret);
  log_warn("GET /api/v3/account?timestamp=1&secret={}&recvWindow=5000", kApiSecret);
  log_error("glued{}{}text", kApiKey, kApiSecret);
  log_debug("key {} again {}", kApiKey, kApiKey);
  log_info("a Secret value prints as {}", Secret(kApiSecret));
  logging::shutdown();

  const std::string written = read_file(dir / "bot.log");
  EXPECT_EQ(count_lines(written), 5u) << written;
  EXPECT_EQ(written.find(kApiSecret), std::string::npos) << written;
  EXPECT_EQ(written.find(kApiKey), std::string::npos) << written;
  EXPECT_EQ(written.find(kApiKey.substr(0, 32)), std::string::npos) << written;
  EXPECT_NE(written.find("signing with ***"), std::string::npos) << written;
  EXPECT_NE(written.find("secret=***&recvWindow=5000"), std::string::npos) << written;
  EXPECT_NE(written.find("glued******text"), std::string::npos) << written;
  EXPECT_NE(written.find("key *** again ***"), std::string::npos) << written;
  EXPECT_NE(written.find("warning"), std::string::npos) << written;

  ASSERT_EQ(forwarded.size(), 5u);
  for (const std::string& line : forwarded) {
    EXPECT_EQ(line.find(kApiSecret), std::string::npos) << line;
    EXPECT_EQ(line.find(kApiKey), std::string::npos) << line;
    EXPECT_NE(line.find("***"), std::string::npos) << line;
  }
}

TEST(Log, RedactReplacesTheLongestSecretWhole) {
  logging::register_secret("hunter2hunter2-long");
  logging::register_secret("hunter2hunter2");
  logging::register_secret("");  // ignored: would match everywhere
  EXPECT_EQ(logging::redact("a hunter2hunter2-long b hunter2hunter2 c"), "a *** b *** c");
  EXPECT_EQ(logging::redact("nothing to hide"), "nothing to hide");
}

TEST(Log, SecretFormatsAsMask) {
  const Secret secret(kApiSecret);
  EXPECT_EQ(fmt::format("{}", secret), "***");
  EXPECT_EQ(fmt::format("[{:>5}]", secret), "[  ***]");
  std::ostringstream out;
  out << secret;
  EXPECT_EQ(out.str(), "***");
  EXPECT_EQ(secret.reveal(), kApiSecret);
  EXPECT_FALSE(secret.empty());
  EXPECT_TRUE(Secret().empty());
}

TEST(Log, MessagesBelowTheLevelAreNotWritten) {
  colibri::testing::TempDir dir;
  logging::init(to_file(dir / "bot.log", LogLevel::Warn));
  EXPECT_EQ(logging::level(), LogLevel::Warn);
  log_debug("debug {}", 1);
  log_info("info {}", 2);
  log_warn("warn {}", 3);
  log_error("error {}", 4);
  logging::set_level(LogLevel::Debug);
  log_debug("debug {}", 5);
  logging::shutdown();
  log_error("after shutdown {}", 6);  // dropped, and harmless

  const std::string written = read_file(dir / "bot.log");
  EXPECT_EQ(count_lines(written), 3u) << written;
  EXPECT_EQ(written.find("info 2"), std::string::npos);
  EXPECT_NE(written.find("warn 3"), std::string::npos);
  EXPECT_NE(written.find("error 4"), std::string::npos);
  EXPECT_NE(written.find("debug 5"), std::string::npos);
}

TEST(Log, SlowOutputNeverBlocksTheCaller) {
  constexpr int kMessages = 20'000;
  std::promise<void> release_output;
  std::shared_future<void> output_released = release_output.get_future().share();
  std::atomic<int> written{0};
  logging::Options options;
  options.to_stderr = false;
  options.queue_capacity = 16;
  options.forward = [output_released, &written](LogLevel, std::string_view) {
    output_released.wait();  // an output stuck on a dead network share, say
    ++written;
  };
  logging::init(options);

  std::promise<void> caller_done;
  std::future<void> caller_finished = caller_done.get_future();
  std::thread caller([&] {
    for (int i = 0; i < kMessages; ++i) log_info("message {}", i);
    caller_done.set_value();
  });
  // Not a timing assertion: a caller that blocks on the stuck output would never finish at all.
  const bool finished_while_output_stuck = caller_finished.wait_for(60s) == std::future_status::ready;
  release_output.set_value();
  caller.join();
  EXPECT_TRUE(finished_while_output_stuck) << "logging blocked on a stuck output";
  EXPECT_GT(logging::dropped_messages(), 0u);
  logging::shutdown();
  EXPECT_GT(written.load(), 0);
  EXPECT_LT(written.load(), kMessages);  // the overflow was dropped, not queued without bound
}

TEST(Log, UnopenableFileIsAStartupError) {
  colibri::testing::TempDir dir;
  std::ofstream(dir / "not-a-folder") << "x";
  try {
    logging::init(to_file(dir / "not-a-folder" / "bot.log", LogLevel::Info));
    FAIL() << "init accepted a file under a regular file";
  } catch (const StartupError& error) {
    EXPECT_EQ(error.error().code(), ErrorCode::Io);
    EXPECT_NE(error.error().message().find("bot.log"), std::string::npos);
  }
  log_error("not initialised: dropped");
  logging::Options no_queue;
  no_queue.queue_capacity = 0;
  EXPECT_THROW(logging::init(no_queue), StartupError);
}

}  // namespace
}  // namespace colibri
