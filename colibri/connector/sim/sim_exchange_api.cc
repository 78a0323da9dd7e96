#include "colibri/connector/sim/sim_exchange_api.h"

#include <utility>

namespace colibri::connector::sim {

// Forwards one market's local-time events to the api (bound to the market: no look-up by symbol
// per event).
class SimExchangeApi::LocalFeed final : public data::MarketEventSink {
 public:
  LocalFeed(SimExchangeApi& api, Market& market) : api_(api), market_(market) {}
  void on_snapshot(const model::BookSnapshot& snapshot) override { api_.publish_snapshot(market_, snapshot); }
  void on_diff(const model::BookDiff& diff) override { api_.publish_diff(market_, diff); }
  void on_trade(const model::PublicTrade& trade) override { api_.publish_trade(market_, trade); }

 private:
  SimExchangeApi& api_;
  Market& market_;
};

// One traded symbol.
// Invariant: until the subscription's snapshot has been answered, local_book, has_snapshot and
// last_update_id show the feed as published so far (local time). The answer is their only
// reader and a market is subscribed at most once, so after it they are no longer kept: the bot's
// own book follows the published stream from there, and the bot's side of a replay applies each
// level once (to the connector's book), not twice.
struct SimExchangeApi::Market {
  Market(SimExchangeApi& api, MatchingEngine& e)
      : engine(&e), local_book(e.rules().tick_size), feed(api, *this) {}
  [[nodiscard]] bool keeps_local_book() const noexcept { return !snapshot_answered; }

