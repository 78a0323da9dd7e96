#pragma once
// MatchingEngine: the simulated exchange for one symbol. The replayed market (snapshots, diffs,
// trades, fed through data::MarketEventSink at EXCHANGE time) maintains an L2 book; the bot's
// orders are matched against it with a queue-position model, and every execution moves money in
// a shared Ledger. docs/SIM_EXCHANGE.md states the rules; in short:
//
//   * Our orders are not in the replayed book (we do not see ourselves in the data) and never
//     match each other (no self-trade; a crossing own order is not considered).
//   * Taker orders (MARKET, or a LIMIT that crosses) walk the opposite side level by level, at
//     each level's price, with partial fills. Liquidity we took stays consumed (invisible to our
//     later orders) until the next diff or snapshot sets that level again.
//   * A resting LIMIT joins the back of its level (queue ahead = the level's quantity then). It
//     fills as maker at its own price when
//       - a public trade by the opposite side prints at its price: the queue model says how much
//         of the trade reached us (partial fills; trade quantity used by one of our orders is not
//         reused by our later orders at that price);
//       - a public trade prints through its price (buy: a sell trade below it): fully;
//       - the book moves through it (buy: best ask <= its price after a diff or snapshot): fully.
//     Depth changes at its level move its queue position as the queue model says.
//   * LIMIT_MAKER that would cross is rejected (-2010); IOC fills what it can and expires the
//     rest; FOK fills entirely at once or expires without a fill; MARKET expires what the book
//     cannot fill.
//   * Funds: a buy locks price × quantity of quote (MARKET: the exact cost of its walk), a sell
//     locks the quantity of base; plus, when the fee is paid in the spent asset, a fee reserve
//     of ceil(amount × max(maker, taker)) + 1e-8. Locks are released when the order ends.
//
// Errors of place/cancel/query (Result; the message starts with Binance's code):
//   Rejected  -2010 insufficient balance, duplicate client order id, LIMIT_MAKER would take;
//             -1013 filter failure (PRICE_FILTER, LOT_SIZE, NOTIONAL; TradingRules::check_order);
//             -1121 another symbol
//   NotFound  -2011 cancel of an unknown or already finished order; -2013 query of an unknown one
//   InvalidArgument  an account that was never added (a wiring bug)
//
// Pushes: every state change of an order (OrderReport), every fill (Fill, with a unique trade
// id, liquidity flag and fee) and the resulting balances go to the account's ExecutionListener,
// synchronously and in that order, during the call that caused them.
//
// Not thread-safe: one thread drives it (the backtest scheduler). Deterministic: the same calls
// in the same order produce the same results, ids and fills.
// Complexity: market events cost O(levels in the event × our resting orders on that side);
// place/cancel O(levels walked + our resting orders). Steady state allocates only to record a
// new order, a fill, or a consumed level — see docs/SIM_EXCHANGE.md "Allocation".
// History: the engine answers queries about finished orders (and lists their fills) for the
// most recent `order_history` orders; older finished orders are forgotten (-2013, as Binance
// answers for archived orders), so memory stays bounded however long the run. An order still
// open is never forgotten (it holds back the forgetting of newer ones until it ends).

#include <cstdint>
#include <deque>
#include <optional>
#include <memory_resource>
#include <unordered_map>
#include <vector>

#include "colibri/connector/sim/ledger.h"
#include "colibri/connector/sim/queue_model.h"
#include "colibri/core/result.h"
#include "colibri/data/market_event_sink.h"
#include "colibri/model/fees.h"
#include "colibri/model/order.h"
#include "colibri/model/order_book.h"
#include "colibri/model/trading_rules.h"

namespace colibri::connector::sim {

// Where an engine sends what one account's user stream carries.
class ExecutionListener {
 public:
  virtual ~ExecutionListener() = default;
  virtual void on_execution_report(const model::OrderReport& report) = 0;
  virtual void on_execution(const model::Fill& fill) = 0;
  virtual void on_balance_update(const model::Balance& balance) = 0;
};

// One fill with the account it belongs to (the engine's fill log).
struct AccountFill {
  AccountId account = 0;
  model::Fill fill;
};

struct MatchingEngineStats {
  std::uint64_t snapshots = 0;
  std::uint64_t diffs = 0;
  std::uint64_t trades = 0;
  std::uint64_t invalid_levels = 0;  // levels the book refused (counted, skipped)
  std::uint64_t orders_accepted = 0;
  std::uint64_t orders_rejected = 0;
  std::uint64_t fills = 0;
};

class MatchingEngine final : public data::MarketEventSink {
 public:
  // `rules` must validate and tick_size × lot_size must be a multiple of 1e-8 (so that every
  // price × quantity is an exact quote amount); otherwise throws StartupError (set-up path).
  // The queue model and ledger must outlive the engine.
  static constexpr std::size_t kDefaultOrderHistory = 10'000;
  MatchingEngine(model::TradingRules rules, const QueueModel& queue_model, Ledger& ledger,
                 std::size_t order_history = kDefaultOrderHistory);

