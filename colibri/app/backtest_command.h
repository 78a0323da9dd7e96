#pragma once
// `colibri backtest CONFIG [--data FILE...] [--out DIR] [--json]`: runs the strategy a backtest
// config file describes (backtest_config.h) through runtime::BacktestEngine and writes
//   DIR/summary.json  records, events, orders by outcome, fills, starting and final balances per asset
//                     (exact decimal strings), the exchange's book sync counts and the metrics
//                     (runtime/performance.h); deterministic: simulated times only, no wall clock
//   DIR/run.json      wall seconds, events per second, peak memory: how the run went on this machine
//   DIR/fills.csv     one line per fill: time, order id, side, price, quantity, fee, fee asset, liquidity
//   DIR/orders.csv    one line per order when it ends (or "open" at the end): times, id, side, type,
//                     price, quantity, filled, status, failure message
//   DIR/series.csv    one row per sample interval: mid, best bid/ask, our best quotes, balances,
//                     equity, PnL versus holding, drawdown
//   DIR/report.html   the page drawn from those files (backtest_report.h)
// The CSVs are written as the run goes. A progress bar goes to stderr when it is a terminal. Then it
// prints a summary table, or summary.json's object with --json. DIR defaults to
// out/backtest. Exit codes: 0 after a run, 1 for a bad config, data or output error, 2 for bad
// arguments (CLI11).

namespace CLI {
class App;
}

namespace colibri::app {

// Registers the `backtest` subcommand on `root`; its callback stores its exit code in `*exit_code`.
void add_backtest_command(CLI::App& root, int* exit_code);

}  // namespace colibri::app
