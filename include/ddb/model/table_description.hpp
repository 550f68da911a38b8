// ddb — TableDescription: what DescribeTable, CreateTable, UpdateTable and
// DeleteTable say about a table.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/model/table_schema.hpp>

namespace ddb {

enum class table_status {
    creating,
    updating,
    deleting,
    active,
    inaccessible_encryption_credentials,
    archiving,
    archived,
    unknown
};
enum class index_status { creating, updating, deleting, active, unknown };

/// Date-times are seconds since the Unix epoch, as DynamoDB sends them.
struct provisioned_throughput_description {
    std::optional<double> last_increase_date_time{};
    std::optional<double> last_decrease_date_time{};
    std::optional<std::int64_t> number_of_decreases_today{};
    std::optional<std::int64_t> read_capacity_units{};
    std::optional<std::int64_t> write_capacity_units{};
};

struct billing_mode_summary {
    std::optional<ddb::billing_mode> billing_mode{};
    std::optional<double> last_update_to_pay_per_request_date_time{};
};

struct global_secondary_index_description {
    std::string index_name{};
    std::vector<key_schema_element> key_schema{};
    std::optional<ddb::projection> projection{};
    std::optional<ddb::index_status> index_status{};
    std::optional<bool> backfilling{};
    std::optional<provisioned_throughput_description> provisioned_throughput{};
    std::optional<std::int64_t> index_size_bytes{};
    std::optional<std::int64_t> item_count{};
    std::optional<std::string> index_arn{};
};

struct local_secondary_index_description {
    std::string index_name{};
    std::vector<key_schema_element> key_schema{};
    std::optional<ddb::projection> projection{};
    std::optional<std::int64_t> index_size_bytes{};
    std::optional<std::int64_t> item_count{};
    std::optional<std::string> index_arn{};
};

struct table_description {
    std::string table_name{};
    ddb::table_status table_status = ddb::table_status::unknown;
    std::vector<attribute_definition> attribute_definitions{};
    std::vector<key_schema_element> key_schema{};
    std::optional<double> creation_date_time{};
    std::optional<provisioned_throughput_description> provisioned_throughput{};
    /// Updated by DynamoDB about every six hours.
    std::optional<std::int64_t> table_size_bytes{};
    std::optional<std::int64_t> item_count{};
    std::optional<std::string> table_arn{};
    std::optional<std::string> table_id{};
    std::optional<ddb::billing_mode_summary> billing_mode_summary{};
    std::vector<local_secondary_index_description> local_secondary_indexes{};
    std::vector<global_secondary_index_description> global_secondary_indexes{};
    std::optional<ddb::stream_specification> stream_specification{};
    std::optional<std::string> latest_stream_label{};
    std::optional<std::string> latest_stream_arn{};
    std::optional<bool> deletion_protection_enabled{};
};

} // namespace ddb
