// Test that header file is self-contained.
#include <ddb/value/number.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace ddb;

namespace {
value_errc code_of(std::string_view text) {
    try {
        number n(text);
    } catch (const value_error& e) {
        return static_cast<value_errc>(e.code().value());
    }
    return {};
}
} // namespace

TEST_CASE("number: DynamoDB's decimal rules", "[value]") {
    for (auto ok :
         {"0",
          "-0",
          "42",
          "-42",
          "+7",
          "3.14",
          ".5",
          "5.",
          "1e5",
          "1E-5",
          "0012.3400",
          "00000",
          "12345678901234567890123456789012345678",         // 38 digits
          "1234567890123456789012345678901234567800000000", // 38 significant + zeros
          "0.00000000000000000000000000000000000000000012345678901234567890123456789012345678",
          "1E-130",
          "-1E-130",
          "9.9999999999999999999999999999999999999E+125",
          "-9.9999999999999999999999999999999999999E+125",
          "0E+999999"}) {
        INFO(ok);
        CHECK(code_of(ok) == value_errc{});
    }
    CHECK(code_of("123456789012345678901234567890123456789") == value_errc::too_many_digits);
    CHECK(code_of("1.23456789012345678901234567890123456789") == value_errc::too_many_digits);
    CHECK(code_of("1E-131") == value_errc::number_out_of_range);
    CHECK(code_of("9.9E-131") == value_errc::number_out_of_range);
    CHECK(code_of("1E126") == value_errc::number_out_of_range);
    CHECK(code_of("10E125") == value_errc::number_out_of_range);
    CHECK(code_of("1E99999999999") == value_errc::number_out_of_range);
    for (auto bad : {"", "-", "abc", "1.2.3", "1e", "1e+", "--1", "1 ", " 1", "0x10", "1,5", "NaN",
                     "Infinity", "١"}) {
        INFO(bad);
        CHECK(code_of(bad) == value_errc::invalid_number);
    }
}

TEST_CASE("number: lossless text, value equality, significant digits", "[value]") {
    number n("0012.3400");
    CHECK(n.str() == "0012.3400");
    CHECK(n.significant_digits() == 4);
    CHECK(n == number("12.34"));
    CHECK(number("1") == number("1.0"));
    CHECK(number("15e-1") == number("1.5"));
    CHECK(number("-0") == number("0"));
    CHECK_FALSE(number("1") == number("-1"));
    CHECK(number("12345678901234567890123456789012345678").str() ==
          "12345678901234567890123456789012345678");
    CHECK(number().significant_digits() == 0);
}

TEST_CASE("number: checked integer and double conversions", "[value]") {
    CHECK(number(std::numeric_limits<std::int64_t>::min()).as<std::int64_t>() ==
          std::numeric_limits<std::int64_t>::min());
    CHECK(number(std::numeric_limits<std::uint64_t>::max()).as<std::uint64_t>() ==
          std::numeric_limits<std::uint64_t>::max());
    CHECK(number("1e3").as<int>() == 1000);
    CHECK(number("-12").as<std::int8_t>() == -12);
    CHECK_THROWS_AS(number("300").as<std::uint8_t>(), value_error);
    CHECK_THROWS_AS(number("1.5").as<int>(), value_error);
    CHECK_THROWS_AS(number("-1").as<unsigned>(), value_error);
    CHECK_THROWS_AS(number("99999999999999999999").as<std::int64_t>(), value_error);
    CHECK(number(0.1).str() == "0.1");
    CHECK(number(0.1).as_double() == 0.1);
    CHECK(number(-2.5e-7).as_double() == -2.5e-7);
    CHECK_THROWS_AS(number(std::nan("")), value_error);
    CHECK_THROWS_AS(number(std::numeric_limits<double>::infinity()), value_error);
    CHECK_THROWS_AS(number(1e300), value_error);  // beyond 9.99E+125
    CHECK_THROWS_AS(number(1e-200), value_error); // below 1E-130
}
