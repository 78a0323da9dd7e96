#pragma once
// ExchangeSimulator: a Binance-spot-compatible exchange, the product behind `colibri exchange-sim`
// (docs/EXCHANGE_SIM.md). It is a net::ServerHandler: served over net::HttpServer (HTTP/HTTPS,
// WS/WSS) on 127.0.0.1 by the app and the tests, or driven directly without sockets (the fuzzer).
//
//   REST      GET /api/v3/ping, time, exchangeInfo, depth, trades, ticker/bookTicker; SIGNED:
//             account, myTrades, openOrders, GET/POST/DELETE order, DELETE openOrders
//   streams   /ws/<stream>, /ws (then SUBSCRIBE), /stream?streams=a/b for <symbol>@depth@100ms
//             (and @depth), @trade, @bookTicker
//   WS API    /ws-api/v3: time, ping, userDataStream.subscribe.signature, userDataStream.unsubscribe
//             (executionReport, outboundAccountPosition pushed per subscription)
//   admin     GET /sim/state, GET/POST/DELETE /sim/faults, POST /sim/deposit, POST /sim/disconnect,
//             POST /sim/terminate-user-streams, POST /sim/reset-limits
//
// Matching is connector/sim's MatchingEngine and Ledger, one symbol; market data is replayed from
// an event log, a recording or a synthetic market, mapped onto wall time at `speed`. Requests are
// checked as Binance does (API key, timestamp within recvWindow, HMAC-SHA256 signature) and
// answered with Binance's JSON and error codes. Faults (sim_config.h) make it misbehave on purpose.
//
// Time comes from the Scheduler: a LiveScheduler when served (wall time: fills, transactTime and
// event times are wall-clock milliseconds, as from Binance), a SimScheduler when driven by a test or
// the fuzzer. Thread-safety: none; everything runs on the scheduler's event-loop thread (the
// handler calls, the replay timers). Secrets (API keys and HMAC keys) never reach an answer or a log.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "colibri/core/scheduler.h"
#include "colibri/data/event_tape.h"
#include "colibri/core/result.h"
#include "colibri/net/http/server_handler.h"
#include "colibri/runtime/exchange_sim/sim_config.h"

namespace colibri::exchange_sim {

struct ExchangeSimConfig {
  // The market to replay, already loaded: used instead of data_files and the synthetic market (the
  // fuzzer shares one between its simulators). Its symbol is accounts.market's (symbol, else base
  // + quote).
  std::shared_ptr<const data::EventTape> tape;
  std::vector<std::filesystem::path> data_files;  // empty: a synthetic market
  std::int64_t synthetic_seconds = 3600;
  std::uint64_t synthetic_seed = 1;
  double speed = 1.0;  // data seconds per wall second
  SimAccountsFile accounts;
  FaultSet faults;
  std::uint64_t fault_seed = 1;
  Duration depth_interval = std::chrono::milliseconds(100);
  // Where the rate-limit windows start: each window (the minute of request weight, the 10 s and
  // the day of order counts) begins a whole number of its lengths after this time. The default,
  // the Unix epoch, gives Binance's calendar windows (the minute from :00, the day from 00:00
  // UTC). POST /sim/reset-limits moves it to "now" at run time.
  Timestamp limit_windows_origin = Timestamp::from_ns(0);
};

struct ReplayProgress {
  std::size_t events = 0;     // on the tape
  std::size_t delivered = 0;  // replayed so far
  model::UpdateId last_update_id = model::kNoUpdateId;
};

class ExchangeSimulator final : public net::ServerHandler {
 public:
  // Loads the market (data files, or generates the synthetic market) and opens the accounts.
  // Errors: the data file that cannot be read, a symbol mismatch, bad rules or fees (InvalidArgument).
  [[nodiscard]] static Result<std::unique_ptr<ExchangeSimulator>> create(Scheduler& scheduler,
                                                                         ExchangeSimConfig config);
  ~ExchangeSimulator() override;
  ExchangeSimulator(const ExchangeSimulator&) = delete;
  ExchangeSimulator& operator=(const ExchangeSimulator&) = delete;

  // Starts replaying: the first event is delivered now (the initial book), the rest at their data
  // time offset divided by speed. Call once, before serving.
  void start();
  // Cancels the replay timers and closes every WebSocket (before the server stops).
  void stop();

  void on_http(net::HttpRequest request, net::HttpReply reply) override;
  [[nodiscard]] bool accept_websocket(const net::HttpRequest& upgrade) override;
  void on_websocket_open(const net::HttpRequest& upgrade,
                         std::shared_ptr<net::WebSocketConnection> connection) override;

  [[nodiscard]] const std::string& symbol() const noexcept;
  [[nodiscard]] ReplayProgress progress() const noexcept;
  // The JSON of GET /sim/state.
  [[nodiscard]] std::string state_json() const;

  struct Impl;

 private:
  explicit ExchangeSimulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace colibri::exchange_sim
