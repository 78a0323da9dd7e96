#pragma once
// A backtest config file: YAML naming the strategy, its parameters (Hummingbot's key names), the
// market, balances, fees, latencies and the data to replay. examples/pmm.yml teaches every key.
//
// Layout (every key is checked; an unknown key is an error):
//   strategy: pure_market_making          # required; the only strategy so far
//   strategy_parameters:                  # required: Hummingbot's pure_market_making keys
//     bid_spread: 0.1                     #   (conf_pure_mm_*.yml names; percents: 1 means 1 %)
//     ...                                 #   time keys are in seconds, as in Hummingbot
//   market:                               # required, or `markets:` below
//     symbol, base, quote, tick_size, lot_size      # required
//     min_quantity, min_notional                    # optional, default 0
//   markets:                              # several markets sharing one quote asset (one each base):
//     - symbol, base, quote, tick_size, ...         #   the rules as under `market`,
//       data: [file, ...]                           #   the market's own data files,
//       strategy_parameters: {order_amount: 0.05}   #   optional overrides of the shared parameters;
//                                                   #   one pure_market_making runs on each market
//   starting_balances: {ASSET: amount, ...}         # optional
//   fees: {maker_percent, taker_percent}            # optional, default 0.1 % each
//   latency: {entry_ms, response_ms}                # optional, default 1 ms each; or
//   latency: {file: requests.csv}                   #   latencies interpolated from recorded requests
//                                                   #   (connector/sim/latency_model.h RecordedLatency)
//   queue: {model, power}                           # optional: risk_averse (default), prob_power,
//                                                   #   prob_power2, prob_power3, prob_log, prob_log2; power 2
//   tick_size_seconds: 1                            # optional: the strategy clock
//   sample_interval_seconds: 1                      # optional: series rows, Sharpe/Sortino returns
//   data: [file, ...]                               # with `market`; optional here (`--data` may give
//                                                   #   it); relative paths are from the working directory
// Hummingbot pure_market_making keys colibri does not implement yet (hanging orders, price bands,
// order optimization, ping-pong, external price sources, ...) load only at Hummingbot's default value
// (the behaviour colibri has); any other value is an error naming the key.
// The PMM parameters sit under strategy_parameters rather than at the top level (Hummingbot's
// conf_pure_mm style) because Hummingbot's top-level `market` is a string ("BTC-USDT") while here
// `market` describes the instrument's rules.
//
// Money is exact: prices, quantities, balances and fee rates parse from the scalar's text with
// Price/Quantity/Notional/FeeRate::parse, never through double. Durations parse exactly too.
// Percent parameters of the strategy are doubles, as PureMarketMakingConfig holds them.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "colibri/core/result.h"
#include "colibri/runtime/backtest_engine.h"
#include "colibri/strategy/pure_market_making.h"

namespace colibri::app {

// The `exchange:` section of a live config (colibri live): where the venue is and which CA to trust.
//   exchange:
//     rest_url: https://127.0.0.1:8443   # required; scheme://host[:port]
//     stream_url: wss://127.0.0.1:8443   # optional: rest_url with https -> wss (http -> ws)
//     ws_api_url: wss://127.0.0.1:8443   # optional: the same default (the path is /ws-api/v3)
//     ca_file: /tmp/sim-ca.pem           # optional: PEM of the CA(s) to trust; default: the system's
// Keys are never in a config file: BINANCE_API_KEY / BINANCE_API_SECRET in the environment.
struct ExchangeSection {
  std::string rest_url;
  std::string stream_url;
  std::string ws_api_url;
  std::string ca_file;
};

struct BacktestConfigFile {
  std::string strategy;                       // "pure_market_making"
  runtime::BacktestConfig backtest;           // a market's data_files may be empty (given on the command line)
  strategy::PureMarketMakingConfig pure_market_making;  // the shared strategy_parameters
  // The parameters each market runs with (the shared ones and the market's overrides), in the
  // order of backtest.markets.
  std::vector<strategy::PureMarketMakingConfig> market_parameters;
  std::optional<ExchangeSection> exchange;  // live configs only
};

// Reads and checks `file`. Errors: NotFound/Io when it cannot be read; InvalidArgument, as
// "FILE:LINE: KEY: what is wrong (allowed: ...)", for a YAML syntax error, an unknown or missing key,
// a value of the wrong type or out of range (the strategy's validate() and TradingRules::validate()
// are applied). Nothing is returned for a bad config: no partial result.
[[nodiscard]] Result<BacktestConfigFile> load_backtest_config(const std::filesystem::path& file);

// The same from YAML text; `file_name` only labels the errors.
[[nodiscard]] Result<BacktestConfigFile> parse_backtest_config(std::string_view yaml, std::string_view file_name);

// A live config (colibri live): the same strategy, strategy_parameters, market, fees and
// tick_size_seconds keys, plus the required `exchange:` section; the backtest-only keys
// (starting_balances, latency, sample_interval_seconds, data) are errors here.
[[nodiscard]] Result<BacktestConfigFile> load_live_config(const std::filesystem::path& file);
[[nodiscard]] Result<BacktestConfigFile> parse_live_config(std::string_view yaml, std::string_view file_name);

}  // namespace colibri::app
