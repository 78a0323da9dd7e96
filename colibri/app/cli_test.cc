// The `colibri` command line end to end, in process: a synthetic market, then a backtest of
// examples/pmm.yml on it, through run_cli exactly as the executable runs it.

#include "colibri/app/cli.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "colibri/data/event_log.h"
#include "colibri/data/synthetic_market.h"
#include "colibri/testing/sample_data.h"

namespace colibri::app {
namespace {

namespace fs = std::filesystem;

int run(std::vector<std::string> args) {
  args.insert(args.begin(), "colibri");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return run_cli(static_cast<int>(argv.size()), argv.data());
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class BacktestCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = dir_ / "synthetic.clog";
    data::SyntheticMarketConfig config;
    config.seconds = 120;
    config.seed = 3;
    data::EventLogInfo info;
    info.symbol = config.symbol;
    info.tick_size = config.tick_size;
    info.lot_size = config.lot_size;
    auto writer = data::EventLogWriter::create(log_, info);
    ASSERT_TRUE(writer);
    ASSERT_TRUE(data::generate(config, **writer));
    ASSERT_TRUE((*writer)->finish());
  }
  testing::TempDir dir_;
  fs::path log_;
  const std::string example_ = std::string(COLIBRI_SOURCE_DIR) + "/examples/pmm.yml";
};

TEST_F(BacktestCommand, RunsTheExampleAndWritesIdenticalResultsTwice) {
  ASSERT_EQ(run({"backtest", example_, "--data", log_.string(), "--out", (dir_ / "a").string()}), 0);
  ASSERT_EQ(run({"backtest", example_, "--data", log_.string(), "--out", (dir_ / "b").string()}), 0);
  const std::string fills = slurp(dir_ / "a" / "fills.csv");
  const std::string summary = slurp(dir_ / "a" / "summary.json");
  EXPECT_EQ(fills.rfind("time,order_id,side,price,quantity,fee,fee_asset,liquidity\n", 0), 0u);
  EXPECT_GT(std::count(fills.begin(), fills.end(), '\n'), 1) << "the example should trade";
  EXPECT_NE(summary.find("\"final_balances\":"), std::string::npos);
  EXPECT_EQ(fills, slurp(dir_ / "b" / "fills.csv"));
  EXPECT_EQ(summary, slurp(dir_ / "b" / "summary.json"));
}

TEST_F(BacktestCommand, ABadConfigRunsNothing) {
  const fs::path bad = dir_ / "bad.yml";
  std::ofstream(bad) << slurp(example_) << "\nsurprise_key: 1\n";
  EXPECT_EQ(run({"backtest", bad.string(), "--data", log_.string(), "--out", (dir_ / "c").string()}), 1);
  EXPECT_FALSE(fs::exists(dir_ / "c" / "summary.json"));
  EXPECT_FALSE(fs::exists(dir_ / "c" / "fills.csv"));
}

TEST_F(BacktestCommand, DataCheckAcceptsTheSyntheticLogAndRejectsBadArguments) {
  EXPECT_EQ(run({"data", "check", "--strict", log_.string()}), 0);
  EXPECT_EQ(run({"data", "check", (dir_ / "missing.clog").string()}), 2);  // CLI11: not an existing file
  EXPECT_EQ(run({"data", "frobnicate"}), 2);
}

TEST(ExchangeSimCommand, RefusesBadArgumentsAndFilesBeforeServing) {
  testing::TempDir dir;
  EXPECT_EQ(run({"exchange-sim"}), 2);  // --port is required
  EXPECT_EQ(run({"exchange-sim", "--port", "0", "--accounts", (dir / "missing.yml").string()}), 2);
  EXPECT_EQ(run({"exchange-sim", "--port", "0", "--speed", "0"}), 2);
  const fs::path accounts = dir / "accounts.yml";
  std::ofstream(accounts)
      << "accounts:\n  - {name: a, api_key: K, secret: SECRET-VALUE, balances: {BTC: -1}}\n";
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run({"exchange-sim", "--port", "0", "--accounts", accounts.string()}), 1);
  const std::string error = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(error.find("accounts[0].balances.BTC: must not be negative"), std::string::npos) << error;
  EXPECT_EQ(error.find("SECRET-VALUE"), std::string::npos);
}

}  // namespace
}  // namespace colibri::app
