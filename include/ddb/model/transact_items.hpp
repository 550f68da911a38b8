// ddb — TransactGetItems and TransactWriteItems: up to 100 actions, all or
// nothing, on items of one account and region.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/model/common.hpp>
#include <ddb/value/error.hpp>

#include <cstddef>
#include <string_view>

namespace ddb {

/// DynamoDB's limit on the actions of one TransactWriteItems (and the items
/// of one TransactGetItems): 1 to 100.
inline constexpr std::size_t max_transaction_actions = 100;

/// Throws `value_error(request_too_large)` ("<operation> takes 1 to 100
/// <what>, not <count>") unless 1 <= `count` <= `max_transaction_actions`:
/// the check of the typed operations and of `raw::transact_write`.
inline void check_transaction_actions(std::string_view operation, std::size_t count,
                                      std::string_view what) {
    if (count < 1 || count > max_transaction_actions)
        throw value_error(value_errc::request_too_large,
                          std::string(operation) + " takes 1 to " +
                              std::to_string(max_transaction_actions) + " " + std::string(what) +
                              ", not " + std::to_string(count));
}

/// DynamoDB's limit on the items of one TransactWriteItems: 4 MB. The typed
/// `client::transact_write_items` sums the items put and the keys addressed
/// (`item_size`) and refuses more with `value_errc::request_too_large`.
inline constexpr std::size_t max_transaction_size = 4 * 1024 * 1024;

struct transact_get {
    std::string table_name{};
    ddb::item key{};
    std::optional<std::string> projection_expression{};
    expression_names expression_attribute_names{};
};
struct transact_get_item {
    transact_get get{};
};

struct transact_get_items_request {
    std::vector<transact_get_item> transact_items{};
    std::optional<ddb::return_consumed_capacity> return_consumed_capacity{};
};

struct item_response {
    /// Empty when no item has the key.
    std::optional<ddb::item> item{};
};
struct transact_get_items_response {
    /// One per requested item, in request order.
    std::vector<item_response> responses{};
    std::vector<ddb::consumed_capacity> consumed_capacity{};
};

struct transact_put {
    std::string table_name{};
    ddb::item item{};
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    ddb::item expression_attribute_values{};
    std::optional<ddb::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};
struct transact_update {
    std::string table_name{};
    ddb::item key{};
    std::string update_expression{};
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    ddb::item expression_attribute_values{};
    std::optional<ddb::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};
struct transact_delete {
    std::string table_name{};
    ddb::item key{};
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    ddb::item expression_attribute_values{};
    std::optional<ddb::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};
struct condition_check {
    std::string table_name{};
    ddb::item key{};
    std::string condition_expression{};
    expression_names expression_attribute_names{};
    ddb::item expression_attribute_values{};
    std::optional<ddb::return_values_on_condition_check_failure>
        return_values_on_condition_check_failure{};
};
/// One action: exactly one member is set (`delete_` is `Delete`).
struct transact_write_item {
    std::optional<transact_put> put{};
    std::optional<transact_update> update{};
    std::optional<transact_delete> delete_{};
    std::optional<ddb::condition_check> condition_check{};
};

struct transact_write_items_request {
    std::vector<transact_write_item> transact_items{};
    /// Idempotency token: DynamoDB applies a token once within 10 minutes.
    /// Empty: the client makes a random one, used by all its own retries
    /// of this call. Set it to stay idempotent across your retries too.
    std::optional<std::string> client_request_token{};
    std::optional<ddb::return_consumed_capacity> return_consumed_capacity{};
    std::optional<ddb::return_item_collection_metrics> return_item_collection_metrics{};
};

struct transact_write_items_response {
    std::vector<ddb::consumed_capacity> consumed_capacity{};
    std::map<std::string, std::vector<ddb::item_collection_metrics>, std::less<>>
        item_collection_metrics{};
};

} // namespace ddb
