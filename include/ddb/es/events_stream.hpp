// ddb::es — DynamoDB Streams on the events table: whether the table keeps a
// stream (each change as a record, readable with the Streams API for 24
// hours), and turning it on and off in place.
//
// A stream is a table setting, not part of the store's schema: `create_tables`
// creates the events table with the stream of `store_config::stream` and
// turns it on for an existing table; it never turns one off (off is the
// default setting, meaning "not asked for"). `set_events_stream` turns it on
// or off. The view type of an enabled stream cannot be changed in place: turn
// the stream off, then on with the other view type; that makes a new stream
// (a new ARN and label), and readers of the old one must move to it. The old
// stream's records stay readable for 24 hours.
//
// Thread safety: the functions are coroutines on the client (see
// <ddb/client/client.hpp>); `events_stream_status` is a value type.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/core/diagnostics.hpp>
#include <ddb/es/detail/async.hpp>
#include <ddb/es/store_config.hpp>

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ddb::es {

/// A table's stream as DescribeTable reports it.
struct events_stream_status {
    bool enabled = false;
    /// The view type of the enabled stream.
    std::optional<stream_view_type> view_type{};
    /// The table's latest stream: the enabled one, or the last one before the
    /// stream was turned off (its records stay readable for 24 hours).
    /// Absent when the table never had a stream.
    std::optional<std::string> latest_arn{};
    std::optional<std::string> latest_label{};
};

/// The stream part of a table description.
events_stream_status stream_status_of(const table_description& table);

/// The view types the store offers: `new_image` (each appended event, as
/// stored), `new_and_old_images` (also what an update or a TTL deletion
/// replaced) and `keys_only`. `old_image` (an append has no old image: the
/// records of new events would be empty) and `unknown`:
/// `es_errc::invalid_argument`.
void check_stream_view_type(stream_view_type view);

/// Turns the stream of `config.events_table` on with view type `view`, or
/// off (`nullopt`), with UpdateTable, and waits until the table is ACTIVE
/// again; returns the stream as the table then reports it. Idempotent: a
/// stream already as asked is left as it is (no UpdateTable). Safe to run
/// from several processes at once and to retry: a table being updated is
/// waited for, and a refused UpdateTable (another process or a lost answer
/// got there first) is accepted when the table then is as asked.
///
/// Errors: an invalid `view` (see `check_stream_view_type`):
/// `invalid_argument`, before any request. A stream enabled with another
/// view type: `table_schema_mismatch` (turn it off first, see above).
/// `resource_not_found` when the table does not exist. The endpoint refuses
/// or ignores the setting (dynalite has no DynamoDB Streams; moto cannot
/// turn a stream on again once it was turned off): `stream_unavailable`,
/// naming the table and the endpoint's answer.
///
/// `progress` gets one line per step (T the table, V the view type, A the
/// latest stream's ARN): "enabling the stream (V) on T", "disabling the
/// stream on T", "T has a stream (V): A", "T has no stream".
boost::asio::awaitable<events_stream_status>
set_events_stream(client& c, const store_config& config, std::optional<stream_view_type> view,
                  std::function<void(std::string_view)> progress = {});

/// `set_events_stream`, asynchronous: `void(error_code, events_stream_status)` on
/// the client's executor, on a handle on the client and copies of the
/// arguments. Cancellation: terminal, partial: `operation_aborted`, the
/// UpdateTable may have been sent: run it again; total: ignored.
template <detail::token Token = default_token>
auto async_set_events_stream(client& c, store_config config, std::optional<stream_view_type> view,
                             std::function<void(std::string_view)> progress,
                             Token&& token = default_token()) {
    return detail::async_op<events_stream_status>(
        c.get_executor(),
        [cl = c.share(), config = std::move(config), view,
         progress = std::move(progress)]() mutable {
            return set_events_stream(cl, config, view, progress);
        },
        nullptr, cancellation_support::terminal_partial, std::forward<Token>(token));
}
template <detail::token Token = default_token>
auto async_set_events_stream(client& c, store_config config, std::optional<stream_view_type> view,
                             std::function<void(std::string_view)> progress, diagnostics& diag,
                             Token&& token = default_token()) {
    return detail::async_op<events_stream_status>(
        c.get_executor(),
        [cl = c.share(), config = std::move(config), view,
         progress = std::move(progress)]() mutable {
            return set_events_stream(cl, config, view, progress);
        },
        &diag, cancellation_support::terminal_partial, std::forward<Token>(token));
}

} // namespace ddb::es
