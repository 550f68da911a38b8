// ddb — a DynamoDB number, kept as its decimal text (lossless).
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/value/error.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

namespace ddb {

/// A DynamoDB number (type N). DynamoDB numbers are decimals of up to 38
/// significant digits with magnitudes from 1E-130 to
/// 9.9999999999999999999999999999999999999E+125 (or zero); doubles cannot
/// hold them exactly, so ddb keeps the decimal text and validates it on
/// construction. Every constructor throws `value_error` for an invalid number.
class number {
public:
    /// Zero.
    number()
        : text_("0")
        , digits_(0) {}
    /// From decimal text ("-12.5", "1e-7", "0012.300"): validated, kept as given.
    explicit number(std::string_view text);
    number(std::int64_t v);
    number(std::uint64_t v);
    number(int v)
        : number(static_cast<std::int64_t>(v)) {}
    number(unsigned v)
        : number(static_cast<std::uint64_t>(v)) {}
    number(long long v)
        : number(static_cast<std::int64_t>(v)) {}
    number(unsigned long long v)
        : number(static_cast<std::uint64_t>(v)) {}
    /// The shortest decimal that reads back as `v`; NaN and infinities throw.
    explicit number(double v);

    /// The text as given (what goes on the wire).
    const std::string& str() const noexcept { return text_; }
    /// A canonical form ("1.50" and "15e-1" both give "1.5"), for comparing.
    std::string canonical() const;
    /// Significant digits after trimming leading and trailing zeros (0 for zero).
    int significant_digits() const noexcept { return digits_; }

    /// The value as an integer type; throws `number_not_representable` when it
    /// has a fraction or does not fit.
    template <class Int>
    Int as() const;
    /// The nearest double (may round).
    double as_double() const;

    /// Numeric equality: `number("1.0") == number("1")`.
    friend bool operator==(const number& a, const number& b) {
        return a.canonical() == b.canonical();
    }

private:
    std::int64_t as_int64() const;
    std::uint64_t as_uint64() const;
    std::string text_;
    int digits_;
};

template <class Int>
Int number::as() const {
    static_assert(std::is_integral_v<Int> && !std::is_same_v<Int, bool>);
    if constexpr (std::is_signed_v<Int>) {
        auto v = as_int64();
        if (v < static_cast<std::int64_t>(std::numeric_limits<Int>::min()) ||
            v > static_cast<std::int64_t>(std::numeric_limits<Int>::max()))
            throw value_error(value_errc::number_not_representable,
                              "number " + text_ + " does not fit the type");
        return static_cast<Int>(v);
    } else {
        auto v = as_uint64();
        if (v > static_cast<std::uint64_t>(std::numeric_limits<Int>::max()))
            throw value_error(value_errc::number_not_representable,
                              "number " + text_ + " does not fit the type");
        return static_cast<Int>(v);
    }
}

} // namespace ddb
