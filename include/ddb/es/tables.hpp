// ddb::es — the event store's tables, specified in one place.
//
// Events table (`store_config::events_table`):
//   key        pk (S) = aggregate uuid, or "$e#<id>" for an event without one
//              v  (N) = aggregate version (0 without an aggregate)
//   attributes id (N), g (S) = "<bucket>#<shard>", cls (S) event class,
//              ev (N) event version, p (S) properties JSON, m (S) metadata
//              JSON, at (N) created-at in microseconds since the epoch, and
//              the TTL attribute (N, seconds) when the event expires
//   index      "global": g (HASH), id (RANGE), projection ALL — global order
//   meta item  pk "$meta", v 0: fb (N) = the first bucket holding events
// Snapshots table (`store_config::snapshots_table`):
//   key        pk (S) = aggregate uuid, sk (S) = "h#<id:020>" (header) or
//              "p#<id:020>#<part:06>" (part of a multi-part state)
// No local secondary index (it would cap each aggregate at 10 GB).
#pragma once

#include <ddb/client.hpp>
#include <ddb/es/store_config.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ddb::es {

/// The name of the global-order index.
inline constexpr const char* global_index = "global";

create_table_request events_table_spec(const store_config& config);
create_table_request snapshots_table_spec(const store_config& config);

/// How an existing table differs from `spec`, one text per difference
/// (empty: the store can use it). Compared: the key schema (names, order,
/// HASH/RANGE), the types of the key attributes of the table and of the
/// spec's global indexes, each of the spec's global indexes (present, key
/// schema, projection) and local indexes (the store has none: one would cap
/// each aggregate at 10 GB). Not compared: billing mode and capacity (they
/// can be changed in place), global indexes the spec does not have.
std::vector<std::string> schema_differences(const create_table_request& spec,
                                            const table_description& found);

/// Makes both tables ready and waits until they are ACTIVE; idempotent, and
/// safe to run from several processes at once.
///
/// For each table: a missing one is created; an existing one (also one that
/// CreateTable answers ResourceInUse for: a retried request whose first
/// answer was lost, or another process creating it at the same time) is used
/// as it is when `schema_differences` finds nothing. A different billing
/// mode, or global indexes the store does not use, are reported through
/// `progress` and accepted. Otherwise `es_errc::table_schema_mismatch`
/// (es_error), naming the table and each difference, before anything is
/// created: e.g. "events table ddb-events: key schema differs: expected pk
/// HASH, v RANGE; found id HASH".
///
/// With `config.ttl`, TTL is then enabled on `config.ttl_attribute` unless
/// DescribeTimeToLive says it already is; enabled on another attribute:
/// `table_schema_mismatch`. (dynalite has no UpdateTimeToLive.)
///
/// `force` deletes both tables (with their data) and creates them again.
/// `progress` gets one line per step: "found T (schema matches)" (with what
/// was accepted, after a ';'), "creating T", "found T after ResourceInUse
/// (schema matches)", "T is active", "deleting T", "T is being deleted,
/// waiting", "enabling TTL on T.A", "TTL enabled on T.A", "TTL already
/// enabled on T.A".
boost::asio::awaitable<void> create_tables(client& c, const store_config& config,
                                           bool force = false,
                                           std::function<void(std::string_view)> progress = {});

/// Deletes both tables if present and waits until they are gone.
boost::asio::awaitable<void> delete_tables(client& c, const store_config& config);

} // namespace ddb::es
