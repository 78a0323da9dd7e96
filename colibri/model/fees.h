#pragma once
// Trading fees: what a fill costs (Hummingbot's TradeFeeSchema / TradeFeeBase), exactly.
//
//   FeeRate       a fee rate as an exact FRACTION of the traded value with 8 decimals: 0.001 means
//                 0.1 % (Hummingbot's `maker_percent_fee_decimal`). Config files written in percent
//                 (Hummingbot's fee overrides: `maker_percent_fee: 0.1`) go through parse_percent().
//                 May be negative: a maker rebate.
//   FeeSchedule   one account's fees on one market: maker and taker rates, flat fees per fill, and
//                 the asset the percentage fee is charged in (FeeAssetPolicy).
//   FeeTotals     fees summed by asset, inline (no heap): an order's cumulative fees.
//
// Fee asset policy (which asset pays the percentage fee):
//   ReceivedAsset  Binance spot's default (no BNB discount): the fee is taken from the asset you
//                  RECEIVE: base on buys (rate × quantity), quote on sells (rate × price × quantity).
//   QuoteAsset     always quote (rate × price × quantity); Binance USD-M futures, most venues.
//   NamedAsset     a third asset such as BNB (Binance "use BNB for fees"): rate × price × quantity
//                  converted at a price, in quote per unit of that asset, supplied by the caller.
//
// Rounding: every fee is rounded UP (toward +infinity) to the 1e-8 unit, so a fee is never
// under-charged and a rebate (negative fee) is never over-credited. Binance itself truncates its
// commission to the asset's precision; rounding up means a simulated or estimated fee is at most one
// unit of 1e-8 more conservative than the venue's. FeeRate::fee_on() is the one place this rule is
// computed: FeeSchedule::fee_for(), the simulator (which rounds each order's running total) and the
// budget checker all go through it.
//
// Value types; not synchronized (const use from several threads is safe).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "colibri/core/decimal.h"
#include "colibri/core/result.h"
#include "colibri/model/market_data.h"
#include "colibri/model/order.h"

namespace colibri::model {

// A fee rate: an exact fraction with 8 decimals (raw units of 1e-8; 100'000 raw = 0.001 = 0.1 %).
class FeeRate {
 public:
  constexpr FeeRate() = default;
  static constexpr FeeRate from_raw(std::int64_t units) noexcept { return FeeRate(units); }
  // "0.001" -> 0.1 %. InvalidArgument/OutOfRange as for Quantity::parse, and for |rate| >= 1.
  static Result<FeeRate> parse_fraction(std::string_view text);
  // "0.1" (percent) -> 0.001. InvalidArgument when the fraction needs more than 8 decimals.
  static Result<FeeRate> parse_percent(std::string_view text);

  [[nodiscard]] constexpr std::int64_t raw() const noexcept { return raw_; }
  [[nodiscard]] constexpr bool is_negative() const noexcept { return raw_ < 0; }
  [[nodiscard]] std::string to_string() const;  // the fraction, shortest exact text ("0.001")

  // The fee at this rate on `amount` of the asset the fee is charged in, rounded UP to 1e-8 (the
  // rule above). `amount` is in Notional's 1e-16 units: `price * quantity` for a fee in quote,
  // `Notional::from_quantity(quantity)` for a fee in base. Exact for either sign; OutOfRange when
  // the fee does not fit a Quantity. Never allocates.
  [[nodiscard]] Result<Quantity> fee_on(Notional amount) const;
  friend constexpr auto operator<=>(FeeRate, FeeRate) noexcept = default;

 private:
  constexpr explicit FeeRate(std::int64_t raw) noexcept : raw_(raw) {}
  std::int64_t raw_ = 0;
};

enum class FeeAssetPolicy : std::uint8_t { ReceivedAsset, QuoteAsset, NamedAsset };

// Fees summed per asset in a small inline array: adding a fee never allocates.
// Invariants: (1) at most kCapacity entries; (2) no two entries share an asset; (3) entries keep the
// order in which their asset first appeared.
class FeeTotals {
 public:
  static constexpr std::size_t kCapacity = 4;

  // Adds `fee` to its asset's entry (creating it). OutOfRange, with nothing changed, when a fifth
  // asset appears or the sum overflows Quantity. A zero fee with an empty asset is ignored.
  [[nodiscard]] Result<void> add(const Fee& fee);
  // The total in `asset`; zero when none was charged.
  [[nodiscard]] Quantity amount_of(const Asset& asset) const noexcept;
  [[nodiscard]] std::span<const Fee> fees() const noexcept { return {fees_.data(), size_}; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  friend bool operator==(const FeeTotals& a, const FeeTotals& b) noexcept;

 private:
  std::array<Fee, kCapacity> fees_{};
  std::size_t size_ = 0;
};

// One account's fees on one market.
// Invariants: base and quote are not empty; fee_asset is set iff policy == NamedAsset.
class FeeSchedule {
 public:
  // InvalidArgument when base/quote are empty, or policy NamedAsset comes without a fee asset.
  static Result<FeeSchedule> create(Asset base, Asset quote, FeeRate maker, FeeRate taker,
                                    FeeAssetPolicy policy = FeeAssetPolicy::ReceivedAsset,
                                    Asset fee_asset = {});

  // Adds a flat fee charged once per fill in its own asset (Hummingbot's flat_fees).
  void add_flat_fee(const Fee& fee) { flat_fees_.push_back(fee); }

  // The percentage fee of one fill (see the policy and rounding rules at the top of this file).
  // `fee_asset_price` (quote per unit of the fee asset, > 0) is required under NamedAsset and
  // ignored otherwise. InvalidArgument when it is missing or not positive, or when price or quantity
  // is negative; OutOfRange when the fee does not fit Quantity. Never allocates.
  [[nodiscard]] Result<Fee> fee_for(Side side, Price price, Quantity quantity, Liquidity liquidity,
                                    std::optional<Price> fee_asset_price = std::nullopt) const;
  // fee_for() plus the flat fees, summed by asset. Errors as fee_for() and FeeTotals::add().
  [[nodiscard]] Result<FeeTotals> trade_fees(Side side, Price price, Quantity quantity, Liquidity liquidity,
                                             std::optional<Price> fee_asset_price = std::nullopt) const;

  // The asset the percentage fee of a fill on `side` is charged in under the policy: base or quote
  // under ReceivedAsset (what the fill gives), quote under QuoteAsset, fee_asset() under NamedAsset.
  [[nodiscard]] const Asset& fee_asset_for(Side side) const noexcept;

  [[nodiscard]] FeeRate maker() const noexcept { return maker_; }
  [[nodiscard]] FeeRate taker() const noexcept { return taker_; }
  [[nodiscard]] FeeRate rate(Liquidity liquidity) const noexcept {
    return liquidity == Liquidity::Maker ? maker_ : taker_;
  }
  [[nodiscard]] FeeAssetPolicy policy() const noexcept { return policy_; }
  [[nodiscard]] const Asset& base() const noexcept { return base_; }
  [[nodiscard]] const Asset& quote() const noexcept { return quote_; }
  [[nodiscard]] const Asset& fee_asset() const noexcept { return fee_asset_; }
  [[nodiscard]] std::span<const Fee> flat_fees() const noexcept { return flat_fees_; }

 private:
  FeeSchedule() = default;
  Asset base_;
  Asset quote_;
  FeeRate maker_;
  FeeRate taker_;
  FeeAssetPolicy policy_ = FeeAssetPolicy::ReceivedAsset;
  Asset fee_asset_;
  std::vector<Fee> flat_fees_;
};

}  // namespace colibri::model
