// ddb — internal: recognising the standard containers in generic code
// (struct mapping, the typed model's JSON codec).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace ddb::detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_set : std::false_type {};
template <class T>
struct is_set<std::set<T>> : std::true_type {};
/// std::map with std::string keys (any comparator).
template <class T>
struct is_string_map : std::false_type {};
template <class T, class C>
struct is_string_map<std::map<std::string, T, C>> : std::true_type {};

} // namespace ddb::detail
