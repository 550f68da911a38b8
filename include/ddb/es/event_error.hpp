// ddb::es — the errors of typed events and aggregate roots (category
// "ddb.es.event"): a stored event that cannot become a typed event, a
// registry used wrongly, a transaction beyond DynamoDB's limits.
#pragma once

#include <ddb/core/error.hpp>
#include <ddb/es/stored_event.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>

namespace ddb::es {

/// Category "ddb.es.event".
enum class event_errc {
    /// A stored event's name (event_class) is not in the registry.
    unknown_event = 1,
    /// A stored event's properties do not fit the struct (a missing member,
    /// a value of the wrong type); the message names the member's path.
    properties_mismatch,
    /// A stored event's version is newer than the registered one (written
    /// by newer code).
    version_too_new,
    /// No upcaster from a stored event's version to the next one.
    missing_upcaster,
    /// A registered event that is not one of the types asked for (e.g. not
    /// in the aggregate root's event list).
    unexpected_event,
    /// Encoding (or asking the name of) a C++ type that is not registered.
    unregistered_type,
    /// A name, type or upcaster step registered twice, or an invalid
    /// registration (empty name, version < 1).
    invalid_registration,
    /// `append_all` beyond one TransactWriteItems (100 actions, 4 MB).
    transaction_too_large,
    /// A snapshot whose state does not fit the aggregate (`load` then
    /// rebuilds the aggregate from all its events).
    snapshot_mismatch,
};

const boost::system::error_category& event_category() noexcept;

inline error_code make_error_code(event_errc e) noexcept {
    return {static_cast<int>(e), event_category()};
}

/// Base of the errors of this category.
class event_error : public ddb::error {
public:
    event_error(event_errc e, const std::string& message)
        : ddb::error(make_error_code(e), message) {}
    event_errc kind() const noexcept { return static_cast<event_errc>(code().value()); }
};

/// A stored event that could not be decoded: which one (id, name, version,
/// aggregate) and why (`kind()`, `what()`).
class event_decode_error : public event_error {
public:
    event_decode_error(event_errc e, const stored_event& event, const std::string& detail);
    std::int64_t event_id() const noexcept { return id_; }
    const std::string& event_class() const noexcept { return class_; }
    int event_version() const noexcept { return version_; }
    const std::optional<std::string>& aggregate_uuid() const noexcept { return uuid_; }
    std::int64_t aggregate_version() const noexcept { return aggregate_version_; }

private:
    std::int64_t id_;
    std::string class_;
    int version_;
    std::optional<std::string> uuid_;
    std::int64_t aggregate_version_;
};

/// The event's name is not registered.
class unknown_event : public event_decode_error {
public:
    explicit unknown_event(const stored_event& event);
};

/// The properties do not fit the registered struct; `detail()` names the
/// member ("amount: expected a number, found string").
class event_properties_mismatch : public event_decode_error {
public:
    event_properties_mismatch(const stored_event& event, std::string detail);
    const std::string& detail() const noexcept { return detail_; }

private:
    std::string detail_;
};

/// The stored version cannot be brought to the registered one: newer than
/// it (`version_too_new`) or an upcaster step is missing
/// (`missing_upcaster`, `missing_step()` is the version without one).
class event_version_unsupported : public event_decode_error {
public:
    event_version_unsupported(event_errc kind, const stored_event& event, int registered,
                              int missing_step);
    int registered_version() const noexcept { return registered_; }
    int missing_step() const noexcept { return missing_step_; }

private:
    int registered_, missing_step_;
};

/// A registered event that is not one of the requested types (e.g. an
/// aggregate's stream holds an event the aggregate does not list).
class unexpected_event : public event_decode_error {
public:
    explicit unexpected_event(const stored_event& event);
};

/// `append_all` that does not fit one TransactWriteItems: `actions()` of at
/// most 100, `bytes()` of at most 4,000,000 (item sizes). Nothing was sent.
class transaction_too_large : public event_error {
public:
    transaction_too_large(std::size_t actions, std::size_t bytes);
    std::size_t actions() const noexcept { return actions_; }
    std::size_t bytes() const noexcept { return bytes_; }

private:
    std::size_t actions_, bytes_;
};

} // namespace ddb::es

template <>
struct boost::system::is_error_code_enum<ddb::es::event_errc> : std::true_type {};
