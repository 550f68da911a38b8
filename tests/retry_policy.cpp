// Test that header file is self-contained.
#include <ddb/retry_policy.hpp>

#include <ddb/config_error.hpp>
#include <ddb/errors.hpp>
#include <ddb/http/error.hpp>

#include "support/env.hpp"

#include <catch2/catch.hpp>

using namespace ddb;
using std::chrono::milliseconds;

namespace {

std::exception_ptr service(std::string_view type, unsigned status = 400) {
    try {
        throw_service_error(status, "application/x-amz-json-1.0",
                            R"({"__type":"x#)" + std::string(type) + R"(","message":"m"})", "",
                            "Op");
    } catch (...) {
        return std::current_exception();
    }
}

std::exception_ptr transport(http::errc e) {
    return std::make_exception_ptr(http::transport_error(e, "x"));
}

} // namespace

TEST_CASE("classification follows the AWS standard retry rules", "[retry]") {
    for (auto t :
         {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
          "TransactionInProgressException", "LimitExceededException", "Throttling", "SlowDown",
          "TooManyRequestsException", "PriorRequestNotComplete"}) {
        INFO(t);
        CHECK(classify_retry(service(t)) == retry_class::throttling);
    }
    CHECK(classify_retry(service("InternalServerError", 500)) == retry_class::transient);
    CHECK(classify_retry(service("ServiceUnavailable", 503)) == retry_class::transient);
    CHECK(classify_retry(service("Whatever", 502)) == retry_class::transient);
    CHECK(classify_retry(service("Whatever", 504)) == retry_class::transient);
    CHECK(classify_retry(service("RequestTimeoutException")) == retry_class::transient);
    CHECK(classify_retry(service("ExpiredTokenException")) == retry_class::expired_token);
    for (auto t :
         {"ConditionalCheckFailedException", "ValidationException", "TransactionCanceledException",
          "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
          "ResourceNotFoundException", "TransactionConflictException"}) {
        INFO(t);
        CHECK(classify_retry(service(t)) == retry_class::none);
    }
    CHECK(classify_retry(transport(http::errc::attempt_timeout)) == retry_class::timeout);
    CHECK(classify_retry(transport(http::errc::connection_closed)) == retry_class::transient);
    CHECK(classify_retry(transport(http::errc::connect_failed)) == retry_class::transient);
    CHECK(classify_retry(transport(http::errc::tls_handshake_failed)) == retry_class::none);
    CHECK(classify_retry(transport(http::errc::response_too_large)) == retry_class::none);
    CHECK(classify_retry(std::make_exception_ptr(std::runtime_error("x"))) == retry_class::none);
    CHECK(is_throttling_code("EC2ThrottledException"));
    CHECK_FALSE(is_throttling_code("ValidationException"));
}

TEST_CASE("backoff: full jitter over base * 2^n, capped at max_backoff", "[retry]") {
    double r = 0.999;
    retry_config c;
    c.random = [&] { return r; };
    retry_policy p(c);
    CHECK(p.backoff(2) == milliseconds(999));   // rand * 1 s
    CHECK(p.backoff(3) == milliseconds(1998));  // rand * 2 s
    CHECK(p.backoff(6) == milliseconds(15984)); // rand * 16 s
    CHECK(p.backoff(7) == milliseconds(19980)); // capped: rand * 20 s
    CHECK(p.backoff(40) == milliseconds(19980));
    r = 0.0;
    CHECK(p.backoff(5) == milliseconds(0));
}

TEST_CASE("retry quota: 500 tokens, 5 per retry, 10 per timeout, refunds", "[retry]") {
    retry_policy p;
    CHECK(p.quota_available() == 500);
    CHECK(p.acquire_retry(retry_class::throttling));
    CHECK(p.quota_available() == 495);
    CHECK(p.acquire_retry(retry_class::timeout));
    CHECK(p.quota_available() == 485);
    p.on_success(15); // a call that needed those retries succeeded
    CHECK(p.quota_available() == 500);
    p.on_success(0); // capped at capacity
    CHECK(p.quota_available() == 500);
    CHECK_FALSE(p.acquire_retry(retry_class::none));
    for (int i = 0; i < 50; ++i)
        CHECK(p.acquire_retry(retry_class::timeout));
    CHECK(p.quota_available() == 0);
    CHECK_FALSE(p.acquire_retry(retry_class::transient));
    p.on_success(0);
    CHECK(p.quota_available() == 1);
}

TEST_CASE("retry settings from AWS_MAX_ATTEMPTS and AWS_RETRY_MODE", "[retry]") {
    test::env_guard env;
    env.clean_aws();
    CHECK(retry_config::from_environment().max_attempts == 3);
    CHECK(retry_config::from_environment().mode == retry_mode::standard);
    env.set("AWS_MAX_ATTEMPTS", "7").set("AWS_RETRY_MODE", "adaptive");
    CHECK(retry_config::from_environment().max_attempts == 7);
    CHECK(retry_config::from_environment().mode == retry_mode::adaptive);
    env.set("AWS_RETRY_MODE", "legacy");
    CHECK(retry_config::from_environment().mode == retry_mode::standard);
    for (auto bad : {"0", "-1", "three", "3x"}) {
        env.set("AWS_MAX_ATTEMPTS", bad);
        CHECK_THROWS_AS(retry_config::from_environment(), config_error);
    }
    env.set("AWS_MAX_ATTEMPTS", "2").set("AWS_RETRY_MODE", "turbo");
    CHECK_THROWS_AS(retry_config::from_environment(), config_error);
}
