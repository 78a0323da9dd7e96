#pragma once
// `colibri report DIR`: (re)writes DIR/report.html from the files a backtest wrote into DIR
// (summary.json, series.csv, fills.csv; see backtest_report.h) and prints the page's path.
// Exit codes: 0 when the page is written, 1 for a missing or malformed file (the message names the
// file, line and field) or a write error, 2 for bad arguments (CLI11).

namespace CLI {
class App;
}

namespace colibri::app {

// Registers the `report` subcommand on `root`; its callback stores its exit code in `*exit_code`.
void add_report_command(CLI::App& root, int* exit_code);

}  // namespace colibri::app
