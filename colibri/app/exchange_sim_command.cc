#include "colibri/app/exchange_sim_command.h"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "colibri/app/cli_output.h"
#include "colibri/core/ascii.h"
#include "colibri/core/live_scheduler.h"
#include "colibri/net/http_server.h"
#include "colibri/net/tls.h"
#include "colibri/runtime/exchange_sim/exchange_simulator.h"

namespace colibri::app {
namespace {

namespace fs = std::filesystem;

volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void on_stop_signal(int signal) { g_stop_signal = signal; }

struct ExchangeSimArgs {
  int port = 0;
  bool tls = false;
  std::vector<fs::path> data;
  double speed = 1.0;
  fs::path accounts;
  fs::path faults;
  fs::path ca_out;
  std::int64_t synthetic_seconds = 3600;
  std::uint64_t seed = 1;
};

int run_exchange_sim(const ExchangeSimArgs& args) {
  exchange_sim::ExchangeSimConfig config;
  config.data_files = args.data;
  config.speed = args.speed;
  config.synthetic_seconds = args.synthetic_seconds;
  config.synthetic_seed = args.seed;
  config.fault_seed = args.seed;
  config.accounts.market = exchange_sim::default_market_rules();
  if (!args.accounts.empty()) {
    auto accounts = exchange_sim::load_accounts(args.accounts);
    if (!accounts) return report_error(accounts.error());
    config.accounts = std::move(*accounts);
  }
  if (!args.faults.empty()) {
    if (auto ok = exchange_sim::load_faults(args.faults, config.faults, config.fault_seed); !ok) {
      return report_error(ok.error());
    }
  }
  std::vector<std::string> names;
  for (const auto& a : config.accounts.accounts) names.push_back(a.name);

  LiveScheduler scheduler;
  auto sim = exchange_sim::ExchangeSimulator::create(scheduler, std::move(config));
  if (!sim) return report_error(sim.error());
  net::ServerOptions options;
  options.port = static_cast<std::uint16_t>(args.port);
  std::string ca_certificate;
  if (args.tls) {
    auto certs = net::make_local_certificates();
    if (!certs) return report_error(certs.error());
    ca_certificate = certs->ca_certificate_pem;
    options.tls = std::move(*certs);
  }
  auto server = net::HttpServer::start(scheduler, std::move(options), **sim);
  if (!server) return report_error(server.error());
  const std::uint16_t port = (*server)->port();
  fs::path ca_file = args.ca_out;
  if (args.tls) {
    if (ca_file.empty())
      ca_file = fs::temp_directory_path() / fmt::format("colibri-exchange-sim-{}-ca.pem", port);
    if (auto ok = net::write_text_file(ca_file, ca_certificate); !ok) return report_error(ok.error());
  }

  const auto progress = (*sim)->progress();
  const std::string http = args.tls ? "https" : "http";
  const std::string ws = args.tls ? "wss" : "ws";
  const std::string host = fmt::format("127.0.0.1:{}", port);
  const std::string lower = to_ascii_lower((*sim)->symbol());
  fmt::print("colibri exchange-sim: {} from {} ({} events), speed {}\n", (*sim)->symbol(),
             args.data.empty()
                 ? fmt::format("a synthetic market ({} s, seed {})", args.synthetic_seconds, args.seed)
                 : fmt::format("{} file(s)", args.data.size()),
             progress.events, args.speed);
  fmt::print("  REST     {}://{}/api/v3/\n", http, host);
  fmt::print("  streams  {}://{}/ws/{}@depth@100ms   {}://{}/stream?streams={}@trade/{}@bookTicker\n", ws,
             host, lower, ws, host, lower, lower);
  fmt::print("  WS API   {}://{}/ws-api/v3\n", ws, host);
  fmt::print("  admin    {}://{}/sim/state   {}://{}/sim/faults\n", http, host, http, host);
  if (args.tls) fmt::print("  CA file  {}\n", ca_file.string());
  fmt::print("  accounts {}\n", names.empty() ? std::string("none (public endpoints only)")
                                              : fmt::format("{}", fmt::join(names, ", ")));
  fmt::print("serving until SIGINT or SIGTERM\n");
  std::fflush(stdout);

  g_stop_signal = 0;
  auto previous_int = std::signal(SIGINT, on_stop_signal);
  auto previous_term = std::signal(SIGTERM, on_stop_signal);
  (*sim)->start();
  scheduler.schedule_every(std::chrono::milliseconds(50), [&scheduler](Timestamp) {
    if (g_stop_signal != 0) scheduler.stop();
  });
  scheduler.run();
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);

  (*server)->stop();
  (*sim)->stop();
  scheduler.run_for(std::chrono::milliseconds(100));  // let the closes go out
  const auto done = (*sim)->progress();
  fmt::print("stopped: {} requests over {} connections, {} of {} events replayed\n",
             (*server)->stats().requests, (*server)->stats().connections, done.delivered, done.events);
  return 0;
}

}  // namespace

void add_exchange_sim_command(CLI::App& root, int* exit_code) {
  auto args = std::make_shared<ExchangeSimArgs>();
  CLI::App* cmd = root.add_subcommand(
      "exchange-sim",
      "Serve a Binance-spot-compatible simulated exchange on 127.0.0.1 (docs/EXCHANGE_SIM.md)");
  cmd->add_option("--port", args->port, "TCP port on 127.0.0.1 (0: any free port, printed)")
      ->required()
      ->check(CLI::Range(0, 65535));
  cmd->add_flag("--tls", args->tls, "Serve HTTPS and WSS with a CA and certificate made at start");
  cmd->add_option("--data", args->data, "Event logs or recordings to replay (default: a synthetic market)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--speed", args->speed, "Replay speed: data seconds per wall second")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--accounts", args->accounts, "YAML: API keys, secrets, balances, fees (and market rules)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--faults", args->faults, "YAML: faults to inject (changeable later via POST /sim/faults)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--ca-out", args->ca_out,
                  "Where to write the CA certificate with --tls (default: temp dir)");
  cmd->add_option("--synthetic-seconds", args->synthetic_seconds, "Length of the synthetic market")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{86400}));
  cmd->add_option("--seed", args->seed, "Seed of the synthetic market and of the fault draws");
  cmd->callback([args, exit_code] { *exit_code = run_exchange_sim(*args); });
}

}  // namespace colibri::app
