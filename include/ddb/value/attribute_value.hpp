// ddb — DynamoDB attribute values: all ten types, validated on construction.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/value/error.hpp>
#include <ddb/value/number.hpp>

#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace ddb {

/// Raw bytes of a B value (base64 only on the wire).
using bytes = std::vector<std::uint8_t>;

/// One DynamoDB AttributeValue: S, N, B, SS, NS, BS, M, L, NULL or BOOL.
///
/// Built with the named factories (`attribute_value::s("x")`, `::n(42)`,
/// `::ss({"a","b"})`, ...) or the converting constructors for strings,
/// numbers and booleans. Sets must be non-empty with unique members (numbers
/// compare by value), else `value_error` is thrown at construction, before
/// anything is sent. Accessors throw `value_errc::type_mismatch` when asked
/// for another type.
class attribute_value {
public:
    enum class kind { S, N, B, SS, NS, BS, M, L, NULL_, BOOL };
    using map_type = std::map<std::string, attribute_value, std::less<>>;
    using list_type = std::vector<attribute_value>;
    struct null_type {
        friend bool operator==(null_type, null_type) { return true; }
    };

    /// NULL.
    attribute_value()
        : v_(null_type{}) {}
    attribute_value(std::string s)
        : v_(std::move(s)) {}
    attribute_value(std::string_view s)
        : v_(std::string(s)) {}
    attribute_value(const char* s)
        : v_(std::string(s)) {}
    attribute_value(number n)
        : v_(std::move(n)) {}
    attribute_value(map_type m)
        : v_(std::move(m)) {}
    attribute_value(list_type l)
        : v_(std::move(l)) {}
    /// BOOL (only from a real bool: pointers and integers do not convert here).
    template <class B, std::enable_if_t<std::is_same_v<B, bool>, int> = 0>
    attribute_value(B b)
        : v_(b) {}

    static attribute_value s(std::string v) { return attribute_value(std::move(v)); }
    static attribute_value n(number v) { return attribute_value(std::move(v)); }
    static attribute_value b(bytes v);
    static attribute_value ss(std::vector<std::string> members);
    static attribute_value ns(std::vector<number> members);
    static attribute_value bs(std::vector<bytes> members);
    static attribute_value m(map_type v) { return attribute_value(std::move(v)); }
    static attribute_value l(list_type v) { return attribute_value(std::move(v)); }
    static attribute_value null() { return attribute_value(); }
    static attribute_value boolean(bool v) { return attribute_value(v); }

    kind type() const noexcept { return static_cast<kind>(v_.index()); }
    /// "S", "N", ... as on the wire.
    std::string_view type_name() const noexcept;

    const std::string& as_s() const { return get<std::string>(kind::S); }
    const number& as_n() const { return get<number>(kind::N); }
    const bytes& as_b() const { return get<bytes>(kind::B); }
    const std::vector<std::string>& as_ss() const {
        return get<std::vector<std::string>>(kind::SS);
    }
    const std::vector<number>& as_ns() const { return get<std::vector<number>>(kind::NS); }
    const std::vector<bytes>& as_bs() const { return get<std::vector<bytes>>(kind::BS); }
    const map_type& as_m() const { return get<map_type>(kind::M); }
    map_type& as_m() { return const_cast<map_type&>(std::as_const(*this).as_m()); }
    const list_type& as_l() const { return get<list_type>(kind::L); }
    list_type& as_l() { return const_cast<list_type&>(std::as_const(*this).as_l()); }
    bool as_bool() const { return get<bool>(kind::BOOL); }
    bool is_null() const noexcept { return type() == kind::NULL_; }

    /// The AttributeValue JSON ({"S":"x"}, {"N":"1"}, {"B":"<base64>"}, ...).
    boost::json::value to_json() const;
    /// Parses AttributeValue JSON; throws `value_error` (invalid_json,
    /// invalid_base64, number errors, set errors) naming `path`.
    static attribute_value from_json(const boost::json::value& json,
                                     std::string_view path = "value");

    /// DynamoDB's size of this value (without an attribute name): UTF-8 bytes
    /// of strings, raw bytes of binaries, 1 + ceil(digits / 2) for numbers
    /// (+ 1 when negative), 1 for NULL and BOOL, 3 + (1 + element size) per
    /// element for L and M (M elements also count their names); sets sum
    /// their members. Never below what DynamoDB counts.
    std::size_t size() const;

    /// Equality; sets compare as sets, numbers by value.
    friend bool operator==(const attribute_value& a, const attribute_value& b);

private:
    template <class T>
    const T& get(kind k) const;
    using storage =
        std::variant<std::string, number, bytes, std::vector<std::string>, std::vector<number>,
                     std::vector<bytes>, map_type, list_type, null_type, bool>;
    struct set_tag {};
    attribute_value(set_tag, storage v)
        : v_(std::move(v)) {}
    storage v_;
};

template <class T>
const T& attribute_value::get(kind k) const {
    if (type() != k)
        throw value_error(value_errc::type_mismatch, "attribute value is " +
                                                         std::string(type_name()) +
                                                         ", not the type asked for");
    return std::get<T>(v_);
}

/// Base64 (standard alphabet, padded), as DynamoDB uses for B values.
std::string base64_encode(const bytes& data);
/// Throws `value_error(invalid_base64)` for malformed input.
bytes base64_decode(std::string_view text);

} // namespace ddb
