#pragma once
// `colibri live CONFIG [--duration SECONDS] [--report FILE] [--stop-timeout SECONDS]`: runs the
// config's pure market making live on Binance spot (or anything that speaks its protocol, such as
// `colibri exchange-sim`) through runtime/live's LiveBot. The API key and secret come from the
// environment (BINANCE_API_KEY, BINANCE_API_SECRET) and are never printed. Stops cleanly on SIGINT,
// SIGTERM or after --duration: the strategy places nothing more, open orders are cancelled and
// confirmed (bounded by --stop-timeout). --report writes the run's JSON report. Exit codes: 0 after
// a clean stop, 1 for a bad config, missing keys or an unconfirmed stop, 2 for bad arguments.

namespace CLI {
class App;
}

namespace colibri::app {

// Registers the `live` subcommand on `root`; its callback stores its exit code in `*exit_code`.
void add_live_command(CLI::App& root, int* exit_code);

}  // namespace colibri::app
