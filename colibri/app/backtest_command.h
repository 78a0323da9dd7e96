#pragma once
// `colibri backtest CONFIG [--data FILE...] [--out DIR] [--json]`: runs the strategy a backtest
// config file describes (backtest_config.h) through runtime::BacktestEngine and writes
//   DIR/fills.csv     one line per fill: time, order id, side, price, quantity, fee, fee asset, liquidity
//   DIR/summary.json  records, orders by outcome, fills, starting and final balances per asset
//                     (exact decimal strings); deterministic: simulated times only, no wall clock
// then prints a short summary table, or summary.json's object with --json. DIR defaults to
// out/backtest. Exit codes: 0 after a run, 1 for a bad config, data or output error, 2 for bad
// arguments (CLI11).

namespace CLI {
class App;
}

namespace colibri::app {

// Registers the `backtest` subcommand on `root`; its callback stores its exit code in `*exit_code`.
void add_backtest_command(CLI::App& root, int* exit_code);

}  // namespace colibri::app
