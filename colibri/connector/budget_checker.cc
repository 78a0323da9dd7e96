#include "colibri/connector/budget_checker.h"

#include <algorithm>
#include <utility>

namespace colibri::connector {

namespace {

constexpr Int128 kRateScale = detail::kScale;  // a FeeRate's raw units per 1 (10^8)
constexpr Int128 kQuantityScale = Quantity::kScale;

// LimitMaker pays maker, Market taker, Limit the higher of the two (it may cross the book).
model::FeeRate rate_for(const model::FeeSchedule& fees, model::OrderType type) noexcept {
  switch (type) {
    case model::OrderType::LimitMaker:
      return fees.maker();
    case model::OrderType::Market:
      return fees.taker();
    case model::OrderType::Limit:
      break;
  }
  return std::max(fees.maker(), fees.taker());
}

// Whether a buy pays its fee in quote on top of its cost (see the policy mapping in the header).
bool buy_fee_on_top(const model::FeeSchedule& fees) noexcept {
  return fees.fee_asset_for(model::Side::Buy) == fees.quote();
}

Notional as_notional(Quantity q) noexcept { return Notional::from_quantity(q); }

}  // namespace

std::string_view to_string(BudgetOutcome outcome) noexcept {
  switch (outcome) {
    case BudgetOutcome::Fits:
      return "fits";
    case BudgetOutcome::Shrunk:
      return "shrunk";
    case BudgetOutcome::DroppedForBalance:
      return "dropped: insufficient balance";
    case BudgetOutcome::DroppedBelowMinimum:
      return "dropped: below minimum size";
  }
  return "?";
}

Result<BudgetChecker> BudgetChecker::create(model::FeeSchedule fees) {
  const model::FeeRate one = model::FeeRate::from_raw(detail::kScale);
  for (const model::FeeRate rate : {fees.maker(), fees.taker()}) {
    if (rate.is_negative() || rate > one) {
      return fail(ErrorCode::InvalidArgument, "budget: fee rate {} is outside [0, 1]", rate.to_string());
    }
  }
  return BudgetChecker(std::move(fees));
}

BudgetChecker::AssetBudget& BudgetChecker::entry(std::string_view asset) {
  for (AssetBudget& budget : assets_) {
    if (budget.asset == asset) return budget;
  }
  assets_.push_back(AssetBudget{model::Asset::truncating(asset), {}, {}, {}});
  return assets_.back();
}

const BudgetChecker::AssetBudget* BudgetChecker::find(std::string_view asset) const noexcept {
  for (const AssetBudget& budget : assets_) {
    if (budget.asset == asset) return &budget;
  }
  return nullptr;
}

Result<void> BudgetChecker::set_balance(const model::Balance& balance) {
  if (balance.available.is_negative() || balance.total < balance.available) {
    return fail(ErrorCode::InvalidArgument,
                "budget: balance of {} must have 0 <= available <= total, got {} of {}", balance.asset,
                balance.available, balance.total);
  }
  AssetBudget& budget = entry(balance.asset.view());
  budget.total = as_notional(balance.total);
  budget.free = as_notional(balance.available);
  return {};
}

Result<void> BudgetChecker::add_open_order(const model::TradingRules& rules, const OpenOrderLock& order) {
  if (!order.price.is_positive() || order.remaining.is_negative()) {
    return fail(ErrorCode::InvalidArgument,
                "budget: open order on {} needs a positive price and remaining >= 0, "
                "got {} and {}",
                rules.symbol, order.price, order.remaining);
  }
  const std::string& asset = order.side == model::Side::Buy ? rules.quote : rules.base;
  if (asset.empty() || asset.size() > model::Asset::kCapacity) {
    return fail(ErrorCode::InvalidArgument, "budget: {} has no usable asset code \"{}\"", rules.symbol,
                asset);
  }
  entry(asset).locked += collateral(order.side, order.type, order.price, order.remaining);
  return {};
}

void BudgetChecker::clear_open_orders() noexcept {
  for (AssetBudget& budget : assets_) budget.locked = Notional();
}

Notional BudgetChecker::available(std::string_view asset) const noexcept {
  const AssetBudget* budget = find(asset);
  if (budget == nullptr) return Notional();
  const Notional left = std::min(budget->free, budget->total - budget->locked);
  return left.is_negative() ? Notional() : left;
}

Notional BudgetChecker::collateral(model::Side side, model::OrderType type, Price price,
                                   Quantity quantity) const noexcept {
  if (side == model::Side::Sell) return as_notional(quantity);
  const Notional cost = price * quantity;
  if (!buy_fee_on_top(fees_)) return cost;
  const auto fee = rate_for(fees_, type).fee_on(cost);
  // A fee beyond Quantity's range (about 9.2e10 of quote) cannot be paid anyway; with rate <= 1,
  // cost + cost + one unit still bounds the collateral from above.
  return cost + (fee ? Notional::from_quantity(*fee) : cost + Notional::from_quantity(Quantity::from_raw(1)));
}

Quantity BudgetChecker::max_quantity(model::Side side, model::OrderType type, Price price, Quantity lot,
                                     Quantity cap, Notional budget) const noexcept {
  if (budget <= Notional()) return Quantity();
  Int128 units = 0;  // an upper bound of the answer, in raw quantity units
  if (side == model::Side::Sell) {
    units = budget.raw() / kQuantityScale;
  } else {
    // Without the fee's rounding, cost(q) = price × q × (1 + rate): q <= budget / (price × (1 + rate)).
    // Raw units: q = budget × 10^8 / (price × (10^8 + rate)), split to stay within 128 bits.
    const Int128 rate = buy_fee_on_top(fees_) ? rate_for(fees_, type).raw() : 0;
    const Int128 divisor = static_cast<Int128>(price.raw()) * (kRateScale + rate);
    const Int128 whole = budget.raw() / divisor;
    const Int128 rest = budget.raw() % divisor;
    units = whole * kRateScale + rest * kRateScale / divisor;
  }
  units = std::min<Int128>(units, cap.raw());
  Quantity quantity = Quantity::from_raw(static_cast<std::int64_t>(units - units % lot.raw()));
  // The fee rounds up: the bound may be one lot too many.
  while (quantity.is_positive() && collateral(side, type, price, quantity) > budget) quantity -= lot;
  return quantity;
}

Result<void> BudgetChecker::adjust(const model::TradingRules& rules, std::span<OrderCandidate> candidates,
                                   BudgetMode mode) const {
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (!candidates[i].price.is_positive() || candidates[i].quantity.is_negative()) {
      return fail(ErrorCode::InvalidArgument,
                  "budget: candidate {} on {} needs a positive price and quantity >= 0, "
                  "got {} and {}",
                  i, rules.symbol, candidates[i].price, candidates[i].quantity);
    }
  }
  Notional quote_left = available(rules.quote);
  Notional base_left = available(rules.base);

