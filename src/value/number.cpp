#include <ddb/value/number.hpp>

#include <charconv>
#include <cmath>
#include <limits>

namespace ddb {

namespace {

// A decimal as sign, significant digits (no leading or trailing zeros) and
// the power of ten of the last digit: value = ±digits × 10^exp10.
struct decimal {
    bool negative = false;
    std::string digits; // empty for zero
    long exp10 = 0;
};

[[noreturn]] void invalid(std::string_view text, value_errc e, std::string_view why) {
    throw value_error(e, "invalid number '" + std::string(text.substr(0, 64)) +
                             "': " + std::string(why));
}

decimal parse(std::string_view text) {
    decimal d;
    std::size_t i = 0;
    if (i < text.size() && (text[i] == '+' || text[i] == '-'))
        d.negative = text[i++] == '-';
    std::string all;
    long fraction_digits = 0;
    bool any = false, point = false;
    for (; i < text.size(); ++i) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            all.push_back(c);
            any = true;
            if (point)
                ++fraction_digits;
        } else if (c == '.' && !point) {
            point = true;
        } else {
            break;
        }
    }
    if (!any)
        invalid(text, value_errc::invalid_number, "no digits");
    long exponent = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool neg = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-'))
            neg = text[i++] == '-';
        std::size_t start = i;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
            if (exponent < 100000)
                exponent = exponent * 10 + (text[i] - '0');
        if (i == start)
            invalid(text, value_errc::invalid_number, "exponent without digits");
        if (neg)
            exponent = -exponent;
    }
    if (i != text.size())
        invalid(text, value_errc::invalid_number, "unexpected character");
    std::size_t lead = all.find_first_not_of('0');
    if (lead == std::string::npos)
        return d; // zero (any exponent)
    std::size_t last = all.find_last_not_of('0');
    d.digits = all.substr(lead, last - lead + 1);
    d.exp10 = exponent - fraction_digits + static_cast<long>(all.size() - 1 - last);
    return d;
}

void validate(std::string_view text, const decimal& d) {
    if (d.digits.empty())
        return;
    if (d.digits.size() > 38)
        invalid(text, value_errc::too_many_digits, "more than 38 significant digits");
    long adjusted = d.exp10 + static_cast<long>(d.digits.size()) - 1; // exponent of the first digit
    if (adjusted < -130 || adjusted > 125)
        invalid(text, value_errc::number_out_of_range, "magnitude outside 1E-130 .. 9.99E+125");
}

} // namespace

number::number(std::string_view text)
    : text_(text) {
    auto d = parse(text);
    validate(text, d);
    digits_ = static_cast<int>(d.digits.size());
}

number::number(std::int64_t v)
    : number(std::string_view(std::to_string(v))) {}
number::number(std::uint64_t v)
    : number(std::string_view(std::to_string(v))) {}

number::number(double v) {
    if (!std::isfinite(v))
        throw value_error(value_errc::not_finite, "NaN or infinite double is not a number");
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v); // shortest round-trip form
    text_.assign(buf, end);
    auto d = parse(text_);
    validate(text_, d);
    digits_ = static_cast<int>(d.digits.size());
}

std::string number::canonical() const {
    auto d = parse(text_);
    if (d.digits.empty())
        return "0";
    std::string s = d.negative ? "-" : "";
    s += d.digits;
    s += "E" + std::to_string(d.exp10);
    return s;
}

namespace {
// |value| as an unsigned 64-bit integer, if it is an integer that fits.
bool magnitude(const decimal& d, std::uint64_t& out) {
    out = 0;
    if (d.digits.empty())
        return true;
    if (d.exp10 < 0)
        return false;
    for (char c : d.digits)
        if (__builtin_mul_overflow(out, 10u, &out) ||
            __builtin_add_overflow(out, unsigned(c - '0'), &out))
            return false;
    for (long i = 0; i < d.exp10; ++i)
        if (__builtin_mul_overflow(out, 10u, &out))
            return false;
    return true;
}
} // namespace

std::int64_t number::as_int64() const {
    auto d = parse(text_);
    std::uint64_t m;
    constexpr std::uint64_t limit =
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (!magnitude(d, m) || m > limit + (d.negative ? 1 : 0))
        throw value_error(value_errc::number_not_representable,
                          "number " + text_ + " is not a 64-bit integer");
    if (!d.negative)
        return static_cast<std::int64_t>(m);
    return m == limit + 1 ? std::numeric_limits<std::int64_t>::min()
                          : -static_cast<std::int64_t>(m);
}

std::uint64_t number::as_uint64() const {
    auto d = parse(text_);
    std::uint64_t m;
    if (!magnitude(d, m) || (d.negative && m != 0))
        throw value_error(value_errc::number_not_representable,
                          "number " + text_ + " is not an unsigned 64-bit integer");
    return m;
}

double number::as_double() const {
    double v = 0;
    std::string_view t = text_;
    if (!t.empty() && t[0] == '+')
        t.remove_prefix(1);
    std::from_chars(t.data(), t.data() + t.size(), v);
    return v;
}

} // namespace ddb
