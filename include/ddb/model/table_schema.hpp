// ddb — what a table is made of: keys, attribute types, indexes, capacity,
// streams. Used by CreateTable and UpdateTable, and in table descriptions.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/model/common.hpp>

#include <cstdint>

namespace ddb {

enum class scalar_attribute_type { s, n, b };
enum class key_type { hash, range };
enum class projection_type { all, keys_only, include, unknown };
enum class billing_mode { provisioned, pay_per_request, unknown };
enum class stream_view_type { new_image, old_image, new_and_old_images, keys_only, unknown };

/// The type of a key attribute (only key attributes are declared).
struct attribute_definition {
    std::string attribute_name{};
    ddb::scalar_attribute_type attribute_type = ddb::scalar_attribute_type::s;
};

/// One key attribute: `hash` (partition key) or `range` (sort key).
struct key_schema_element {
    std::string attribute_name{};
    ddb::key_type key_type = ddb::key_type::hash;
};

/// Which attributes an index copies.
struct projection {
    std::optional<ddb::projection_type> projection_type{};
    /// For `projection_type::include`.
    std::vector<std::string> non_key_attributes{};
};

/// Capacity of a provisioned table or index.
struct provisioned_throughput {
    std::int64_t read_capacity_units = 0;
    std::int64_t write_capacity_units = 0;
};

struct global_secondary_index {
    std::string index_name{};
    std::vector<key_schema_element> key_schema{};
    ddb::projection projection{};
    /// Required when the table is provisioned.
    std::optional<ddb::provisioned_throughput> provisioned_throughput{};
};

/// Local secondary indexes share the table's partition key and cap each
/// partition key value at 10 GB.
struct local_secondary_index {
    std::string index_name{};
    std::vector<key_schema_element> key_schema{};
    ddb::projection projection{};
};

struct stream_specification {
    bool stream_enabled = false;
    std::optional<ddb::stream_view_type> stream_view_type{};
};

struct tag {
    std::string key{};
    std::string value{};
};

} // namespace ddb
