#include "colibri/connector/sim/matching_engine.h"

#include <algorithm>
#include <cassert>

#include <fmt/format.h>

namespace colibri::connector::sim {

using model::BookSide;
using model::Liquidity;
using model::OrderState;
using model::OrderType;
using model::Side;
using model::TimeInForce;

namespace {

constexpr std::size_t index_of(Liquidity l) noexcept { return l == Liquidity::Maker ? 0 : 1; }
constexpr std::size_t index_of(BookSide s) noexcept { return s == BookSide::Bid ? 0 : 1; }

template <std::size_t N>
FixedString<N> numbered(std::uint64_t number) {
  char buf[24];
  const auto out = fmt::format_to_n(buf, sizeof buf, "{}", number);
  return FixedString<N>::truncating(std::string_view(buf, out.size));
}

// price × quantity as a quote amount; exact under the engine's tick × lot rule, otherwise rounded
// in the venue's favour (`rounding`).
Quantity quote_amount(Price price, Quantity quantity, Rounding rounding) {
  auto amount = (price * quantity).to_quantity(rounding);
  return amount ? *amount : Quantity::max();
}

bool is_better_or_equal(Side side, Price mine, Price other) noexcept {
  return side == Side::Buy ? mine >= other : mine <= other;
}

// What the engine can simulate of a fee schedule (see add_account()).
Result<void> check_simulated_fees(const model::FeeSchedule& fees, const model::Symbol& symbol,
                                  const model::Asset& base, const model::Asset& quote) {
  if (fees.base() != base || fees.quote() != quote) {
    return fail(ErrorCode::InvalidArgument, "{}: fee schedule for {}/{}, the engine trades {}/{}", symbol,
                fees.base(), fees.quote(), base, quote);
  }
  const model::FeeRate one = model::FeeRate::from_raw(Quantity::kScale);
  for (const model::FeeRate rate : {fees.maker(), fees.taker()}) {
    if (rate.is_negative() || rate >= one) {
      return fail(ErrorCode::InvalidArgument, "{}: simulated fee rates must be in [0, 1), got {}", symbol,
                  rate.to_string());
    }
  }
  if (fees.policy() == model::FeeAssetPolicy::NamedAsset) {
    return fail(ErrorCode::InvalidArgument, "{}: fees in {} are not simulated (base or quote only)", symbol,
                fees.fee_asset());
  }
  if (!fees.flat_fees().empty()) {
    return fail(ErrorCode::InvalidArgument, "{}: flat fees are not simulated", symbol);
  }
  return {};
}

}  // namespace

MatchingEngine::MatchingEngine(model::TradingRules rules, const QueueModel& queue_model, Ledger& ledger,
                               std::size_t order_history)
    : rules_(std::move(rules)),
      queue_model_(queue_model),
      ledger_(ledger),
      book_(rules_.tick_size),
      order_history_(order_history) {
  value_or_throw(rules_.validate());
  const Int128 tick_lot = static_cast<Int128>(rules_.tick_size.raw()) * rules_.lot_size.raw();
  if (tick_lot % Quantity::kScale != 0) {
    throw StartupError(Error(ErrorCode::InvalidArgument,
                             fmt::format("{}: tick size {} × lot size {} is finer than 1e-8: quote amounts "
                                         "would not be exact",
                                         rules_.symbol, rules_.tick_size, rules_.lot_size)));
  }
  symbol_ = value_or_throw(model::Symbol::from(rules_.symbol));
  base_ = value_or_throw(model::Asset::from(rules_.base));
  quote_ = value_or_throw(model::Asset::from(rules_.quote));
  plan_.reserve(64);
  consumed_.reserve(64);
}

void MatchingEngine::add_account(AccountId account, const model::FeeSchedule& fees,
                                 ExecutionListener& listener) {
  value_or_throw(check_simulated_fees(fees, symbol_, base_, quote_));
  for (Account& a : accounts_) {
    if (a.id == account) {
      a.fees = fees;
      a.listener = &listener;
      return;
    }
  }
  accounts_.push_back(Account{account, fees, &listener});
}

const MatchingEngine::Account* MatchingEngine::find_account(AccountId account) const noexcept {
  for (const Account& a : accounts_) {
    if (a.id == account) return &a;
  }
  return nullptr;
}

const MatchingEngine::SimOrder* MatchingEngine::find_order(AccountId account,
                                                           const model::ClientOrderId& id) const {
  const auto it = order_index_.find(OrderKey{account, id});
  return it == order_index_.end() ? nullptr : &orders_[it->second];
}

Result<void> MatchingEngine::check_filters(const model::OrderRequest& request) const {
  const Quantity qty = request.quantity;
  if (!qty.is_positive() || !qty.is_multiple_of(rules_.lot_size) || qty < rules_.min_quantity ||
      qty > rules_.max_quantity) {
    return fail(ErrorCode::Rejected, "-1013 Filter failure: LOT_SIZE ({} with lot {}, min {}, max {})", qty,
                rules_.lot_size, rules_.min_quantity, rules_.max_quantity);
  }
  if (request.type == OrderType::Market) return {};  // NOTIONAL on MARKET orders is not modelled
  if (auto checked = rules_.check_order(request.price, qty); !checked) {
    const bool price_bad = !request.price.is_positive() || !request.price.is_multiple_of(rules_.tick_size);
    return fail(ErrorCode::Rejected, "-1013 Filter failure: {} ({})", price_bad ? "PRICE_FILTER" : "NOTIONAL",
                checked.error().message());
  }
  return {};
}

Quantity MatchingEngine::available_at(BookSide side, const model::PriceLevel& level) const noexcept {
  const Quantity left = level.quantity - consumed_at(side, level.price);
  return left.is_positive() ? left : Quantity::zero();
}

Quantity MatchingEngine::consumed_at(BookSide side, Price price) const noexcept {
  for (const ConsumedLevel& c : consumed_) {
    if (c.side == side && c.price == price) return c.quantity;
  }
  return Quantity::zero();
}

std::optional<Price> MatchingEngine::effective_best(BookSide side) const noexcept {
  if (consumed_.empty()) {  // the common case: every stored level has quantity (OrderBook's invariant 1)
    const std::optional<model::PriceLevel> top = book_.best(side);
    return top ? std::optional<Price>(top->price) : std::nullopt;
  }
  std::optional<Price> best;
  book_.for_each_level(side, [&](const model::PriceLevel& level) {
    if (available_at(side, level).is_positive()) {
      best = level.price;
      return false;
    }
    return true;
  });
  return best;
}

void MatchingEngine::consume(BookSide side, Price price, Quantity quantity) {
  for (ConsumedLevel& c : consumed_) {
    if (c.side == side && c.price == price) {
      c.quantity += quantity;
      return;
    }
  }
  consumed_.push_back(ConsumedLevel{side, price, quantity});
}

void MatchingEngine::reset_consumed(BookSide side, Price price) noexcept {
  for (std::size_t i = 0; i < consumed_.size(); ++i) {
    if (consumed_[i].side == side && consumed_[i].price == price) {
      consumed_[i] = consumed_.back();
      consumed_.pop_back();
      return;
    }
  }
}

Quantity MatchingEngine::plan_walk(Side side, std::optional<Price> limit, Quantity quantity) {
  plan_.clear();
  const BookSide opposite = side == Side::Buy ? BookSide::Ask : BookSide::Bid;
  Quantity planned;
  book_.for_each_level(opposite, [&](const model::PriceLevel& level) {
    if (limit && !is_better_or_equal(side, *limit, level.price)) return false;
    const Quantity take = std::min(available_at(opposite, level), quantity - planned);
    if (take.is_positive()) {
      plan_.push_back(Take{level.price, take});
      planned += take;
    }
    return planned < quantity;
  });
  return planned;
}

Quantity MatchingEngine::fee_reserve_for(const SimOrder& order, Notional basis) const {
  const model::FeeSchedule& fees = find_account(order.account)->fees;
  const Side side = order.request.side;
  const model::Asset& spent = side == Side::Buy ? quote_ : base_;
  if (fees.fee_asset_for(side) != spent) return Quantity::zero();  // deducted from what the fill gives us
  auto fee = std::max(fees.maker(), fees.taker()).fee_on(basis);
  // One unit more: maker and taker fees are each rounded up on their own cumulative amount.
  return fee ? *fee + Quantity::from_raw(1) : Quantity::max();
}

Result<model::OrderReport> MatchingEngine::place(AccountId account_id, const model::OrderRequest& request,
                                                 Timestamp now) {
  now_ = now;
  const Account* account = find_account(account_id);
  if (account == nullptr) return fail(ErrorCode::InvalidArgument, "account {} is not registered", account_id);
  auto reject = [&](Error error) -> Result<model::OrderReport> {
    ++stats_.orders_rejected;
    return fail(std::move(error));
  };
  if (request.symbol != symbol_) {
    return reject(Error(ErrorCode::Rejected,
                        fmt::format("-1121 Invalid symbol {} (engine {})", request.symbol, symbol_)));
  }
  if (find_order(account_id, request.client_order_id) != nullptr) {
    return reject(
        Error(ErrorCode::Rejected, fmt::format("-2010 Duplicate order sent ({})", request.client_order_id)));
  }
  if (auto filters = check_filters(request); !filters) return reject(std::move(filters.error()));

  const Side side = request.side;
  const bool market = request.type == OrderType::Market;
  const Quantity takeable =
      plan_walk(side, market ? std::nullopt : std::optional<Price>(request.price), request.quantity);
  if (request.type == OrderType::LimitMaker && takeable.is_positive()) {
    return reject(Error(ErrorCode::Rejected, "-2010 Order would immediately match and take."));
  }
  const bool fill_or_kill = !market && request.time_in_force == TimeInForce::FillOrKill;
  if (fill_or_kill && takeable < request.quantity) plan_.clear();  // expires without a fill

  // Funds: the principal of the spent asset, plus the fee reserve when the spent asset pays fees.
  SimOrder order;
  order.account = account_id;
  order.request = request;
  order.time = now;
  Notional basis;  // what the fee reserve is computed on
  if (side == Side::Buy) {
    if (market) {
      Notional cost;
      for (const Take& t : plan_) cost += t.price * t.quantity;
      order.locked = *cost.to_quantity(Rounding::Up);
      basis = cost;
    } else {
      order.locked = quote_amount(request.price, request.quantity, Rounding::Up);
      basis = request.price * request.quantity;
    }
  } else {
    order.locked = request.quantity;
    basis = Notional::from_quantity(request.quantity);
  }
  order.fee_reserve = fee_reserve_for(order, basis);
  const model::Asset& spent = side == Side::Buy ? quote_ : base_;
  if (auto locked = ledger_.lock(account_id, spent, order.locked + order.fee_reserve); !locked) {
    return reject(
        Error(ErrorCode::Rejected, fmt::format("-2010 Account has insufficient balance for requested "
                                               "action ({})",
                                               locked.error().message())));
  }

  ++stats_.orders_accepted;
  forget_old_orders();
  order.exchange_order_id = numbered<model::ExchangeOrderId::kCapacity>(next_order_number_++);
  const std::uint32_t index = orders_.end();
  orders_.items.push_back(order);
  order_index_.emplace(OrderKey{account_id, request.client_order_id}, index);

  push_report(orders_[index]);  // NEW, then the trades (Binance's executionReport order)
  const std::size_t steps = plan_.size();
  for (std::size_t i = 0; i < steps; ++i) {
    const Take take = plan_[i];
    consume(side == Side::Buy ? BookSide::Ask : BookSide::Bid, take.price, take.quantity);
    execute(index, take.price, take.quantity, Liquidity::Taker, now);
  }

  SimOrder& placed = orders_[index];
  if (placed.filled == request.quantity) {
    finish(index, OrderState::Filled, now);
  } else if (market || request.time_in_force != TimeInForce::GoodTillCancel) {
    finish(index, OrderState::Expired, now);
  } else {
    const BookSide own = book_side_of(side);
    queue_model_.on_order_rested(placed.queue, book_.quantity_at(own, request.price));
    resting_[index_of(own)].push_back(RestingOrder{index, request.price});
  }
  push_balances(account_id);
  return report_of(orders_[index]);
}

Result<model::OrderReport> MatchingEngine::cancel(AccountId account_id, const model::ClientOrderId& id,
                                                  Timestamp now) {
  now_ = now;
  if (find_account(account_id) == nullptr) {
    return fail(ErrorCode::InvalidArgument, "account {} is not registered", account_id);
  }
  const auto it = order_index_.find(OrderKey{account_id, id});
  if (it == order_index_.end() || model::is_final(orders_[it->second].state)) {
    return fail(ErrorCode::NotFound, "-2011 Unknown order sent. ({})", id);
  }
  finish(it->second, OrderState::Canceled, now);
  remove_finished_resting();
  push_balances(account_id);
  return report_of(orders_[it->second]);
}

Result<model::OrderReport> MatchingEngine::query(AccountId account, const model::ClientOrderId& id) const {
  const SimOrder* order = find_order(account, id);
  if (order == nullptr) return fail(ErrorCode::NotFound, "-2013 Order does not exist. ({})", id);
  return report_of(*order);
}

Result<void> MatchingEngine::fills_of(AccountId account, const model::ClientOrderId& id,
                                      std::vector<model::Fill>& out) const {
  const SimOrder* order = find_order(account, id);
  if (order == nullptr) return fail(ErrorCode::NotFound, "-2013 Order does not exist. ({})", id);
  for (std::uint32_t f = order->first_fill; f != UINT32_MAX; f = next_fill_[f]) out.push_back(fills_[f].fill);
  return {};
}

void MatchingEngine::forget_old_orders() {
  while (orders_.items.size() > order_history_ && model::is_final(orders_.items.front().state)) {
    const SimOrder& old = orders_.items.front();
    order_index_.erase(OrderKey{old.account, old.request.client_order_id});
    orders_.pop_front();
  }
  while (!fills_.items.empty() && fill_order_.items.front() < orders_.first) {
    fills_.pop_front();
    next_fill_.pop_front();
    fill_order_.pop_front();
  }
}

void MatchingEngine::open_orders(AccountId account, std::vector<model::OrderReport>& out) const {
  // The open orders are the resting ones (resting_'s invariant): merge the two sides, each oldest
  // first, by order number, rather than walk the whole order history.
  const auto& bids = resting_[index_of(BookSide::Bid)];
  const auto& asks = resting_[index_of(BookSide::Ask)];
  std::size_t b = 0;
  std::size_t a = 0;
  while (b < bids.size() || a < asks.size()) {
    const bool bid_first = a == asks.size() || (b < bids.size() && bids[b].order < asks[a].order);
    const SimOrder& order = orders_[bid_first ? bids[b++].order : asks[a++].order];
    if (order.account == account && !model::is_final(order.state)) out.push_back(report_of(order));
  }
}

model::OrderReport MatchingEngine::report_of(const SimOrder& order) const {
  return model::OrderReport{
      order.request.client_order_id, order.exchange_order_id, symbol_, order.state, order.filled, order.time};
}

void MatchingEngine::push_report(const SimOrder& order) {
  find_account(order.account)->listener->on_execution_report(report_of(order));
}

void MatchingEngine::push_balances(AccountId account) {
  ExecutionListener& listener = *find_account(account)->listener;
  listener.on_balance_update(ledger_.balance(account, base_));
  listener.on_balance_update(ledger_.balance(account, quote_));
}

void MatchingEngine::execute(std::uint32_t index, Price price, Quantity quantity, Liquidity liquidity,
                             Timestamp time) {
  SimOrder& order = orders_[index];
  const model::FeeSchedule& fees = find_account(order.account)->fees;
  const Side side = order.request.side;
  const bool base_fee = fees.fee_asset_for(side) == base_;
  const Quantity cost = quote_amount(price, quantity, side == Side::Buy ? Rounding::Up : Rounding::Down);

  // Fees are rounded up on the cumulative amount per liquidity side, so the sum of an order's
  // fees is the rounded fee of its whole executed amount (per side), never one unit per fill.
  const std::size_t l = index_of(liquidity);
  order.fee_basis[l] += base_fee ? Notional::from_quantity(quantity) : price * quantity;
  auto fee_total = fees.rate(liquidity).fee_on(order.fee_basis[l]);
  const Quantity fee = (fee_total ? *fee_total : order.fees_charged[l]) - order.fees_charged[l];
  order.fees_charged[l] += fee;

  const AccountId account = order.account;
  if (side == Side::Buy) {
    ledger_.spend_locked(account, quote_, cost);
    order.locked -= cost;
    if (order.request.type != OrderType::Market) {
      // A limit buy that filled below its price releases the difference now.
      const Quantity still_needed =
          quote_amount(order.request.price, order.request.quantity - order.filled - quantity, Rounding::Up);
      if (order.locked > still_needed) {
        ledger_.unlock(account, quote_, order.locked - still_needed);
        order.locked = still_needed;
      }
    }
    if (base_fee) {
      ledger_.credit(account, base_, quantity - fee);
    } else {
      const Quantity from_reserve = std::min(fee, order.fee_reserve);
      ledger_.spend_locked(account, quote_, from_reserve);
      order.fee_reserve -= from_reserve;
      assert(from_reserve == fee);
      ledger_.credit(account, base_, quantity);
    }
  } else {
    ledger_.spend_locked(account, base_, quantity);
    order.locked -= quantity;
    if (base_fee) {
      const Quantity from_reserve = std::min(fee, order.fee_reserve);
      ledger_.spend_locked(account, base_, from_reserve);
      order.fee_reserve -= from_reserve;
      assert(from_reserve == fee);
      ledger_.credit(account, quote_, cost);
    } else {
      ledger_.credit(account, quote_, cost - fee);
    }
  }

  order.filled += quantity;
  order.time = time;
  if (order.filled < order.request.quantity) order.state = OrderState::PartiallyFilled;

  model::Fill fill;
  fill.client_order_id = order.request.client_order_id;
  fill.exchange_order_id = order.exchange_order_id;
  fill.trade_id = numbered<model::ExchangeTradeId::kCapacity>(next_trade_number_++);
  fill.symbol = symbol_;
  fill.side = side;
  fill.price = price;
  fill.quantity = quantity;
  fill.fee = model::Fee{base_fee ? base_ : quote_, fee};
  fill.liquidity = liquidity;
  fill.time = time;
  const std::uint32_t fill_index = fills_.end();
  fills_.items.push_back(AccountFill{account, fill});
  next_fill_.items.push_back(UINT32_MAX);
  fill_order_.items.push_back(index);
  if (order.first_fill == UINT32_MAX) {
    order.first_fill = fill_index;
  } else {
    next_fill_[order.last_fill] = fill_index;
  }
  order.last_fill = fill_index;
  ++stats_.fills;

  ExecutionListener& listener = *find_account(account)->listener;
  if (order.state == OrderState::PartiallyFilled) listener.on_execution_report(report_of(order));
  listener.on_execution(fill);
}

void MatchingEngine::finish(std::uint32_t index, OrderState state, Timestamp time) {
  SimOrder& order = orders_[index];
  const model::Asset& spent = order.request.side == Side::Buy ? quote_ : base_;
  ledger_.unlock(order.account, spent, order.locked + order.fee_reserve);
  order.locked = Quantity::zero();
  order.fee_reserve = Quantity::zero();
  order.state = state;
  order.time = time;
  push_report(order);  // resting_ is cleaned by remove_finished_resting() (callers may be iterating it)
}

void MatchingEngine::remove_finished_resting() {
  for (auto& side : resting_) {
    std::erase_if(side, [this](const RestingOrder& r) { return model::is_final(orders_[r.order].state); });
  }
}

void MatchingEngine::on_snapshot(const model::BookSnapshot& snapshot) {
  ++stats_.snapshots;
  if (!snapshot.exchange_time.is_none()) now_ = snapshot.exchange_time;
  // Queue positions see each level's change as a depth change.
  for (const BookSide side : {BookSide::Bid, BookSide::Ask}) {
    for (const RestingOrder& r : resting_[index_of(side)]) {
      orders_[r.order].queue.traded_since_depth = Quantity::zero();
    }
  }
  // Remember the old quantities at our prices before replacing the book.
  previous_levels_.clear();
  for (const BookSide side : {BookSide::Bid, BookSide::Ask}) {
    for (const RestingOrder& r : resting_[index_of(side)]) {
      previous_levels_.push_back(book_.quantity_at(side, r.price));
    }
  }
  if (auto applied = book_.apply_snapshot(snapshot.bids, snapshot.asks); !applied) ++stats_.invalid_levels;
  consumed_.clear();
  std::size_t k = 0;
  for (const BookSide side : {BookSide::Bid, BookSide::Ask}) {
    for (const RestingOrder& r : resting_[index_of(side)]) {
      queue_model_.on_depth_change(orders_[r.order].queue, previous_levels_[k++], book_.quantity_at(side, r.price));
    }
  }
  fill_crossed_orders(now_);
}

void MatchingEngine::clear_book() noexcept {
  book_.clear();
  consumed_.clear();
}

void MatchingEngine::on_diff(const model::BookDiff& diff) {
  ++stats_.diffs;
  if (!diff.exchange_time.is_none()) now_ = diff.exchange_time;
  apply_diff_side(BookSide::Bid, diff.bids);
  apply_diff_side(BookSide::Ask, diff.asks);
  fill_crossed_orders(now_);
}

// The replay's hottest loop (every level of every diff). Most levels are at prices where none of
// our orders rests, and only set the book: they go to the book in runs, one call a run; a level of
// ours (or every level, while our takes have consumed some of the book) goes one at a time.
void MatchingEngine::apply_diff_side(BookSide side, std::span<const model::PriceLevel> levels) {
  const std::vector<RestingOrder>& resting = resting_[index_of(side)];
  // The length of the run before the first level of ours. Usually no order or one rests on a side
  // (a market maker's quote): those two cases compare each level once, with the price in a register.
  const auto run_length = [this, side, &resting](std::span<const model::PriceLevel> rest) -> std::size_t {
    std::size_t n = 0;
    if (resting.empty()) return rest.size();
    if (resting.size() == 1) {
      const Price price = resting.front().price;
      while (n < rest.size() && rest[n].price != price) ++n;
      return n;
    }
    while (n < rest.size() && !rests_at(side, rest[n].price)) ++n;
    return n;
  };
  while (!levels.empty()) {
    const std::size_t run = consumed_.empty() ? run_length(levels) : 0;
    stats_.invalid_levels += book_.apply_side_skipping_invalid(side, levels.first(run));
    if (run == levels.size()) return;
    apply_diff_level(side, levels[run]);
    levels = levels.subspan(run + 1);
  }
}

void MatchingEngine::apply_diff_level(BookSide side, const model::PriceLevel& level) {
  // Only a level one of our orders rests at needs its old quantity (the queue models).
  const bool ours = rests_at(side, level.price);
  const Quantity previous = ours ? book_.quantity_at(side, level.price) : Quantity::zero();
  if (auto applied = book_.apply_level(side, level); !applied) {
    ++stats_.invalid_levels;
    return;
  }
  if (!consumed_.empty()) reset_consumed(side, level.price);  // the venue's word on this level supersedes our takes
  if (!ours) return;
  for (const RestingOrder& r : resting_[index_of(side)]) {
    if (r.price == level.price) queue_model_.on_depth_change(orders_[r.order].queue, previous, level.quantity);
  }
}

bool MatchingEngine::rests_at(BookSide side, Price price) const noexcept {
  const std::vector<RestingOrder>& resting = resting_[index_of(side)];
  return std::any_of(resting.begin(), resting.end(), [price](const RestingOrder& r) { return r.price == price; });
}

void MatchingEngine::fill_crossed_orders(Timestamp time) {
  bool any = false;
  for (const Side side : {Side::Buy, Side::Sell}) {
    const auto& resting = resting_[index_of(book_side_of(side))];
    if (resting.empty()) continue;
    const std::optional<Price> opposite_best =
        effective_best(side == Side::Buy ? BookSide::Ask : BookSide::Bid);
    if (!opposite_best) continue;
    for (const RestingOrder& r : resting) {
      if (!is_better_or_equal(side, r.price, *opposite_best)) continue;
      // The market traded through our price: the whole remainder fills, as maker, at our price.
      SimOrder& order = orders_[r.order];
      execute(r.order, r.price, order.request.quantity - order.filled, Liquidity::Maker, time);
      finish(r.order, OrderState::Filled, time);
      push_balances(order.account);
      any = true;
    }
  }
  if (any) remove_finished_resting();
}

void MatchingEngine::on_trade(const model::PublicTrade& trade) {
  ++stats_.trades;
  if (!trade.exchange_time.is_none()) now_ = trade.exchange_time;
  // A sell aggressor hits bids (our buys), a buy aggressor lifts asks (our sells).
  const Side ours = trade.aggressor == Side::Sell ? Side::Buy : Side::Sell;
  // Our orders at one price queue behind each other too: what an older one took from this trade
  // is not available to a younger one.
  Quantity taken_by_ours;
  bool any = false;
  for (const RestingOrder& r : resting_[index_of(book_side_of(ours))]) {
    const std::uint32_t i = r.order;
    SimOrder& order = orders_[i];
    const Quantity leaves = order.request.quantity - order.filled;
    Quantity fill;
    if (order.request.price == trade.price) {
      const Quantity reached = queue_model_.on_trade(order.queue, trade.quantity);
      fill = std::min(reached - taken_by_ours, leaves);
      if (fill.is_negative()) fill = Quantity::zero();
      taken_by_ours += fill;
    } else if (is_better_or_equal(ours, order.request.price, trade.price)) {
      fill = leaves;  // the trade printed through our price: our level was swept
    }
    if (!fill.is_positive()) continue;
    execute(i, order.request.price, fill, Liquidity::Maker, now_);
    if (order.filled == order.request.quantity) finish(i, OrderState::Filled, now_);
    push_balances(order.account);
    any = true;
  }
  if (any) remove_finished_resting();
}

}  // namespace colibri::connector::sim
