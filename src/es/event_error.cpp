#include <ddb/core/errc.hpp>
#include <ddb/core/error_category.hpp>
#include <ddb/es/event_error.hpp>
#include <ddb/es/event_repository.hpp>

#include <iterator>

namespace ddb::es {

const boost::system::error_category& event_category() noexcept {
    static constexpr const char* messages[] = {
        "unknown event",
        "event properties do not fit the type",
        "event version newer than the registered one",
        "missing upcaster",
        "unexpected event type",
        "unregistered event type",
        "invalid event registration",
        "transaction too large",
        "snapshot state does not fit the aggregate",
    };
    static_assert(std::size(messages) == static_cast<std::size_t>(event_errc::snapshot_mismatch));
    // The condition each code compares equal to (<ddb/core/errc.hpp>).
    static constexpr ddb::errc conditions[] = {
        ddb::errc::invalid_argument, ddb::errc::invalid_argument, ddb::errc::invalid_argument,
        ddb::errc::invalid_argument, ddb::errc::invalid_argument, ddb::errc::invalid_argument,
        ddb::errc::invalid_argument, ddb::errc::invalid_argument, ddb::errc::invalid_argument,
    };
    static const ddb::detail::table_category instance("ddb.es.event", messages, conditions);
    return instance;
}

namespace {

std::string describe(const stored_event& e) {
    std::string s = "stored event " + std::to_string(e.id) + " (\"" + e.event_class + "\" v" +
                    std::to_string(e.event_version);
    if (e.aggregate_uuid)
        s += ", aggregate " + *e.aggregate_uuid + " version " + std::to_string(e.aggregate_version);
    return s + ")";
}

} // namespace

event_decode_error::event_decode_error(event_errc e, const stored_event& event,
                                       const std::string& detail)
    : event_error(e, describe(event) + ": " + detail)
    , id_(event.id)
    , class_(event.event_class)
    , version_(event.event_version)
    , uuid_(event.aggregate_uuid)
    , aggregate_version_(event.aggregate_version) {}

unknown_event::unknown_event(const stored_event& event)
    : event_decode_error(event_errc::unknown_event, event,
                         "no event type is registered under this name") {}

event_properties_mismatch::event_properties_mismatch(const stored_event& event, std::string detail)
    : event_decode_error(event_errc::properties_mismatch, event,
                         "properties do not fit the registered type: " + detail)
    , detail_(std::move(detail)) {}

event_version_unsupported::event_version_unsupported(event_errc kind, const stored_event& event,
                                                     int registered, int missing_step)
    : event_decode_error(kind, event,
                         kind == event_errc::version_too_new
                             ? "the registered version is " + std::to_string(registered) +
                                   " (the event was written by newer code)"
                             : "no upcaster from version " + std::to_string(missing_step) + " to " +
                                   std::to_string(missing_step + 1) + " (registered version " +
                                   std::to_string(registered) + ")")
    , registered_(registered)
    , missing_step_(missing_step) {}

unexpected_event::unexpected_event(const stored_event& event)
    : event_decode_error(event_errc::unexpected_event, event,
                         "registered, but not one of the event types asked for") {}

transaction_too_large::transaction_too_large(std::size_t actions, std::size_t bytes)
    : event_error(event_errc::transaction_too_large,
                  "a transaction of " + std::to_string(actions) + " actions and " +
                      std::to_string(bytes) + " bytes; the limits are " +
                      std::to_string(max_transaction_actions) + " actions and " +
                      std::to_string(max_transaction_bytes) + " bytes")
    , actions_(actions)
    , bytes_(bytes) {}

} // namespace ddb::es
