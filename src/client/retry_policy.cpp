#include <ddb/client/errors.hpp>
#include <ddb/client/retry_policy.hpp>
#include <ddb/core/config_error.hpp>
#include <ddb/core/saturating_time.hpp>
#include <ddb/credentials/profile_file.hpp>
#include <ddb/http/error.hpp>

#include "../core/env.hpp"

#include <algorithm>
#include <charconv>
#include <random>

namespace ddb {

namespace {

constexpr std::string_view throttling_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};
constexpr std::string_view transient_codes[] = {"RequestTimeout", "RequestTimeoutException",
                                                "PriorRequestNotComplete"};

} // namespace

bool is_throttling_code(std::string_view type) noexcept {
    return std::find(std::begin(throttling_codes), std::end(throttling_codes), type) !=
           std::end(throttling_codes);
}

namespace {

int parse_max_attempts(std::string_view v, const std::string& where) {
    int n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size() || n < 1)
        throw config_error(config_errc::invalid_setting,
                           where + " must be a whole number >= 1, got '" + std::string(v) + "'");
    return n;
}

retry_mode parse_retry_mode(std::string_view v, const std::string& where) {
    if (v == "standard" || v == "legacy")
        return retry_mode::standard;
    if (v == "adaptive")
        return retry_mode::adaptive;
    throw config_error(config_errc::invalid_setting,
                       where + " must be standard, adaptive or legacy, got '" + std::string(v) +
                           "'");
}

} // namespace

retry_config retry_config::from_environment(const profile* prof) {
    retry_config c;
    if (prof) {
        const std::string where = " of profile '" + prof->name + "'";
        if (auto v = prof->get("max_attempts"); v && !v->empty())
            c.max_attempts = parse_max_attempts(*v, "max_attempts" + where);
        if (auto v = prof->get("retry_mode"); v && !v->empty())
            c.mode = parse_retry_mode(*v, "retry_mode" + where);
    }
    // Set but empty counts as unset, as for every other variable.
    if (auto v = detail::getenv_nonempty("AWS_MAX_ATTEMPTS"))
        c.max_attempts = parse_max_attempts(*v, "AWS_MAX_ATTEMPTS");
    if (auto v = detail::getenv_nonempty("AWS_RETRY_MODE"))
        c.mode = parse_retry_mode(*v, "AWS_RETRY_MODE");
    return c;
}

retry_config retry_config::from_environment(lazy_profile_set& files) {
    // Both variables set: the profile cannot matter, its files are not read.
    if (detail::getenv_nonempty("AWS_MAX_ATTEMPTS") && detail::getenv_nonempty("AWS_RETRY_MODE"))
        return from_environment(nullptr);
    return from_environment(files.selected());
}

retry_config retry_config::from_environment() {
    lazy_profile_set files;
    return from_environment(files);
}

void retry_config::validate(const std::string& prefix) const {
    auto bad = [&](const std::string& what) {
        throw config_error(config_errc::invalid_setting, prefix + what);
    };
    auto at_least = [&](const char* name, int v, int min) {
        if (v < min)
            bad(std::string(name) + " must be >= " + std::to_string(min) + ", got " +
                std::to_string(v));
    };
    at_least("max_attempts", max_attempts, 1);
    if (base_delay < std::chrono::milliseconds::zero())
        bad("base_delay must be >= 0, got " + std::to_string(base_delay.count()) + " ms");
    if (max_backoff < std::chrono::milliseconds::zero())
        bad("max_backoff must be >= 0, got " + std::to_string(max_backoff.count()) + " ms");
    at_least("quota_capacity", quota_capacity, 0);
    at_least("retry_cost", retry_cost, 0);
    at_least("timeout_retry_cost", timeout_retry_cost, 0);
    at_least("no_retry_increment", no_retry_increment, 0);
    if (mode != retry_mode::standard && mode != retry_mode::adaptive)
        bad("mode is not a retry_mode");
}

retry_class classify_retry(const std::exception_ptr& error) noexcept {
    try {
        std::rethrow_exception(error);
    } catch (const service_error& e) {
        if (e.kind() == service_errc::expired_token)
            return retry_class::expired_token;
        if (is_throttling_code(e.type()) || dynamic_cast<const throttling_error*>(&e))
            return retry_class::throttling;
        if (std::find(std::begin(transient_codes), std::end(transient_codes), e.type()) !=
            std::end(transient_codes))
            return retry_class::transient;
        switch (e.status()) {
        case 500:
        case 502:
        case 503:
        case 504:
            return retry_class::transient;
        default:
            return retry_class::none;
        }
    } catch (const http::transport_error& e) {
        if (e.code() == http::errc::attempt_timeout)
            return retry_class::timeout;
        return e.transient() ? retry_class::transient : retry_class::none;
    } catch (...) {
        return retry_class::none;
    }
}

retry_policy::retry_policy(retry_config config, const std::string& settings_name)
    : config_(std::move(config))
    , quota_(config_.quota_capacity) {
    config_.validate(settings_name);
    if (!config_.random)
        config_.random = default_jitter;
}

int retry_policy::cost_of(retry_class c) const noexcept {
    switch (c) {
    case retry_class::timeout:
        return config_.timeout_retry_cost;
    case retry_class::none:
    case retry_class::expired_token:
        return 0;
    default:
        return config_.retry_cost;
    }
}

bool retry_policy::acquire_retry(retry_class c) {
    if (c == retry_class::none)
        return false;
    int cost = cost_of(c);
    std::lock_guard lock(mutex_);
    if (quota_ < cost)
        return false;
    quota_ -= cost;
    return true;
}

void retry_policy::on_success(int retried_cost) {
    std::lock_guard lock(mutex_);
    quota_ = std::min(config_.quota_capacity,
                      quota_ + (retried_cost > 0 ? retried_cost : config_.no_retry_increment));
}

int retry_policy::quota_available() const {
    std::lock_guard lock(mutex_);
    return quota_;
}

double default_jitter() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::chrono::milliseconds jittered_backoff(std::chrono::milliseconds base,
                                           std::chrono::milliseconds max, int retry,
                                           double random) noexcept {
    int exponent = std::clamp(retry, 0, 30);
    double ceiling =
        std::min(static_cast<double>(base.count()) * static_cast<double>(1u << exponent),
                 static_cast<double>(max.count()));
    double r = random >= 0 && random < 1 ? random : random >= 1 ? 1 : 0; // NaN: 0
    // In double, then saturated: max may be milliseconds::max().
    return std::min(detail::saturating_cast<std::chrono::milliseconds>(
                        std::chrono::duration<double, std::milli>(r * ceiling)),
                    max);
}

std::chrono::milliseconds retry_policy::backoff(int next_attempt) {
    return jittered_backoff(config_.base_delay, config_.max_backoff, next_attempt - 2,
                            config_.random());
}

} // namespace ddb
