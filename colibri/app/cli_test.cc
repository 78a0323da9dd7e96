// The `colibri` command line end to end, in process: a synthetic market, then a backtest of
// examples/pmm.yml on it, through run_cli exactly as the executable runs it.

#include "colibri/app/cli.h"

#include <algorithm>
#include <fstream>
#include <map>
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
    ASSERT_TRUE(data::write_synthetic_log(config, log_));
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
  EXPECT_EQ(fills.rfind("time,symbol,order_id,side,price,quantity,fee,fee_asset,liquidity\n", 0), 0u);
  EXPECT_GT(std::count(fills.begin(), fills.end(), '\n'), 1) << "the example should trade";
  EXPECT_NE(summary.find("\"final_balances\":"), std::string::npos);
  EXPECT_NE(summary.find("\"metrics\":{\"realized_pnl\":"), std::string::npos);
  EXPECT_NE(summary.find("\"events\":"), std::string::npos);
  EXPECT_EQ(fills, slurp(dir_ / "b" / "fills.csv"));
  EXPECT_EQ(summary, slurp(dir_ / "b" / "summary.json"));
  for (const char* name : {"orders.csv", "series.csv"}) {
    const std::string text = slurp(dir_ / "a" / name);
    EXPECT_GT(std::count(text.begin(), text.end(), '\n'), 10) << name;
    EXPECT_EQ(text, slurp(dir_ / "b" / name)) << name;
  }
  const std::string run_json = slurp(dir_ / "a" / "run.json");
  for (const char* key : {"\"wall_seconds\":", "\"events_per_second\":", "\"peak_memory_bytes\":"}) {
    EXPECT_NE(run_json.find(key), std::string::npos) << key << " in " << run_json;
  }
}

// Splits a CSV line without quoted fields (fills.csv has none).
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string field; std::getline(in, field, ',');) out.push_back(field);
  return out;
}

// The value of "ASSET":"decimal" inside the JSON object that follows `object_key` in `json`.
Quantity balance_in(const std::string& json, const std::string& object_key, const std::string& asset) {
  const auto object = json.find("\"" + object_key + "\":{");
  const auto key = json.find("\"" + asset + "\":\"", object);
  EXPECT_NE(object, std::string::npos);
  EXPECT_NE(key, std::string::npos);
  const auto start = key + asset.size() + 4;
  return *Quantity::parse(json.substr(start, json.find('"', start) - start));
}

// The issue's acceptance test: a backtest on the real sample recordings trades, and starting
// balances + signed fills - fees = final balances, checked from fills.csv and summary.json.
TEST(BacktestCommandSampleData, TheRealRecordingsBacktestConservesMoneyInTheFilesItWrites) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(day1, "binance/spot/btcusdt_20240808.gz");
  COLIBRI_SAMPLE_FILE_OR_SKIP(day2, "binance/spot/btcusdt_20240809.gz");
  testing::TempDir dir;
  const std::string example = std::string(COLIBRI_SOURCE_DIR) + "/examples/pmm-btcusdt.yml";
  ASSERT_EQ(run({"backtest", example, "--data", day1.string(), day2.string(), "--out", (dir / "out").string()}), 0);
  const std::string summary = slurp(dir / "out" / "summary.json");
  std::stringstream fills(slurp(dir / "out" / "fills.csv"));
  std::string line;
  std::getline(fills, line);
  ASSERT_EQ(line, "time,symbol,order_id,side,price,quantity,fee,fee_asset,liquidity");
  Quantity btc = balance_in(summary, "starting_balances", "BTC");
  Notional usdt = Notional::from_quantity(balance_in(summary, "starting_balances", "USDT"));
  int count = 0;
  while (std::getline(fills, line)) {
    const auto f = fields(line);
    ASSERT_EQ(f.size(), 9u) << line;
    ASSERT_EQ(f[1], "BTCUSDT") << line;
    const Price price = *Price::parse(f[4]);
    const Quantity amount = *Quantity::parse(f[5]);
    const Quantity fee = *Quantity::parse(f[6]);
    if (f[3] == "BUY") {
      btc += amount;
      usdt -= price * amount;
    } else {
      ASSERT_EQ(f[3], "SELL");
      btc -= amount;
      usdt += price * amount;
    }
    if (f[7] == "BTC") {
      btc -= fee;
    } else {
      ASSERT_EQ(f[7], "USDT") << line;
      usdt -= Notional::from_quantity(fee);
    }
    ++count;
  }
  EXPECT_GT(count, 10) << "the example should trade on the sample data";
  EXPECT_NE(summary.find("\"fills\":" + std::to_string(count) + ","), std::string::npos);
  EXPECT_EQ(balance_in(summary, "final_balances", "BTC"), btc);
  EXPECT_EQ(Notional::from_quantity(balance_in(summary, "final_balances", "USDT")), usdt);
}