  MatchingEngine* engine;
  model::OrderBook local_book;
  LocalFeed feed;
  bool subscribed = false;
  bool snapshot_answered = false;  // the subscription's answer reached the bot
  bool has_snapshot = false;       // local_book has been set by a snapshot
  model::UpdateId last_update_id = model::kNoUpdateId;
};

SimExchangeApi::SimExchangeApi(Scheduler& scheduler, const LatencyModel& latency, Ledger& ledger,
                               AccountId account)
    : scheduler_(scheduler), latency_(latency), ledger_(ledger), account_(account) {}

SimExchangeApi::~SimExchangeApi() = default;

void SimExchangeApi::add_market(MatchingEngine& engine, const model::FeeSchedule& fees) {
  engine.add_account(account_, fees, *this);
  markets_.push_back(std::make_unique<Market>(*this, engine));
}

SimExchangeApi::Market* SimExchangeApi::find_market(const model::Symbol& symbol) noexcept {
  for (auto& m : markets_) {
    if (m->engine->symbol() == symbol) return m.get();
  }
  return nullptr;
}

data::MarketEventSink* SimExchangeApi::local_feed(const model::Symbol& symbol) noexcept {
  Market* market = find_market(symbol);
  return market == nullptr ? nullptr : &market->feed;
}

template <typename Action>
void SimExchangeApi::at_exchange(Action&& action) {
  const Timestamp now = scheduler_.now();
  scheduler_.schedule_at(now + latency_.entry(now),
                         [action = std::forward<Action>(action)](Timestamp) mutable { action(); });
}

template <typename Delivery>
void SimExchangeApi::to_bot(Delivery&& delivery) {
  const Timestamp now = scheduler_.now();
  Timestamp due = now + latency_.response(now);
  if (!last_delivery_.is_none() && due < last_delivery_) due = last_delivery_;
  last_delivery_ = due;
  scheduler_.schedule_at(due, [this, delivery = std::forward<Delivery>(delivery)](Timestamp) mutable {
    if (listener_ != nullptr) delivery(*listener_);
  });
}

Result<model::OrderReport> SimExchangeApi::invalid_symbol(const model::Symbol& symbol) {
  return fail(ErrorCode::Rejected, "-1121 Invalid symbol. ({})", symbol);
}

void SimExchangeApi::place_order(const model::OrderRequest& request) {
  at_exchange([this, request] {
    Market* market = find_market(request.symbol);
    Result<model::OrderReport> result = market == nullptr
                                            ? invalid_symbol(request.symbol)
                                            : market->engine->place(account_, request, scheduler_.now());
    to_bot([id = request.client_order_id, result = std::move(result)](ExchangeApiListener& l) {
      l.on_place_result(id, result);
    });
  });
}

void SimExchangeApi::cancel_order(const model::Symbol& symbol, const model::ClientOrderId& id) {
  at_exchange([this, symbol, id] {
    Market* market = find_market(symbol);
    Result<model::OrderReport> result =
        market == nullptr ? invalid_symbol(symbol) : market->engine->cancel(account_, id, scheduler_.now());
    to_bot([id, result = std::move(result)](ExchangeApiListener& l) { l.on_cancel_result(id, result); });
  });
}

void SimExchangeApi::query_order(const model::Symbol& symbol, const model::ClientOrderId& id) {
  at_exchange([this, symbol, id] {
    Market* market = find_market(symbol);
    Result<model::OrderReport> result =
        market == nullptr ? invalid_symbol(symbol) : market->engine->query(account_, id);
    to_bot([id, result = std::move(result)](ExchangeApiListener& l) { l.on_order_query_result(id, result); });
  });
}

void SimExchangeApi::query_fills(const model::Symbol& symbol, const model::ClientOrderId& id) {
  at_exchange([this, symbol, id] {
    Market* market = find_market(symbol);
    std::vector<model::Fill> fills;
    Result<void> found = market == nullptr
                             ? Result<void>(fail(ErrorCode::Rejected, "-1121 Invalid symbol. ({})", symbol))
                             : market->engine->fills_of(account_, id, fills);
    to_bot([id, found = std::move(found), fills = std::move(fills)](ExchangeApiListener& l) {
      if (found) {
        l.on_fills_query_result(id, std::span<const model::Fill>(fills));
      } else {
        l.on_fills_query_result(id, fail(found.error()));
      }
    });
  });
}

void SimExchangeApi::query_balances() {
  at_exchange([this] {
    std::vector<model::Balance> balances;
    ledger_.for_each_balance(account_, [&](const model::Balance& b) { balances.push_back(b); });
    to_bot([balances = std::move(balances)](ExchangeApiListener& l) {
      l.on_balances_result(std::span<const model::Balance>(balances));
    });
  });
}

void SimExchangeApi::query_open_orders(const model::Symbol& symbol) {
  at_exchange([this, symbol] {
    Market* market = find_market(symbol);
    std::vector<model::OrderReport> open;
    if (market != nullptr) market->engine->open_orders(account_, open);
    const bool known = market != nullptr;
    to_bot([symbol, known, open = std::move(open)](ExchangeApiListener& l) {
      if (known) {
        l.on_open_orders_result(std::span<const model::OrderReport>(open));
      } else {
        l.on_open_orders_result(fail(ErrorCode::Rejected, "-1121 Invalid symbol. ({})", symbol));
      }
    });
  });
}

void SimExchangeApi::query_trading_rules() {
  at_exchange([this] {
    std::vector<model::TradingRules> rules;
    for (const auto& m : markets_) rules.push_back(m->engine->rules());
    to_bot([rules = std::move(rules)](ExchangeApiListener& l) {
      l.on_trading_rules_result(std::span<const model::TradingRules>(rules));
    });
  });
}

void SimExchangeApi::subscribe_market_data(const model::Symbol& symbol) {
  at_exchange([this, symbol] {
    Market* market = find_market(symbol);
    if (market == nullptr || market->subscribed) return;
    market->subscribed = true;
    to_bot([this, symbol](ExchangeApiListener& l) {
      Market* m = find_market(symbol);
      if (m == nullptr) return;
      m->snapshot_answered = true;
      if (!m->has_snapshot) return;  // the first published snapshot will follow
      // Set-up path: copies the bot-side book into a snapshot (allocates).
      std::vector<model::PriceLevel> bids;
      std::vector<model::PriceLevel> asks;
      m->local_book.for_each_level(model::BookSide::Bid, [&](const model::PriceLevel& p) {
        bids.push_back(p);
        return true;
      });
      m->local_book.for_each_level(model::BookSide::Ask, [&](const model::PriceLevel& p) {
        asks.push_back(p);
        return true;
      });
      model::BookSnapshot snapshot;
      snapshot.last_update_id = m->last_update_id;
      snapshot.local_time = scheduler_.now();
      snapshot.bids = bids;
      snapshot.asks = asks;
      l.on_book_snapshot(symbol, snapshot);
    });
  });
}

void SimExchangeApi::publish_snapshot(const model::Symbol& symbol, const model::BookSnapshot& snapshot) {
  if (Market* market = find_market(symbol)) publish_snapshot(*market, snapshot);
}

void SimExchangeApi::publish_diff(const model::Symbol& symbol, const model::BookDiff& diff) {
  if (Market* market = find_market(symbol)) publish_diff(*market, diff);
}

void SimExchangeApi::publish_trade(const model::Symbol& symbol, const model::PublicTrade& trade) {
  if (Market* market = find_market(symbol)) publish_trade(*market, trade);
}

void SimExchangeApi::publish_snapshot(Market& market, const model::BookSnapshot& snapshot) {
  if (market.keeps_local_book()) {
    market.has_snapshot = market.local_book.apply_snapshot(snapshot.bids, snapshot.asks).has_value();
    market.last_update_id = snapshot.last_update_id;
  }
  if (market.subscribed && listener_ != nullptr) listener_->on_book_snapshot(market.engine->symbol(), snapshot);
}

void SimExchangeApi::publish_diff(Market& market, const model::BookDiff& diff) {
  if (market.keeps_local_book()) {
    (void)market.local_book.apply_levels(diff.bids, diff.asks);  // a bad level reaches the bot as sent
    if (diff.last_update_id != model::kNoUpdateId) market.last_update_id = diff.last_update_id;
  }
  if (market.subscribed && listener_ != nullptr) listener_->on_book_diff(market.engine->symbol(), diff);
}

void SimExchangeApi::publish_trade(Market& market, const model::PublicTrade& trade) {
  if (market.subscribed && listener_ != nullptr) listener_->on_public_trade(market.engine->symbol(), trade);
}

void SimExchangeApi::on_execution_report(const model::OrderReport& report) {
  to_bot([report](ExchangeApiListener& l) { l.on_order_report(report); });
}

void SimExchangeApi::on_execution(const model::Fill& fill) {
  to_bot([fill](ExchangeApiListener& l) { l.on_fill(fill); });
}

void SimExchangeApi::on_balance_update(const model::Balance& balance) {
  to_bot([balance](ExchangeApiListener& l) { l.on_balance_update(balance); });
}

}  // namespace colibri::connector::sim
