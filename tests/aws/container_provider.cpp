// Test that header file is self-contained.
#include <ddb/aws/container_provider.hpp>

#include <ddb/aws/default_credentials.hpp>
#include <ddb/credentials/caching_provider.hpp>

#include "../support/env.hpp"
#include "../support/http_test_server.hpp"
#include "../support/run.hpp"
#include "../support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>

using namespace ddb;
namespace asio = boost::asio;

namespace {

std::string iso(std::chrono::system_clock::time_point t) {
    auto s = std::chrono::floor<std::chrono::seconds>(t);
    auto day = std::chrono::floor<std::chrono::days>(s);
    std::chrono::year_month_day ymd{day};
    std::chrono::hh_mm_ss hms{s - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), hms.hours().count(), hms.minutes().count(),
                  static_cast<long>(hms.seconds().count()));
    return buf;
}

// Speaks the container credentials protocol; hands out numbered keys.
struct container_endpoint {
    std::mutex mutex;
    std::string last_authorization, last_target;
    std::atomic<int> issued{0};
    std::chrono::seconds lifetime{3600};
    test::http_test_server server{[this](const test::test_request& req) {
        {
            std::lock_guard lock(mutex);
            last_authorization = std::string(req[boost::beast::http::field::authorization]);
            last_target = std::string(req.target());
        }
        int n = ++issued;
        auto expires = iso(std::chrono::system_clock::now() + lifetime);
        return test::make_response(
            200, R"({"AccessKeyId":"AKIDCONTAINER)" + std::to_string(n) +
                     R"(","SecretAccessKey":"s","Token":"t","Expiration":")" + expires + R"("})");
    }};
};

} // namespace

TEST_CASE("container provider: full URI, token from variable or file", "[credentials]") {
    container_endpoint ep;
    test::env_guard env;
    env.clean_aws().set("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                        ep.server.url() + "/v2/credentials/abc");
    env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "token-from-variable");
    container_provider p;
    auto c = test::run([&] { return p.fetch(); });
    CHECK(c.access_key_id == "AKIDCONTAINER1");
    CHECK(c.session_token == "t");
    REQUIRE(c.expiration);
    CHECK(*c.expiration > std::chrono::system_clock::now() + std::chrono::minutes(50));
    CHECK(ep.last_target == "/v2/credentials/abc");
    CHECK(ep.last_authorization == "token-from-variable");

    test::temp_dir dir;
    env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", dir.write("token", "token-from-file\n"));
    test::run([&] { return p.fetch(); });
    CHECK(ep.last_authorization == "token-from-file"); // the file wins, trimmed
    // EKS Pod Identity rotates the file: each fetch reads it again.
    dir.write("token", "token-rotated\n");
    test::run([&] { return p.fetch(); });
    CHECK(ep.last_authorization == "token-rotated");
}

TEST_CASE("container provider: unset is not_found, bad settings are typed", "[credentials]") {
    test::env_guard env;
    env.clean_aws();
    container_provider p;
    auto code = [&] {
        try {
            test::run([&] { return p.fetch(); });
        } catch (const credentials_error& e) {
            return static_cast<credentials_errc>(e.code().value());
        }
        return credentials_errc{};
    };
    CHECK(code() == credentials_errc::not_found);
    env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://example.com/creds"); // plain http off-host
    CHECK(code() == credentials_errc::malformed);
    env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/creds")
        .set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nInjected: 1");
    CHECK(code() == credentials_errc::malformed);
    env.unset("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    CHECK(code() == credentials_errc::provider_failed); // nothing listens on port 1
}

TEST_CASE("container provider: a bad answer is malformed, never echoing secrets", "[credentials]") {
    test::http_test_server bad([](const test::test_request&) {
        return test::make_response(200, R"({"AccessKeyId":"AKID","Expiration":"tomorrow"})");
    });
    test::env_guard env;
    env.clean_aws().set("AWS_CONTAINER_CREDENTIALS_FULL_URI", bad.url() + "/c");
    container_provider p;
    try {
        test::run([&] { return p.fetch(); });
        FAIL("no exception");
    } catch (const credentials_error& e) {
        CHECK(e.code() == credentials_errc::malformed);
    }
}

TEST_CASE("default chain: expiry-driven refresh, single flight under 100 callers",
          "[credentials]") {
    container_endpoint ep;
    ep.lifetime = std::chrono::seconds(3600);
    test::env_guard env;
    env.clean_aws()
        .set("AWS_CONFIG_FILE", "/nonexistent")
        .set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .set("AWS_CONTAINER_CREDENTIALS_FULL_URI", ep.server.url() + "/creds");
    auto chain = make_default_credentials_chain();

    auto fetch_concurrently = [&](int n) {
        asio::io_context ioc;
        std::vector<std::string> keys(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i)
            asio::co_spawn(
                ioc,
                [&, i]() -> asio::awaitable<void> {
                    keys[static_cast<std::size_t>(i)] = (co_await chain->fetch()).access_key_id;
                },
                asio::detached);
        ioc.run();
        return keys;
    };
    auto first = fetch_concurrently(100);
    CHECK(ep.issued == 1);
    CHECK(std::count(first.begin(), first.end(), "AKIDCONTAINER1") == 100);

    // Credentials that expire within the refresh window (5 min) are renewed;
    // 100 callers at that moment still cause one request.
    ep.lifetime = std::chrono::seconds(120);
    chain->invalidate();
    fetch_concurrently(100);
    CHECK(ep.issued == 2);
    auto soon = fetch_concurrently(100); // every caller sees the expiring key at once...
    CHECK(std::count(soon.begin(), soon.end(), "AKIDCONTAINER2") +
              std::count(soon.begin(), soon.end(), "AKIDCONTAINER3") ==
          100);
    CHECK(ep.issued == 3); // ...and one background refresh ran
}
