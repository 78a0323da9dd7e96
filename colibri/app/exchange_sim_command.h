#pragma once
// `colibri exchange-sim --port P [--tls] [--data FILE...] [--speed X] [--accounts FILE]
//  [--faults FILE] [--ca-out FILE] [--synthetic-seconds N] [--seed S]`: serves a Binance-spot-
// compatible simulated exchange (runtime/exchange_sim, docs/EXCHANGE_SIM.md) on 127.0.0.1 until
// SIGINT or SIGTERM. Prints its URLs and, with --tls, the CA file a client must trust. Keys come
// only from the accounts file (never from the command line, where `ps` shows them). Exit codes: 0
// after a clean stop, 1 for a bad file or a port that cannot be bound, 2 for bad arguments.

namespace CLI {
class App;
}

namespace colibri::app {

// Registers the `exchange-sim` subcommand on `root`; its callback stores its exit code in `*exit_code`.
void add_exchange_sim_command(CLI::App& root, int* exit_code);

}  // namespace colibri::app
