// ddb::es — the event store's tables, specified in one place.
//
// Events table (`store_config::events_table`):
//   key        pk (S) = aggregate uuid, or "$e#<id>" for an event without one
//              v  (N) = aggregate version (0 without an aggregate)
//   attributes id (N), g (S) = "<bucket>#<partition>" (bucket = id / ids
//              per `bh` hours; partition = index_partition(pk, partitions),
//              <ddb/es/partition.hpp>: an aggregate's events share one),
//              cls (S) event class, ev (N) event version, p (S) properties
//              JSON, m (S) metadata JSON, at (N) created-at in microseconds
//              since the epoch, and the TTL attribute (N, seconds) when the
//              event expires
//   index      "global": g (HASH), id (RANGE), projection ALL — global order
//   meta item  pk "$meta", v 0: the layout, lv (N) = 2 (layout version),
//              partitions (N), bh (N) = bucket hours, recorded once (by
//              create_tables, else the first writer) and used by every
//              reader and writer; fb (N) = the first bucket holding events.
//              The old layout (lv absent, shards (N): g partitioned by
//              id mod shards) is refused until `ddb-es migrate` rewrites it
//              (<ddb/es/migrate.hpp>).
// Snapshots table (`store_config::snapshots_table`):
//   key        pk (S) = aggregate uuid, sk (S) = "h#<id:020>" (header) or
//              "p#<id:020>#<part:06>" (part of a multi-part state)
// Checkpoints table (`store_config::checkpoints_table`):
//   key        pk (S) = projection name, sk (S) = "p#<partition:05>" (lease
//              and checkpoint), "w#<owner>" (worker heartbeat) or
//              "x#<id:020>#<key>" (parked event); see <ddb/es/checkpoint_store.hpp>
// No local secondary index (it would cap each aggregate at 10 GB).
//
// `create_tables` makes them, and may be run again at any time: it creates
// what is missing, keeps what is there with this schema (and its data), and
// refuses a table of another schema with `es_errc::table_schema_mismatch`.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/core/diagnostics.hpp>
#include <ddb/es/detail/async.hpp>
#include <ddb/es/events_stream.hpp>
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
create_table_request checkpoints_table_spec(const store_config& config);

/// How an existing table differs from `spec`, one text per difference
/// (empty: the store can use it). Compared: the key schema (names, order,
/// HASH/RANGE), the types of the key attributes of the table and of the
/// spec's global indexes, each of the spec's global indexes (present, key
/// schema, projection) and local indexes (the store has none: one would cap
/// each aggregate at 10 GB). Not compared: billing mode and capacity (they
/// can be changed in place), global indexes the spec does not have.
std::vector<std::string> schema_differences(const create_table_request& spec,
                                            const table_description& found);