  const auto meets_minimums = [&](Price price, Quantity quantity) {
    return quantity.is_positive() && quantity >= rules.min_quantity && price * quantity >= rules.min_notional;
  };
  for (OrderCandidate& candidate : candidates) {
    Notional& left = candidate.side == model::Side::Buy ? quote_left : base_left;
    const Quantity wanted = rules.quantize_quantity(candidate.quantity);
    BudgetOutcome outcome = wanted == candidate.quantity ? BudgetOutcome::Fits : BudgetOutcome::Shrunk;
    Quantity quantity = wanted;
    if (collateral(candidate.side, candidate.type, candidate.price, wanted) > left) {
      quantity = mode == BudgetMode::AllOrNone ? Quantity()
                                               : max_quantity(candidate.side, candidate.type, candidate.price,
                                                              rules.lot_size, wanted, left);
      outcome = quantity.is_positive() ? BudgetOutcome::Shrunk : BudgetOutcome::DroppedForBalance;
    }
    if (outcome != BudgetOutcome::DroppedForBalance && !meets_minimums(candidate.price, quantity)) {
      outcome = BudgetOutcome::DroppedBelowMinimum;
    }
    if (outcome == BudgetOutcome::DroppedForBalance || outcome == BudgetOutcome::DroppedBelowMinimum) {
      quantity = Quantity();
    }
    candidate.quantity = quantity;
    candidate.outcome = outcome;
    candidate.collateral = collateral(candidate.side, candidate.type, candidate.price, quantity);
    left -= candidate.collateral;
  }
  return {};
}

}  // namespace colibri::connector
