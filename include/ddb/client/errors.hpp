// ddb — DynamoDB's answers as typed exceptions.
#pragma once

#include <ddb/core/error.hpp>
#include <ddb/value/item.hpp>

#include <boost/json/array.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace ddb {

/// The kinds of service error. Category name: "ddb.service".
enum class service_errc {
    conditional_check_failed = 1,        ///< ConditionalCheckFailedException
    transaction_canceled,                ///< TransactionCanceledException
    transaction_conflict,                ///< TransactionConflictException
    transaction_in_progress,             ///< TransactionInProgressException
    resource_not_found,                  ///< ResourceNotFoundException
    resource_in_use,                     ///< ResourceInUseException
    validation,                          ///< ValidationException
    provisioned_throughput_exceeded,     ///< ProvisionedThroughputExceededException
    throttling,                          ///< ThrottlingException
    request_limit_exceeded,              ///< RequestLimitExceeded
    limit_exceeded,                      ///< LimitExceededException
    item_collection_size_limit_exceeded, ///< ItemCollectionSizeLimitExceededException
    idempotent_parameter_mismatch,       ///< IdempotentParameterMismatchException
    internal_server_error,               ///< InternalServerError (or HTTP 500)
    service_unavailable,                 ///< ServiceUnavailable (or HTTP 503)
    unrecognized_client,                 ///< UnrecognizedClientException
    invalid_signature,                   ///< InvalidSignatureException
    incomplete_signature,                ///< IncompleteSignatureException
    missing_authentication_token,        ///< MissingAuthenticationTokenException
    expired_token,                       ///< ExpiredTokenException
    access_denied,                       ///< AccessDeniedException
    serialization,                       ///< SerializationException
    unknown_operation,                   ///< UnknownOperationException
    /// DynamoDB Streams: a shard iterator older than 15 minutes
    /// (ExpiredIteratorException); get a new one from the last sequence number.
    expired_iterator,
    /// DynamoDB Streams: the iterator points at records past the 24-hour
    /// retention, trimmed away (TrimmedDataAccessException).
    trimmed_data_access,
    /// An error answer that is not DynamoDB JSON (an empty 413, XML, a
    /// proxy's HTML). (A damaged response, or a 200 that is not JSON, is an
    /// `http::protocol_error`.)
    unexpected_response,
    /// A 200 answer that is JSON but lacks a field the typed response needs,
    /// or has one of the wrong type (the message names its path).
    malformed_response,
    /// A JSON error whose `__type` ddb does not know; the type is kept.
    unknown,
};

const boost::system::error_category& service_category() noexcept;

inline error_code make_error_code(service_errc e) noexcept {
    return {static_cast<int>(e), service_category()};
}

/// What DynamoDB (or whatever answered) said. Every field is what came back;
/// none holds a secret.
struct service_error_info {
    unsigned status = 0;    ///< HTTP status
    std::string type;       ///< `__type` after '#', e.g. "ValidationException"
    std::string message;    ///< `message` / `Message`
    std::string request_id; ///< x-amzn-RequestId
    std::string operation;  ///< e.g. "PutItem"
};

/// Base of every error DynamoDB answered with.
class service_error : public ddb::error {
public:
    service_error(service_errc e, service_error_info info);

    unsigned status() const noexcept { return info_.status; }
    const std::string& type() const noexcept { return info_.type; }
    const std::string& message() const noexcept { return info_.message; }
    const std::string& request_id() const noexcept { return info_.request_id; }
    const std::string& operation() const noexcept { return info_.operation; }
    service_errc kind() const noexcept { return static_cast<service_errc>(code().value()); }

private:
    service_error_info info_;
};

/// The condition of a write was false. `item()` is the item as it was, when
/// the request asked for it (ReturnValuesOnConditionCheckFailure=ALL_OLD).
/// An item that is not valid AttributeValue JSON is left out: the error is
/// still the one DynamoDB sent.
class conditional_check_failed : public service_error {
public:
    conditional_check_failed(service_error_info info, std::optional<ddb::item> item)
        : service_error(service_errc::conditional_check_failed, std::move(info))
        , item_(std::move(item)) {}
    const std::optional<ddb::item>& item() const noexcept { return item_; }

private:
    std::optional<ddb::item> item_;
};

/// A transaction was cancelled. `reasons()` is aligned with the request's
/// actions: code "None" for an action that was not the cause.
class transaction_canceled : public service_error {
public:
    struct reason {
        std::string code; ///< e.g. "ConditionalCheckFailed", "None"
        std::string message;
        /// The item as it was, when the action asked for it (as for
        /// `conditional_check_failed::item()`).
        std::optional<ddb::item> item;
    };
    transaction_canceled(service_error_info info, std::vector<reason> reasons)
        : service_error(service_errc::transaction_canceled, std::move(info))
        , reasons_(std::move(reasons)) {}
    const std::vector<reason>& reasons() const noexcept { return reasons_; }

private:
    std::vector<reason> reasons_;
};

