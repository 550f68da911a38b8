#include <ddb/client/errors.hpp>
#include <ddb/core/errc.hpp>
#include <ddb/core/error_category.hpp>
#include <ddb/value/error.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <iterator>
#include <utility>

namespace ddb {

namespace json = boost::json;

const boost::system::error_category& service_category() noexcept {
    static constexpr const char* messages[] = {
        "conditional check failed",
        "transaction canceled",
        "transaction conflict",
        "transaction in progress",
        "resource not found",
        "resource in use",
        "validation error",
        "provisioned throughput exceeded",
        "throttled",
        "request limit exceeded",
        "limit exceeded",
        "item collection size limit exceeded",
        "idempotent parameter mismatch",
        "internal server error",
        "service unavailable",
        "unrecognized client",
        "invalid signature",
        "incomplete signature",
        "missing authentication token",
        "expired token",
        "access denied",
        "serialization error",
        "unknown operation",
        "shard iterator expired",
        "trimmed data access",
        "unexpected response",
        "malformed response",
        "unknown service error",
    };
    static_assert(std::size(messages) == static_cast<std::size_t>(service_errc::unknown));
    // The condition each code compares equal to (<ddb/core/errc.hpp>).
    static constexpr ddb::errc conditions[] = {
        ddb::errc::conditional_check_failed,
        ddb::errc::transaction_canceled,
        ddb::errc::transaction_conflict,
        ddb::errc::transaction_conflict,
        ddb::errc::not_found,
        ddb::errc::resource_in_use,
        ddb::errc::validation,
        ddb::errc::throttled,
        ddb::errc::throttled,
        ddb::errc::throttled,
        ddb::errc::throttled,
        ddb::errc::validation,
        ddb::errc::validation,
        ddb::errc::service_failure,
        ddb::errc::service_failure,
        ddb::errc::access_denied,
        ddb::errc::access_denied,
        ddb::errc::access_denied,
        ddb::errc::access_denied,
        ddb::errc::access_denied,
        ddb::errc::access_denied,
        ddb::errc::validation,
        ddb::errc::validation,
        ddb::errc::expired_iterator,
        ddb::errc::trimmed_data_access,
        ddb::errc::bad_response,
        ddb::errc::bad_response,
        ddb::errc{},
    };
    static const detail::table_category instance("ddb.service", messages, conditions);
    return instance;
}

namespace {

std::string what_of(service_errc e, const service_error_info& i) {
    std::string s = i.operation.empty() ? std::string() : i.operation + ": ";
    s += i.type.empty() ? make_error_code(e).message() : i.type;
    if (!i.message.empty())
        s += ": " + i.message;
    s += " (HTTP " + std::to_string(i.status);
    if (!i.request_id.empty())
        s += ", request id " + i.request_id;
    return s + ")";
}

struct type_entry {
    std::string_view name;
    service_errc kind;
};

// `__type` suffixes (and the XML codes some servers use for the same errors).
constexpr type_entry types[] = {
    {"ConditionalCheckFailedException", service_errc::conditional_check_failed},
    {"TransactionCanceledException", service_errc::transaction_canceled},
    {"TransactionConflictException", service_errc::transaction_conflict},
    {"TransactionInProgressException", service_errc::transaction_in_progress},
    {"ResourceNotFoundException", service_errc::resource_not_found},
    {"ResourceInUseException", service_errc::resource_in_use},
    {"ValidationException", service_errc::validation},
    {"ProvisionedThroughputExceededException", service_errc::provisioned_throughput_exceeded},
    {"ThrottlingException", service_errc::throttling},
    {"Throttling", service_errc::throttling},
    {"RequestLimitExceeded", service_errc::request_limit_exceeded},
    {"LimitExceededException", service_errc::limit_exceeded},
    {"ItemCollectionSizeLimitExceededException", service_errc::item_collection_size_limit_exceeded},
    {"IdempotentParameterMismatchException", service_errc::idempotent_parameter_mismatch},
    {"InternalServerError", service_errc::internal_server_error},
    {"InternalFailure", service_errc::internal_server_error},
    {"ServiceUnavailable", service_errc::service_unavailable},
    {"ServiceUnavailableException", service_errc::service_unavailable},
    {"UnrecognizedClientException", service_errc::unrecognized_client},
    {"InvalidClientTokenId", service_errc::unrecognized_client},
    {"InvalidSignatureException", service_errc::invalid_signature},
    {"SignatureDoesNotMatch", service_errc::invalid_signature},
    {"IncompleteSignatureException", service_errc::incomplete_signature},
    {"IncompleteSignature", service_errc::incomplete_signature},
    {"MissingAuthenticationTokenException", service_errc::missing_authentication_token},
    {"MissingAuthenticationToken", service_errc::missing_authentication_token},
    {"ExpiredTokenException", service_errc::expired_token},
    {"ExpiredToken", service_errc::expired_token},
    {"AccessDeniedException", service_errc::access_denied},
    {"AccessDenied", service_errc::access_denied},
    {"SerializationException", service_errc::serialization},
    {"UnknownOperationException", service_errc::unknown_operation},
    {"ExpiredIteratorException", service_errc::expired_iterator},
    {"TrimmedDataAccessException", service_errc::trimmed_data_access},
};

// The item at `key`; none when there is none or it is not AttributeValue JSON.
std::optional<item> item_at(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v || !v->is_object())
        return std::nullopt;
    try {
        return item_from_json(*v, key);
    } catch (const value_error&) {
        return std::nullopt;
    }
}

std::string string_at(const json::object& o, std::string_view key) {
    if (auto* v = o.if_contains(key); v && v->is_string())
        return std::string(v->as_string());
    return {};
}

// "<Code>X</Code>" in an XML error body.
std::string xml_element(std::string_view body, std::string_view tag) {
    std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
    auto b = body.find(open);
    if (b == std::string_view::npos)
        return {};
    b += open.size();
    auto e = body.find(close, b);
    return e == std::string_view::npos ? std::string() : std::string(body.substr(b, e - b));
}

[[noreturn]] void throw_kind(service_errc kind, service_error_info info, const json::object* body) {
    switch (kind) {
    case service_errc::conditional_check_failed:
        throw conditional_check_failed(std::move(info),
                                       body ? item_at(*body, "Item") : std::nullopt);
    case service_errc::transaction_canceled: {
        std::vector<transaction_canceled::reason> reasons;
        if (body)
            if (auto* arr = body->if_contains("CancellationReasons"); arr && arr->is_array())
                for (auto& r : arr->as_array()) {
                    if (!r.is_object())
                        continue;
                    auto& o = r.as_object();
                    reasons.push_back(
                        {string_at(o, "Code"), string_at(o, "Message"), item_at(o, "Item")});
                }
        throw transaction_canceled(std::move(info), std::move(reasons));
    }
    case service_errc::provisioned_throughput_exceeded: {
        json::array reasons;
        if (body)
            if (auto* arr = body->if_contains("ThrottlingReasons"); arr && arr->is_array())
                reasons = arr->as_array();
        throw provisioned_throughput_exceeded(std::move(info), std::move(reasons));
    }
    case service_errc::transaction_conflict:
        throw transaction_conflict(std::move(info));
    case service_errc::transaction_in_progress:
        throw transaction_in_progress(std::move(info));
    case service_errc::resource_not_found:
        throw resource_not_found(std::move(info));
    case service_errc::resource_in_use:
        throw resource_in_use(std::move(info));
    case service_errc::validation:
        throw validation_error(std::move(info));
    case service_errc::throttling:
        throw throttling_exception(std::move(info));
    case service_errc::request_limit_exceeded:
        throw request_limit_exceeded(std::move(info));
    case service_errc::limit_exceeded:
        throw limit_exceeded(std::move(info));
    case service_errc::item_collection_size_limit_exceeded:
        throw item_collection_size_limit_exceeded(std::move(info));
    case service_errc::idempotent_parameter_mismatch:
        throw idempotent_parameter_mismatch(std::move(info));
    case service_errc::internal_server_error:
        throw internal_server_error(std::move(info));
    case service_errc::service_unavailable:
        throw service_unavailable(std::move(info));
    case service_errc::unrecognized_client:
        throw unrecognized_client(std::move(info));
    case service_errc::invalid_signature:
        throw invalid_signature(std::move(info));
    case service_errc::incomplete_signature:
        throw incomplete_signature(std::move(info));
    case service_errc::missing_authentication_token:
        throw missing_authentication_token(std::move(info));
    case service_errc::expired_token:
        throw expired_token(std::move(info));
    case service_errc::access_denied:
        throw access_denied(std::move(info));
    case service_errc::serialization:
        throw serialization_error(std::move(info));
    case service_errc::unknown_operation:
        throw unknown_operation(std::move(info));
    case service_errc::expired_iterator:
        throw expired_iterator(std::move(info));
    case service_errc::trimmed_data_access:
        throw trimmed_data_access(std::move(info));
    case service_errc::unexpected_response:
    case service_errc::malformed_response:
    case service_errc::unknown:
        break;
    }
    throw unknown_service_error(std::move(info));
}

} // namespace

