// Internal: a stored event as a DynamoDB item, and back (layout in
// <ddb/es/tables.hpp>).
#pragma once

#include <ddb/es/store_config.hpp>
#include <ddb/es/stored_event.hpp>
#include <ddb/item.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace ddb::es::detail {

/// Id units per bucket of `config.bucket`.
std::int64_t bucket_width(const store_config& config);
std::int64_t bucket_of(std::int64_t id, const store_config& config);
/// "<bucket>#<shard>": the global index partition of an event.
std::string global_key(std::int64_t id, const store_config& config);
std::string global_key(std::int64_t bucket, int shard);

/// The partition key: the uuid, or "$e#<id>" without an aggregate.
std::string partition_of(const std::optional<std::string>& uuid, std::int64_t id);

/// Throws `invalid_aggregate_uuid` for an empty uuid, one starting with '$'
/// or one with a control character.
void check_uuid(std::string_view uuid);

/// A new stored event: validates `e` (class, version), rounds the times
/// (created-at to microseconds, expiry to seconds as TTL keeps it) and fills
/// the store's metadata keys. Both repositories build events here.
stored_event make_stored_event(std::int64_t id, const std::optional<std::string>& uuid,
                               std::int64_t version, new_event e,
                               std::chrono::system_clock::time_point now);

/// The event's item; `event_too_large` when it is over DynamoDB's limit.
item checked_item(const stored_event& e, const store_config& config);

/// Lower-case hex SHA-256 (tokens, snapshot checksums).
std::string sha256_hex(std::string_view data);

item to_item(const stored_event& e, const store_config& config);
/// Throws `es_errc::invalid_stored_event` naming the id and the attribute.
stored_event from_item(const item& it, const store_config& config);
/// The same from the item's DynamoDB JSON as a Query answer holds it
/// ({"pk":{"S":"..."},...}), without building an `item` first; the same
/// checks and errors (an attribute that is not {"<type>": "<text>"} has the
/// wrong type).
stored_event from_json_item(const boost::json::object& it, const store_config& config);

} // namespace ddb::es::detail
