// ddb::es — events (and aggregate state) to JSON and back.
//
// Encoding is Boost.JSON's `value_from`: described structs
// (BOOST_DESCRIBE_STRUCT) become objects, and any type with a Boost.JSON
// `tag_invoke` conversion uses it.
//
// Decoding uses Boost.JSON's `value_to` for types with a user conversion and
// for scalars, but decodes described structs (and the optionals, vectors and
// string-keyed maps around them) itself, because Boost 1.81's described-class
// conversion is too strict for stored events and says too little:
//   * it refuses an object with extra keys (an event written with a member
//     that was removed since) — here extra keys are ignored;
//   * it refuses a missing `std::optional` member — here it reads as empty;
//   * its errors ("array size does not match target size") name no member —
//     here the message names the path: `lines[2].amount: expected a number,
//     found string`.
#pragma once

#include <ddb/core/type_traits.hpp>

#include <ddb/es/event_error.hpp>

#include <boost/describe.hpp>
#include <boost/json/conversion.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/mp11/algorithm.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace ddb::es {

namespace codec_detail {

template <class T>
concept user_conversion = requires(const boost::json::value& v) {
    tag_invoke(boost::json::value_to_tag<T>{}, v);
}
|| requires(const boost::json::value& v) {
    tag_invoke(boost::json::try_value_to_tag<T>{}, v);
};

using ddb::detail::is_optional;
using ddb::detail::is_string_map;
using ddb::detail::is_vector;

std::string_view kind_name(const boost::json::value& v) noexcept;
std::string where(std::string_view path);
[[noreturn]] void mismatch(std::string_view path, std::string_view expected,
                           const boost::json::value& found);
[[noreturn]] void failed(std::string_view path, const std::string& why);

template <class T>
constexpr std::string_view expected_name() {
    if constexpr (std::is_same_v<T, bool>)
        return "a boolean";
    else if constexpr (std::is_arithmetic_v<T>)
        return "a number";
    else if constexpr (std::is_convertible_v<std::string, T>)
        return "a string";
    else
        return "a value of another kind";
}

} // namespace codec_detail

/// JSON of `x` (Boost.JSON's `value_from`).
template <class T>
boost::json::value to_json(const T& x) {
    return boost::json::value_from(x);
}

/// `T` from JSON. Throws `event_error` of kind `properties_mismatch` whose
/// message names the path (`path` is the prefix, empty at the top).
template <class T>
T from_json(const boost::json::value& v, std::string_view path = {});

namespace codec_detail {

template <class T>
T described_from_json(const boost::json::value& v, std::string_view path) {
    static_assert(std::is_default_constructible_v<T>,
                  "a described event or state type must be default-constructible");
    const auto* obj = v.if_object();
    if (!obj)
        mismatch(path, "an object", v);
    T x{};
    using members = boost::describe::describe_members<T, boost::describe::mod_public |
                                                             boost::describe::mod_inherited>;
    boost::mp11::mp_for_each<members>([&](auto member) {
        using M = std::remove_cvref_t<decltype(x.*member.pointer)>;
        std::string sub =
            path.empty() ? std::string(member.name) : std::string(path) + "." + member.name;
        auto found = obj->find(member.name);
        if (found == obj->end()) {
            if constexpr (is_optional<M>::value)
                return;
            else
                failed(sub, "missing");
        } else {
            x.*member.pointer = from_json<M>(found->value(), sub);
        }
    });
    return x;
}

} // namespace codec_detail

template <class T>
T from_json(const boost::json::value& v, std::string_view path) {
    using namespace codec_detail;
    if constexpr (std::is_same_v<T, boost::json::value>) {
        return v;
    } else if constexpr (user_conversion<T>) {
        try {
            return boost::json::value_to<T>(v);
        } catch (const std::bad_alloc&) {
            throw;
        } catch (const std::exception& e) {
            failed(path, e.what());
        }
    } else if constexpr (is_optional<T>::value) {
        if (v.is_null())
            return T{};
        return T(from_json<typename T::value_type>(v, path));
    } else if constexpr (boost::json::is_described_class<T>::value) {
        return described_from_json<T>(v, path);
    } else if constexpr (is_vector<T>::value) {
        const auto* arr = v.if_array();
        if (!arr)
            mismatch(path, "an array", v);
        T out;
        out.reserve(arr->size());
        for (std::size_t i = 0; i < arr->size(); ++i)
            out.push_back(from_json<typename T::value_type>(
                (*arr)[i], std::string(path) + "[" + std::to_string(i) + "]"));
        return out;
    } else if constexpr (is_string_map<T>::value) {
        const auto* obj = v.if_object();
        if (!obj)
            mismatch(path, "an object", v);
        T out;
        for (const auto& kv : *obj) {
            std::string key(kv.key());
            std::string sub = path.empty() ? key : std::string(path) + "." + key;
            out.emplace(key, from_json<typename T::mapped_type>(kv.value(), sub));
        }
        return out;
    } else {
        auto r = boost::json::try_value_to<T>(v);
        if (r)
            return std::move(*r);
        constexpr auto want = expected_name<T>();
        const bool kind_ok = (want == "a boolean" && v.is_bool()) ||
                             (want == "a number" && v.is_number()) ||
                             (want == "a string" && v.is_string());
        if (want != "a value of another kind" && !kind_ok)
            mismatch(path, want, v);
        failed(path, r.error().message() + " (found " + std::string(kind_name(v)) + ")");
    }
}

} // namespace ddb::es
