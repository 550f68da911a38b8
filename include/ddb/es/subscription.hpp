// ddb::es — subscriptions: follow the store from a position, reading its
// history first (catch-up), then new events as they are appended (live), in
// one async generator, without a gap or a duplicate at the switch.
//
// The model and its guarantees, with the argument for each, are in
// docs/subscriptions.md; in short:
// - Order: by ascending id, as global reads; each aggregate's versions in
//   increasing order (the append enforces that an event's id is above its
//   previous version's).
// - No gap: the reader never passes the safe horizon, `now - horizon`. An
//   append sends its writes only while its ids are younger than
//   `store_config::max_append_age`; with writers' clocks at most
//   `clock_skew` behind the reader's and the index at most `index_lag`
//   behind the table, no event can become visible below the horizon after
//   the reader has passed it.
// - No duplicate: the position records the last id delivered and the events
//   delivered at that id (ids of different writers may be equal).
#pragma once

#include <ddb/es/event_repository.hpp>
#include <ddb/es/stored_event.hpp>
#include <ddb/ops/generator.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ddb::es {

/// "<pk>#<version>": an event's identity in the store (its aggregate uuid,
/// or "$e#<id>" without one, and its version).
std::string event_key(const stored_event& e);

/// Where a subscription stands: every event before `id`, and the events
/// at `id` whose keys are listed, were delivered. Resuming from a position
/// delivers exactly the events after it.
struct subscription_position {
    std::int64_t id = 0;            ///< 0: before the first event
    std::vector<std::string> at_id; ///< `event_key`s delivered at `id`

    /// The position after delivering `e` (which comes after this one).
    void advance(const stored_event& e);
    /// Whether `e` is at or before this position (already delivered).
    bool covers(const stored_event& e) const;

    friend bool operator==(const subscription_position&, const subscription_position&) = default;
};

/// What a subscription reads and how it waits.
struct subscription_options {
    /// Only events of these index partitions (empty: all). A worker that
    /// owns a set of partitions sees whole aggregates in order.
    std::vector<int> partitions{};
    /// Only this aggregate's events (read from its partition only).
    std::optional<std::string> aggregate{};
    /// Only events of these classes (empty: all). Filtered after reading:
    /// the reads cost the same.
    std::vector<std::string> event_classes{};

    /// Live: after a poll that found nothing new, the next poll waits
    /// `poll_interval`, doubling on each further empty poll up to
    /// `max_poll_interval`; a poll that finds events polls again at once.
    std::chrono::milliseconds poll_interval{100};
    std::chrono::milliseconds max_poll_interval{1000};

    /// How far behind this host's clock another writer's clock may be, and
    /// how far the global index may lag the table (DynamoDB replicates a
    /// global secondary index asynchronously, normally within a second).
    std::chrono::milliseconds clock_skew{500};
    std::chrono::milliseconds index_lag{1000};
    /// The safe horizon: events younger than this are not delivered yet.
    /// Default (empty): the store's `max_append_age + clock_skew +
    /// index_lag`. A smaller value lowers the latency and gives up the
    /// no-gap guarantee for writes slower than it.
    std::optional<std::chrono::milliseconds> horizon{};

    /// End the generator after the first poll that finds nothing new
    /// (nothing after the position, up to the horizon) instead of waiting
    /// for more: a catch-up that stops once it is caught up, for scripts and
    /// tools (`ddb-es tail --until-idle`).
    bool stop_when_idle = false;
};

/// The horizon `options` gives on store `config`.
std::chrono::milliseconds safe_horizon(const store_config& config,
                                       const subscription_options& options);

/** Events after `from`, by ascending id: the history first, then new events
    as they settle past the horizon; it never ends by itself (abandon the
    generator, or cancel the coroutine awaiting it, to stop) unless
    `options.stop_when_idle`. Each poll is
    one global read from the position (on DynamoDB: one GetItem of the meta
    item and one Query per index partition and time bucket read; an idle
    subscription at `max_poll_interval` = 1 s on the default 4 partitions
    costs 300 requests a minute). Errors of a read end the generator with
    that error; the caller resumes from its last position.

    `events` must outlive the generator.

    Cancellation of a `next()` (or of the generator's asynchronous form):
    as the generator's (<ddb/ops/generator.hpp>): terminal ends the
    subscription (its poll in flight is cancelled; resume from the last
    position with a new one); partial and total make that `next()` complete
    with `operation_aborted` and lose nothing (the next `next()` yields the
    event that was coming). Abandoning the generator cancels its poll.

    Thread safety: the generator is its consumer's: one `next()` at a time;
    distinct subscriptions on one repository: safe. */
generator<stored_event> subscribe(event_repository& events, subscription_position from = {},
                                  subscription_options options = {});

} // namespace ddb::es
