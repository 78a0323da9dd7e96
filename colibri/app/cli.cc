#include "colibri/app/cli.h"

#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "colibri/app/backtest_command.h"
#include "colibri/app/data_commands.h"
#include "colibri/app/exchange_sim_command.h"
#include "colibri/app/live_command.h"
#include "colibri/app/report_command.h"
#include "colibri/core/result.h"

namespace colibri::app {

int run_cli(int argc, char** argv) {
  CLI::App app{"colibri: algorithmic trading bots with tick-level backtesting", "colibri"};
  app.set_version_flag("--version", "colibri 0.1.0");
  app.require_subcommand(1);
  int exit_code = 0;
  add_data_commands(app, &exit_code);
  add_backtest_command(app, &exit_code);
  add_exchange_sim_command(app, &exit_code);
  add_report_command(app, &exit_code);
  add_live_command(app, &exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, then a pointer to the help: bad arguments exit with 2.
    std::fprintf(stderr, "colibri: error: %s (see --help)\n", e.what());
    return 2;
  } catch (const StartupError& e) {
    std::fprintf(stderr, "colibri: error: %s\n", e.error().message().c_str());
    return 1;
  }
  return exit_code;
}

}  // namespace colibri::app
