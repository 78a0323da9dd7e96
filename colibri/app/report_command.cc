#include "colibri/app/report_command.h"

#include <filesystem>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "colibri/app/backtest_report.h"
#include "colibri/app/cli_output.h"

namespace colibri::app {

void add_report_command(CLI::App& root, int* exit_code) {
  auto dir = std::make_shared<std::filesystem::path>();
  CLI::App* cmd = root.add_subcommand("report", "Write report.html from a backtest's output directory");
  cmd->add_option("dir", *dir, "A backtest's --out directory (summary.json, series.csv, fills.csv)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->callback([dir, exit_code] {
    auto written = write_backtest_report(*dir);
    if (!written) {
      *exit_code = report_error(written.error());
      return;
    }
    fmt::print("wrote {}\n", written->string());
    *exit_code = 0;
  });
}

}  // namespace colibri::app
