#pragma once
// ExchangeBase: everything generic about a connector (DESIGN.md decision 6), over one ExchangeApi:
// order tracking (OrderTracker), events, quantizing and rule checks, the balance check, throttling
// (RateLimiter), and keeping books in sync (BookSync). The same class runs in backtests (over
// connector/sim's SimExchangeApi) and live (over the Binance api).
//
// Driving it: add it to the Clock before the strategies (it is a TimeIterator). start() asks the
// api for trading rules and balances and subscribes to the markets; each tick it lets the tracker
// expire waits, queries orders whose outcome is unknown or that have been silent, queries owed
// fills, and refreshes balances every balance_refresh_interval.
//
// Requests go out through a FIFO queue: when the rate limiter refuses one (or after the venue's
// rate-limit answer), nothing is sent until the limiter allows it, in order. The venue's own
// counts (on_rate_usage: Binance's usage headers) raise the limiter's, so requests the limiter
// never saw (another program on the IP, the api's snapshots) still hold ours back. A place or cancel
// answered RateLimited or Disconnected was not executed, so it is queued again (same client order
// id: DESIGN.md promise 2), at most max_resends times, then handed to the tracker as a failure.
//
// Not thread-safe: owned by the bot's event-loop thread.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "colibri/connector/client_order_id.h"
#include "colibri/connector/connector.h"
#include "colibri/connector/exchange_api.h"
#include "colibri/connector/market_events.h"
#include "colibri/connector/order_tracker.h"
#include "colibri/connector/rate_limiter.h"
#include "colibri/core/clock.h"
#include "colibri/core/scheduler.h"
#include "colibri/model/book_sync.h"
#include "colibri/model/fees.h"

