#pragma once
// BinanceExchangeApi: connector::ExchangeApi for Binance spot (docs/BINANCE_CONNECTOR.md), over
// colibri/net's HTTPS client and WebSocket client on a LiveScheduler. ExchangeBase sits on top and
// cannot tell it from the simulated exchange (DESIGN.md decision 4).
//
// What it does with each part of Binance:
//   REST        two keep-alive HTTPS connections, one for place and cancel, one for everything
//               else (a hung order request never delays a snapshot, a query or a time sample);
//               signed requests built by venue/binance's RequestBuilder with the ServerClock's
//               signing time at the moment they are written.
//   time        `time_samples` GET /api/v3/time samples before the first signed request (signed
//               requests wait for them), then one every `time_refresh_interval` (drift). -1021
//               restarts the clock, takes new samples and resends the same request (same client
//               order id: DESIGN.md promise 2), at most `max_clock_resends` times, then answers
//               Disconnected (ExchangeBase may resend).
//   user data   the WebSocket API (userDataStream.subscribe.signature): executionReport (its fill
//               first, then the report), outboundAccountPosition, balanceUpdate (applied to the last
//               known balance unless that came from a position with an event time no earlier:
//               then it is already in it), eventStreamTerminated (subscribe again). While it is down: the
//               listener hears on_connection_state(false), and open orders and balances are polled
//               over REST every `poll_interval`; it reconnects with backoff. The listener hears
//               on_connection_state(false) from set_listener() until the first subscription.
//   market      one combined stream for every subscribed symbol (<sym>@depth@100ms, @trade,
//               @bookTicker); after each (re)connect, and whenever ExchangeBase asks again
//               (subscribe_market_data after a gap), a REST depth snapshot. Every
//               `stream_rotate_after` the connection is replaced (new one first, both for an
//               overlap: Binance's 24 h limit without a gap in the book). Reconnects with backoff;
//               a stream silent for `stream_silence_limit` is dropped and reopened. WebSocket pings
//               are answered by the transport.
//   limits      every REST answer's X-MBX-USED-WEIGHT-* and X-MBX-ORDER-COUNT-* headers go to the
//               listener (on_rate_usage): ExchangeBase's limiter then counts at least what Binance
//               counts, including this api's own snapshots and time samples.
//   errors      venue/binance/api_errors.h: rate limits (429/418/-1003 with Retry-After) block every
//               REST request of this api until they pass and are told to the listener
//               (on_rate_limited); 5xx, -1006, -1007, timeouts after writing: Ambiguous (the order
//               stays in flight; ExchangeBase queries it, never places it twice); -2011/-2013:
//               NotFound; refusals: Rejected; credentials errors are logged as such.
//
// Secrets: the API key and secret are colibri::Secret, registered with the logger's redaction, sent
// only as the X-MBX-APIKEY header / signing key, and never in a log line or an error message.
//
// Thread-safety: none; the LiveScheduler's loop thread. The scheduler must outlive the api;
// callbacks still in flight when the api is destroyed are dropped (they hold a weak reference).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "colibri/connector/binance/rate_limits.h"
#include "colibri/connector/exchange_api.h"
#include "colibri/core/live_scheduler.h"
#include "colibri/core/result.h"
#include "colibri/core/secret.h"
#include "colibri/model/market_data.h"
#include "colibri/net/http/message.h"

