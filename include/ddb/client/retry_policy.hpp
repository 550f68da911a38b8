// ddb — when and how long to wait before trying a request again.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <string>

namespace ddb {

struct profile;
class lazy_profile_set;

/// The retry modes of the AWS SDKs (`AWS_RETRY_MODE`).
enum class retry_mode {
    standard, ///< backoff with full jitter and a retry quota (default)
    adaptive, ///< standard plus a client-side rate limiter that backs off on throttling
};

/// Retry settings. The defaults are AWS "standard" mode as botocore
/// implements it (botocore/retries/standard.py, quota.py): 3 attempts;
/// delay = rand[0,1) * min(base * 2^(attempt-1), 20 s); a quota of 500
/// tokens, 5 per retry, 10 per retry after a timeout, 1 back per success
/// without retry and the retry's cost back after a success that needed one.
///
/// `validate()` (called by `retry_policy`, so once for a client) refuses values
/// that cannot work with `config_error(invalid_setting)`: max_attempts < 1,
/// a negative delay, cost or capacity. A delay of 0 retries at once; very
/// large delays saturate (a backoff that would pass the call's deadline ends
/// the call instead).
struct retry_config {
    retry_mode mode = retry_mode::standard;
    int max_attempts = 3;                         ///< first try included; >= 1
    std::chrono::milliseconds base_delay{1000};   ///< botocore: 2^0 s for the first retry; >= 0
    std::chrono::milliseconds max_backoff{20000}; ///< cap of the exponential part; >= 0
    int quota_capacity = 500;                     ///< >= 0, like the three below
    int retry_cost = 5;
    int timeout_retry_cost = 10;
    int no_retry_increment = 1;
    /// Uniform random numbers in [0, 1) for the jitter. Replace it to make
    /// tests deterministic. Default: `default_jitter`.
    std::function<double()> random;

    /// Applies the selected profile's `max_attempts` and `retry_mode`, then
    /// AWS_MAX_ATTEMPTS and AWS_RETRY_MODE ("standard", "adaptive"; "legacy"
    /// is treated as standard) to the defaults, as the AWS SDKs do. Invalid
    /// values (e.g. AWS_MAX_ATTEMPTS=0, -1 or "three") throw `config_error`
    /// naming the variable or property and the value. The shared config
    /// files are read only when a variable is unset; a syntax error in them
    /// is `credentials_error(malformed)` naming file and line.
    static retry_config from_environment();
    /// The same with the profile already at hand (nullptr: none).
    static retry_config from_environment(const profile* p);
    /// The same, reading the shared config files through `files` (only when
    /// a variable is unset).
    static retry_config from_environment(lazy_profile_set& files);

    /// Throws `config_error(invalid_setting)` naming the first field that
    /// cannot work (`prefix` + field name).
    void validate(const std::string& prefix = "retry_config::") const;
};

/// A uniform random number in [0, 1) from a per-thread Mersenne Twister:
/// the jitter of `retry_config` and `batch_options` when they have no
/// `random` of their own.
double default_jitter();

/// Backoff with full jitter, as every delay between tries in ddb is
/// computed: `random` * min(`base` * 2^`retry`, `max`), where `retry` is 0
/// before the first retry (its exponent is capped at 30) and `random` is
/// clamped to [0, 1] (NaN: 0), so the delay never exceeds `max`. Computed in
/// double and saturated: `max` may be `milliseconds::max()`.
std::chrono::milliseconds jittered_backoff(std::chrono::milliseconds base,
                                           std::chrono::milliseconds max, int retry,
                                           double random) noexcept;

/// How a failed attempt may be retried.
enum class retry_class {
    none,          ///< never retried: the request itself is wrong, or a condition failed
    transient,     ///< 5xx, connection failures, a damaged response (CRC32 mismatch)
    throttling,    ///< one of the 14 throttling codes
    timeout,       ///< the attempt timed out (costs more quota)
    expired_token, ///< credentials expired: refresh them and retry at once
};

/// Classifies an error thrown by an attempt (a service or transport error).
/// Cancellation and anything else is `none`.
retry_class classify_retry(const std::exception_ptr& error) noexcept;

/// The throttling error codes every AWS SDK retries (botocore's
/// `_THROTTLED_ERROR_CODES`).
bool is_throttling_code(std::string_view type) noexcept;

/// The shared part of retrying: the quota and the random source. One per
/// client; thread-safe.
class retry_policy {
public:
    /// Throws `config_error(invalid_setting)` when
    /// `config.validate(settings_name)` does (the client passes
    /// "client_config::retry.").
    explicit retry_policy(retry_config config = {},
                          const std::string& settings_name = "retry_config::");

    const retry_config& config() const noexcept { return config_; }

    /// Takes quota for one retry of this class; false when the quota is
    /// exhausted (then the error is returned to the caller).
    bool acquire_retry(retry_class c);
    /// A call succeeded; `retried_cost` is what its retries took (0 if none).
    void on_success(int retried_cost);
    /// The cost `acquire_retry` takes for this class.
    int cost_of(retry_class c) const noexcept;
    /// Delay before attempt `next_attempt` (2 for the first retry); at most
    /// `max_backoff` (a `random` outside [0, 1) is clamped).
    std::chrono::milliseconds backoff(int next_attempt);
    /// Tokens left, for tests and metrics.
    int quota_available() const;

private:
    retry_config config_;
    mutable std::mutex mutex_;
    int quota_;
};

} // namespace ddb
