// ddb::es — where and how the event store keeps its data.
#pragma once

#include <ddb/model/table_schema.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace ddb::es {

struct store_config {
    std::string events_table = "stored_events";
    std::string snapshots_table = "snapshots";

    /// On-demand by default; `provisioned` needs `throughput` (applied to
    /// the tables and the global index).
    ddb::billing_mode billing = ddb::billing_mode::pay_per_request;
    std::optional<ddb::provisioned_throughput> throughput{};
    /// Enable DynamoDB TTL on the events table (attribute `ttl_attribute`,
    /// seconds since the epoch) when creating the tables.
    bool ttl = false;
    std::string ttl_attribute = "expires_at";
    /// DynamoDB Streams on the events table, with this view type: `new_image`
    /// (each appended event as stored), `new_and_old_images` (also what an
    /// update or a TTL deletion replaced) or `keys_only`. Off (not asked for)
    /// by default. `create_tables` creates the events table with it and turns
    /// it on for an existing table; it never turns a stream off, and refuses
    /// (`es_errc::table_schema_mismatch`) a stream of another view type. To
    /// turn it on or off in place: `set_events_stream`
    /// (<ddb/es/events_stream.hpp>). Another view type:
    /// `es_errc::invalid_argument`.
    std::optional<ddb::stream_view_type> stream{};

    /// The global-order index: per time bucket of `bucket`, events are
    /// spread over `partitions` index partitions by a hash of their
    /// aggregate (<ddb/es/partition.hpp>), so one partition holds an
    /// aggregate's whole history. More partitions: more write throughput and
    /// finer work sharing for consumers, more queries per bucket for a global
    /// read. 1 to 1000. A table setting: it counts only when the store's
    /// layout is first recorded (by `create_tables`, else by the first
    /// writer); readers and writers then use the recorded one.
    int partitions = 4;
    /// The time bucket of the global index; recorded with the partitions,
    /// and every reader and writer must use the recorded one
    /// (`es_errc::layout_mismatch` otherwise).
    std::chrono::hours bucket{24};
    /// How far ahead of this host's clock another writer's clock may be:
    /// global reads look that far into the future for events.
    std::chrono::minutes max_clock_skew{5};

    /// How long an append may keep trying to write events with the ids it
    /// drew: a write attempt is sent only while its first id is younger than
    /// this (by the writer's clock) and is given a deadline within it;
    /// ids drawn by the repository are drawn again when they grow older,
    /// caller ids are refused (`es_errc::ids_expired`) unless found stored.
    /// Subscriptions rely on it: no event lands behind `now - horizon`
    /// (docs/subscriptions.md).
    std::chrono::milliseconds max_append_age{3000};

    /// The table of projection checkpoints, leases and parked events
    /// (<ddb/es/checkpoint_store.hpp>), made by `create_tables`.
    std::string checkpoints_table = "checkpoints";

    /// Default for per-aggregate reads (the base table): strongly consistent.
    bool consistent_read = true;

    /// Snapshot state bytes per item (binary; DynamoDB items hold 400 KB).
    std::size_t snapshot_part_size = 390'000;
    /// Snapshots kept per aggregate; older ones are deleted after a write.
    int snapshot_retention = 3;
};

} // namespace ddb::es
