#include "colibri/app/cli.h"

#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace colibri::app {

int run_cli(int argc, char** argv) {
  CLI::App app{"colibri: algorithmic trading bots with tick-level backtesting", "colibri"};
  app.set_version_flag("--version", "colibri 0.1.0");
  app.require_subcommand(1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}

}  // namespace colibri::app