  // Registers an account trading here, with its fees (copied) and user-stream listener (must
  // outlive the engine). Registering an account again replaces both. The schedule's maker and
  // taker rates and its fee asset policy are simulated (ReceivedAsset or QuoteAsset); set-up path:
  // throws StartupError when the schedule is for other assets than the engine's symbol, has a
  // rate outside [0, 1) (rebates are not modelled), the NamedAsset policy (a third asset needs its
  // price) or flat fees (not modelled).
  void add_account(AccountId account, const model::FeeSchedule& fees, ExecutionListener& listener);

  // --- requests, acting at exchange time `now`
  // The report of the new order: Open, PartiallyFilled, Filled or Expired (IOC/FOK/MARKET).
  [[nodiscard]] Result<model::OrderReport> place(AccountId account, const model::OrderRequest& request,
                                                 Timestamp now);
  // The report of the cancelled order (state Canceled, with what had filled).
  [[nodiscard]] Result<model::OrderReport> cancel(AccountId account, const model::ClientOrderId& id,
                                                  Timestamp now);
  [[nodiscard]] Result<model::OrderReport> query(AccountId account, const model::ClientOrderId& id) const;
  // Appends the order's fills to `out`; NotFound (-2013) for an unknown order.
  [[nodiscard]] Result<void> fills_of(AccountId account, const model::ClientOrderId& id,
                                      std::vector<model::Fill>& out) const;
  // Appends a report for each open order of `account`, oldest first.
  void open_orders(AccountId account, std::vector<model::OrderReport>& out) const;

  // --- the replayed market, at exchange time
  void on_snapshot(const model::BookSnapshot& snapshot) override;
  void on_diff(const model::BookDiff& diff) override;
  void on_trade(const model::PublicTrade& trade) override;
  // The replayed stream broke (SequencedFeed): empties the book; nothing fills until the next
  // snapshot rebuilds it. Resting orders keep their place in the engine.
  void clear_book() noexcept;

  [[nodiscard]] const model::TradingRules& rules() const noexcept { return rules_; }
  [[nodiscard]] const model::Symbol& symbol() const noexcept { return symbol_; }
  [[nodiscard]] const model::Asset& base() const noexcept { return base_; }
  [[nodiscard]] const model::Asset& quote() const noexcept { return quote_; }
  [[nodiscard]] const model::OrderBook& book() const noexcept { return book_; }
  // The fills of the orders still remembered (see History above), in execution order.
  [[nodiscard]] const std::deque<AccountFill>& fills() const noexcept { return fills_.items; }
  // Orders remembered: open ones and the most recent finished ones.
  [[nodiscard]] std::size_t remembered_orders() const noexcept { return orders_.items.size(); }
  [[nodiscard]] const MatchingEngineStats& stats() const noexcept { return stats_; }
  // Base quantity of the book level at `price` our earlier taker orders consumed (not yet reset
  // by a diff); zero when none.
  [[nodiscard]] Quantity consumed_at(model::BookSide side, Price price) const noexcept;

 private:
  struct Account {
    AccountId id;
    model::FeeSchedule fees;
    ExecutionListener* listener;
  };
  // One of our orders, live or finished (kept for queries).
  // Invariants: (1) filled <= request.quantity; (2) a final order holds no locked funds
  // (locked == fee_reserve == 0) and is not in resting_; (3) a resting order is a GTC LIMIT or
  // LIMIT_MAKER with filled < quantity; (4) fees_charged[l] == rate(l).fee_on(fee_basis[l]).
  struct SimOrder {
    AccountId account = 0;
    model::OrderRequest request;
    model::ExchangeOrderId exchange_order_id;
    model::OrderState state = model::OrderState::Open;
    Quantity filled;
    QueuePosition queue;
    Quantity locked;                        // principal still locked: quote on buys, base on sells
    Quantity fee_reserve;                   // fee reserve still locked (fee paid in the spent asset)
    Notional fee_basis[2];                  // per Liquidity: executed amount the fee is charged on (1e-16)
    Quantity fees_charged[2];               // per Liquidity: fees charged so far
    std::uint32_t first_fill = UINT32_MAX;  // index in fills_ of its first fill
    std::uint32_t last_fill = UINT32_MAX;   // and of its last
    Timestamp time = Timestamp::none();     // last change, exchange time
  };
  struct OrderKey {
    AccountId account;
    model::ClientOrderId id;
    friend bool operator==(const OrderKey&, const OrderKey&) = default;
  };
  struct OrderKeyHash {
    std::size_t operator()(const OrderKey& k) const noexcept {
      return std::hash<model::ClientOrderId>{}(k.id) * 31u + k.account;
    }
  };
  struct ConsumedLevel {
    model::BookSide side;
    Price price;
    Quantity quantity;
  };
  // One step of a taker walk: take `quantity` at `price`.
  struct Take {
    Price price;
    Quantity quantity;
  };

