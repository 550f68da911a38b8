// Internal: the items of the checkpoints table (layout in
// <ddb/es/checkpoint_store.hpp>): their keys, the checks of names, the
// decoding of stored items, and the commit's request token. Pure, so it can
// be tested without a server.
#pragma once

#include <ddb/es/checkpoint_store.hpp>
#include <ddb/value/item.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace ddb::es::detail {

/// Throw `es_errc::invalid_argument` naming the bad input.
void check_projection(std::string_view projection);
void check_owner(std::string_view owner);
void check_partition(int partition);
void check_duration(std::chrono::milliseconds d, const char* what);
/// A consumer: as a projection name. A label: 1 to 255 bytes without '#'
/// or control characters. A shard id: 1 to 255 bytes without control
/// characters. A sequence number: 1 to 40 digits, no leading zero.
void check_consumer(std::string_view consumer);
void check_label(std::string_view label);
void check_shard_id(std::string_view shard_id);
void check_sequence_number(std::string_view sequence_number);

/// "p#<partition:05>", "w#<owner>", "x#<id:020>#<key>" (or "x#<id:020>#h<sha256
/// of key>" when that would be longer than a sort key may be).
std::string lease_sort_key(int partition);
std::string worker_sort_key(std::string_view owner);
std::string parked_sort_key(std::int64_t id, std::string_view key);
/// "s#<label>#<shard id>", and the prefix of a label's shard items.
std::string shard_sort_key(std::string_view label, std::string_view shard_id);
std::string shard_prefix(std::string_view label);

/// {pk, sk}.
item checkpoint_key(const std::string& projection, std::string sk);

/// Milliseconds since the epoch, and back.
std::int64_t to_ms(std::chrono::system_clock::time_point t);
std::chrono::system_clock::time_point from_ms(std::int64_t ms);

/// The position's at_id keys as an L of S.
attribute_value keys_value(const subscription_position& p);

/// A partition item (as stored) read into a lease; `invalid_checkpoint_item`
/// naming `table` and the attribute when it is damaged.
lease read_lease(const std::string& table, const item& it);
/// The lease attributes any lease item has (partition or shard).
struct lease_state {
    std::string owner;
    std::int64_t fence = 0;
    std::chrono::system_clock::time_point until{};
    bool done = false;
};
lease_state read_lease_state(const std::string& table, const item& it);
/// A shard item (as stored) read into a shard_lease (same errors).
shard_lease read_shard_lease(const std::string& table, const item& it);
/// A parked-event item read into a parked_event (same errors).
parked_event read_parked(const std::string& table, const item& it);

/// The ClientRequestToken of an exactly-once commit (36 characters, the
/// most DynamoDB takes): a digest of everything that makes the commit.
std::string commit_token(const lease& l, const subscription_position& next);

} // namespace ddb::es::detail
