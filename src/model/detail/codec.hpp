// Internal: JSON encoding and decoding of the typed model through
// Boost.Describe. Wire names are derived from member names (snake_case to
// PascalCase; "sse" and "gb" are upper case; a trailing '_' is dropped), enum
// values are their enumerator names in upper case.
#pragma once

#include <ddb/core/type_traits.hpp>
#include <ddb/model/wire.hpp>
#include <ddb/value/attribute_value.hpp>
#include <ddb/value/item.hpp>

#include <boost/describe/enum.hpp>
#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ddb::model_detail {

/// `table_name` -> `TableName`.
std::string wire_name(std::string_view member);
/// `all_new` -> `ALL_NEW`.
std::string enum_wire_name(std::string_view enumerator);

/// A response field that is missing or of the wrong type; `path` grows as
/// the error leaves nested structs.
using field_error = model::wire_error;

/// GetRecords' answer (streams_codec.cpp). @throws field_error naming the
/// path ("Records[3].dynamodb.Keys.pk.N").
void decode_get_records(const boost::json::value& answer, get_records_response& out);
/// Its JSON form (records with their wire names; for tests and recordings).
void encode_get_records(const get_records_response& v, boost::json::object& out);
/// ApproximateCreationDateTime's seconds since the epoch as a time, or
/// nothing when not finite or beyond 9e9 s, the year 2255 (both GetRecords
/// decoders).
std::optional<std::chrono::system_clock::time_point> stream_time(double seconds);

using detail::is_optional;
using detail::is_string_map;
using detail::is_vector;

template <class T>
constexpr bool is_described_struct = boost::describe::has_describe_members<T>::value;

/// Wire names of T's members, computed once.
template <class T>
const std::vector<std::string>& member_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
            [&](auto d) { out.push_back(wire_name(d.name)); });
        return out;
    }();
    return names;
}

template <class E>
const std::vector<std::pair<E, std::string>>& enum_names() {
    static const std::vector<std::pair<E, std::string>> names = [] {
        std::vector<std::pair<E, std::string>> out;
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>(
            [&](auto d) { out.emplace_back(d.value, enum_wire_name(d.name)); });
        return out;
    }();
    return names;
}

// ---- encoding ----------------------------------------------------------

/// Whether an encoded request leaves the member out.
template <class T>
bool omitted(const T& v) {
    if constexpr (is_optional<T>::value)
        return !v.has_value();
    else if constexpr (is_vector<T>::value || is_string_map<T>::value)
        return v.empty();
    else
        return false;
}

template <class T>
boost::json::value encode(const T& v);

template <class T>
void encode_members(const T& v, boost::json::object& out) {
    const auto& names = member_names<T>();
    std::size_t i = 0;
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
        [&](auto d) {
            const auto& member = v.*d.pointer;
            if (!omitted(member))
                out.emplace(names[i], encode(member));
            ++i;
        });
}

template <class T>
boost::json::value encode(const T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
        return boost::json::value(v);
    } else if constexpr (std::is_same_v<T, bool>) {
        return boost::json::value(v);
    } else if constexpr (std::is_integral_v<T>) {
        return boost::json::value(static_cast<std::int64_t>(v));
    } else if constexpr (std::is_floating_point_v<T>) {
        return boost::json::value(static_cast<double>(v));
    } else if constexpr (std::is_enum_v<T>) {
        for (const auto& [e, name] : enum_names<T>())
            if (e == v)
                return boost::json::value(name);
        throw value_error(value_errc::invalid_json, "enumeration value out of range");
    } else if constexpr (is_optional<T>::value) {
        return encode(*v);
    } else if constexpr (std::is_same_v<T, attribute_value>) {
        return v.to_json();
    } else if constexpr (is_vector<T>::value) {
        boost::json::array a;
        a.reserve(v.size());
        for (const auto& e : v)
            a.push_back(encode(e));
        return a;
    } else if constexpr (is_string_map<T>::value) {
        boost::json::object o;
        o.reserve(v.size());
        for (const auto& [k, e] : v)
            o.emplace(k, encode(e));
        return o;
    } else {
        static_assert(is_described_struct<T>, "no JSON encoding for this type");
        boost::json::object o;
        encode_members(v, o);
        return o;
    }
}

