// Internal: what differs between the services a client_state can speak to
// (DynamoDB, DynamoDB Streams). Everything else — signing (service name
// "dynamodb" for both), credentials, retries, the pool, hooks and the error
// table (their error types do not collide) — is shared.
#pragma once

#include <ddb/aws/endpoint.hpp>
#include <ddb/client/config.hpp>

#include <string>
#include <string_view>

namespace ddb::detail {

struct service_descriptor {
    /// The service's id: its endpoint variables and profile key.
    const service_id* id;
    /// X-Amz-Target is this and the operation name.
    std::string_view target_prefix;
    /// The endpoint of a client with `cfg` in `region` (code, then
    /// environment, then profile); throws config_error.
    dynamodb_endpoint (*resolve_endpoint)(const client_config& cfg, const std::string& region,
                                          lazy_profile_set& files);
};

/// DynamoDB: "DynamoDB_20120810.", the DynamoDB rule set (account-based
/// endpoints included).
const service_descriptor& dynamodb_descriptor() noexcept;
/// DynamoDB Streams: "DynamoDBStreams_20120810.", the Streams rule set.
const service_descriptor& dynamodb_streams_descriptor() noexcept;

} // namespace ddb::detail
