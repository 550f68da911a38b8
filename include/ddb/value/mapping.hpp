// ddb — structs to items and back, through Boost.Describe.
//
//   struct account { std::string id; std::int64_t balance; std::optional<std::string> note; };
//   BOOST_DESCRIBE_STRUCT(account, (), (id, balance, note))
//   ddb::item it = ddb::to_item(account{"a-1", 100, {}});
//   account back = ddb::from_item<account>(it);
//
// Representations:
//   std::string, const char*            S
//   integers, floating point            N (doubles as their shortest exact text)
//   bool                                BOOL
//   ddb::bytes (std::vector<uint8_t>)   B
//   std::optional<T>                    T, or no attribute when empty (NULL reads as empty)
//   std::vector<T>                      L
//   std::set<std::string>               SS; std::set of integers: NS (an empty set: no attribute)
//   std::map<std::string, T>            M
//   described structs                   M
//   std::chrono::system_clock::time_point
//                                       N: nanoseconds since the Unix epoch (lossless and
//                                       sortable; use an integer seconds member for TTL)
//   ddb::attribute_value, ddb::number   as they are
//
// Errors (`value_error`) name the attribute path: `Item.owner.address.city`.
#pragma once

#include <ddb/value/item.hpp>

#include <boost/describe.hpp>
#include <boost/mp11/algorithm.hpp>

#include <chrono>
#include <cstdint>
#include <ddb/core/type_traits.hpp>
#include <map>
#include <optional>

#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace ddb {

namespace mapping_detail {

using detail::is_optional;
using detail::is_set;
using detail::is_string_map;
using detail::is_vector;

template <class T>
constexpr bool is_described = boost::describe::has_describe_members<T>::value;

[[noreturn]] inline void mismatch(std::string_view path, std::string_view want,
                                  const attribute_value& got) {
    throw value_error(value_errc::type_mismatch, std::string(path) + ": expected " +
                                                     std::string(want) + ", found " +
                                                     std::string(got.type_name()));
}

} // namespace mapping_detail

template <class T>
attribute_value to_value(const T& x);
template <class T>
T from_value(const attribute_value& v, std::string_view path);

/// The item of a described struct (members with empty optionals or empty
/// sets are left out).
template <class T>
item to_item(const T& x) {
    static_assert(mapping_detail::is_described<T>,
                  "describe the struct with BOOST_DESCRIBE_STRUCT");
    item it;
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
        [&](auto member) {
            using M = std::remove_cvref_t<decltype(x.*member.pointer)>;
            const auto& value = x.*member.pointer;
            if constexpr (mapping_detail::is_optional<M>::value) {
                if (!value)
                    return;
            }
            if constexpr (mapping_detail::is_set<M>::value) {
                if (value.empty())
                    return;
            }
            it.emplace(member.name, to_value(value));
        });
    return it;
}

/// A described struct from an item. Every non-optional member must have an
/// attribute; unknown attributes are ignored.
template <class T>
T from_item(const item& it, std::string_view path = "Item") {
    static_assert(mapping_detail::is_described<T>,
                  "describe the struct with BOOST_DESCRIBE_STRUCT");
    T x{};
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
        [&](auto member) {
            using M = std::remove_cvref_t<decltype(x.*member.pointer)>;
            std::string sub = std::string(path) + "." + member.name;
            auto found = it.find(std::string_view(member.name));
            if (found == it.end()) {
                if constexpr (mapping_detail::is_optional<M>::value ||
                              mapping_detail::is_set<M>::value)
                    return;
                throw value_error(value_errc::missing_attribute, sub + ": missing");
            } else {
                x.*member.pointer = from_value<M>(found->second, sub);
            }
        });
    return x;
}

