// ddb — a key built in one expression.
#pragma once

#include <ddb/value/item.hpp>

#include <string>

namespace ddb {

/// The key `{name: value}` (or `{n1: v1, n2: v2}` with a sort key), built
/// without an initializer list: usable inside a `co_await` operand on
/// GCC 12, which cannot compile a braced item there.
///
///   auto account = co_await accounts.get(ddb::key("pk", "acct-1"));
inline item key(std::string name, attribute_value value) {
    item k;
    k.emplace(std::move(name), std::move(value));
    return k;
}
inline item key(std::string partition_name, attribute_value partition_value, std::string sort_name,
                attribute_value sort_value) {
    item k = key(std::move(partition_name), std::move(partition_value));
    k.emplace(std::move(sort_name), std::move(sort_value));
    return k;
}

} // namespace ddb
