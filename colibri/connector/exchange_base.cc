#include "colibri/connector/exchange_base.h"

#include <algorithm>

#include "colibri/core/log.h"

namespace colibri::connector {

namespace {
const model::UnsequencedPolicy kUnsequenced;
}  // namespace

// Invariants: sync refers to book; rules is set once known (up front or from the api).
struct ExchangeBase::Market {
  Market(const MarketSetup& setup)
      : symbol(setup.symbol),
        fees(setup.fees),
        rules(setup.rules),
        sync(book, setup.sequence != nullptr ? *setup.sequence : kUnsequenced) {}
  model::Symbol symbol;
  model::FeeSchedule fees;
  std::optional<model::TradingRules> rules;
  model::OrderBook book;
  model::BookSync sync;
};

ExchangeBase::ExchangeBase(Scheduler& scheduler, ExchangeApi& api, ExchangeBaseConfig config,
                           std::vector<MarketSetup> markets)
    : scheduler_(scheduler), api_(api), config_(std::move(config)), tracker_(scheduler, *this, config_.tracker) {
  ids_.emplace(value_or_throw(ClientOrderIdGenerator::create(config_.client_order_id_prefix, scheduler_.now())));
  if (config_.rate_limits) {
    limiter_.emplace(value_or_throw(RateLimiter::create(*config_.rate_limits)));
    const std::string* names[] = {&config_.place_kind,       &config_.cancel_kind,   &config_.query_order_kind,
                                  &config_.query_fills_kind, &config_.balances_kind, &config_.open_orders_kind};
    for (std::size_t i = 0; i < 6; ++i) {
      if (!names[i]->empty()) kinds_[i] = value_or_throw(limiter_->find_kind(*names[i]));
    }
  }
  for (const MarketSetup& setup : markets) markets_.push_back(std::make_unique<Market>(setup));
}

ExchangeBase::~ExchangeBase() {
  if (drain_timer_ != TimerId::none()) scheduler_.cancel(drain_timer_);
  if (cancel_all_ && cancel_all_->timer != TimerId::none()) scheduler_.cancel(cancel_all_->timer);
}

void ExchangeBase::start_trading() {
  if (started_) return;
  started_ = true;
  api_.set_listener(this);
  bool rules_missing = false;
  for (const auto& market : markets_) rules_missing = rules_missing || !market->rules;
  if (rules_missing) api_.query_trading_rules();
  submit(Request{RequestType::Balances, {}, 0});
  for (const auto& market : markets_) api_.subscribe_market_data(market->symbol);
  request_open_orders();
  next_balance_refresh_ = scheduler_.now() + config_.balance_refresh_interval;
  next_open_orders_refresh_ = scheduler_.now() + config_.open_orders_refresh_interval;
}

void ExchangeBase::request_open_orders() {
  for (const auto& market : markets_) {
    Request r{RequestType::OpenOrders, {}, 0};
    r.order.symbol = market->symbol;
    submit(r);
  }
}

void ExchangeBase::start(Clock&, Timestamp) { start_trading(); }

void ExchangeBase::tick(Timestamp now) {
  tracker_.poll();
  for (const model::ClientOrderId& id : tracker_.orders_to_query()) {
    if (const model::InFlightOrder* o = tracker_.find(id)) {
      Request r{RequestType::QueryOrder, {}, 0};
      r.order.client_order_id = id;
      r.order.symbol = o->symbol();
      submit(r);
    }
  }
  for (const model::ClientOrderId& id : tracker_.fills_to_query()) {
    if (const model::InFlightOrder* o = tracker_.find(id)) {
      Request r{RequestType::QueryFills, {}, 0};
      r.order.client_order_id = id;
      r.order.symbol = o->symbol();
      submit(r);
    }
  }
  if (!next_balance_refresh_.is_none() && now >= next_balance_refresh_) {
    submit(Request{RequestType::Balances, {}, 0});
    next_balance_refresh_ = now + config_.balance_refresh_interval;
  }
  if (!next_open_orders_refresh_.is_none() && now >= next_open_orders_refresh_) {
    request_open_orders();
    next_open_orders_refresh_ = now + config_.open_orders_refresh_interval;
  }
  check_cancel_all(false);
}

// ---------------------------------------------------------------------------------------------
// Connector

bool ExchangeBase::ready() const {
  if (!connected_ || !balances_known_) return false;
  return std::all_of(markets_.begin(), markets_.end(),
                     [](const auto& m) { return m->rules.has_value() && m->sync.is_synced(); });
}

ExchangeBase::Market* ExchangeBase::find_market(const model::Symbol& symbol) noexcept {
  for (auto& m : markets_) {
    if (m->symbol == symbol) return m.get();
  }
  return nullptr;
}

const ExchangeBase::Market* ExchangeBase::find_market(const model::Symbol& symbol) const noexcept {
  return const_cast<ExchangeBase*>(this)->find_market(symbol);
}

const model::TradingRules* ExchangeBase::trading_rules(const model::Symbol& symbol) const {
  const Market* m = find_market(symbol);
  return m != nullptr && m->rules ? &*m->rules : nullptr;
}

const model::OrderBook* ExchangeBase::order_book(const model::Symbol& symbol) const {
  const Market* m = find_market(symbol);
  return m != nullptr && m->sync.is_synced() ? &m->book : nullptr;
}

Quantity ExchangeBase::total_balance(const model::Asset& asset) const {
  const auto it = balances_.find(asset);
  return it == balances_.end() ? Quantity::zero() : it->second.total;
}

Quantity ExchangeBase::available_balance(const model::Asset& asset) const {
  const auto it = balances_.find(asset);
  Quantity available = it == balances_.end() ? Quantity::zero() : it->second.available;
  for (const Reservation& r : reservations_) {
    if (r.asset == asset) available -= r.amount;
  }
  return available;
}

Result<model::ClientOrderId> ExchangeBase::buy(const model::Symbol& symbol, Quantity amount, model::OrderType type,
                                               Price price) {
  return place(model::Side::Buy, symbol, amount, type, price);
}

Result<model::ClientOrderId> ExchangeBase::sell(const model::Symbol& symbol, Quantity amount, model::OrderType type,
                                                Price price) {
  return place(model::Side::Sell, symbol, amount, type, price);
}

Result<model::ClientOrderId> ExchangeBase::place(model::Side side, const model::Symbol& symbol, Quantity amount,
                                                 model::OrderType type, Price price) {
  Market* market = find_market(symbol);
  if (market == nullptr) {
    ++stats_.orders_refused;
    return fail(ErrorCode::InvalidArgument, "{}: {} is not a market of this connector", config_.name, symbol);
  }
  if (!ready()) {
    ++stats_.orders_refused;
    return fail(ErrorCode::Rejected, "{}: not ready (rules, balances, connection or book not in sync)", config_.name);
  }
  const model::TradingRules& rules = *market->rules;
  const Quantity quantity = rules.quantize_quantity(amount);
  Price limit_price;
  Price budget_price;  // the price the balance check uses
  if (type == model::OrderType::Market) {
    const auto top = side == model::Side::Buy ? market->book.best_ask() : market->book.best_bid();
    if (!top) {
      ++stats_.orders_refused;
      return fail(ErrorCode::Rejected, "{}: no {} side to take on {}", config_.name,
                  side == model::Side::Buy ? "ask" : "bid", symbol);
    }
    // A market buy may walk the book: budget on the price that covers the whole quantity.
    const auto walk = market->book.price_for_volume(side, quantity);
    budget_price = walk.result_price.value_or(top->price);
  } else {
    limit_price = rules.quantize_price(price, side);
    budget_price = limit_price;
  }
  if (auto ok = rules.check_order(budget_price, quantity); !ok) {
    ++stats_.orders_refused;
    return tl::unexpected<Error>(std::move(ok.error()));
  }
  // Balance check: buys lock quote, sells lock base. A fee charged in the asset being spent
  // (the QuoteAsset policy on a buy) is added on top, at the taker rate unless the order cannot
  // take; a fee taken from what the order receives (Binance's default) needs no extra balance.
  const model::Asset locked_asset = side == model::Side::Buy ? model::Asset::truncating(rules.quote)
                                                             : model::Asset::truncating(rules.base);
  const Notional spent = side == model::Side::Buy ? budget_price * quantity : Notional::from_quantity(quantity);
  auto locked_or = spent.to_quantity(Rounding::Up);
  if (!locked_or) return tl::unexpected<Error>(std::move(locked_or.error()));
  Quantity locked = *locked_or;
  if (market->fees.fee_asset_for(side) == locked_asset) {
    const model::Liquidity liquidity =
        type == model::OrderType::LimitMaker ? model::Liquidity::Maker : model::Liquidity::Taker;
    auto fee = market->fees.rate(liquidity).fee_on(spent);
    if (!fee) return tl::unexpected<Error>(std::move(fee.error()));
    if (fee->is_positive()) locked += *fee;
  }
  if (locked > available_balance(locked_asset)) {
    ++stats_.orders_refused;
    return fail(ErrorCode::Rejected, "{}: insufficient {} balance for {} {} {} at {}: needs {}, available {}",
                config_.name, locked_asset, model::to_string(side), quantity, symbol, budget_price, locked,
                available_balance(locked_asset));
  }

  model::OrderRequest request;
  request.client_order_id = ids_->next(side);
  request.symbol = symbol;
  request.side = side;
  request.type = type;
  request.time_in_force = type == model::OrderType::Market ? model::TimeInForce::ImmediateOrCancel
                                                           : model::TimeInForce::GoodTillCancel;
  request.price = limit_price;
  request.quantity = quantity;
  // Tracked before it is sent (DESIGN.md promise 1).
  if (auto tracked = tracker_.start_tracking(request); !tracked) {
    ++stats_.orders_refused;
    return tl::unexpected<Error>(std::move(tracked.error()));
  }
  reservations_.push_back(Reservation{request.client_order_id, locked_asset, locked});
  submit(Request{RequestType::Place, request, 0});
  return request.client_order_id;
}

Result<void> ExchangeBase::cancel(const model::Symbol& symbol, const model::ClientOrderId& id) {
  if (auto ok = tracker_.cancel_requested(id); !ok) return ok;
  Request r{RequestType::Cancel, {}, 0};
  r.order.client_order_id = id;
  r.order.symbol = symbol;
  submit(r);
  return {};
}

void ExchangeBase::cancel_all(Duration timeout, std::function<void(std::vector<CancellationResult>)> done) {
  CancelAll request;
  for (const model::InFlightOrder* o : tracker_.active_orders()) {
    request.ids.push_back(o->client_order_id());
    if (o->state() != model::OrderState::PendingCancel) (void)cancel(o->symbol(), o->client_order_id());
  }
  request.deadline = scheduler_.now() + timeout;
  request.done = std::move(done);
  if (cancel_all_ && cancel_all_->timer != TimerId::none()) scheduler_.cancel(cancel_all_->timer);
  cancel_all_ = std::move(request);
  cancel_all_->timer = scheduler_.schedule_at(cancel_all_->deadline, [this](Timestamp) {
    if (cancel_all_) cancel_all_->timer = TimerId::none();
    check_cancel_all(true);
  });
  check_cancel_all(false);
}

void ExchangeBase::check_cancel_all(bool deadline_passed) {
  if (!cancel_all_) return;
  bool all_final = true;
  for (const auto& id : cancel_all_->ids) {
    const model::InFlightOrder* o = tracker_.find(id);
    all_final = all_final && (o == nullptr || o->is_final());
  }
  if (!all_final && !deadline_passed) return;
  std::vector<CancellationResult> results;
  for (const auto& id : cancel_all_->ids) {
    const model::InFlightOrder* o = tracker_.find(id);
    results.push_back({id, o == nullptr || o->is_final()});
  }
  CancelAll finished = std::move(*cancel_all_);
  cancel_all_.reset();
  if (finished.timer != TimerId::none()) scheduler_.cancel(finished.timer);
  if (finished.done) finished.done(std::move(results));
}

std::vector<const model::InFlightOrder*> ExchangeBase::open_orders() const { return tracker_.active_orders(); }

const model::InFlightOrder* ExchangeBase::order(const model::ClientOrderId& id) const { return tracker_.find(id); }

model::Fee ExchangeBase::estimate_fee(const model::Symbol& symbol, model::Side side, Price price, Quantity amount,
                                      model::Liquidity liquidity) const {
  const Market* m = find_market(symbol);
  if (m == nullptr) return {};
  auto fee = m->fees.fee_for(side, price, amount, liquidity);
  return fee ? *fee : model::Fee{};
}

// ---------------------------------------------------------------------------------------------
// Requests

std::optional<RequestKindId> ExchangeBase::kind_of(RequestType type) const noexcept {
  return kinds_[static_cast<std::size_t>(type)];
}

void ExchangeBase::submit(Request request) {
  queue_.push_back(request);
  drain_queue();
}

void ExchangeBase::drain_queue() {
  while (queue_head_ < queue_.size()) {
    const Request& next = queue_[queue_head_];
    if (limiter_) {
      if (const auto kind = kind_of(next.type)) {
        const RateAdmission admission = limiter_->acquire(*kind, scheduler_.now());
        if (!admission) {
          ++stats_.throttled;
          if (drain_timer_ == TimerId::none()) {
            drain_timer_ = scheduler_.schedule_at(admission.retry_at, [this](Timestamp) {
              drain_timer_ = TimerId::none();
              drain_queue();
            });
          }
          return;
        }
      }
    }
    const Request request = next;
    if (++queue_head_ == queue_.size()) {
      queue_.clear();  // keeps its capacity: no allocation per request in steady state
      queue_head_ = 0;
    }
    send(request);
  }
}

void ExchangeBase::send(const Request& request) {
  switch (request.type) {
    case RequestType::Place:
      ++stats_.orders_placed;
      api_.place_order(request.order);
      break;
    case RequestType::Cancel:
      api_.cancel_order(request.order.symbol, request.order.client_order_id);
      break;
    case RequestType::QueryOrder:
      api_.query_order(request.order.symbol, request.order.client_order_id);
      break;
    case RequestType::QueryFills:
      api_.query_fills(request.order.symbol, request.order.client_order_id);
      break;
    case RequestType::Balances:
      api_.query_balances();
      break;
    case RequestType::OpenOrders:
      api_.query_open_orders(request.order.symbol);
      break;
  }
}

bool ExchangeBase::retry_if_transient(RequestType type, const model::ClientOrderId& id, const Error& error) {
  if (error.code() != ErrorCode::RateLimited && error.code() != ErrorCode::Disconnected) return false;
  const model::InFlightOrder* o = tracker_.find(id);
  if (o == nullptr) return false;
  // Find how often it was resent: the request is rebuilt from the tracked order.
  auto& count = resend_counts_[id];
  if (count >= config_.max_resends) {
    resend_counts_.erase(id);
    return false;
  }
  ++count;
  ++stats_.resends;
  Request r{type, o->request(), count};
  submit(r);
  return true;
}

void ExchangeBase::release_reservation(const model::ClientOrderId& id) {
  const auto it = std::find_if(reservations_.begin(), reservations_.end(),
                               [&](const Reservation& r) { return r.id == id; });
  if (it != reservations_.end()) {
    *it = reservations_.back();
    reservations_.pop_back();
  }
}

void ExchangeBase::note(const Result<void>& outcome, std::string_view what) {
  if (outcome) return;
  ++stats_.tracker_errors;
  log_warn("{}: {} refused: {}", config_.name, what, outcome.error().describe());
}

// ---------------------------------------------------------------------------------------------
// ExchangeApiListener

void ExchangeBase::on_place_result(const model::ClientOrderId& id, const Result<model::OrderReport>& result) {
  if (!result && retry_if_transient(RequestType::Place, id, result.error())) return;
  resend_counts_.erase(id);
  note(tracker_.on_place_result(id, result), "place result");
  // A definite answer ends the reservation: the venue's balance now tells what is locked.
  if (result || result.error().code() == ErrorCode::Rejected) release_reservation(id);
}

void ExchangeBase::on_cancel_result(const model::ClientOrderId& id, const Result<model::OrderReport>& result) {
  if (tracker_.find(id) == nullptr) return;  // a cancel of an order we never tracked (cancel_unknown_orders)
  if (!result && retry_if_transient(RequestType::Cancel, id, result.error())) return;
  resend_counts_.erase(id);
  note(tracker_.on_cancel_result(id, result), "cancel result");
}

void ExchangeBase::on_order_query_result(const model::ClientOrderId& id, const Result<model::OrderReport>& result) {
  note(tracker_.on_order_query_result(id, result), "order query result");
}

void ExchangeBase::on_fills_query_result(const model::ClientOrderId& id,
                                         const Result<std::span<const model::Fill>>& result) {
  note(tracker_.on_fills_query_result(id, result), "fills query result");
}

void ExchangeBase::on_balances_result(const Result<std::span<const model::Balance>>& result) {
  if (!result) {
    log_warn("{}: balance query failed: {}", config_.name, result.error().describe());
    return;
  }
  // The exchange's view wins (DESIGN.md promise 5).
  balances_.clear();
  for (const model::Balance& b : *result) balances_[b.asset] = b;
  balances_known_ = true;
}

void ExchangeBase::on_open_orders_result(const Result<std::span<const model::OrderReport>>& result) {
  if (!result) return;
  for (const model::OrderReport& report : *result) {
    if (tracker_.find(report.client_order_id) == nullptr) {
      ++stats_.unknown_open_orders;
      log_warn("{}: open order {} on {} is not tracked by this bot{}", config_.name, report.client_order_id,
               report.symbol, config_.cancel_unknown_orders ? ": cancelling it" : "");
      if (config_.cancel_unknown_orders) {
        ++stats_.unknown_orders_cancelled;
        api_.cancel_order(report.symbol, report.client_order_id);  // its answer is an unknown id: ignored
      }
    } else {
      note(tracker_.on_order_report(report), "open order report");
    }
  }
}

void ExchangeBase::on_trading_rules_result(const Result<std::span<const model::TradingRules>>& result) {
  if (!result) {
    log_warn("{}: trading rules query failed: {}", config_.name, result.error().describe());
    return;
  }
  for (const model::TradingRules& rules : *result) {
    auto symbol = model::Symbol::from(rules.symbol);
    if (!symbol) continue;
    if (Market* m = find_market(*symbol)) m->rules = rules;
  }
}

void ExchangeBase::on_order_report(const model::OrderReport& report) {
  note(tracker_.on_order_report(report), "order report");
}

void ExchangeBase::on_fill(const model::Fill& fill) { note(tracker_.on_fill(fill), "fill"); }

void ExchangeBase::on_balance_update(const model::Balance& balance) {
  balances_[balance.asset] = balance;
}

void ExchangeBase::on_rate_limited(Timestamp until) {
  if (limiter_) limiter_->block_until(until);
  // Without a limiter, hold the queue with a timer.
  if (!limiter_ && drain_timer_ == TimerId::none()) {
    drain_timer_ = scheduler_.schedule_at(until, [this](Timestamp) {
      drain_timer_ = TimerId::none();
      drain_queue();
    });
  }
}

void ExchangeBase::on_rate_usage(std::string_view name, std::string_view value) {
  if (!limiter_) return;
  switch (limiter_->update_from_header(name, value, scheduler_.now())) {
    case RateHeader::Applied:
      ++stats_.rate_usage_reports;
      break;
    case RateHeader::Malformed:
      ++stats_.rate_usage_malformed;
      log_warn("{}: rate-limit usage {} is not a count; ignored", config_.name, name);
      break;
    case RateHeader::NotTracked:
      break;
  }
}

std::optional<std::int64_t> ExchangeBase::rate_usage(std::string_view pool) {
  if (!limiter_) return std::nullopt;
  auto id = limiter_->find_pool(pool);
  if (!id) return std::nullopt;
  return limiter_->usage(*id, scheduler_.now());
}

void ExchangeBase::on_connection_state(bool connected) { connected_ = connected; }

void ExchangeBase::on_book_snapshot(const model::Symbol& symbol, const model::BookSnapshot& snapshot) {
  Market* m = find_market(symbol);
  if (m == nullptr) return;
  if (m->sync.on_snapshot(snapshot) == model::SyncOutcome::Applied) {
    events_.publish(OrderBookUpdated{symbol, snapshot.local_time});
  } else {
    events_.publish(OrderBookOutOfSync{symbol, m->sync.reason()});
  }
}

void ExchangeBase::on_book_diff(const model::Symbol& symbol, const model::BookDiff& diff) {
  Market* m = find_market(symbol);
  if (m == nullptr) return;
  switch (m->sync.on_diff(diff)) {
    case model::SyncOutcome::Applied:
      events_.publish(OrderBookUpdated{symbol, diff.local_time});
      break;
    case model::SyncOutcome::OutOfSync:
      events_.publish(OrderBookOutOfSync{symbol, m->sync.reason()});
      api_.subscribe_market_data(symbol);  // asks for a fresh snapshot
      break;
    case model::SyncOutcome::Buffered:
    case model::SyncOutcome::Stale:
      break;
  }
}

void ExchangeBase::on_public_trade(const model::Symbol& symbol, const model::PublicTrade& trade) {
  events_.publish(PublicTradeEvent{symbol, trade});
}

// ---------------------------------------------------------------------------------------------
// Order events from the tracker

void ExchangeBase::on_order_created(const model::OrderCreated& event) {
  release_reservation(event.client_order_id);
  events_.publish(event);
}

void ExchangeBase::on_order_filled(const model::OrderFilled& event) { events_.publish(event); }

void ExchangeBase::on_order_cancelled(const model::OrderCancelled& event) {
  release_reservation(event.client_order_id);
  events_.publish(event);
  check_cancel_all(false);
}

void ExchangeBase::on_order_completed(const model::OrderCompleted& event) {
  release_reservation(event.client_order_id);
  events_.publish(event);
  check_cancel_all(false);
}

void ExchangeBase::on_order_failed(const model::OrderFailed& event) {
  release_reservation(event.client_order_id);
  events_.publish(event);
  check_cancel_all(false);
}

void ExchangeBase::on_order_expired(const model::OrderExpired& event) {
  release_reservation(event.client_order_id);
  events_.publish(event);
  check_cancel_all(false);
}

void ExchangeBase::on_order_lost(const model::OrderLost& event) { events_.publish(event); }

}  // namespace colibri::connector
