#pragma once
// The exchange simulator of a synthetic market served on 127.0.0.1 for the tests of what talks to
// it (the simulator's transport tests, BinanceExchangeApi, LiveBot): over TLS with verification on
// by default, trusting a fresh CA whose PEM is written to a temporary folder. Header-only; users
// link colibri_exchange_sim and colibri_net.

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "colibri/core/live_scheduler.h"
#include "colibri/net/http/message.h"
#include "colibri/net/http_server.h"
#include "colibri/net/tls.h"
#include "colibri/runtime/exchange_sim/exchange_simulator.h"
#include "colibri/testing/sample_data.h"

namespace colibri::testing {

// Starts the simulator and its server at construction; the destructor stops both (server first)
// and removes the CA file. Set-up failures throw std::runtime_error naming the step: the test that
// built it then fails with that message. Not thread-safe: lives on the scheduler's thread.
class ExchangeSimServer {
 public:
  // `accounts_yaml`: the accounts (exchange_sim::parse_accounts' YAML); `synthetic_seconds` of
  // synthetic market are replayed from now. `tls` false serves plain HTTP and WS.
  ExchangeSimServer(LiveScheduler& scheduler, std::string_view accounts_yaml, bool tls = true,
                    std::int64_t synthetic_seconds = 600) {
    exchange_sim::ExchangeSimConfig config;
    config.synthetic_seconds = synthetic_seconds;
    config.accounts = check("accounts", exchange_sim::parse_accounts(accounts_yaml, "test"));
    sim_ = check("simulator", exchange_sim::ExchangeSimulator::create(scheduler, std::move(config)));
    net::ServerOptions options;
    if (tls) {
      auto certificates = check("certificates", net::make_local_certificates());
      const auto ca_file = ca_dir_ / "ca.pem";
      check("CA file", net::write_text_file(ca_file, certificates.ca_certificate_pem));
      options.tls = std::move(certificates);
      endpoint_.tls = true;
      endpoint_.ca_file = ca_file.string();
    }
    server_ = check("server", net::HttpServer::start(scheduler, std::move(options), *sim_));
    endpoint_.port = server_->port();
    sim_->start();
  }
  ~ExchangeSimServer() {
    server_->stop();
    sim_->stop();
  }
  ExchangeSimServer(const ExchangeSimServer&) = delete;
  ExchangeSimServer& operator=(const ExchangeSimServer&) = delete;

  // 127.0.0.1 at the server's port, trusting its CA when over TLS; default timeouts.
  [[nodiscard]] const net::Endpoint& endpoint() const { return endpoint_; }

 private:
  template <typename T>
  static T check(std::string_view step, Result<T> result) {
    if (!result) throw std::runtime_error(std::string(step) + ": " + result.error().describe());
    return std::move(*result);
  }
  static void check(std::string_view step, Result<void> result) {
    if (!result) throw std::runtime_error(std::string(step) + ": " + result.error().describe());
  }

  TempDir ca_dir_;
  std::unique_ptr<exchange_sim::ExchangeSimulator> sim_;
  std::unique_ptr<net::HttpServer> server_;
  net::Endpoint endpoint_;
};

}  // namespace colibri::testing
