// ddb::es — replaying stored events into projectors (the PHP framework's
// Projectionist::replay and `event-sourcing:replay`).
//
//   auto r = co_await ddb::es::replay(events, projectionist, 0,
//       [](const ddb::es::replay_progress& p) {
//           std::printf("%lld/%lld (%.0f/s)\n", p.done, p.total, p.events_per_second);
//           return true;                               // false: stop here
//       });
//   save(r.checkpoint);                                // later: from r.checkpoint + 1
//
// Events are streamed in global id order (`retrieve_all_starting_from`),
// one at a time: memory stays bounded whatever the store holds. Only the
// projectors run; reactors never do. Starting from id 0, each projector's
// `on_reset` handlers run first; a resumed replay (from_id > 0) does not
// reset.
#pragma once

#include <ddb/core/diagnostics.hpp>
#include <ddb/es/detail/async.hpp>
#include <ddb/es/event_repository.hpp>
#include <ddb/es/projector.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace ddb::es {

struct replay_progress {
    /// Events replayed so far in this call.
    std::int64_t done = 0;
    /// `count_all_starting_from(from_id)` at the start (events stored
    /// meanwhile may make `done` exceed it).
    std::int64_t total = 0;
    /// Since the start of this call.
    double events_per_second = 0;
    /// The id of the event just replayed (0 before the first).
    std::int64_t last_id = 0;
};

/// Called once before the first event (done = 0) and after each event;
/// returning false stops the replay there (the checkpoint is the last
/// event replayed).
using replay_progress_fn = std::function<bool(const replay_progress&)>;

struct replay_options {
    /// The first id to replay (inclusive); 0 resets the projectors first.
    std::int64_t from_id = 0;
    /// Only this aggregate's events (then `reset` still runs for from_id 0:
    /// the projectors must know what to clear).
    std::optional<std::string> aggregate_uuid{};
    replay_progress_fn progress{};
    /// Reads of the event stream (e.g. `settle` when tailing a live store).
    read_options read{};
};

struct replay_result {
    /// The id of the last event replayed, or `from_id - 1` (at least 0)
    /// when none was: resume with `from_id = checkpoint + 1`.
    std::int64_t checkpoint = 0;
    /// Events replayed by this call.
    std::int64_t replayed = 0;
    /// Handler failures (each also went to the projectionist's
    /// `on_failure`); counted only, so memory stays bounded.
    std::int64_t failures = 0;
    /// False when the progress callback stopped the replay.
    bool completed = false;
};

/** Replays the events with id >= `options.from_id` into `p`'s
    projectors. Handler failures are reported (see `projectionist`) and do
    not stop the replay; repository errors and exceptions from `on_reset`
    or the progress callback propagate (the events before them were
    handled: the caller's last progress `last_id` is a valid checkpoint). */
boost::asio::awaitable<replay_result> replay(event_repository& events, projectionist& p,
                                             replay_options options);

/// The same with `from_id` and `progress` only.
boost::asio::awaitable<replay_result> replay(event_repository& events, projectionist& p,
                                             std::int64_t from_id = 0,
                                             replay_progress_fn progress = {});

/// `replay`, asynchronous: `void(error_code, replay_result)` on `events`'
/// executor; `events` and `p` must outlive it. Cancellation: terminal,
/// partial: `operation_aborted`, the events before it were handled (the
/// last progress report's `last_id` is a valid checkpoint); total: ignored
/// (the projectors' effects are side effects).
template <detail::token Token = default_token>
auto async_replay(event_repository& events, projectionist& p, replay_options options,
                  Token&& token = default_token()) {
    auto* e = &events;
    auto* pp = &p;
    return detail::async_op<replay_result>(
        events.get_executor(),
        [e, pp, options = std::move(options)]() mutable {
            return replay(*e, *pp, std::move(options));
        },
        nullptr, cancellation_support::terminal_partial, std::forward<Token>(token));
}
template <detail::token Token = default_token>
auto async_replay(event_repository& events, projectionist& p, replay_options options,
                  diagnostics& diag, Token&& token = default_token()) {
    auto* e = &events;
    auto* pp = &p;
    return detail::async_op<replay_result>(
        events.get_executor(),
        [e, pp, options = std::move(options)]() mutable {
            return replay(*e, *pp, std::move(options));
        },
        &diag, cancellation_support::terminal_partial, std::forward<Token>(token));
}

} // namespace ddb::es
