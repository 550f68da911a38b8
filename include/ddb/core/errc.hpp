// ddb — error conditions: one name per kind of failure, whatever layer
// reported it.
//
// Every ddb error code (the `service_errc`, `http::errc`, `es::es_errc`, ...
// of the typed exceptions) compares equal to the condition of its kind, so
// code on the error-code path tests one name without knowing which layer
// failed:
//
//   auto [ec, r] = co_await c.async_put_item(request, asio::as_tuple);
//   if (ec == ddb::errc::conditional_check_failed) ...
//   else if (ec == ddb::errc::throttled) ...
//
// The codes themselves stay precise (`ec == ddb::service_errc::throttling`).
#pragma once

#include <boost/system/error_category.hpp>
#include <boost/system/error_condition.hpp>

#include <type_traits>

namespace ddb {

/// Kinds of failure. Category name: "ddb".
enum class errc {
    /// A write's condition was false (ConditionalCheckFailed).
    conditional_check_failed = 1,
    /// A transaction was cancelled (TransactionCanceled; reasons per action).
    transaction_canceled,
    /// Another transaction touched the same items (TransactionConflict,
    /// TransactionInProgress).
    transaction_conflict,
    /// Throughput or request limits: ProvisionedThroughputExceeded,
    /// Throttling, RequestLimitExceeded, LimitExceeded. Retried by the client
    /// before it is reported.
    throttled,
    /// The table, index or item addressed does not exist (ResourceNotFound,
    /// an event id that is not stored).
    not_found,
    /// The table is being created, updated or deleted (ResourceInUse).
    resource_in_use,
    /// DynamoDB refused the request as invalid (ValidationException,
    /// SerializationException, UnknownOperation, item collection too large,
    /// idempotent parameter mismatch).
    validation,
    /// A bad argument refused before anything was sent: an invalid value,
    /// table name, setting, option or request too large.
    invalid_argument,
    /// The request was not authenticated or not allowed: bad or expired
    /// credentials, signature, access denied.
    access_denied,
    /// No credentials could be had (none found, malformed, a provider failed).
    no_credentials,
    /// No answer in time: attempt, connect or call timeout.
    timeout,
    /// No answer at all: resolve, connect, TLS or I/O failure, connection closed.
    network,
    /// An answer that cannot be used: damaged (CRC32), not HTTP, too large,
    /// not DynamoDB JSON, or lacking a field the typed response needs.
    bad_response,
    /// DynamoDB failed (InternalServerError, ServiceUnavailable, 5xx).
    service_failure,
    /// The event store: another writer appended first (expected and actual
    /// versions on `es::concurrency_conflict`).
    concurrency_conflict,
    /// The event store: a lease or checkpoint moved to another worker.
    lease_lost,
    /// An exception that is not a ddb error, a `system_error` or
    /// `std::bad_alloc` (e.g. thrown by a user's handler); the diagnostics
    /// hold it.
    unexpected_exception,
    /// DynamoDB Streams: the shard iterator expired (ExpiredIterator); a new
    /// one from the last sequence number read continues where it stopped.
    expired_iterator,
    /// DynamoDB Streams: the records asked for are past the stream's 24-hour
    /// retention (TrimmedDataAccess): they are lost to this reader.
    trimmed_data_access,
};

/// The category of `ddb::errc`, named "ddb".
const boost::system::error_category& condition_category() noexcept;

inline boost::system::error_condition make_error_condition(errc e) noexcept {
    return {static_cast<int>(e), condition_category()};
}

} // namespace ddb

template <>
struct boost::system::is_error_condition_enum<ddb::errc> : std::true_type {};
