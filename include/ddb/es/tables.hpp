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
#include <string_view>

namespace ddb::es {

/// The name of the global-order index.
inline constexpr const char* global_index = "global";

create_table_request events_table_spec(const store_config& config);
create_table_request snapshots_table_spec(const store_config& config);

/// Creates both tables and waits until they are active (and enables TTL
/// when `config.ttl`). When a table exists: `es_errc::tables_exist`, or
/// with `force`, deletes it and creates it again. `progress` gets one line
/// per step.
boost::asio::awaitable<void> create_tables(client& c, const store_config& config,
                                           bool force = false,
                                           std::function<void(std::string_view)> progress = {});

/// Deletes both tables if present and waits until they are gone.
boost::asio::awaitable<void> delete_tables(client& c, const store_config& config);

} // namespace ddb::es
