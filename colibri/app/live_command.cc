#include "colibri/app/live_command.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "colibri/app/backtest_config.h"
#include "colibri/app/cli_output.h"
#include "colibri/core/live_scheduler.h"
#include "colibri/core/log.h"
#include "colibri/runtime/live/live_bot.h"

namespace colibri::app {
namespace {

namespace fs = std::filesystem;

volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void on_live_stop_signal(int signal) { g_stop_signal = signal; }

struct LiveArgs {
  fs::path config;
  double duration_seconds = 0;  // 0: until a signal
  fs::path report;
  double stop_timeout_seconds = 10;
};

Result<std::string> env_secret(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    return fail(ErrorCode::InvalidArgument, "{} is not set (the API {} comes from the environment)", name,
                std::string_view(name).ends_with("SECRET") ? "secret" : "key");
  }
  return std::string(value);
}

Result<live::LiveBotConfig> make_bot_config(const BacktestConfigFile& file, Secret key, Secret secret) {
  live::LiveBotConfig config;
  const model::TradingRules& rules = file.backtest.markets.front().rules;  // a live config has one market
  config.symbol = model::Symbol::truncating(rules.symbol);
  config.base = model::Asset::truncating(rules.base);
  config.quote = model::Asset::truncating(rules.quote);
  config.maker_fee = file.backtest.maker_fee;
  config.taker_fee = file.backtest.taker_fee;
  config.strategy = file.pure_market_making;
  config.tick_size = file.backtest.tick_size;
  const ExchangeSection& exchange = *file.exchange;
  auto rest = connector::binance::parse_base_url(exchange.rest_url, exchange.ca_file);
  if (!rest)
    return tl::unexpected(Error(rest.error().code(), "exchange.rest_url: " + rest.error().message()));
  auto streams = connector::binance::parse_base_url(exchange.stream_url, exchange.ca_file);
  if (!streams) {
    return tl::unexpected(Error(streams.error().code(), "exchange.stream_url: " + streams.error().message()));
  }
  auto ws_api = connector::binance::parse_base_url(exchange.ws_api_url, exchange.ca_file);
  if (!ws_api) {
    return tl::unexpected(Error(ws_api.error().code(), "exchange.ws_api_url: " + ws_api.error().message()));
  }
  if (!exchange.ca_file.empty() && !fs::is_regular_file(exchange.ca_file)) {
    return fail(ErrorCode::NotFound, "exchange.ca_file: {}: no such file", exchange.ca_file);
  }
  config.api.rest = std::move(*rest);
  config.api.streams = std::move(*streams);
  config.api.ws_api = std::move(*ws_api);
  config.api.api_key = std::move(key);
  config.api.api_secret = std::move(secret);
  return config;
}

int run_live(const LiveArgs& args) {
  auto file = load_live_config(args.config);
  if (!file) return report_error(file.error());
  auto key = env_secret("BINANCE_API_KEY");
  if (!key) return report_error(key.error());
  auto secret = env_secret("BINANCE_API_SECRET");
  if (!secret) return report_error(secret.error());
  logging::register_secret(*key);
  logging::register_secret(*secret);
  auto config = make_bot_config(*file, Secret(std::move(*key)), Secret(std::move(*secret)));
  if (!config) return report_error(config.error());
  config->stop_timeout =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(args.stop_timeout_seconds));

  logging::Options log_options;
  logging::init(log_options);

  LiveScheduler scheduler;
  std::unique_ptr<live::LiveBot> bot;
  try {
    bot = std::make_unique<live::LiveBot>(scheduler, *config);
  } catch (const StartupError& e) {
    logging::shutdown();
    return report_error(e.error());
  }
  fmt::print("colibri live: pure market making on {} at {} (streams {}, WS API {}){}\n",
             config->symbol.view(), file->exchange->rest_url, file->exchange->stream_url,
             file->exchange->ws_api_url,
             args.duration_seconds > 0 ? fmt::format(", for {} s", args.duration_seconds) : std::string());
  fmt::print("stop with SIGINT or SIGTERM: open orders are cancelled first\n");
  std::fflush(stdout);

  g_stop_signal = 0;
  auto previous_int = std::signal(SIGINT, on_live_stop_signal);
  auto previous_term = std::signal(SIGTERM, on_live_stop_signal);
  bool stop_asked = false;
  auto stop = [&](std::string_view why) {
    if (stop_asked) return;
    stop_asked = true;
    log_info("live: stop ({})", why);
    bot->request_stop([&scheduler] { scheduler.stop(); });
  };
  const Timestamp end = args.duration_seconds > 0
                            ? scheduler.now() + std::chrono::duration_cast<Duration>(
                                                    std::chrono::duration<double>(args.duration_seconds))
                            : Timestamp::none();
  const TimerId watcher = scheduler.schedule_every(std::chrono::milliseconds(50), [&](Timestamp) {
    if (g_stop_signal != 0) stop(g_stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
    if (!end.is_none() && scheduler.now() >= end) stop("--duration reached");
  });
  bot->start();
  scheduler.run();
  scheduler.cancel(watcher);
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);

  const live::LiveReport report = bot->report();
  bot.reset();
  scheduler.run_for(std::chrono::milliseconds(100));  // let the closes go out
  logging::shutdown();

  fmt::print(
      "stopped after {:.1f} s: {} orders placed, {} filled, {} cancelled, {} failed, {} lost; {} fills\n",
      std::chrono::duration<double>(report.run_time).count(), report.orders.placed, report.orders.filled,
      report.orders.cancelled, report.orders.failed, report.orders.lost, report.fills.size());
  for (const model::Balance& b : report.balances) {
    fmt::print("  {} total {} available {}\n", b.asset.view(), b.total, b.available);
  }
  fmt::print("  stop {}: {} open order(s) left\n", report.stop_confirmed ? "confirmed" : "NOT confirmed",
             report.open_orders_at_stop);
  if (!args.report.empty()) {
    std::ofstream out(args.report, std::ios::binary | std::ios::trunc);
    out << report.to_json();
    if (!out)
      return report_error(
          Error(ErrorCode::Io, fmt::format("{}: cannot write the report", args.report.string())));
    fmt::print("report: {}\n", args.report.string());
  }
  return report.stop_confirmed ? 0 : 1;
}

}  // namespace

void add_live_command(CLI::App& root, int* exit_code) {
  auto args = std::make_shared<LiveArgs>();
  CLI::App* cmd = root.add_subcommand(
      "live",
      "Trade a config's strategy live on Binance spot or a compatible server (docs/BINANCE_CONNECTOR.md)");
  cmd->add_option("config", args->config, "Live config: strategy, market, fees, exchange (URLs, ca_file)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--duration", args->duration_seconds,
                  "Stop after this many seconds (default: run until a signal)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--report", args->report, "Write the run's JSON report to this file");
  cmd->add_option("--stop-timeout", args->stop_timeout_seconds,
                  "Seconds to wait for cancel confirmations when stopping (default 10)")
      ->check(CLI::PositiveNumber);
  cmd->callback([args, exit_code] { *exit_code = run_live(*args); });
}

}  // namespace colibri::app
