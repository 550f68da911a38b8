// ddb — what a call did, for metrics and debug logs.
#pragma once

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

/// Debug log severity.
enum class log_level { debug, info, warning };

/// Optional observers. Unset hooks cost nothing. Hooks run on the calling
/// coroutine's thread and must not block.
struct client_hooks {
    std::function<void(const call_metrics&)> on_call;
    std::function<void(log_level, std::string_view)> log;
};

} // namespace ddb
