#include "colibri/core/decimal.h"

#include <type_traits>

#include <gtest/gtest.h>

namespace colibri {
namespace {

TEST(Price, ParsesExchangeStringsExactly) {
  EXPECT_EQ(Price::parse("61837.63000000")->raw(), 6'183'763'000'000);
  EXPECT_EQ(Quantity::parse("0.00000000")->raw(), 0);
  EXPECT_EQ(Quantity::parse("0.00000001")->raw(), 1);
  EXPECT_EQ(Price::parse("92233720368.54775807")->raw(), INT64_MAX);
  EXPECT_EQ(Price::parse("-1.5")->raw(), -150'000'000);
  EXPECT_EQ(Price::parse("007")->raw(), 700'000'000);
  // Zeros past the 8th decimal lose nothing and are accepted.
  EXPECT_EQ(Price::parse("1.0000000000")->raw(), 100'000'000);
}

// detail::divide takes a 64-bit path when both operands fit and the 128-bit one otherwise: both
// round the same way, for either sign of the dividend.
TEST(Divide, RoundsAlikeOnTheNarrowAndTheWidePath) {
  const Int128 wide = static_cast<Int128>(1) << 64;  // past 64 bits: the 128-bit path
  struct Case {
    Int128 dividend;
    Int128 divisor;
    Rounding rounding;
    Int128 expected;
  };
  const Case cases[] = {
      {7, 2, Rounding::Down, 3},         {-7, 2, Rounding::Down, -4},
      {7, 2, Rounding::Up, 4},           {-7, 2, Rounding::Up, -3},
      {7, 2, Rounding::TowardZero, 3},   {-7, 2, Rounding::TowardZero, -3},
      {5, 2, Rounding::NearestEven, 2},  {7, 2, Rounding::NearestEven, 4},
      {-5, 2, Rounding::NearestEven, -2}, {-7, 2, Rounding::NearestEven, -4},
      {8, 3, Rounding::NearestEven, 3},  {6, 3, Rounding::NearestEven, 2},
      {INT64_MIN, 3, Rounding::Down, INT64_MIN / 3 - 1},
  };
  for (const Case& c : cases) {
    EXPECT_TRUE(detail::divide(c.dividend, c.divisor, c.rounding) == c.expected)
        << static_cast<std::int64_t>(c.dividend) << " / " << static_cast<std::int64_t>(c.divisor);
    // The same division scaled past 64 bits (dividend and divisor times 2^64: same quotient).
    EXPECT_TRUE(detail::divide(c.dividend * wide, c.divisor * wide, c.rounding) == c.expected)
        << "wide " << static_cast<std::int64_t>(c.dividend) << " / " << static_cast<std::int64_t>(c.divisor);
  }
  // A wide dividend over a narrow divisor.
  EXPECT_TRUE(detail::divide(wide + 1, 2, Rounding::Up) == wide / 2 + 1);
  EXPECT_TRUE(detail::divide(wide + 1, 2, Rounding::NearestEven) == wide / 2);
}

// Exactly 8 decimals are read 8 digits at a time; every other count digit by digit. Both agree,
// and a non-digit among the 8 falls back to the digit loop, which rejects it.
TEST(Price, EightDecimalsAtATimeAgreeWithDigitByDigit) {
  EXPECT_EQ(Price::parse("61837.63000000")->raw(), Price::parse("61837.63")->raw());
  EXPECT_EQ(Quantity::parse("0.12345678")->raw(), 12'345'678);
  EXPECT_EQ(Quantity::parse("9.99999999")->raw(), 999'999'999);
  EXPECT_EQ(Quantity::parse("1.12345678000")->raw(), 112'345'678);
  EXPECT_EQ(Quantity::parse("-0.00000001")->raw(), -1);
  for (const char* bad : {"1.1234567x", "1.12345678x", "1.123456789", "1.1234:678", "1.1234/678", "1.12345678.0"}) {
    EXPECT_FALSE(Quantity::parse(bad)) << bad;
  }
  // A prefix parse stops where the decimal stops (a JSON string's closing quote).
  const std::string_view quoted = "3.78826000\"";
  std::int64_t raw = 0;
  const char* stop = detail::parse_fixed_prefix(quoted.data(), quoted.data() + quoted.size(), raw);
  ASSERT_NE(stop, nullptr);
  EXPECT_EQ(*stop, '"');
  EXPECT_EQ(raw, 378'826'000);
  const std::string_view empty;
  EXPECT_FALSE(Price::parse(empty));
}

TEST(Price, RejectsMalformedTextWithAClearMessage) {
  for (const char* bad : {"", "1.2.3", "NaN", "1e5", "+1", ".5", "1.", "-", " 1", "1 ", "0x10", "1,5"}) {
    auto r = Price::parse(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code(), ErrorCode::InvalidArgument) << bad;
    EXPECT_NE(r.error().message().find("price"), std::string::npos) << r.error().message();
  }
  auto too_precise = Quantity::parse("0.000000001");
  ASSERT_FALSE(too_precise);
  EXPECT_NE(too_precise.error().message().find("more than 8 decimal places"), std::string::npos);
  auto forty_digits = Price::parse("1234567890123456789012345678901234567890");
  ASSERT_FALSE(forty_digits);
  EXPECT_EQ(forty_digits.error().code(), ErrorCode::OutOfRange);
  EXPECT_FALSE(Price::parse("92233720368.54775808"));
}

TEST(Price, ErrorMessagesEscapeControlBytes) {
  auto r = Price::parse(std::string_view("1\n2", 3));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message().find('\n'), std::string::npos);
  EXPECT_NE(r.error().message().find("\\x0a"), std::string::npos);
}

TEST(Price, RoundTripsExactly) {
  for (const char* text : {"61837.63", "0", "0.00000001", "-0.5", "92233720368.54775807", "1", "100.1"}) {
    auto p = Price::parse(text);
    ASSERT_TRUE(p) << text;
    EXPECT_EQ(p->to_string(), text);
    EXPECT_EQ(Price::parse(p->to_string())->raw(), p->raw());
  }
  EXPECT_EQ(Price::parse("61837.63000000")->to_string(8), "61837.63000000");
}

TEST(Price, FormatsAtARequestedPrecision) {
  const Price p = *Price::parse("61837.639");
  EXPECT_EQ(p.to_string(2), "61837.63");  // toward zero
  EXPECT_EQ(p.to_string(0), "61837");
  EXPECT_EQ(p.to_string(10), "61837.6390000000");
  EXPECT_EQ((-p).to_string(2), "-61837.63");
  EXPECT_EQ(Price::parse("-0.001")->to_string(2), "0.00");  // no "-0.00"
  EXPECT_EQ(fmt::format("{}", p), "61837.639");
}

TEST(Price, ArithmeticIsCheckedNeverSilent) {
  const Price max = Price::max();
  EXPECT_THROW((void)(max + Price::from_raw(1)), FixedPointOverflow);
  EXPECT_THROW((void)(Price::from_raw(INT64_MIN) - Price::from_raw(1)), FixedPointOverflow);
  EXPECT_THROW((void)(max * 2), FixedPointOverflow);
  auto r = max.checked_add(Price::from_raw(1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::OutOfRange);
  EXPECT_EQ((Price::from_int(3) - Price::from_int(5)).to_string(), "-2");
}

TEST(Price, DistinctTypesDoNotMix) {
  static_assert(!std::is_convertible_v<Price, Quantity>);
  static_assert(!std::is_convertible_v<Quantity, Price>);
  static_assert(!std::is_convertible_v<double, Price>);
  static_assert(std::is_same_v<decltype(Price{} * Quantity{}), Notional>);
}

TEST(Price, RoundsToSteps) {
  const Price tick = *Price::parse("0.01");
  const Price p = *Price::parse("100.019");
  EXPECT_EQ(p.round_to(tick, Rounding::Down).to_string(), "100.01");
  EXPECT_EQ(p.round_to(tick, Rounding::Up).to_string(), "100.02");
  EXPECT_EQ(p.round_to(tick, Rounding::NearestEven).to_string(), "100.02");
  EXPECT_EQ((-p).round_to(tick, Rounding::Down).to_string(), "-100.02");
  EXPECT_EQ((-p).round_to(tick, Rounding::TowardZero).to_string(), "-100.01");
  EXPECT_EQ(Price::parse("100.015")->round_to(tick, Rounding::NearestEven).to_string(), "100.02");
  EXPECT_EQ(Price::parse("100.025")->round_to(tick, Rounding::NearestEven).to_string(), "100.02");
  EXPECT_TRUE(Price::parse("100.02")->is_multiple_of(tick));
  EXPECT_FALSE(p.is_multiple_of(tick));
}

TEST(Price, FromDoubleIsNearestAndRejectsNonFinite) {
  EXPECT_EQ(Price::from_double(61837.63)->raw(), 6'183'763'000'000);
  EXPECT_EQ(Price::from_double(0.1 + 0.2)->to_string(), "0.3");
  EXPECT_FALSE(Price::from_double(std::nan("")));
  EXPECT_FALSE(Price::from_double(1e300));
}

TEST(Notional, IsExactAndWide) {
  const Notional n = *Price::parse("61837.63") * *Quantity::parse("0.00014");
  EXPECT_EQ(n.to_string(), "8.6572682");
  const Notional big = Price::max() * Quantity::max();  // cannot overflow
  EXPECT_GT(big, Notional{});
  EXPECT_EQ((n - n).to_string(), "0");
  EXPECT_EQ(n.to_quantity(Rounding::Down)->to_string(), "8.6572682");
  const Notional third = *Notional::parse("1");
  EXPECT_EQ(third.divide_by(*Price::parse("3"), Rounding::Down)->to_string(), "0.33333333");
  EXPECT_EQ(third.divide_by(*Price::parse("3"), Rounding::Up)->to_string(), "0.33333334");
  EXPECT_FALSE(third.divide_by(Price::zero(), Rounding::Down));
  EXPECT_EQ(Notional::parse("-12.0000000000000001")->to_string(), "-12.0000000000000001");
  EXPECT_EQ(Notional::from_quantity(*Quantity::parse("2.5")).to_string(), "2.5");
}

}  // namespace
}  // namespace colibri
