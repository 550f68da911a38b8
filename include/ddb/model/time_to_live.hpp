// ddb — UpdateTimeToLive and DescribeTimeToLive. Items whose TTL attribute
// (a number: seconds since the epoch) is in the past are deleted by DynamoDB
// in the background, typically within days, not at once.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/model/common.hpp>

namespace ddb {

enum class time_to_live_status { enabling, disabling, enabled, disabled, unknown };

struct time_to_live_specification {
    bool enabled = false;
    std::string attribute_name{};
};

struct update_time_to_live_request {
    std::string table_name{};
    ddb::time_to_live_specification time_to_live_specification{};
};
struct update_time_to_live_response {
    ddb::time_to_live_specification time_to_live_specification{};
};

struct describe_time_to_live_request {
    std::string table_name{};
};
struct time_to_live_description {
    std::optional<ddb::time_to_live_status> time_to_live_status{};
    std::optional<std::string> attribute_name{};
};
struct describe_time_to_live_response {
    std::optional<ddb::time_to_live_description> time_to_live_description{};
};

} // namespace ddb
