#pragma once
// FeeModel: what one account pays on a fill. Deliberately tiny (a rate per liquidity side and
// which asset pays) so that it can later be unified with model/fees; the arithmetic lives in the
// free functions below so that every user rounds the same way.
//
// Rounding: a fee is rounded UP to 1e-8 of its asset (the venue never undercharges).
// Immutable after construction; safe to share between threads.

#include <cstdint>
#include <string_view>

#include "colibri/core/decimal.h"
#include "colibri/core/result.h"
#include "colibri/model/order.h"

namespace colibri::connector::sim {

struct FeeRateTag {
  static constexpr const char* kName = "fee rate";
};
// A fee rate as an exact decimal fraction of the traded amount ("0.001" = 0.1 %, 10 bps).
using FeeRate = Fixed<FeeRateTag>;

// Which asset pays the fee.
enum class FeeAsset : std::uint8_t {
  Received,  // Binance spot's default: the asset the fill gives us (base on buys, quote on sells)
  Base,      // always the base asset
  Quote,     // always the quote asset
};

[[nodiscard]] std::string_view to_string(FeeAsset asset) noexcept;

class FeeModel {
 public:
  virtual ~FeeModel() = default;
  [[nodiscard]] virtual FeeRate rate(model::Liquidity liquidity) const noexcept = 0;
  [[nodiscard]] virtual FeeAsset fee_asset() const noexcept = 0;
};

// Binance-style maker/taker rates (e.g. 0.001 / 0.001 for spot VIP 0 without BNB).
class MakerTakerFees final : public FeeModel {
 public:
  // InvalidArgument unless 0 <= rate < 1 for both (rebates are not modelled).
  [[nodiscard]] static Result<MakerTakerFees> create(FeeRate maker, FeeRate taker,
                                                     FeeAsset asset = FeeAsset::Received);
  [[nodiscard]] FeeRate rate(model::Liquidity liquidity) const noexcept override {
    return liquidity == model::Liquidity::Maker ? maker_ : taker_;
  }
  [[nodiscard]] FeeAsset fee_asset() const noexcept override { return asset_; }

 private:
  MakerTakerFees(FeeRate maker, FeeRate taker, FeeAsset asset) noexcept
      : maker_(maker), taker_(taker), asset_(asset) {}
  FeeRate maker_;
  FeeRate taker_;
  FeeAsset asset_;
};

// Whether the fee of a fill on `side` is paid in the base asset under `asset`.
[[nodiscard]] constexpr bool fee_in_base(FeeAsset asset, model::Side side) noexcept {
  return asset == FeeAsset::Base || (asset == FeeAsset::Received && side == model::Side::Buy);
}

// rate × base quantity, rounded up to 1e-8. OutOfRange if it does not fit.
[[nodiscard]] Result<Quantity> fee_on_base(Quantity base, FeeRate rate);
// rate × quote amount (a Notional, 1e-16 units), rounded up to 1e-8. OutOfRange if it does not fit.
[[nodiscard]] Result<Quantity> fee_on_quote(Notional quote, FeeRate rate);

}  // namespace colibri::connector::sim
