// ddb — shapes shared by the typed DynamoDB operations.
//
// Requests and responses are plain aggregates: build them with designated
// initializers, read them as fields. Member names are DynamoDB's in
// snake_case (`table_name` is `TableName` on the wire). In requests, an empty
// `std::optional`, string map or vector is left out of the JSON. In
// responses, a missing `std::optional` is empty, a missing collection is
// empty, and any other missing field is a `malformed_response` error naming
// its path; fields DynamoDB adds later are ignored.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/value/item.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ddb {

/// ExpressionAttributeNames: `#placeholder` to attribute name.
using expression_names = std::map<std::string, std::string, std::less<>>;

/// Enumerations are DynamoDB's, spelled in lower case: `return_values::all_new`
/// is `ALL_NEW` on the wire. Enumerations that appear in responses have an
/// `unknown` member for values newer than ddb.
enum class return_values { none, all_old, updated_old, all_new, updated_new };
enum class return_consumed_capacity { indexes, total, none };
enum class return_item_collection_metrics { size, none };
enum class return_values_on_condition_check_failure { all_old, none };
/// Query / Scan `Select`; `count` returns only Count and ScannedCount.
enum class select { all_attributes, all_projected_attributes, specific_attributes, count };

/// Capacity units consumed on a table or an index.
struct capacity {
    std::optional<double> read_capacity_units{};
    std::optional<double> write_capacity_units{};
    std::optional<double> capacity_units{};
};

/// ConsumedCapacity (when `return_consumed_capacity` asked for it).
struct consumed_capacity {
    std::string table_name{};
    std::optional<double> capacity_units{};
    std::optional<double> read_capacity_units{};
    std::optional<double> write_capacity_units{};
    std::optional<ddb::capacity> table{};
    std::map<std::string, ddb::capacity, std::less<>> local_secondary_indexes{};
    std::map<std::string, ddb::capacity, std::less<>> global_secondary_indexes{};
};

/// ItemCollectionMetrics (tables with local secondary indexes).
struct item_collection_metrics {
    ddb::item item_collection_key{};
    std::vector<double> size_estimate_range_gb{};
};

} // namespace ddb
