#include <ddb/core/errc.hpp>
#include <ddb/core/error_category.hpp>
#include <ddb/es/error.hpp>

#include <iterator>

namespace ddb::es {

const boost::system::error_category& es_category() noexcept {
    static constexpr const char* messages[] = {
        "event not found",
        "concurrency conflict",
        "event too large",
        "invalid aggregate uuid",
        "invalid stored event",
        "no such stored event to update",
        "tables exist (no longer used)",
        "invalid argument",
        "table layout differs from the configuration",
        "duplicate event id",
        "table schema differs from the event store's",
        "lease lost",
        "checkpoint moved",
        "invalid checkpoints table item",
        "event ids out of order in the aggregate",
        "event ids older than the store's max_append_age",
        "the store has the old index layout: run ddb-es migrate",
        "the endpoint does not keep the events table's stream as asked",
    };
    static_assert(std::size(messages) == static_cast<std::size_t>(es_errc::stream_unavailable));
    // The condition each code compares equal to (<ddb/core/errc.hpp>).
    static constexpr ddb::errc conditions[] = {
        ddb::errc::not_found,
        ddb::errc::concurrency_conflict,
        ddb::errc::invalid_argument,
        ddb::errc::invalid_argument,
        ddb::errc::bad_response,
        ddb::errc::not_found,
        ddb::errc{},
        ddb::errc::invalid_argument,
        ddb::errc::invalid_argument,
        ddb::errc::invalid_argument,
        ddb::errc::invalid_argument,
        ddb::errc::lease_lost,
        ddb::errc::lease_lost,
        ddb::errc::bad_response,
        ddb::errc::invalid_argument,
        ddb::errc::invalid_argument,
        ddb::errc::invalid_argument,
        ddb::errc::validation,
    };
    static const ddb::detail::table_category instance("ddb.es", messages, conditions);
    return instance;
}

concurrency_conflict::concurrency_conflict(std::string uuid, std::int64_t expected,
                                           std::int64_t actual)
    : es_error(es_errc::concurrency_conflict,
               "aggregate " + uuid + " was expected at version " + std::to_string(expected) +
                   " but is at version " + std::to_string(actual) +
                   ": another writer appended first; reload it and try again")
    , uuid_(std::move(uuid))
    , expected_(expected)
    , actual_(actual) {}

event_not_found::event_not_found(std::int64_t id)
    : es_error(es_errc::event_not_found, "no stored event has id " + std::to_string(id))
    , id_(id) {}

event_too_large::event_too_large(std::size_t size, std::size_t limit)
    : es_error(es_errc::event_too_large, "event item is " + std::to_string(size) +
                                             " bytes; DynamoDB's limit is " + std::to_string(limit))
    , size_(size)
    , limit_(limit) {}

} // namespace ddb::es