// ---- decoding ----------------------------------------------------------

template <class T>
void decode(const boost::json::value& j, T& out);

template <class T>
void decode_members(const boost::json::object& o, T& out) {
    const auto& names = member_names<T>();
    std::size_t i = 0;
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
        [&](auto d) {
            using M = std::remove_cvref_t<decltype(out.*d.pointer)>;
            const std::string& name = names[i++];
            const boost::json::value* field = o.if_contains(name);
            if (!field || field->is_null()) {
                if constexpr (is_optional<M>::value || is_vector<M>::value ||
                              is_string_map<M>::value)
                    return;
                else
                    throw field_error{name, "missing"};
            }
            try {
                decode(*field, out.*d.pointer);
            } catch (field_error& e) {
                e.path = name + (e.path.empty() || e.path[0] == '[' ? "" : ".") + e.path;
                throw;
            }
        });
}

template <class T>
void decode(const boost::json::value& j, T& out) {
    if constexpr (std::is_same_v<T, std::string>) {
        if (!j.is_string())
            throw field_error{"", "not a string"};
        out.assign(j.get_string().data(), j.get_string().size());
    } else if constexpr (std::is_same_v<T, bool>) {
        if (!j.is_bool())
            throw field_error{"", "not a boolean"};
        out = j.get_bool();
    } else if constexpr (std::is_integral_v<T>) {
        boost::system::error_code ec;
        auto n = j.to_number<T>(ec);
        if (ec)
            throw field_error{"", "not an integer of the expected range"};
        out = n;
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!j.is_number())
            throw field_error{"", "not a number"};
        out = j.to_number<double>();
    } else if constexpr (std::is_enum_v<T>) {
        if (!j.is_string())
            throw field_error{"", "not a string"};
        for (const auto& [e, name] : enum_names<T>())
            if (name == j.get_string()) {
                out = e;
                return;
            }
        if constexpr (requires { T::unknown; })
            out = T::unknown;
        else
            throw field_error{"", "unknown value \"" + std::string(j.get_string()) + "\""};
    } else if constexpr (is_optional<T>::value) {
        out.emplace();
        decode(j, *out);
    } else if constexpr (std::is_same_v<T, attribute_value>) {
        try {
            out = attribute_value::from_json(j, "");
        } catch (const value_error& e) {
            throw field_error{"", e.what()};
        }
    } else if constexpr (is_vector<T>::value) {
        if (!j.is_array())
            throw field_error{"", "not an array"};
        const auto& a = j.get_array();
        out.clear();
        out.resize(a.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            try {
                decode(a[i], out[i]);
            } catch (field_error& e) {
                e.path = "[" + std::to_string(i) + "]" +
                         (e.path.empty() || e.path[0] == '[' ? "" : ".") + e.path;
                throw;
            }
        }
    } else if constexpr (is_string_map<T>::value) {
        if (!j.is_object())
            throw field_error{"", "not an object"};
        out.clear();
        for (const auto& kv : j.get_object()) {
            typename T::mapped_type v;
            try {
                decode(kv.value(), v);
            } catch (field_error& e) {
                e.path = std::string(kv.key()) + (e.path.empty() || e.path[0] == '[' ? "" : ".") +
                         e.path;
                throw;
            }
            out.emplace_hint(out.end(), std::string(kv.key()), std::move(v));
        }
    } else {
        static_assert(is_described_struct<T>, "no JSON decoding for this type");
        if (!j.is_object())
            throw field_error{"", "not an object"};
        decode_members(j.get_object(), out);
    }
}

} // namespace ddb::model_detail