service_error::service_error(service_errc e, service_error_info info)
    : ddb::error(make_error_code(e), what_of(e, info))
    , info_(std::move(info)) {}

service_errc classify_error_type(std::string_view type) noexcept {
    if (auto hash = type.rfind('#'); hash != std::string_view::npos)
        type.remove_prefix(hash + 1);
    for (const auto& t : types)
        if (t.name == type)
            return t.kind;
    return service_errc::unknown;
}

void throw_service_error(unsigned status, std::string_view content_type, std::string_view body,
                         std::string request_id, std::string operation) {
    service_error_info info{status, {}, {}, std::move(request_id), std::move(operation)};
    json::error_code ec;
    json::parse_options depth;
    depth.max_depth = max_response_depth;
    json::value parsed = body.empty() ? json::value() : json::parse(body, ec, {}, depth);
    if (!ec && parsed.is_object()) {
        const auto& o = parsed.as_object();
        std::string type = string_at(o, "__type");
        if (auto hash = type.rfind('#'); hash != std::string::npos)
            type.erase(0, hash + 1);
        info.type = type;
        info.message = string_at(o, "message");
        if (info.message.empty())
            info.message = string_at(o, "Message");
        if (!type.empty())
            throw_kind(classify_error_type(type), std::move(info), &o);
    }
    // Not DynamoDB JSON. An XML error with a known <Code> is still typed.
    if (std::string code = xml_element(body, "Code"); !code.empty()) {
        info.type = code;
        info.message = xml_element(body, "Message");
        if (auto kind = classify_error_type(code); kind != service_errc::unknown)
            throw_kind(kind, std::move(info), nullptr);
    }
    std::string excerpt(body.substr(0, 256));
    if (info.message.empty())
        info.message =
            body.empty() ? "empty body" : "non-JSON body (" + std::string(content_type) + ")";
    throw unexpected_response(std::move(info), std::string(content_type), std::move(excerpt));
}

} // namespace ddb
