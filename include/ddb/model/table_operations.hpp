// ddb — CreateTable, DescribeTable, UpdateTable, DeleteTable, ListTables.
// CreateTable and DeleteTable return before the table is ready or gone: wait
// with <ddb/ops/table_waiter.hpp>.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/model/table_description.hpp>

namespace ddb {

struct create_table_request {
    std::string table_name{};
    /// Every attribute used in a key of the table or of an index.
    std::vector<attribute_definition> attribute_definitions{};
    std::vector<key_schema_element> key_schema{};
    std::vector<local_secondary_index> local_secondary_indexes{};
    std::vector<global_secondary_index> global_secondary_indexes{};
    /// Default (when empty): provisioned, which needs `provisioned_throughput`.
    std::optional<ddb::billing_mode> billing_mode{};
    std::optional<ddb::provisioned_throughput> provisioned_throughput{};
    std::optional<ddb::stream_specification> stream_specification{};
    std::vector<tag> tags{};
    std::optional<bool> deletion_protection_enabled{};
};
struct create_table_response {
    ddb::table_description table_description{};
};

struct describe_table_request {
    std::string table_name{};
};
struct describe_table_response {
    table_description table{};
};

/// Create a GSI (`create`), change its capacity (`update`) or drop it (`delete_`).
struct update_global_secondary_index_action {
    std::string index_name{};
    ddb::provisioned_throughput provisioned_throughput{};
};
struct delete_global_secondary_index_action {
    std::string index_name{};
};
struct global_secondary_index_update {
    std::optional<global_secondary_index> create{};
    std::optional<update_global_secondary_index_action> update{};
    std::optional<delete_global_secondary_index_action> delete_{};
};

struct update_table_request {
    std::string table_name{};
    /// Needed for the key attributes of an index being created.
    std::vector<attribute_definition> attribute_definitions{};
    std::optional<ddb::billing_mode> billing_mode{};
    std::optional<ddb::provisioned_throughput> provisioned_throughput{};
    std::vector<global_secondary_index_update> global_secondary_index_updates{};
    std::optional<ddb::stream_specification> stream_specification{};
    std::optional<bool> deletion_protection_enabled{};
};
struct update_table_response {
    ddb::table_description table_description{};
};

struct delete_table_request {
    std::string table_name{};
};
struct delete_table_response {
    ddb::table_description table_description{};
};

/// One page of table names; `table_names()` in <ddb/ops/paginator.hpp> reads all.
struct list_tables_request {
    std::optional<std::string> exclusive_start_table_name{};
    /// 1..100 names per page.
    std::optional<std::int32_t> limit{};
};
struct list_tables_response {
    std::vector<std::string> table_names{};
    std::optional<std::string> last_evaluated_table_name{};
};

} // namespace ddb