namespace colibri::connector {

// One market the connector trades.
struct MarketSetup {
  model::Symbol symbol;
  model::FeeSchedule fees;                                // this account's fees on it
  const model::BookSequencePolicy* sequence = nullptr;   // the venue's rules; null: unsequenced
  std::optional<model::TradingRules> rules;               // known up front (else asked of the api)
};

struct ExchangeBaseConfig {
  std::string name = "exchange";
  std::string client_order_id_prefix = "clb";
  OrderTrackerConfig tracker;
  std::optional<RateLimitConfig> rate_limits;  // none: unthrottled (the simulated exchange)
  // Rate-limit request kinds (ids in rate_limits) for each request; empty: not counted.
  std::string place_kind = "POST /api/v3/order";
  std::string cancel_kind = "DELETE /api/v3/order";
  std::string query_order_kind = "GET /api/v3/order";
  std::string query_fills_kind = "GET /api/v3/myTrades";
  std::string balances_kind = "GET /api/v3/account";
  std::string open_orders_kind = "GET /api/v3/openOrders";
  Duration balance_refresh_interval = std::chrono::seconds(30);
  // Open orders are compared with the venue's list at start and at this interval (DESIGN.md
  // promises 1 and 5). An open order the bot does not track is always reported (counted, logged);
  // with cancel_unknown_orders it is also cancelled. (Adopting it is not implemented yet.)
  Duration open_orders_refresh_interval = std::chrono::seconds(60);
  bool cancel_unknown_orders = false;
  int max_resends = 3;
};

struct ExchangeBaseStats {
  std::uint64_t orders_placed = 0;        // requests sent
  std::uint64_t orders_refused = 0;       // buy/sell calls refused before sending
  std::uint64_t resends = 0;              // place/cancel queued again after RateLimited/Disconnected
  std::uint64_t throttled = 0;            // requests that waited for the rate limiter
  std::uint64_t tracker_errors = 0;       // inputs the tracker refused (logged)
  std::uint64_t unknown_open_orders = 0;  // open orders on the venue this bot does not know
  std::uint64_t unknown_orders_cancelled = 0;  // ... of which a cancel was sent
  std::uint64_t rate_usage_reports = 0;        // venue counts applied to the limiter (on_rate_usage)
  std::uint64_t rate_usage_malformed = 0;      // ... that were not a count (logged, ignored)
};

class ExchangeBase final : public Connector,
                           public TimeIterator,
                           private ExchangeApiListener,
                           private model::OrderEventSink {
 public:
  // `scheduler` and `api` must outlive the connector. StartupError for an invalid configuration
  // (a rate-limit table or request kind that does not exist, an invalid id prefix).
  ExchangeBase(Scheduler& scheduler, ExchangeApi& api, ExchangeBaseConfig config, std::vector<MarketSetup> markets);
  ~ExchangeBase() override;
  ExchangeBase(const ExchangeBase&) = delete;
  ExchangeBase& operator=(const ExchangeBase&) = delete;

  // Connects the listener, asks for rules and balances, subscribes to the markets. Idempotent.
  void start_trading();

  // --- Connector
  [[nodiscard]] std::string_view name() const override { return config_.name; }
  [[nodiscard]] bool ready() const override;
  [[nodiscard]] const model::TradingRules* trading_rules(const model::Symbol& symbol) const override;
  [[nodiscard]] const model::OrderBook* order_book(const model::Symbol& symbol) const override;
  [[nodiscard]] Quantity total_balance(const model::Asset& asset) const override;
  [[nodiscard]] Quantity available_balance(const model::Asset& asset) const override;
  Result<model::ClientOrderId> buy(const model::Symbol& symbol, Quantity amount, model::OrderType type,
                                   Price price) override;
  Result<model::ClientOrderId> sell(const model::Symbol& symbol, Quantity amount, model::OrderType type,
                                    Price price) override;
  Result<void> cancel(const model::Symbol& symbol, const model::ClientOrderId& id) override;
  void cancel_all(Duration timeout, std::function<void(std::vector<CancellationResult>)> done) override;
  [[nodiscard]] std::vector<const model::InFlightOrder*> open_orders() const override;
  [[nodiscard]] const model::InFlightOrder* order(const model::ClientOrderId& id) const override;
  [[nodiscard]] model::Fee estimate_fee(const model::Symbol& symbol, model::Side side, Price price, Quantity amount,
                                        model::Liquidity liquidity) const override;
  [[nodiscard]] EventBus& events() override { return events_; }

  // --- TimeIterator
  void start(Clock& clock, Timestamp now) override;
  void tick(Timestamp now) override;

  [[nodiscard]] const OrderTracker& tracker() const noexcept { return tracker_; }
  [[nodiscard]] const ExchangeBaseStats& stats() const noexcept { return stats_; }
  [[nodiscard]] std::size_t queued_requests() const noexcept { return queue_.size() - queue_head_; }
  // The weight the rate limiter counts now in `pool` (e.g. "REQUEST_WEIGHT"): this connector's
  // requests and what the venue reported (at least its last figure, for one interval). nullopt
  // without a limiter or for a pool it does not have.
  [[nodiscard]] std::optional<std::int64_t> rate_usage(std::string_view pool);

 private:
  struct Market;
  enum class RequestType : std::uint8_t { Place, Cancel, QueryOrder, QueryFills, Balances, OpenOrders };
  struct Request {
    RequestType type = RequestType::Place;
    model::OrderRequest order;  // Place: the whole request; others: symbol and client order id
    int resends = 0;
  };
  struct Reservation {  // funds an order will lock once the venue acknowledges it
    model::ClientOrderId id;
    model::Asset asset;
    Quantity amount;
  };
  struct CancelAll {
    std::vector<model::ClientOrderId> ids;
    Timestamp deadline;
    std::function<void(std::vector<CancellationResult>)> done;
    TimerId timer;
  };

  Result<model::ClientOrderId> place(model::Side side, const model::Symbol& symbol, Quantity amount,
                                     model::OrderType type, Price price);
  Market* find_market(const model::Symbol& symbol) noexcept;
  const Market* find_market(const model::Symbol& symbol) const noexcept;
  void submit(Request request);
  void drain_queue();
  void send(const Request& request);
  [[nodiscard]] std::optional<RequestKindId> kind_of(RequestType type) const noexcept;
  void release_reservation(const model::ClientOrderId& id);
  void note(const Result<void>& outcome, std::string_view what);
  bool retry_if_transient(RequestType type, const model::ClientOrderId& id, const Error& error);
  void check_cancel_all(bool deadline_passed);
  void request_open_orders();

  // --- ExchangeApiListener
  void on_place_result(const model::ClientOrderId& id, const Result<model::OrderReport>& result) override;
  void on_cancel_result(const model::ClientOrderId& id, const Result<model::OrderReport>& result) override;
  void on_order_query_result(const model::ClientOrderId& id, const Result<model::OrderReport>& result) override;
  void on_fills_query_result(const model::ClientOrderId& id,
                             const Result<std::span<const model::Fill>>& result) override;
  void on_balances_result(const Result<std::span<const model::Balance>>& result) override;
  void on_open_orders_result(const Result<std::span<const model::OrderReport>>& result) override;
  void on_trading_rules_result(const Result<std::span<const model::TradingRules>>& result) override;
  void on_order_report(const model::OrderReport& report) override;
  void on_fill(const model::Fill& fill) override;
  void on_balance_update(const model::Balance& balance) override;
  void on_rate_limited(Timestamp until) override;
  void on_rate_usage(std::string_view name, std::string_view value) override;
  void on_connection_state(bool connected) override;
  void on_book_snapshot(const model::Symbol& symbol, const model::BookSnapshot& snapshot) override;
  void on_book_diff(const model::Symbol& symbol, const model::BookDiff& diff) override;
  void on_public_trade(const model::Symbol& symbol, const model::PublicTrade& trade) override;

  // --- model::OrderEventSink (from the tracker): republished on events_
  void on_order_created(const model::OrderCreated& event) override;
  void on_order_filled(const model::OrderFilled& event) override;
  void on_order_cancelled(const model::OrderCancelled& event) override;
  void on_order_completed(const model::OrderCompleted& event) override;
  void on_order_failed(const model::OrderFailed& event) override;
  void on_order_expired(const model::OrderExpired& event) override;
  void on_order_lost(const model::OrderLost& event) override;

  Scheduler& scheduler_;
  ExchangeApi& api_;
  ExchangeBaseConfig config_;
  EventBus events_;
  OrderTracker tracker_;
  std::optional<ClientOrderIdGenerator> ids_;
  std::optional<RateLimiter> limiter_;
  std::optional<RequestKindId> kinds_[6];
  std::vector<std::unique_ptr<Market>> markets_;  // stable addresses: BookSync refers to its book
  std::unordered_map<model::Asset, model::Balance> balances_;
  std::vector<Reservation> reservations_;
  std::vector<Request> queue_;  // FIFO: [queue_head_, size) waiting; emptied (capacity kept) when drained
  std::size_t queue_head_ = 0;
  TimerId drain_timer_;
  std::optional<CancelAll> cancel_all_;
  std::unordered_map<model::ClientOrderId, int> resend_counts_;  // place/cancel resends per order
  Timestamp next_balance_refresh_ = Timestamp::none();
  Timestamp next_open_orders_refresh_ = Timestamp::none();
  bool started_ = false;
  bool connected_ = true;
  bool balances_known_ = false;
  ExchangeBaseStats stats_;
};

}  // namespace colibri::connector
