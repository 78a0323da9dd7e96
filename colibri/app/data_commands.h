#pragma once
// `colibri data ...`: market-data file tools (check, convert, synth).

namespace CLI {
class App;
}

namespace colibri::app {

// Registers the `data` subcommand and its children on `root`. Each child's callback stores its
// exit code in `*exit_code`.
void add_data_commands(CLI::App& root, int* exit_code);

}  // namespace colibri::app
