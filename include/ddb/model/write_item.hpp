// ddb — PutItem, UpdateItem and DeleteItem: single-item writes, optionally
// conditional, that can return the item's old or new attributes.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/model/common.hpp>

namespace ddb {

/// What PutItem, UpdateItem and DeleteItem answer.
struct write_item_response {
    /// The attributes `return_values` asked for.
    std::optional<ddb::item> attributes{};
    std::optional<ddb::consumed_capacity> consumed_capacity{};
    std::optional<ddb::item_collection_metrics> item_collection_metrics{};
};

struct put_item_request {
    std::string table_name{};
    /// The whole item, key included.
    ddb::item item{};
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    ddb::item expression_attribute_values{};
    /// `none` or `all_old` for PutItem.
    std::optional<ddb::return_values> return_values{};
    std::optional<ddb::return_consumed_capacity> return_consumed_capacity{};
    std::optional<ddb::return_item_collection_metrics> return_item_collection_metrics{};
    /// `all_old`: a failed condition's error carries the item as it was.
    std::optional<ddb::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};
using put_item_response = write_item_response;

struct update_item_request {
    std::string table_name{};
    ddb::item key{};
    std::optional<std::string> update_expression{};
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    ddb::item expression_attribute_values{};
    std::optional<ddb::return_values> return_values{};
    std::optional<ddb::return_consumed_capacity> return_consumed_capacity{};
    std::optional<ddb::return_item_collection_metrics> return_item_collection_metrics{};
    std::optional<ddb::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};
using update_item_response = write_item_response;

struct delete_item_request {
    std::string table_name{};
    ddb::item key{};
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    ddb::item expression_attribute_values{};
    /// `none` or `all_old` for DeleteItem.
    std::optional<ddb::return_values> return_values{};
    std::optional<ddb::return_consumed_capacity> return_consumed_capacity{};
    std::optional<ddb::return_item_collection_metrics> return_item_collection_metrics{};
    std::optional<ddb::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};
using delete_item_response = write_item_response;

} // namespace ddb
