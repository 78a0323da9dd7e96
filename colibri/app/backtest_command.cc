#include "colibri/app/backtest_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "colibri/app/cli_output.h"
#include "colibri/app/backtest_config.h"
#include "colibri/runtime/backtest_engine.h"
#include "colibri/strategy/pure_market_making.h"

namespace colibri::app {
namespace {

namespace fs = std::filesystem;

std::string json_balances(const std::vector<runtime::AssetAmount>& balances) {
  std::string out = "{";
  for (const auto& b : balances) {
    if (out.size() > 1) out += ",";
    out += fmt::format("{}:{}", json_string(b.asset.view()), json_string(b.amount.to_string()));
  }
  return out + "}";
}

std::string summary_json(const BacktestConfigFile& config, const runtime::BacktestResult& r) {
  const auto& o = r.orders;
  return fmt::format(
      "{{\"strategy\":{},\"symbol\":{},\"data_files\":{},\"records\":{},"
      "\"orders\":{{\"created\":{},\"completed\":{},\"cancelled\":{},\"failed\":{},\"expired\":{},\"lost\":{}}},"
      "\"fills\":{},\"starting_balances\":{},\"final_balances\":{},\"start_time\":{},\"end_time\":{},"
      "\"shutdown_complete\":{},\"open_orders_at_end\":{}}}",
      json_string(config.strategy), json_string(config.backtest.rules.symbol), config.backtest.data_files.size(),
      r.records, o.created, o.completed, o.cancelled, o.failed, o.expired, o.lost, r.fills.size(),
      json_balances(r.starting_balances), json_balances(r.final_balances), json_string(r.start_time.to_iso8601()),
      json_string(r.end_time.to_iso8601()), r.shutdown_complete ? "true" : "false", r.open_orders_at_end);
}

Result<void> write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return fail(ErrorCode::Io, "{}: cannot write", path.string());
  return {};
}

std::string fills_csv(const runtime::BacktestResult& r) {
  std::string out = "time,order_id,side,price,quantity,fee,fee_asset,liquidity\n";
  for (const auto& f : r.fills) {
    out += fmt::format("{},{},{},{},{},{},{},{}\n", f.time.to_iso8601(), f.client_order_id.view(),
                       model::to_string(f.side), f.price.to_string(), f.amount.to_string(), f.fee.amount.to_string(),
                       f.fee.asset.view(), model::to_string(f.liquidity));
  }
  return out;
}

struct BacktestArgs {
  fs::path config;
  std::vector<fs::path> data;
  fs::path out = "out/backtest";
  bool json = false;
};

int run_backtest(const BacktestArgs& args) {
  auto loaded = load_backtest_config(args.config);
  if (!loaded) return report_error(loaded.error());
  BacktestConfigFile config = std::move(*loaded);
  if (!args.data.empty()) config.backtest.data_files = args.data;
  if (config.backtest.data_files.empty()) {
    return report_error(Error(ErrorCode::InvalidArgument,
                              fmt::format("{}: no data: give `data:` in the config or --data FILE", args.config.string())));
  }

  const strategy::PureMarketMakingConfig pmm = config.pure_market_making;
  const auto symbol = model::Symbol::truncating(config.backtest.rules.symbol);  // length checked on load
  runtime::StrategyFactory factory = [pmm, symbol](connector::Connector& connector, Scheduler& scheduler) {
    strategy::StrategyContext context{"pure_market_making", {&connector}, &scheduler};
    return std::make_unique<strategy::PureMarketMaking>(std::move(context),
                                                        strategy::MarketTradingPair{&connector, symbol}, pmm);
  };
  auto result = runtime::BacktestEngine(config.backtest).run(factory);
  if (!result) return report_error(result.error());

  std::error_code ec;
  fs::create_directories(args.out, ec);
  if (ec) return report_error(Error(ErrorCode::Io, fmt::format("{}: cannot create: {}", args.out.string(), ec.message())));
  const std::string summary = summary_json(config, *result);
  if (auto ok = write_file(args.out / "fills.csv", fills_csv(*result)); !ok) return report_error(ok.error());
  if (auto ok = write_file(args.out / "summary.json", summary + "\n"); !ok) return report_error(ok.error());

  if (args.json) {
    fmt::print("{}\n", summary);
    return 0;
  }
  const auto& r = *result;
  const auto& o = r.orders;
  fmt::print("strategy       {} on {}\n", config.strategy, config.backtest.rules.symbol);
  fmt::print("replayed       {} records from {} file(s), {} to {}\n", r.records, config.backtest.data_files.size(),
             r.start_time.to_iso8601(), r.end_time.to_iso8601());
  fmt::print("orders         created {}, completed {}, cancelled {}, failed {}, expired {}, lost {}\n", o.created,
             o.completed, o.cancelled, o.failed, o.expired, o.lost);
  fmt::print("fills          {}\n", r.fills.size());
  fmt::print("{:<14} {:>24} {:>24}\n", "balance", "start", "end");
  for (const auto& end : r.final_balances) {
    std::string start = "0";
    for (const auto& s : r.starting_balances) {
      if (s.asset == end.asset) start = s.amount.to_string();
    }
    fmt::print("{:<14} {:>24} {:>24}\n", end.asset.view(), start, end.amount.to_string());
  }
  fmt::print("shutdown       {}{}\n", r.shutdown_complete ? "complete" : "incomplete",
             r.open_orders_at_end ? fmt::format(", {} orders still open", r.open_orders_at_end) : "");
  fmt::print("wrote          {}, {}\n", (args.out / "fills.csv").string(), (args.out / "summary.json").string());
  return 0;
}

}  // namespace

void add_backtest_command(CLI::App& root, int* exit_code) {
  auto args = std::make_shared<BacktestArgs>();
  CLI::App* cmd = root.add_subcommand("backtest", "Run a strategy from a config file over market-data files");
  cmd->add_option("config", args->config, "Backtest config (YAML; see examples/pmm.yml)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--data", args->data, "Event logs to replay, in order (replace the config's data:)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", args->out, "Directory for fills.csv and summary.json")->capture_default_str();
  cmd->add_flag("--json", args->json, "Print the summary as one JSON object");
  cmd->callback([args, exit_code] { *exit_code = run_backtest(*args); });
}

}  // namespace colibri::app
