// ddb::es — an event as the store keeps it.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace ddb::es {

/// Metadata keys the store fills in (the framework's names).
namespace meta {
inline constexpr const char* created_at = "created-at";
inline constexpr const char* stored_event_id = "stored-event-id";
inline constexpr const char* aggregate_root_uuid = "aggregate-root-uuid";
inline constexpr const char* aggregate_root_version = "aggregate-root-version";
} // namespace meta

/// What a caller asks the store to keep.
struct new_event {
    /// The stable name of the event type (the framework's event class map
    /// alias), not a C++ type name.
    std::string event_class{};
    /// The version of the event's schema (for upcasting), from 1.
    int event_version = 1;
    /// The event's properties.
    boost::json::value properties{};
    /// User metadata; the store adds the keys of `meta`.
    boost::json::object meta_data{};
    /// When set, DynamoDB deletes the event after this time (TTL; needs TTL
    /// enabled on the table, see `create_tables`).
    std::optional<std::chrono::system_clock::time_point> expires_at{};
    /// The event's id, chosen by the caller; empty: the store draws one.
    /// Give ids (from the repository's `new_id()`) to make an append safe to
    /// retry after an unknown outcome (a transport error, a timeout,
    /// throttling after the client's retries): the store recognises events
    /// it already holds by their ids and returns them as stored instead of
    /// storing them again or reporting a conflict. In one append either every
    /// event has an id or none; ids are positive and distinct. See
    /// `event_repository::append` for what is recognised where.
    std::optional<std::int64_t> id{};
};

/// A stored event.
struct stored_event {
    /// Unique, time-ordered 64-bit id (see `id_generator`).
    std::int64_t id = 0;
    /// Empty for an event stored without an aggregate.
    std::optional<std::string> aggregate_uuid{};
    /// 1, 2, ... within its aggregate; 0 without an aggregate.
    std::int64_t aggregate_version = 0;
    int event_version = 1;
    std::string event_class{};
    boost::json::value event_properties{};
    /// User metadata plus `created-at` (ISO 8601, UTC, microseconds),
    /// `stored-event-id`, and for aggregate events `aggregate-root-uuid` and
    /// `aggregate-root-version`.
    boost::json::object meta_data{};
    /// Microsecond precision.
    std::chrono::system_clock::time_point created_at{};
    std::optional<std::chrono::system_clock::time_point> expires_at{};

    friend bool operator==(const stored_event&, const stored_event&) = default;
};

} // namespace ddb::es
