// ddb::es — typed access to an event's metadata: the keys the store fills
// in (created-at, stored-event-id, aggregate-root-uuid/-version) and the
// user's own keys (given as `new_event::meta_data`, or to
// `event_registry::encode` / `aggregate_root::record`).
#pragma once

#include <ddb/es/event_codec.hpp>
#include <ddb/es/stored_event.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ddb::es {

/// A time as the store writes `created-at`: ISO 8601, UTC, microseconds
/// (2026-11-27T06:30:00.123456Z). `event_metadata::created_at` reads it back.
std::string format_timestamp(std::chrono::system_clock::time_point t);

/// A view of a metadata object (it must outlive the view). Accessors give an
/// empty optional when the key is absent or does not hold the expected kind.
class event_metadata {
public:
    explicit event_metadata(const boost::json::object& meta) noexcept
        : meta_(&meta) {}
    explicit event_metadata(const stored_event& e) noexcept
        : meta_(&e.meta_data) {}

    /// `created-at`: ISO 8601 UTC with microseconds (what the store writes);
    /// also read: "YYYY-MM-DD HH:MM:SS" (the PHP framework's format, UTC).
    std::optional<std::chrono::system_clock::time_point> created_at() const;
    std::optional<std::int64_t> stored_event_id() const;
    std::optional<std::string> aggregate_root_uuid() const;
    std::optional<std::int64_t> aggregate_root_version() const;

    /// A user key as `T` (through `from_json`); empty when absent, throws
    /// `event_error(properties_mismatch)` when it does not fit `T`.
    template <class T>
    std::optional<T> get(std::string_view key) const {
        auto found = meta_->find(key);
        if (found == meta_->end())
            return std::nullopt;
        return from_json<T>(found->value(), key);
    }

    /// The user's keys: everything but the store's (see `is_store_key`).
    boost::json::object user_keys() const;
    /// One of the keys of `ddb::es::meta`.
    static bool is_store_key(std::string_view key) noexcept;

    const boost::json::object& object() const noexcept { return *meta_; }

private:
    const boost::json::object* meta_;
};

} // namespace ddb::es