namespace colibri::connector::binance {

struct BinanceApiConfig {
  net::Endpoint rest;     // https://api.binance.com
  net::Endpoint streams;  // wss://stream.binance.com:9443
  net::Endpoint ws_api;   // wss://ws-api.binance.com:443
  std::string ws_api_path = "/ws-api/v3";
  Secret api_key;
  Secret api_secret;
  int depth_limit = 1000;  // REST snapshot levels
  int time_samples = 4;
  Duration time_refresh_interval = std::chrono::minutes(1);  // one more sample (drift)
  int max_clock_resends = 2;
  Duration recv_window = std::chrono::seconds(5);
  Duration poll_interval = std::chrono::seconds(5);  // REST polling while the user stream is down
  Duration reconnect_min = std::chrono::milliseconds(200);
  Duration reconnect_max = std::chrono::seconds(30);
  Duration stream_silence_limit = std::chrono::seconds(30);
  // Binance ends a connection after 24 h: the market stream is replaced before that, the new one
  // opened first and both run for the overlap (no gap in the book). Zero: never.
  Duration stream_rotate_after = std::chrono::hours(23);
  Duration stream_rotate_overlap = std::chrono::seconds(2);
  // The limits the requests this api makes on its own answer to (depth snapshots, clock samples,
  // exchangeInfo, the polls while the user stream is down): ExchangeBase's limiter holds the
  // requests it asks for and never sees these. Binance's table; tests shorten its windows.
  RateLimitConfig own_rate_limits = binance_spot::rate_limits();
};

// "https://host[:port]" or "wss://host[:port]" (http/ws without TLS) into an Endpoint trusting
// `ca_file` (empty: the system store). InvalidArgument naming the URL part that is wrong.
[[nodiscard]] Result<net::Endpoint> parse_base_url(std::string_view url, std::string ca_file);

struct BinanceApiStats {
  std::uint64_t rest_requests = 0;      // written to the transport
  std::uint64_t rest_deferred = 0;      // held back by a rate-limit block or an unsynced clock
  std::uint64_t rest_held_for_rate = 0;  // own requests held until the IP's limits have room
  std::uint64_t rate_limited = 0;       // 429/418/-1003 answers
  std::uint64_t rate_usage_headers = 0;  // X-MBX-USED-WEIGHT-* / X-MBX-ORDER-COUNT-* read, and the
                                         // full limit of a -1015 (to the listener)
  std::uint64_t ws_rate_limit_counts = 0;  // WebSocket API answers' rateLimits counts read (to the listener)
  std::uint64_t ambiguous = 0;          // answers Ambiguous (timeout, 5xx, -1006/-1007)
  std::uint64_t clock_resyncs = 0;      // after -1021
  std::uint64_t clock_resends = 0;      // requests resent after a clock resync
  std::uint64_t market_connects = 0;    // market stream connections opened
  std::uint64_t market_reconnects = 0;  // ... after the first
  std::uint64_t market_rotations = 0;   // connections replaced before Binance's 24 h limit
  std::uint64_t user_connects = 0;      // user-data subscriptions established
  std::uint64_t user_reconnects = 0;    // ... after the first
  std::uint64_t user_events = 0;
  std::uint64_t stream_terminated = 0;  // eventStreamTerminated
  std::uint64_t balance_updates = 0;    // balanceUpdate deltas applied to a known balance
  std::uint64_t balance_updates_skipped = 0;  // ... not applied: no later than the position known
  std::uint64_t depth_diffs = 0;        // depth frames handed to the listener
  std::uint64_t snapshots = 0;          // depth snapshots delivered
  std::uint64_t book_resyncs = 0;       // snapshots asked for by a gap (not the first of a connection)
  std::uint64_t balance_answers = 0;    // account answers delivered
  std::uint64_t polls = 0;              // REST polls while the user stream was down
  std::uint64_t bad_messages = 0;       // frames or answers that did not parse (counted, survived)
  std::uint64_t credential_errors = 0;  // -2014/-2015/-1022/...
};

class BinanceExchangeApi final : public ExchangeApi {
 public:
  BinanceExchangeApi(LiveScheduler& scheduler, BinanceApiConfig config);
  ~BinanceExchangeApi() override;
  BinanceExchangeApi(const BinanceExchangeApi&) = delete;
  BinanceExchangeApi& operator=(const BinanceExchangeApi&) = delete;

  // Synchronises the clock and opens the user-data stream. Requests call it when needed; calling
  // it early only saves time. Idempotent.
  void connect();

  // --- ExchangeApi
  void set_listener(ExchangeApiListener* listener) override;
  [[nodiscard]] std::string_view name() const override { return "binance"; }
  void place_order(const model::OrderRequest& request) override;
  void cancel_order(const model::Symbol& symbol, const model::ClientOrderId& id) override;
  void query_order(const model::Symbol& symbol, const model::ClientOrderId& id) override;
  void query_fills(const model::Symbol& symbol, const model::ClientOrderId& id) override;
  void query_balances() override;
  void query_open_orders(const model::Symbol& symbol) override;
  void query_trading_rules() override;
  void subscribe_market_data(const model::Symbol& symbol) override;

  // Handles one frame of the combined market stream as if its WebSocket had delivered it: the
  // stream's own handling (parse, deduplicate trades, hand to the listener), on the loop thread.
  // The entry point of bench/bench_live_latency.cc, which hands recorded frames in without a venue.
  void handle_market_frame(std::string_view frame);

  [[nodiscard]] const BinanceApiStats& stats() const noexcept;
  [[nodiscard]] bool user_stream_up() const noexcept;
  [[nodiscard]] bool clock_synchronised() const noexcept;
  // The last bookTicker of `symbol` (none before one arrived).
  [[nodiscard]] const model::BookTicker* book_ticker(const model::Symbol& symbol) const noexcept;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace colibri::connector::binance