/// Throttling errors (retried by the retry policy).
class throttling_error : public service_error {
public:
    using service_error::service_error;
};

/// The table's or index's throughput was exceeded. `throttling_reasons()` is
/// the `ThrottlingReasons` array when DynamoDB sent one.
class provisioned_throughput_exceeded : public throttling_error {
public:
    provisioned_throughput_exceeded(service_error_info info, boost::json::array reasons)
        : throttling_error(service_errc::provisioned_throughput_exceeded, std::move(info))
        , reasons_(std::move(reasons)) {}
    const boost::json::array& throttling_reasons() const noexcept { return reasons_; }

private:
    boost::json::array reasons_;
};

/// Authentication and authorization failures (never retried, except that
/// ExpiredToken refreshes the credentials once).
class authentication_error : public service_error {
public:
    using service_error::service_error;
};

/// An error answer whose body was not DynamoDB JSON. `content_type()` and `body_excerpt()` (at
/// most 256 bytes) say what came back.
class unexpected_response : public service_error {
public:
    unexpected_response(service_error_info info, std::string content_type, std::string excerpt)
        : service_error(service_errc::unexpected_response, std::move(info))
        , content_type_(std::move(content_type))
        , excerpt_(std::move(excerpt)) {}
    const std::string& content_type() const noexcept { return content_type_; }
    const std::string& body_excerpt() const noexcept { return excerpt_; }

private:
    std::string content_type_, excerpt_;
};

#define DDB_SERVICE_ERROR(name, base, errc)                                                        \
    class name : public base {                                                                     \
    public:                                                                                        \
        explicit name(service_error_info info)                                                     \
            : base(service_errc::errc, std::move(info)) {}                                         \
    };
DDB_SERVICE_ERROR(transaction_conflict, service_error, transaction_conflict)
DDB_SERVICE_ERROR(transaction_in_progress, throttling_error, transaction_in_progress)
DDB_SERVICE_ERROR(resource_not_found, service_error, resource_not_found)
DDB_SERVICE_ERROR(resource_in_use, service_error, resource_in_use)
DDB_SERVICE_ERROR(validation_error, service_error, validation)
DDB_SERVICE_ERROR(throttling_exception, throttling_error, throttling)
DDB_SERVICE_ERROR(request_limit_exceeded, throttling_error, request_limit_exceeded)
DDB_SERVICE_ERROR(limit_exceeded, throttling_error, limit_exceeded)
DDB_SERVICE_ERROR(item_collection_size_limit_exceeded, service_error,
                  item_collection_size_limit_exceeded)
DDB_SERVICE_ERROR(idempotent_parameter_mismatch, service_error, idempotent_parameter_mismatch)
DDB_SERVICE_ERROR(internal_server_error, service_error, internal_server_error)
DDB_SERVICE_ERROR(service_unavailable, service_error, service_unavailable)
DDB_SERVICE_ERROR(unrecognized_client, authentication_error, unrecognized_client)
DDB_SERVICE_ERROR(invalid_signature, authentication_error, invalid_signature)
DDB_SERVICE_ERROR(incomplete_signature, authentication_error, incomplete_signature)
DDB_SERVICE_ERROR(missing_authentication_token, authentication_error, missing_authentication_token)
DDB_SERVICE_ERROR(expired_token, authentication_error, expired_token)
DDB_SERVICE_ERROR(access_denied, authentication_error, access_denied)
DDB_SERVICE_ERROR(serialization_error, service_error, serialization)
DDB_SERVICE_ERROR(unknown_operation, service_error, unknown_operation)
// DynamoDB Streams (`streams_client`). Its LimitExceededException (more than
// two readers on a shard) is `limit_exceeded` above, a throttling error, and
// an unknown stream ARN is `resource_not_found`.
DDB_SERVICE_ERROR(expired_iterator, service_error, expired_iterator)
DDB_SERVICE_ERROR(trimmed_data_access, service_error, trimmed_data_access)
DDB_SERVICE_ERROR(malformed_response, service_error, malformed_response)
DDB_SERVICE_ERROR(unknown_service_error, service_error, unknown)
#undef DDB_SERVICE_ERROR

/// How deeply a response's JSON may nest. DynamoDB nests items at most 32
/// levels (about 70 JSON levels in a response); deeper JSON is refused
/// (`http::protocol_error` for a 200, `unexpected_response` for an error
/// answer) and never reaches a recursive decoder.
inline constexpr unsigned max_response_depth = 100;

/// The kind of error a `__type` names (the part after '#'), or
/// `service_errc::unknown`.
service_errc classify_error_type(std::string_view type) noexcept;

/// Builds the typed exception for an error response and throws it. `body`
/// is the response body; non-JSON bodies give `unexpected_response`.
[[noreturn]] void throw_service_error(unsigned status, std::string_view content_type,
                                      std::string_view body, std::string request_id,
                                      std::string operation);

} // namespace ddb

template <>
struct boost::system::is_error_code_enum<ddb::service_errc> : std::true_type {};