template <class T>
attribute_value to_value(const T& x) {
    using namespace mapping_detail;
    if constexpr (std::is_same_v<T, attribute_value>)
        return x;
    else if constexpr (std::is_same_v<T, number>)
        return attribute_value(x);
    else if constexpr (std::is_same_v<T, bool>)
        return attribute_value(x);
    else if constexpr (std::is_convertible_v<const T&, std::string_view>)
        return attribute_value(std::string(std::string_view(x)));
    else if constexpr (std::is_integral_v<T>) {
        if constexpr (std::is_signed_v<T>)
            return attribute_value(number(static_cast<std::int64_t>(x)));
        else
            return attribute_value(number(static_cast<std::uint64_t>(x)));
    } else if constexpr (std::is_floating_point_v<T>)
        return attribute_value(number(static_cast<double>(x)));
    else if constexpr (std::is_same_v<T, bytes>)
        return attribute_value::b(x);
    else if constexpr (std::is_same_v<T, std::chrono::system_clock::time_point>)
        return attribute_value(number(static_cast<std::int64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(x.time_since_epoch()).count())));
    else if constexpr (is_optional<T>::value)
        return x ? to_value(*x) : attribute_value::null();
    else if constexpr (is_vector<T>::value) {
        attribute_value::list_type l;
        l.reserve(x.size());
        for (auto& e : x)
            l.push_back(to_value(e));
        return attribute_value(std::move(l));
    } else if constexpr (is_set<T>::value) {
        using E = typename T::value_type;
        if constexpr (std::is_convertible_v<const E&, std::string_view>)
            return attribute_value::ss(std::vector<std::string>(x.begin(), x.end()));
        else {
            static_assert(std::is_integral_v<E>, "sets map to SS (strings) or NS (integers)");
            std::vector<number> m;
            for (auto& e : x)
                m.push_back(to_value(e).as_n());
            return attribute_value::ns(std::move(m));
        }
    } else if constexpr (is_string_map<T>::value) {
        attribute_value::map_type m;
        for (auto& [k, v] : x)
            m.emplace(k, to_value(v));
        return attribute_value(std::move(m));
    } else {
        static_assert(is_described<T>, "no DynamoDB representation for this type");
        return attribute_value(to_item(x));
    }
}

template <class T>
T from_value(const attribute_value& v, std::string_view path) {
    using namespace mapping_detail;
    using kind = attribute_value::kind;
    auto need = [&](kind k, std::string_view name) {
        if (v.type() != k)
            mismatch(path, name, v);
    };
    auto integer = [&]<class I>(std::type_identity<I>) -> I {
        try {
            return v.as_n().template as<I>();
        } catch (const value_error& e) {
            throw value_error(value_errc::number_not_representable,
                              std::string(path) + ": " + e.what());
        }
    };
    {
        if constexpr (std::is_same_v<T, attribute_value>)
            return v;
        else if constexpr (std::is_same_v<T, number>) {
            need(kind::N, "N");
            return v.as_n();
        } else if constexpr (std::is_same_v<T, bool>) {
            need(kind::BOOL, "BOOL");
            return v.as_bool();
        } else if constexpr (std::is_same_v<T, std::string>) {
            need(kind::S, "S");
            return v.as_s();
        } else if constexpr (std::is_integral_v<T>) {
            need(kind::N, "N");
            return integer(std::type_identity<T>{});
        } else if constexpr (std::is_floating_point_v<T>) {
            need(kind::N, "N");
            return static_cast<T>(v.as_n().as_double());
        } else if constexpr (std::is_same_v<T, bytes>) {
            need(kind::B, "B");
            return v.as_b();
        } else if constexpr (std::is_same_v<T, std::chrono::system_clock::time_point>) {
            need(kind::N, "N (nanoseconds since the epoch)");
            return std::chrono::system_clock::time_point(
                std::chrono::duration_cast<std::chrono::system_clock::duration>(
                    std::chrono::nanoseconds(integer(std::type_identity<std::int64_t>{}))));
        } else if constexpr (is_optional<T>::value) {
            if (v.is_null())
                return T{};
            return T(from_value<typename T::value_type>(v, path));
        } else if constexpr (is_vector<T>::value) {
            need(kind::L, "L");
            T out;
            std::size_t i = 0;
            for (auto& e : v.as_l())
                out.push_back(from_value<typename T::value_type>(e, std::string(path) + "[" +
                                                                        std::to_string(i++) + "]"));
            return out;
        } else if constexpr (is_set<T>::value) {
            using E = typename T::value_type;
            if constexpr (std::is_convertible_v<const E&, std::string_view>) {
                need(kind::SS, "SS");
                return T(v.as_ss().begin(), v.as_ss().end());
            } else {
                need(kind::NS, "NS");
                T out;
                for (auto& n : v.as_ns()) {
                    try {
                        out.insert(n.template as<E>());
                    } catch (const value_error& e) {
                        throw value_error(value_errc::number_not_representable,
                                          std::string(path) + ": " + e.what());
                    }
                }
                return out;
            }
        } else if constexpr (is_string_map<T>::value) {
            need(kind::M, "M");
            T out;
            for (auto& [k, e] : v.as_m())
                out.emplace(k, from_value<typename T::mapped_type>(e, std::string(path) + "." + k));
            return out;
        } else {
            static_assert(is_described<T>, "no DynamoDB representation for this type");
            need(kind::M, "M");
            return from_item<T>(v.as_m(), path);
        }
    }
}

} // namespace ddb