  [[nodiscard]] const Account* find_account(AccountId account) const noexcept;
  [[nodiscard]] const SimOrder* find_order(AccountId account, const model::ClientOrderId& id) const;
  [[nodiscard]] Result<void> check_filters(const model::OrderRequest& request) const;
  // Fills plan_ with the walk of a taker order on `side` limited by `limit` (none for MARKET)
  // and `quantity`; returns the quantity available.
  Quantity plan_walk(model::Side side, std::optional<Price> limit, Quantity quantity);
  [[nodiscard]] Quantity available_at(model::BookSide side, const model::PriceLevel& level) const noexcept;
  [[nodiscard]] std::optional<Price> effective_best(model::BookSide side) const noexcept;
  void consume(model::BookSide side, Price price, Quantity quantity);
  void reset_consumed(model::BookSide side, Price price) noexcept;

  // Executes `quantity` of `order` at `price`: moves money, records and pushes the fill.
  void execute(std::uint32_t order_index, Price price, Quantity quantity, model::Liquidity liquidity,
               Timestamp time);
  // Ends an order (Filled / Canceled / Expired): releases its locks, removes it from resting_.
  void finish(std::uint32_t order_index, model::OrderState state, Timestamp time);
  void push_report(const SimOrder& order);
  void push_balances(AccountId account);
  [[nodiscard]] model::OrderReport report_of(const SimOrder& order) const;
  [[nodiscard]] Quantity fee_reserve_for(const SimOrder& order, Notional basis) const;
  // Sets one side's levels of a diff, moving the queue positions of our orders at those prices.
  void apply_diff_side(model::BookSide side, std::span<const model::PriceLevel> levels);
  // One level of a diff where one of our orders rests (the queue model hears the change), or any
  // level while some of the book is consumed by our takes.
  void apply_diff_level(model::BookSide side, const model::PriceLevel& level);
  // Whether one of our orders rests at `price` on `side`.
  [[nodiscard]] bool rests_at(model::BookSide side, Price price) const noexcept;
  // Fills resting orders the book has moved through (after a diff or snapshot).
  void fill_crossed_orders(Timestamp time);
  void remove_finished_resting();
  [[nodiscard]] static model::BookSide book_side_of(model::Side side) noexcept {
    return side == model::Side::Buy ? model::BookSide::Bid : model::BookSide::Ask;
  }

  model::TradingRules rules_;
  model::Symbol symbol_;
  model::Asset base_;
  model::Asset quote_;
  const QueueModel& queue_model_;
  Ledger& ledger_;
  // A deque addressed by a number that keeps counting as the front is dropped.
  template <typename T>
  struct NumberedDeque {
    std::deque<T> items;
    std::uint32_t first = 0;  // number of items.front()
    [[nodiscard]] std::uint32_t end() const noexcept { return first + static_cast<std::uint32_t>(items.size()); }
    T& operator[](std::uint32_t number) { return items[number - first]; }
    const T& operator[](std::uint32_t number) const { return items[number - first]; }
    void pop_front() {
      items.pop_front();
      ++first;
    }
  };
  // Drops the oldest finished orders beyond the history, and the fills of dropped orders.
  void forget_old_orders();

  model::OrderBook book_;
  std::vector<Account> accounts_;
  std::size_t order_history_;
  NumberedDeque<SimOrder> orders_;  // numbered by order: indices below are these numbers
  // Nodes of forgotten orders are reused for new ones: no heap allocation per order in steady state.
  std::pmr::unsynchronized_pool_resource index_memory_;
  std::pmr::unordered_map<OrderKey, std::uint32_t, OrderKeyHash> order_index_{&index_memory_};
  // One of our live resting orders, with its limit price beside its number: a diff checks each
  // level's price against these, so the check reads one small contiguous array, not orders_.
  struct RestingOrder {
    std::uint32_t order;  // number in orders_
    Price price;          // == orders_[order].request.price (a resting order's price never changes)
  };
  // Invariant: resting_[BookSide] holds the live resting orders on that side, oldest first (time
  // priority at equal prices); together they are exactly the orders not final (a placed order
  // that does not end at once rests), except that finish() leaves an order here until
  // remove_finished_resting().
  std::vector<RestingOrder> resting_[2];
  std::vector<ConsumedLevel> consumed_;
  NumberedDeque<AccountFill> fills_;
  NumberedDeque<std::uint32_t> next_fill_;   // per fill: number of the same order's next fill
  NumberedDeque<std::uint32_t> fill_order_;  // per fill: number of its order
  std::vector<Take> plan_;                 // reused by plan_walk
  std::vector<Quantity> previous_levels_;  // reused by on_snapshot
  std::uint64_t next_order_number_ = 1;
  std::uint64_t next_trade_number_ = 1;
  Timestamp now_ = Timestamp::none();
  MatchingEngineStats stats_;
};

}  // namespace colibri::connector::sim
