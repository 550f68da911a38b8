// ddb — GetItem: one item by its full primary key.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/model/common.hpp>

namespace ddb {

struct get_item_request {
    std::string table_name{};
    ddb::item key{};
    /// Strongly consistent read (base tables only).
    std::optional<bool> consistent_read{};
    std::optional<std::string> projection_expression{};
    expression_names expression_attribute_names{};
    std::optional<ddb::return_consumed_capacity> return_consumed_capacity{};
};

struct get_item_response {
    /// Empty when no item has the key.
    std::optional<ddb::item> item{};
    std::optional<ddb::consumed_capacity> consumed_capacity{};
};

} // namespace ddb