// Two real markets in one account: every asset's final balance follows from fills.csv, fill by fill.
TEST(BacktestCommandSampleData, TwoMarketsShareOneAccountAndConserveEveryAsset) {
  COLIBRI_SAMPLE_FILE_OR_SKIP(btc, "binance/spot/btcusdt_20240808.gz");
  COLIBRI_SAMPLE_FILE_OR_SKIP(eth, "binance/spot/ethusdt_20240808.gz");
  testing::TempDir dir;
  // The example names its data relative to the repository's parent; point it at the sample folder.
  std::string yaml = slurp(fs::path(COLIBRI_SOURCE_DIR) / "examples" / "pmm-btc-eth.yml");
  const std::string from = "../shared/data/binance/spot/";
  const std::string to = btc.parent_path().string() + "/";
  for (auto at = yaml.find(from); at != std::string::npos; at = yaml.find(from, at + to.size())) {
    yaml.replace(at, from.size(), to);
  }
  const fs::path config = dir / "two.yml";
  std::ofstream(config) << yaml;
  ASSERT_EQ(run({"backtest", config.string(), "--out", (dir / "out").string()}), 0);
  const std::string summary = slurp(dir / "out" / "summary.json");
  EXPECT_NE(summary.find(R"("symbol":"BTCUSDT,ETHUSDT")"), std::string::npos);
  EXPECT_NE(summary.find(R"("markets":[{"symbol":"BTCUSDT")"), std::string::npos);
  EXPECT_NE(summary.find(R"({"symbol":"ETHUSDT","base":"ETH","data_files":2,)"), std::string::npos);

  std::map<std::string, Notional> balance;
  for (const char* asset : {"BTC", "ETH", "USDT"}) {
    balance[asset] = Notional::from_quantity(balance_in(summary, "starting_balances", asset));
  }
  std::stringstream fills(slurp(dir / "out" / "fills.csv"));
  std::string line;
  std::getline(fills, line);
  std::map<std::string, int> per_market;
  while (std::getline(fills, line)) {
    const auto f = fields(line);
    ASSERT_EQ(f.size(), 9u) << line;
    const std::string base = f[1] == "BTCUSDT" ? "BTC" : "ETH";
    ASSERT_TRUE(f[1] == "BTCUSDT" || f[1] == "ETHUSDT") << line;
    ++per_market[f[1]];
    const Notional value = *Price::parse(f[4]) * *Quantity::parse(f[5]);
    const Notional amount = Notional::from_quantity(*Quantity::parse(f[5]));
    const bool buy = f[3] == "BUY";
    balance[base] += buy ? amount : -amount;
    balance["USDT"] += buy ? -value : value;
    balance[f[7]] -= Notional::from_quantity(*Quantity::parse(f[6]));
  }
  EXPECT_GT(per_market["BTCUSDT"], 5);
  EXPECT_GT(per_market["ETHUSDT"], 5);
  for (const char* asset : {"BTC", "ETH", "USDT"}) {
    EXPECT_EQ(Notional::from_quantity(balance_in(summary, "final_balances", asset)), balance[asset]) << asset;
  }
  const std::string report = slurp(dir / "out" / "report.html");
  EXPECT_NE(report.find("2 markets share the account: each has its own price and inventory charts"),
            std::string::npos);
  EXPECT_NE(report.find(R"("symbol":"ETHUSDT","base":"ETH","series":{"mid":)"), std::string::npos);
  EXPECT_NE(report.find("<h2>Markets</h2>"), std::string::npos);
  EXPECT_NE(report.find("<tr><td>ETHUSDT</td>"), std::string::npos);
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

TEST(LiveCommand, RefusesBadArgumentsConfigsAndMissingKeysBeforeConnecting) {
  const std::string example = (fs::path(COLIBRI_SOURCE_DIR) / "examples" / "pmm-live-sim.yml").string();
  const std::string backtest_example = (fs::path(COLIBRI_SOURCE_DIR) / "examples" / "pmm.yml").string();
  EXPECT_EQ(run({"live"}), 2);  // CONFIG is required
  EXPECT_EQ(run({"live", example, "--duration", "-1"}), 2);
  ::unsetenv("BINANCE_API_KEY");
  ::unsetenv("BINANCE_API_SECRET");
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run({"live", backtest_example}), 1);  // backtest keys, no exchange section
  std::string error = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(error.find("unknown key"), std::string::npos) << error;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run({"live", example}), 1);
  error = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(error.find("BINANCE_API_KEY is not set"), std::string::npos) << error;
  ::setenv("BINANCE_API_KEY", "KEY-VALUE-123", 1);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run({"live", example}), 1);
  error = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(error.find("BINANCE_API_SECRET is not set"), std::string::npos) << error;
  EXPECT_EQ(error.find("KEY-VALUE-123"), std::string::npos);
  ::unsetenv("BINANCE_API_KEY");
}

}  // namespace
}  // namespace colibri::app
