#include "colibri/model/fees.h"

#include <utility>

namespace colibri::model {
namespace {

constexpr std::int64_t kOne = detail::kScale;  // 1.0 in raw units of 1e-8

Result<FeeRate> checked_rate(std::int64_t raw, std::string_view text) {
  if (raw <= -kOne || raw >= kOne) {
    return fail(ErrorCode::InvalidArgument, "fee rate \"{}\" is not a fraction between -1 and 1", text);
  }
  return FeeRate::from_raw(raw);
}

// Rounds a count of 10^-24 units (notional 10^-16 × rate 10^-8) divided by `divisor` up to 10^-8.
Result<Quantity> to_fee_units(Int128 dividend, Int128 divisor) {
  const Int128 q = detail::divide(dividend, divisor, Rounding::Up);
  if (q > INT64_MAX || q < INT64_MIN) return fail(ErrorCode::OutOfRange, "fee does not fit a quantity");
  return Quantity::from_raw(static_cast<std::int64_t>(q));
}

}  // namespace

Result<FeeRate> FeeRate::parse_fraction(std::string_view text) {
  auto raw = detail::parse_fixed(text, "fee rate");
  if (!raw) return fail(std::move(raw.error()));
  return checked_rate(*raw, text);
}

Result<FeeRate> FeeRate::parse_percent(std::string_view text) {
  auto raw = detail::parse_fixed(text, "fee percent");
  if (!raw) return fail(std::move(raw.error()));
  if (*raw % 100 != 0) {
    return fail(ErrorCode::InvalidArgument, "fee percent \"{}\" needs more than 8 decimals as a fraction",
                text);
  }
  return checked_rate(*raw / 100, text);
}

std::string FeeRate::to_string() const { return Quantity::from_raw(raw_).to_string(); }

Result<Quantity> FeeRate::fee_on(Notional amount) const {
  // amount (10^-16) × rate (10^-8) = 10^-24 units. A product beyond 128 bits is a fee beyond
  // 10^14, far outside Quantity, so refusing it refuses nothing that would fit.
  Int128 scaled = 0;
  if (__builtin_mul_overflow(amount.raw(), static_cast<Int128>(raw_), &scaled)) {
    return fail(ErrorCode::OutOfRange, "fee of {} on {} does not fit a quantity", to_string(), amount);
  }
  return to_fee_units(scaled, Notional::kScale);
}

Result<void> FeeTotals::add(const Fee& fee) {
  if (fee.asset.empty()) {
    if (fee.amount.is_zero()) return {};
    return fail(ErrorCode::InvalidArgument, "fee of {} has no asset", fee.amount.to_string());
  }
  for (std::size_t i = 0; i < size_; ++i) {
    if (fees_[i].asset == fee.asset) {
      auto sum = fees_[i].amount.checked_add(fee.amount);
      if (!sum) return fail(std::move(sum.error()));
      fees_[i].amount = *sum;
      return {};
    }
  }
  if (size_ == kCapacity) {
    return fail(ErrorCode::OutOfRange, "fees in more than {} assets (adding {})", kCapacity, fee.asset);
  }
  fees_[size_++] = fee;
  return {};
}

Quantity FeeTotals::amount_of(const Asset& asset) const noexcept {
  for (const Fee& fee : fees()) {
    if (fee.asset == asset) return fee.amount;
  }
  return Quantity::zero();
}

bool operator==(const FeeTotals& a, const FeeTotals& b) noexcept {
  if (a.size_ != b.size_) return false;
  for (std::size_t i = 0; i < a.size_; ++i) {
    if (!(a.fees_[i] == b.fees_[i])) return false;
  }
  return true;
}

Result<FeeSchedule> FeeSchedule::create(Asset base, Asset quote, FeeRate maker, FeeRate taker,
                                        FeeAssetPolicy policy, Asset fee_asset) {
  if (base.empty() || quote.empty())
    return fail(ErrorCode::InvalidArgument, "fee schedule needs base and quote");
  if (policy == FeeAssetPolicy::NamedAsset && fee_asset.empty()) {
    return fail(ErrorCode::InvalidArgument, "fee asset policy NamedAsset needs a fee asset");
  }
  if (policy != FeeAssetPolicy::NamedAsset) fee_asset = Asset();
  FeeSchedule s;
  s.base_ = base;
  s.quote_ = quote;
  s.maker_ = maker;
  s.taker_ = taker;
  s.policy_ = policy;
  s.fee_asset_ = fee_asset;
  return s;
}

Result<Fee> FeeSchedule::fee_for(Side side, Price price, Quantity quantity, Liquidity liquidity,
                                 std::optional<Price> fee_asset_price) const {
  if (price.is_negative() || quantity.is_negative()) {
    return fail(ErrorCode::InvalidArgument, "fee of a fill at price {} quantity {}", price, quantity);
  }
  const FeeRate fee_rate = rate(liquidity);
  if (policy_ == FeeAssetPolicy::ReceivedAsset && side == Side::Buy) {
    auto amount = fee_rate.fee_on(Notional::from_quantity(quantity));
    if (!amount) return fail(std::move(amount.error()));
    return Fee{base_, *amount};
  }
  const Notional traded = price * quantity;  // quote
  if (policy_ == FeeAssetPolicy::NamedAsset) {
    if (!fee_asset_price || !fee_asset_price->is_positive()) {
      return fail(ErrorCode::InvalidArgument, "fee in {} needs a positive {} price", fee_asset_, fee_asset_);
    }
    Int128 scaled = 0;  // price × quantity × rate in 10^-24 quote units
    if (__builtin_mul_overflow(traded.raw(), static_cast<Int128>(fee_rate.raw()), &scaled)) {
      return fail(ErrorCode::OutOfRange, "fee of {} × {} overflows", price, quantity);
    }
    // 10^-24 quote units / (price 10^-8 quote per fee-asset unit) = 10^-16; then to 10^-8.
    auto amount = to_fee_units(scaled, static_cast<Int128>(fee_asset_price->raw()) * kOne);
    if (!amount) return fail(std::move(amount.error()));
    return Fee{fee_asset_, *amount};
  }
  auto amount = fee_rate.fee_on(traded);
  if (!amount) return fail(std::move(amount.error()));
  return Fee{quote_, *amount};
}

const Asset& FeeSchedule::fee_asset_for(Side side) const noexcept {
  switch (policy_) {
    case FeeAssetPolicy::ReceivedAsset:
      return side == Side::Buy ? base_ : quote_;
    case FeeAssetPolicy::QuoteAsset:
      return quote_;
    case FeeAssetPolicy::NamedAsset:
      break;
  }
  return fee_asset_;
}

Result<FeeTotals> FeeSchedule::trade_fees(Side side, Price price, Quantity quantity, Liquidity liquidity,
                                          std::optional<Price> fee_asset_price) const {
  auto fee = fee_for(side, price, quantity, liquidity, fee_asset_price);
  if (!fee) return fail(std::move(fee.error()));
  FeeTotals totals;
  if (auto added = totals.add(*fee); !added) return fail(std::move(added.error()));
  for (const Fee& flat : flat_fees_) {
    if (auto added = totals.add(flat); !added) return fail(std::move(added.error()));
  }
  return totals;
}

}  // namespace colibri::model
