// Test that header file is self-contained.
#include <ddb/client/retry_policy.hpp>

#include <ddb/client/errors.hpp>
#include <ddb/core/config_error.hpp>
#include <ddb/http/error.hpp>

#include <ddb/credentials/error.hpp>

#include "../support/env.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cmath>

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

TEST_CASE("jittered_backoff: the one backoff of the client and the batch helpers", "[retry]") {
    CHECK(jittered_backoff(milliseconds(50), milliseconds(5000), 0, 0.5) == milliseconds(25));
    CHECK(jittered_backoff(milliseconds(50), milliseconds(5000), 3, 0.5) == milliseconds(200));
    CHECK(jittered_backoff(milliseconds(50), milliseconds(5000), 10, 0.5) == milliseconds(2500));
    CHECK(jittered_backoff(milliseconds(50), milliseconds(5000), 1000, 0.5) == milliseconds(2500));
    // A random value outside [0, 1) is clamped: never over the cap.
    CHECK(jittered_backoff(milliseconds(50), milliseconds(5000), 0, 1e9) == milliseconds(50));
    CHECK(jittered_backoff(milliseconds(50), milliseconds(5000), 20, 1.5) == milliseconds(5000));
    CHECK(jittered_backoff(milliseconds(50), milliseconds(5000), 20, -2) == milliseconds(0));
    CHECK(jittered_backoff(milliseconds(50), milliseconds(5000), 20, std::nan("")) ==
          milliseconds(0));
    // The policy's backoff is the same function, attempt 2 being retry 0.
    retry_config c;
    c.random = [] { return 0.25; };
    retry_policy p(c);
    CHECK(p.backoff(4) == jittered_backoff(c.base_delay, c.max_backoff, 2, 0.25));
    double sum = 0;
    for (int i = 0; i < 1000; ++i) {
        double r = default_jitter();
        CHECK(r >= 0);
        CHECK(r < 1);
        sum += r;
    }
    CHECK(sum > 400);
    CHECK(sum < 600);
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

TEST_CASE("retry settings that cannot work are config_errors naming the field", "[retry]") {
    auto refused = [](auto tweak, const std::string& says) {
        retry_config c;
        tweak(c);
        INFO(says);
        try {
            retry_policy p(c);
            FAIL("no exception");
        } catch (const config_error& e) {
            CHECK(e.code() == config_errc::invalid_setting);
            CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains(says));
        }
    };
    refused([](retry_config& c) { c.max_attempts = 0; },
            "retry_config::max_attempts must be >= 1, got 0");
    refused([](retry_config& c) { c.max_attempts = -1; }, "max_attempts must be >= 1, got -1");
    refused([](retry_config& c) { c.base_delay = std::chrono::milliseconds(-1); },
            "base_delay must be >= 0, got -1 ms");
    refused([](retry_config& c) { c.max_backoff = std::chrono::milliseconds(-5); },
            "max_backoff must be >= 0, got -5 ms");
    refused([](retry_config& c) { c.quota_capacity = -1; }, "quota_capacity");
    refused([](retry_config& c) { c.retry_cost = -1; }, "retry_cost");
    // Zero delays are allowed: retry at once.
    retry_config zero;
    zero.base_delay = zero.max_backoff = std::chrono::milliseconds(0);
    retry_policy immediate(zero);
    CHECK(immediate.backoff(5) == std::chrono::milliseconds(0));
}

TEST_CASE("backoff saturates: max() delays and a bad random source never overflow", "[retry]") {
    retry_config c;
    c.base_delay = std::chrono::milliseconds::max();
    c.max_backoff = std::chrono::milliseconds::max();
    double r = 0.999999;
    c.random = [&] { return r; };
    retry_policy p(c);
    for (int attempt = 2; attempt < 40; ++attempt) {
        auto d = p.backoff(attempt);
        CHECK(d > std::chrono::milliseconds::zero());
        CHECK(d <= std::chrono::milliseconds::max());
    }
    r = 7.0; // outside [0, 1): clamped to the ceiling
    CHECK(p.backoff(2) == std::chrono::milliseconds::max());
    r = -3.0;
    CHECK(p.backoff(2) == std::chrono::milliseconds(0));
    r = std::nan("");
    CHECK(p.backoff(2) == std::chrono::milliseconds(0));
}

TEST_CASE("retry settings from the profile, overridden by the environment", "[retry]") {
    test::temp_dir dir;
    test::env_guard env;
    env.clean_aws()
        .set("AWS_CONFIG_FILE",
             dir.write("config", "[default]\nmax_attempts = 5\nretry_mode = adaptive\n"
                                 "[profile bad]\nmax_attempts = 0\n"))
        .set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "none").string());
    auto c = retry_config::from_environment();
    CHECK(c.max_attempts == 5);
    CHECK(c.mode == retry_mode::adaptive);
    env.set("AWS_MAX_ATTEMPTS", "2");
    CHECK(retry_config::from_environment().max_attempts == 2);
    CHECK(retry_config::from_environment().mode == retry_mode::adaptive);
    env.unset("AWS_MAX_ATTEMPTS").set("AWS_PROFILE", "bad");
    try {
        retry_config::from_environment();
        FAIL("no exception");
    } catch (const config_error& e) {
        CHECK_THAT(std::string(e.what()),
                   Catch::Matchers::Contains("max_attempts of profile 'bad' must be a whole "
                                             "number >= 1, got '0'"));
    }
    // A syntax error in the file is reported, not taken for "no setting".
    env.unset("AWS_PROFILE")
        .set("AWS_CONFIG_FILE", dir.write("broken", "[default]\nmax_attempts 5\n"));
    try {
        retry_config::from_environment();
        FAIL("no exception");
    } catch (const credentials_error& e) {
        CHECK(e.code() == credentials_errc::malformed);
        CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains("broken:2:"));
    }
}