/// Makes the three tables (events, snapshots, checkpoints) ready and waits
/// until they are ACTIVE, in that order. Idempotent, and safe to run from
/// several processes at once.
///
/// All tables are looked at first. A missing one is created; an existing
/// one is kept as it is (data included) when `schema_differences` finds
/// nothing. When CreateTable answers ResourceInUse (a retried request whose
/// first answer was lost, or another process creating the table at the same
/// time), the table is described and kept on the same terms. A different
/// billing mode and global indexes the store does not use are accepted and
/// reported in `progress`. Any other difference: `es_error` with
/// `es_errc::table_schema_mismatch`, before anything is created; its message
/// names each table and each difference, e.g. "events table ddb-events: key
/// schema differs: expected pk HASH, v RANGE; found id HASH". A table being
/// deleted is waited for, then created.
///
/// Then the store's layout (`config.partitions`, `config.bucket`) is
/// recorded in the events table's meta item unless one is recorded; a
/// recorded one that differs from the configuration is kept and reported in
/// `progress` ("T records 8 index partitions, not 4 as configured: ...",
/// "T records 48-hour buckets, ..."), as is an old-layout store ("T has the
/// old index layout ...: run 'ddb-es migrate ...'"). `config.partitions`
/// outside 1..1000: `es_errc::invalid_argument`, before any request.
///
/// With `config.ttl`, TTL is then enabled on `config.ttl_attribute` unless
/// DescribeTimeToLive says it is already (when that operation is unknown or
/// denied, it is enabled without looking; DynamoDB's refusal to enable it
/// twice is then checked again); enabled on another attribute:
/// `table_schema_mismatch` (a table has one TTL attribute). dynalite has no
/// UpdateTimeToLive.
///
/// With `config.stream`, the events table is created with a stream of that
/// view type, and an existing one gets it with `set_events_stream`
/// (<ddb/es/events_stream.hpp>; its progress lines follow). A stream of
/// another view type is `table_schema_mismatch`, found before anything is
/// created; a stream the configuration does not ask for is left as it is
/// (reported in the "found" line: "; stream V enabled, none configured:
/// left as it is"). An endpoint without DynamoDB Streams (dynalite):
/// `es_errc::stream_unavailable`, after the tables are made. An invalid view
/// type: `invalid_argument`, before any request.
///
/// The same name for two tables: `es_errc::invalid_argument`, before any
/// request.
///
/// `force` deletes the tables, with their data, and creates them again.
///
/// `progress` gets one line per step (T a table, A the TTL attribute):
/// "deleting T" (force), "T is being deleted, waiting", "found T (schema
/// matches)", "creating T", "found T after ResourceInUse (schema matches)",
/// "T is active", "enabling TTL on T.A", "TTL enabled on T.A", "TTL already
/// enabled on T.A". What was accepted is added inside the parentheses of a
/// "found" line: "; billing mode PROVISIONED, not PAY_PER_REQUEST as
/// configured: left as it is", "; global index I is not the store's: left
/// as it is".
boost::asio::awaitable<void> create_tables(client& c, const store_config& config,
                                           bool force = false,
                                           std::function<void(std::string_view)> progress = {});

/// Deletes the three tables if present and waits until they are gone.
boost::asio::awaitable<void> delete_tables(client& c, const store_config& config);

/// `create_tables`, asynchronous: `void(error_code)` on the client's
/// executor. It works on a handle on the client (`client::share()`) and on
/// copies of the configuration and `progress`: the caller's objects may go. Cancellation: terminal,
/// partial: `operation_aborted`, some tables may be made (or, with `force`, deleted) and others
/// not: run it again; total: ignored.
template <detail::token Token = default_token>
auto async_create_tables(client& c, store_config config, bool force,
                         std::function<void(std::string_view)> progress,
                         Token&& token = default_token()) {
    return detail::async_op<void>(
        c.get_executor(),
        [cl = c.share(), config = std::move(config), force,
         progress = std::move(progress)]() mutable {
            return create_tables(cl, config, force, progress);
        },
        nullptr, cancellation_support::terminal_partial, std::forward<Token>(token));
}
template <detail::token Token = default_token>
auto async_create_tables(client& c, store_config config, bool force,
                         std::function<void(std::string_view)> progress, diagnostics& diag,
                         Token&& token = default_token()) {
    return detail::async_op<void>(
        c.get_executor(),
        [cl = c.share(), config = std::move(config), force,
         progress = std::move(progress)]() mutable {
            return create_tables(cl, config, force, progress);
        },
        &diag, cancellation_support::terminal_partial, std::forward<Token>(token));
}

/// `delete_tables`, asynchronous: `void(error_code)` (on a handle on the
/// client, as `async_create_tables`). Cancellation: terminal, partial: `operation_aborted`, some
/// tables may be deleted; total: ignored.
template <detail::token Token = default_token>
auto async_delete_tables(client& c, store_config config, Token&& token = default_token()) {
    return detail::async_op<void>(
        c.get_executor(),
        [cl = c.share(), config = std::move(config)]() mutable {
            return delete_tables(cl, config);
        },
        nullptr, cancellation_support::terminal_partial, std::forward<Token>(token));
}
template <detail::token Token = default_token>
auto async_delete_tables(client& c, store_config config, diagnostics& diag,
                         Token&& token = default_token()) {
    return detail::async_op<void>(
        c.get_executor(),
        [cl = c.share(), config = std::move(config)]() mutable {
            return delete_tables(cl, config);
        },
        &diag, cancellation_support::terminal_partial, std::forward<Token>(token));
}

} // namespace ddb::es
