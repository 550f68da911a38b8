#include <ddb/es/events_stream.hpp>

#include "detail/events_stream.hpp"

#include <ddb/es/error.hpp>
#include <ddb/model/wire.hpp>
#include <ddb/ops/table_waiter.hpp>

#include <chrono>

namespace ddb::es {

namespace asio = boost::asio;
using asio::awaitable;

namespace detail {

std::string view_type_name(stream_view_type view) {
    const std::string_view wire = model::to_wire(view);
    return wire.empty() ? "UNKNOWN" : std::string(wire);
}

std::optional<std::string> stream_difference(stream_view_type wanted,
                                             const events_stream_status& found) {
    if (!found.enabled || found.view_type == wanted)
        return std::nullopt;
    const std::string want = view_type_name(wanted);
    return "stream enabled with view type " +
           (found.view_type ? view_type_name(*found.view_type) : std::string("UNKNOWN")) +
           ", not " + want +
           " as asked (a stream's view type cannot be changed in place: turn the stream off "
           "('ddb-es stream --disable'), then on with " +
           want + "; that makes a new stream, with a new ARN, and its readers must move to it)";
}

} // namespace detail

namespace {

bool as_asked(const events_stream_status& s, const std::optional<stream_view_type>& view) {
    return view ? s.enabled && s.view_type == view : !s.enabled;
}

// "T has a stream (NEW_IMAGE): arn:...", "T has no stream".
std::string state_line(const std::string& table, const events_stream_status& s) {
    if (!s.enabled)
        return table + " has no stream";
    return table + " has a stream (" +
           (s.view_type ? detail::view_type_name(*s.view_type) : std::string("UNKNOWN")) +
           "): " + s.latest_arn.value_or("no ARN reported");
}

// The table's stream once the table is ACTIVE (an UpdateTable needs that).
awaitable<events_stream_status> settled(client& c, const std::string& table) {
    auto t = co_await wait_until_table_active(c, table, std::chrono::minutes(10),
                                              std::chrono::milliseconds(200));
    co_return stream_status_of(t);
}

[[noreturn]] void throw_unavailable(const std::string& table,
                                    const std::optional<stream_view_type>& view,
                                    const std::string& answer) {
    throw es_error(es_errc::stream_unavailable,
                   "events table " + table + ": the stream could not be " +
                       (view ? "enabled (" + detail::view_type_name(*view) + ")" : "disabled") +
                       ": " + answer +
                       ". The endpoint may not support DynamoDB Streams (dynalite has none; "
                       "moto cannot enable a stream again once it was disabled)");
}

update_table_request stream_request(const std::string& table,
                                    const std::optional<stream_view_type>& view) {
    update_table_request req;
    req.table_name = table;
    stream_specification spec;
    spec.stream_enabled = view.has_value();
    spec.stream_view_type = view;
    req.stream_specification = spec;
    return req;
}

} // namespace

events_stream_status stream_status_of(const table_description& table) {
    events_stream_status s;
    if (table.stream_specification && table.stream_specification->stream_enabled) {
        s.enabled = true;
        s.view_type = table.stream_specification->stream_view_type;
    }
    s.latest_arn = table.latest_stream_arn;
    s.latest_label = table.latest_stream_label;
    return s;
}

void check_stream_view_type(stream_view_type view) {
    if (view == stream_view_type::new_image || view == stream_view_type::new_and_old_images ||
        view == stream_view_type::keys_only)
        return;
    throw es_error(es_errc::invalid_argument,
                   view == stream_view_type::old_image
                       ? "store_config.stream: OLD_IMAGE is of no use on the events table (an "
                         "appended event has no old image: its record would be empty); use "
                         "NEW_IMAGE, NEW_AND_OLD_IMAGES or KEYS_ONLY"
                       : "store_config.stream: not a stream view type; use NEW_IMAGE, "
                         "NEW_AND_OLD_IMAGES or KEYS_ONLY");
}

awaitable<events_stream_status> set_events_stream(client& c, const store_config& config,
                                                  std::optional<stream_view_type> view,
                                                  std::function<void(std::string_view)> progress) {
    if (view)
        check_stream_view_type(*view);
    const std::string& table = config.events_table;
    auto say = [&progress](const std::string& line) {
        if (progress)
            progress(line);
    };
    // The endpoint's last refusal, and whether it is final: ResourceInUse
    // (the table is being updated) is worth another round once the table is
    // ACTIVE; a ValidationException is not, unless the table then is as asked
    // (another process, or this call's earlier attempt whose answer was lost,
    // got there first).
    std::string refusal;
    bool final_refusal = false;
    for (int round = 0; round < 4; ++round) {
        const auto now = co_await settled(c, table);
        if (as_asked(now, view)) {
            say(state_line(table, now));
            co_return now;
        }
        if (view)
            if (auto difference = detail::stream_difference(*view, now))
                throw es_error(es_errc::table_schema_mismatch,
                               "events table " + table + ": " + *difference);
        if (final_refusal)
            break;
        say(view ? "enabling the stream (" + detail::view_type_name(*view) + ") on " + table
                 : "disabling the stream on " + table);
        const auto req = stream_request(table, view);
        try {
            co_await c.update_table(req);
        } catch (const resource_in_use& e) {
            refusal = "UpdateTable answered " + e.type() + ": " + e.message();
            continue;
        } catch (const validation_error& e) {
            refusal = "UpdateTable answered " + e.type() + ": " + e.message();
            final_refusal = true;
            continue;
        }
        const auto after = co_await settled(c, table);
        if (as_asked(after, view)) {
            say(state_line(table, after));
            co_return after;
        }
        throw_unavailable(table, view,
                          "UpdateTable succeeded, yet the table reports " +
                              state_line(table, after).substr(table.size() + 1));
    }
    throw_unavailable(table, view, refusal);
}

} // namespace ddb::es
