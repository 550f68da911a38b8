// ddb::es — a subscription fed by the events table's DynamoDB stream instead
// of polling the global index: the same generator of stored events, the same
// `subscription_position` to resume from, one GetRecords per shard per idle
// interval instead of a Query per index partition per poll.
//
// How it works (docs/subscriptions.md, "The stream source"):
// 1. Catch-up: the events after `from` are read from the index as
//    `subscribe` does (`stop_when_idle`), to the position P the index gave.
// 2. Live: the events table's stream is read from TRIM_HORIZON (every
//    shard, parents first: `ddb::read_stream`); the events P covers are
//    skipped, the others are held and released by ascending id once older
//    than the horizon, so the order and the `subscription_position` mean what
//    they mean for `subscribe`.
//
// Trade-offs against the index poller:
// - The stream keeps 24 hours: the catch-up must end (and the stream reading
//   start) within 24 hours of `from`'s events, which it does unless the
//   catch-up itself takes that long. The stream must be on
//   (`store_config::stream`, NEW_IMAGE or NEW_AND_OLD_IMAGES).
// - Order: the stream keeps each item's changes in order; across aggregates
//   the order is by id only through the horizon (as for the poller). A
//   horizon of 0 delivers events as the stream brings them: no event is
//   missed (the stream has them all), but an event may come after one with a
//   higher id, so a position saved then may cover an event not yet
//   delivered: resume from an older position then (at least once).
// - Latency: the horizon (default max_append_age + clock_skew + stream_lag
//   + the reader's idle interval: 5.5 s on the defaults), or the stream's own
//   latency (under a second on DynamoDB) with horizon 0.
// - Cost when idle: one GetRecords per open shard per idle interval
//   (default 1 s: 60 a minute per shard) instead of the poller's Queries.
#pragma once

#include <ddb/client/streams_client.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/subscription.hpp>
#include <ddb/ops/stream_reader.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ddb::es {

/// The store's events in one batch of the events table's stream: the new
/// images of INSERT records, decoded, in the batch's order. The meta item,
/// and changes that are not appends (an `update` of an event: MODIFY; a TTL
/// expiry: REMOVE), are not events appended and are left out. A KEYS_ONLY
/// stream carries no events: `es_errc::stream_unavailable`; an inserted item
/// that is not an event: `es_errc::invalid_stored_event`.
std::vector<stored_event> events_of(const stream_batch& batch, const store_config& config);

/// What a stream subscription reads and how it orders.
struct stream_subscription_options {
    /// Only this aggregate's events; only events of these classes (empty:
    /// all). Both filter what the stream brings (every event is read).
    std::optional<std::string> aggregate{};
    std::vector<std::string> event_classes{};

    /// How far behind this host's clock another writer's clock may be, and
    /// how long the stream may take to show a change (DynamoDB: normally
    /// well under a second).
    std::chrono::milliseconds clock_skew{500};
    std::chrono::milliseconds stream_lag{1000};
    /// Events are held until this old, then released by ascending id.
    /// Default (empty): the store's `max_append_age + clock_skew +
    /// stream_lag + reader.idle_interval`. 0: as the stream brings them
    /// (see the header comment).
    std::optional<std::chrono::milliseconds> horizon{};

    /// The horizon of the catch-up's index reads (`subscription_options::
    /// horizon`). Default: the index's safe horizon; events younger than it
    /// come from the stream.
    std::optional<std::chrono::milliseconds> index_horizon{};

    /// The stream reader's settings (idle interval, back-off, shard sync).
    stream_reader_options reader{};

    /// End once caught up: the catch-up is done, every open shard gave an
    /// empty page and every held event was released (tools and tests).
    bool stop_when_idle = false;
};

/// The horizon `options` gives on store `config`.
std::chrono::milliseconds stream_horizon(const store_config& config,
                                         const stream_subscription_options& options);

/** Events after `from`: the history from the index, then the live events
    from the events table's stream (see the header comment). Errors end the
    generator with their exception: `ddb::stream_not_found` when the events
    table has no stream, `es_errc::stream_unavailable` for a KEYS_ONLY
    stream, a read's error otherwise; resume from the last position.

    `events` and `streams` must outlive the generator (the stream reader
    keeps a handle on the streams client's state).

    Cancellation and thread safety: as `subscribe`'s. */
generator<stored_event> subscribe_stream(dynamodb_event_repository& events, streams_client& streams,
                                         subscription_position from = {},
                                         stream_subscription_options options = {});

} // namespace ddb::es
