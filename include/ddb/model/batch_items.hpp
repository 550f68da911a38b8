// ddb — BatchGetItem and BatchWriteItem as DynamoDB defines them: one call,
// at most 100 keys / 25 writes, possibly partly unprocessed. For any number
// of items with re-drive of the unprocessed ones, use <ddb/ops/batch.hpp>.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/model/common.hpp>

namespace ddb {

/// The keys to read from one table, and how.
struct keys_and_attributes {
    std::vector<ddb::item> keys{};
    std::optional<bool> consistent_read{};
    std::optional<std::string> projection_expression{};
    expression_names expression_attribute_names{};
};

struct batch_get_item_request {
    /// Per table name.
    std::map<std::string, keys_and_attributes, std::less<>> request_items{};
    std::optional<ddb::return_consumed_capacity> return_consumed_capacity{};
};

struct batch_get_item_response {
    /// The items found, per table, in no particular order.
    std::map<std::string, std::vector<ddb::item>, std::less<>> responses{};
    /// What this call did not read: send it again.
    std::map<std::string, keys_and_attributes, std::less<>> unprocessed_keys{};
    std::vector<ddb::consumed_capacity> consumed_capacity{};
};

struct put_request {
    ddb::item item{};
};
struct delete_request {
    ddb::item key{};
};
/// One write of a BatchWriteItem: exactly one of the two.
struct write_request_entry {
    std::optional<ddb::put_request> put_request{};
    std::optional<ddb::delete_request> delete_request{};
};

struct batch_write_item_request {
    std::map<std::string, std::vector<write_request_entry>, std::less<>> request_items{};
    std::optional<ddb::return_consumed_capacity> return_consumed_capacity{};
    std::optional<ddb::return_item_collection_metrics> return_item_collection_metrics{};
};

struct batch_write_item_response {
    /// What this call did not write: send it again.
    std::map<std::string, std::vector<write_request_entry>, std::less<>> unprocessed_items{};
    std::map<std::string, std::vector<ddb::item_collection_metrics>, std::less<>>
        item_collection_metrics{};
    std::vector<ddb::consumed_capacity> consumed_capacity{};
};

} // namespace ddb
