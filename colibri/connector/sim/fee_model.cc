#include "colibri/connector/sim/fee_model.h"

namespace colibri::connector::sim {

std::string_view to_string(FeeAsset asset) noexcept {
  switch (asset) {
    case FeeAsset::Received:
      return "received";
    case FeeAsset::Base:
      return "base";
    case FeeAsset::Quote:
      return "quote";
  }
  return "?";
}

Result<MakerTakerFees> MakerTakerFees::create(FeeRate maker, FeeRate taker, FeeAsset asset) {
  const FeeRate one = FeeRate::from_int(1);
  if (maker.is_negative() || maker >= one || taker.is_negative() || taker >= one) {
    return fail(ErrorCode::InvalidArgument, "fee rates must be in [0, 1): maker {} taker {}", maker, taker);
  }
  return MakerTakerFees(maker, taker, asset);
}

Result<Quantity> fee_on_base(Quantity base, FeeRate rate) {
  // base (1e-8) × rate (1e-8) = 1e-16 units; back to 1e-8 rounding up.
  const Int128 product = static_cast<Int128>(base.raw()) * rate.raw();
  const Int128 units = detail::divide(product, FeeRate::kScale, Rounding::Up);
  if (units > INT64_MAX || units < INT64_MIN) return fail(ErrorCode::OutOfRange, "fee on {} overflows", base);
  return Quantity::from_raw(static_cast<std::int64_t>(units));
}

Result<Quantity> fee_on_quote(Notional quote, FeeRate rate) {
  // quote (1e-16) × rate (1e-8) = 1e-24 units; back to 1e-8 rounding up (divide by 1e16).
  Int128 product = 0;
  if (__builtin_mul_overflow(quote.raw(), static_cast<Int128>(rate.raw()), &product)) {
    return fail(ErrorCode::OutOfRange, "fee on {} overflows", quote);
  }
  const Int128 units = detail::divide(product, Notional::kScale, Rounding::Up);
  if (units > INT64_MAX || units < INT64_MIN)
    return fail(ErrorCode::OutOfRange, "fee on {} overflows", quote);
  return Quantity::from_raw(static_cast<std::int64_t>(units));
}

}  // namespace colibri::connector::sim
