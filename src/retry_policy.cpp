#include <ddb/config_error.hpp>
#include <ddb/errors.hpp>
#include <ddb/http/error.hpp>
#include <ddb/retry_policy.hpp>

#include "credentials/env.hpp"

#include <algorithm>
#include <charconv>
#include <random>

namespace ddb {

namespace {

double default_random() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

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

retry_config retry_config::from_environment() {
    retry_config c;
    if (auto v = detail::getenv_nonempty("AWS_MAX_ATTEMPTS")) {
        int n = 0;
        auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (ec != std::errc() || p != v->data() + v->size() || n < 1)
            throw config_error(config_errc::invalid_setting,
                               "AWS_MAX_ATTEMPTS must be a whole number >= 1, got '" + *v + "'");
        c.max_attempts = n;
    }
    if (auto v = detail::getenv_nonempty("AWS_RETRY_MODE")) {
        if (*v == "standard" || *v == "legacy")
            c.mode = retry_mode::standard;
        else if (*v == "adaptive")
            c.mode = retry_mode::adaptive;
        else
            throw config_error(config_errc::invalid_setting,
                               "AWS_RETRY_MODE must be standard, adaptive or legacy, got '" + *v +
                                   "'");
    }
    return c;
}

retry_class classify_retry(const std::exception_ptr& error) noexcept {
    try {
        std::rethrow_exception(error);
    } catch (const service_error& e) {
        if (e.kind() == service_errc::expired_token)
            return retry_class::expired_token;
        if (is_throttling_code(e.type()) || dynamic_cast<const throttling_error*>(&e))
            return retry_class::throttling;
        if (e.kind() == service_errc::crc32_mismatch)
            return retry_class::transient;
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

retry_policy::retry_policy(retry_config config)
    : config_(std::move(config))
    , quota_(config_.quota_capacity) {
    if (!config_.random)
        config_.random = default_random;
    if (config_.max_attempts < 1)
        config_.max_attempts = 1;
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

std::chrono::milliseconds retry_policy::backoff(int next_attempt) {
    int exponent = std::clamp(next_attempt - 2, 0, 30);
    double ceiling = std::min(static_cast<double>(config_.base_delay.count()) *
                                  static_cast<double>(1u << exponent),
                              static_cast<double>(config_.max_backoff.count()));
    return std::chrono::milliseconds(static_cast<long long>(config_.random() * ceiling));
}

} // namespace ddb
