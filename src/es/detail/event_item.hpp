// Internal: a stored event as a DynamoDB item, and back (layout in
// <ddb/es/tables.hpp>).
#pragma once

#include <ddb/es/store_config.hpp>
#include <ddb/es/stored_event.hpp>
#include <ddb/value/item.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ddb::es::detail {

/// `invalid_argument` unless 1 <= partitions <= max_partitions and the
/// bucket is at least an hour (both repositories check their config).
void check_layout_options(const store_config& config);

/// Id units per bucket of `config.bucket`.
std::int64_t bucket_width(const store_config& config);
std::int64_t bucket_of(std::int64_t id, const store_config& config);
/// "<bucket>#<partition>": the global index key of an event, its
/// partition `index_partition` of its partition key among
/// `config.partitions` (the store's recorded count).
std::string global_key(const stored_event& e, const store_config& config);
std::string global_key(std::int64_t bucket, int partition);

/// The partitions a global read merges (`read_options::partitions`):
/// `wanted`, sorted and without repeats, or all `count` when empty.
/// `invalid_argument` for one outside [0, count).
std::vector<int> partitions_to_read(const std::vector<int>& wanted, int count);

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

/// Whether `stored` is `ours` (same id, place, class, version, properties,
/// user metadata and expiry), whatever its creation time: the check that a
/// retried append found its own earlier attempt.
bool same_event(const stored_event& ours, const stored_event& stored);

/// The leading events of `ours` (versions base+1, ...) that `there` (the
/// stored events of versions base+1..base+ours.size(), by ascending
/// version) holds, as stored: an earlier attempt of the same append.
/// `duplicate_id` when `there` holds one of our ids with other content or at
/// another version.
std::vector<stored_event> stored_prefix(std::span<const stored_event> ours, std::int64_t base,
                                        std::vector<stored_event> there);

/// `duplicate_id`: `id` is stored as `stored`, which is not the event being
/// written.
[[noreturn]] void throw_id_taken(const stored_event& stored);

/// The event's item; `event_too_large` when it is over DynamoDB's limit.
/// `size`, when given, receives its `item_size`.
item checked_item(const stored_event& e, const store_config& config, std::size_t* size = nullptr);

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
