// ddb — what a call did, for metrics and debug logs.
#pragma once

#include <ddb/client/retry_policy.hpp>
#include <ddb/core/error.hpp>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ddb {

/// One attempt of a call.
struct attempt_metrics {
    std::chrono::microseconds latency{0};
    unsigned status = 0;    ///< HTTP status; 0 when no response arrived
    std::string error;      ///< error type or transport error; empty on success
    std::string request_id; ///< x-amzn-RequestId
    bool reused_connection = false;
    std::chrono::milliseconds backoff_after{0}; ///< wait before the next attempt
};

/// One call through `client::call`, delivered to `client_hooks::on_call`
/// when it ends (success or not). Holds no secret, signature or token.
struct call_metrics {
    std::string operation;
    bool success = false;
    std::string error; ///< the final error's message, when it failed
    std::vector<attempt_metrics> attempts;
    std::chrono::microseconds total{0};
    std::size_t bytes_sent = 0, bytes_received = 0;
    boost::json::value consumed_capacity;  ///< ConsumedCapacity when returned
    boost::json::array throttling_reasons; ///< ThrottlingReasons of throttling errors
};

/// How an attempt ended.
enum class attempt_outcome {
    success,   ///< the call returns this attempt's answer
    retrying,  ///< it failed; another attempt follows after `attempt_info::delay`
    giving_up, ///< it failed; the call throws its error
};

/// One attempt of a call, delivered to `client_hooks::on_attempt` when it
/// ends. Views into the call: copy what you keep. Holds no secret,
/// signature or token.
struct attempt_info {
    std::string_view operation; ///< e.g. "GetItem"
    int attempt = 1;            ///< 1 for the first
    int max_attempts = 1;       ///< the retry policy's limit
    attempt_outcome outcome = attempt_outcome::success;
    /// The error's code (`ddb.service`, `ddb.http`, `ddb.credentials`, ...);
    /// empty on success.
    error_code code;
    /// The error's name as `attempt_metrics::error` has it
    /// ("ThrottlingException", "request timed out"); empty on success.
    std::string_view error;
    /// How the retry policy classed the error; `none` on success.
    retry_class retry = retry_class::none;
    unsigned status = 0;                ///< HTTP status; 0 when no response arrived
    std::chrono::milliseconds delay{0}; ///< wait before the next attempt, when retrying
    std::chrono::microseconds latency{0};
};

/// Debug log severity.
enum class log_level { debug, info, warning };

/// Optional observers. Unset hooks cost nothing. Hooks run on the calling
/// coroutine's thread and must not block.
struct client_hooks {
    std::function<void(const call_metrics&)> on_call;
    /// Each attempt as it ends: structured, for progress reports and
    /// retry accounting (no need to read the log's text).
    std::function<void(const attempt_info&)> on_attempt;
    std::function<void(log_level, std::string_view)> log;
};

} // namespace ddb
