// ddb — Query and Scan: one page of a paginated read. To read every page use
// the generators of <ddb/ops/paginator.hpp>.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/model/common.hpp>

#include <cstdint>

namespace ddb {

struct query_request {
    std::string table_name{};
    std::optional<std::string> index_name{};
    std::optional<ddb::select> select{};
    std::optional<std::string> key_condition_expression{};
    std::optional<std::string> filter_expression{};
    std::optional<std::string> projection_expression{};
    expression_names expression_attribute_names{};
    ddb::item expression_attribute_values{};
    /// Items evaluated per page (before the filter), not items returned.
    std::optional<std::int32_t> limit{};
    std::optional<bool> consistent_read{};
    /// false: descending sort key order.
    std::optional<bool> scan_index_forward{};
    ddb::item exclusive_start_key{};
    std::optional<ddb::return_consumed_capacity> return_consumed_capacity{};
};

struct scan_request {
    std::string table_name{};
    std::optional<std::string> index_name{};
    std::optional<ddb::select> select{};
    std::optional<std::string> filter_expression{};
    std::optional<std::string> projection_expression{};
    expression_names expression_attribute_names{};
    ddb::item expression_attribute_values{};
    std::optional<std::int32_t> limit{};
    std::optional<bool> consistent_read{};
    /// Parallel scan: this segment of `total_segments`.
    std::optional<std::int32_t> segment{};
    std::optional<std::int32_t> total_segments{};
    ddb::item exclusive_start_key{};
    std::optional<ddb::return_consumed_capacity> return_consumed_capacity{};
};

/// One page of a Query or a Scan.
struct query_response {
    std::vector<ddb::item> items{}; ///< empty with `select::count`
    std::int64_t count = 0;         ///< items in this page (after the filter)
    std::int64_t scanned_count = 0; ///< items evaluated (before the filter)
    /// Present while more pages follow, even after an empty page.
    ddb::item last_evaluated_key{};
    std::optional<ddb::consumed_capacity> consumed_capacity{};
};
using scan_response = query_response;

} // namespace ddb
