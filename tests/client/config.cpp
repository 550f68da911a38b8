// Client configuration: durations at their edges ("no limit" as max(), huge
// values, zero and negative ones), settings that cannot work, and
// environment variables set but empty. Healthy calls go to moto and
// dynalite; the stalled server is a loopback listener that never answers.
#include <ddb/client/client.hpp>
#include <ddb/core/config_error.hpp>
#include <ddb/credentials/error.hpp>

#include "../support/client_setup.hpp"
#include "../support/env.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"
#include "../support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include <functional>
#include <mutex>

using namespace ddb;
namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using std::chrono::milliseconds;

namespace {

using ddb::test::list_tables;

// The config_error a client built from `cfg` throws, or FAIL.
std::string refusal(const client_config& cfg) {
    asio::io_context ioc;
    try {
        client c(ioc.get_executor(), cfg);
    } catch (const config_error& e) {
        CHECK(e.code() == config_errc::invalid_setting);
        return e.what();
    }
    FAIL("the client accepted the configuration");
    return {};
}

client_config base() {
    return test::config_for("http://127.0.0.1:1"); // never reached
}

} // namespace

TEST_CASE("client config: timeouts and counts that cannot work are config_errors naming the "
          "setting and value",
          "[config]") {
    test::env_guard env;
    env.clean_aws();
    struct bad_case {
        std::function<void(client_config&)> tweak;
        std::string says;
    };
    const std::vector<bad_case> cases = {
        {[](client_config& c) { c.attempt_timeout = milliseconds(0); },
         "client_config::attempt_timeout must be > 0, got 0 ms"},
        {[](client_config& c) { c.attempt_timeout = milliseconds(-5); },
         "client_config::attempt_timeout must be > 0, got -5 ms"},
        {[](client_config& c) { c.attempt_timeout = milliseconds::min(); },
         "client_config::attempt_timeout must be > 0"},
        {[](client_config& c) { c.call_timeout = milliseconds(0); },
         "client_config::call_timeout must be > 0, got 0 ms"},
        {[](client_config& c) { c.call_timeout = milliseconds(-1); },
         "client_config::call_timeout must be > 0, got -1 ms"},
        {[](client_config& c) { c.retry->max_attempts = 0; },
         "client_config::retry.max_attempts must be >= 1, got 0"},
        {[](client_config& c) { c.retry->max_attempts = -3; },
         "client_config::retry.max_attempts must be >= 1, got -3"},
        {[](client_config& c) { c.retry->base_delay = milliseconds(-1); },
         "client_config::retry.base_delay must be >= 0"},
        {[](client_config& c) { c.pool.connect_timeout = milliseconds(0); },
         "client_config::pool.connect_timeout must be > 0, got 0 ms"},
        {[](client_config& c) { c.pool.idle_timeout = milliseconds(-1); },
         "client_config::pool.idle_timeout must be >= 0, got -1 ms"},
        {[](client_config& c) { c.pool.dns_cache_ttl = std::chrono::seconds(-1); },
         "client_config::pool.dns_cache_ttl must be >= 0"},
        {[](client_config& c) { c.pool.max_connections_per_host = 0; },
         "client_config::pool.max_connections_per_host must be >= 1"},
        {[](client_config& c) { c.pool.max_response_bytes = 0; },
         "client_config::pool.max_response_bytes must be >= 1"},
    };
    for (const auto& bc : cases) {
        INFO(bc.says);
        auto cfg = base();
        bc.tweak(cfg);
        CHECK_THAT(refusal(cfg), Catch::Matchers::Contains(bc.says));
    }
}

TEST_CASE("client config: AWS_MAX_ATTEMPTS that cannot work is a config_error at construction",
          "[config]") {
    test::env_guard env;
    env.clean_aws()
        .set("AWS_CONFIG_FILE", "/nonexistent/config")
        .set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
    for (std::string bad : {"0", "-1", "three", "3x", " 3", "99999999999999999999"}) {
        INFO(bad);
        env.set("AWS_MAX_ATTEMPTS", bad);
        auto cfg = base();
        cfg.retry.reset(); // from the environment
        CHECK_THAT(refusal(cfg), Catch::Matchers::Contains("AWS_MAX_ATTEMPTS must be a whole "
                                                           "number >= 1, got '" +
                                                           bad + "'"));
    }
    env.set("AWS_MAX_ATTEMPTS", "4");
    asio::io_context ioc;
    auto cfg = base();
    cfg.retry.reset();
    client c(ioc.get_executor(), cfg);
    CHECK(c.retries().config().max_attempts == 4);
}

TEST_CASE("client config: max() durations mean no limit, and a healthy call succeeds", "[config]") {
    auto backend = GENERATE(as<std::string>{}, "moto", "dynalite");
    INFO(backend);
    test::env_guard env;
    env.clean_aws();
    auto cfg = test::config_for(test::local_server::endpoint(backend));
    cfg.attempt_timeout = milliseconds::max();
    cfg.call_timeout = milliseconds::max();
    cfg.retry->max_backoff = milliseconds::max();
    cfg.pool.connect_timeout = milliseconds::max();
    cfg.pool.idle_timeout = milliseconds::max();
    cfg.pool.dns_cache_ttl = std::chrono::seconds::max();
    asio::io_context ioc;
    client c(ioc.get_executor(), cfg);
    CHECK(list_tables(ioc, c).as_object().contains("TableNames"));
    CHECK(list_tables(ioc, c).as_object().contains("TableNames"));
    // An idle_timeout of max() keeps the connection (an overflowing
    // comparison would have closed it as stale). moto answers HTTP/1.0
    // style, closing each connection; dynalite keeps it.
    if (backend == "dynalite") {
        CHECK(c.pool_stats().reused >= 1);
        CHECK(c.pool_stats().connections_opened == 1);
    }

    // A table waiter without a limit.
    auto table = test::unique_table("nolimit");
    test::run(ioc, [&]() -> awaitable<void> {
        json::value req = {
            {"TableName", table},
            {"BillingMode", "PAY_PER_REQUEST"},
            {"AttributeDefinitions",
             json::array{json::object{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
            {"KeySchema", json::array{json::object{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}}};
        co_await c.call("CreateTable", req);
        co_await wait_until_table_active(c, table, milliseconds::max(), milliseconds(10));
        co_await c.delete_table(table);
    });
}

TEST_CASE("client config: a huge timeout that is not max() works too", "[config]") {
    test::env_guard env;
    env.clean_aws();
    auto cfg = test::config_for(test::local_server::endpoint("dynalite"));
    const auto centuries =
        std::chrono::duration_cast<milliseconds>(std::chrono::hours(24 * 365 * 250));
    cfg.attempt_timeout = centuries;
    cfg.call_timeout = centuries;
    cfg.pool.connect_timeout = centuries;
    cfg.pool.idle_timeout = centuries;
    asio::io_context ioc;
    client c(ioc.get_executor(), cfg);
    CHECK(list_tables(ioc, c).as_object().contains("TableNames"));
    CHECK(list_tables(ioc, c).as_object().contains("TableNames"));
    CHECK(c.pool_stats().reused >= 1);
}

TEST_CASE("client config: with max() attempt timeout a stalled server still ends by the call "
          "timeout",
          "[config]") {
    test::env_guard env;
    env.clean_aws();
    // Listens (the kernel completes the handshake) but never reads or answers.
    asio::io_context server_ioc;
    asio::ip::tcp::acceptor stalled(server_ioc, {asio::ip::make_address("127.0.0.1"), 0});
    auto cfg =
        test::config_for("http://127.0.0.1:" + std::to_string(stalled.local_endpoint().port()));
    cfg.attempt_timeout = milliseconds::max();
    cfg.call_timeout = milliseconds(400);
    cfg.retry->max_attempts = 1;
    asio::io_context ioc;
    client c(ioc.get_executor(), cfg);
    auto started = std::chrono::steady_clock::now();
    try {
        list_tables(ioc, c);
        FAIL("the stalled server answered");
    } catch (const http::transport_error& e) {
        CHECK(e.code() == http::errc::attempt_timeout);
    }
    auto took = std::chrono::steady_clock::now() - started;
    CHECK(took >= milliseconds(350)); // not at once (the overflow made it ~0)
    CHECK(took < milliseconds(2000)); // and not never
}

TEST_CASE("client config: empty endpoint and region variables count as unset, with a warning",
          "[config]") {
    test::env_guard env;
    env.clean_aws()
        .set("AWS_ENDPOINT_URL_DYNAMODB", "")
        .set("AWS_ENDPOINT_URL", test::local_server::endpoint("moto"))
        .set("AWS_REGION", "")
        .set("AWS_DEFAULT_REGION", "eu-west-2");
    auto cfg = test::config_for("");
    cfg.endpoint.reset();
    cfg.region.reset();
    std::mutex mutex;
    std::vector<std::string> warnings;
    cfg.hooks.log = [&](log_level level, std::string_view line) {
        std::lock_guard lock(mutex);
        if (level == log_level::warning)
            warnings.emplace_back(line);
    };
    asio::io_context ioc;
    client c(ioc.get_executor(), cfg);
    CHECK(c.region() == "eu-west-2");
    CHECK(c.endpoint().source == "AWS_ENDPOINT_URL");
    CHECK(list_tables(ioc, c).as_object().contains("TableNames"));
    std::string all;
    for (auto& w : warnings)
        all += w + "\n";
    INFO(all);
    CHECK_THAT(all,
               Catch::Matchers::Contains("AWS_ENDPOINT_URL_DYNAMODB is set but empty: ignored"));
    CHECK_THAT(all, Catch::Matchers::Contains("AWS_REGION is set but empty: ignored"));

    // Both empty: real AWS, as botocore does (nothing is sent here).
    env.set("AWS_ENDPOINT_URL", "");
    client aws(ioc.get_executor(), cfg);
    CHECK(aws.endpoint().url == "https://dynamodb.eu-west-2.amazonaws.com/");
}

TEST_CASE("client config: a syntax error in the config file is reported at construction",
          "[config]") {
    test::temp_dir dir;
    test::env_guard env;
    auto config = dir.write("config", "[default]\nregion = eu-west-1\nca_bundle\n");
    env.clean_aws()
        .set("AWS_CONFIG_FILE", config)
        .set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "none").string());
    auto cfg = base();
    cfg.region.reset();
    asio::io_context ioc;
    try {
        client c(ioc.get_executor(), cfg);
        FAIL("no exception");
    } catch (const credentials_error& e) {
        CHECK(e.code() == credentials_errc::malformed);
        CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains(config + ":3:"));
    }
    // Everything the file could give set elsewhere: it is not read.
    cfg.region = "us-east-1";
    cfg.pool.tls.ca_file = "";
    cfg.use_fips_endpoint = false;
    cfg.use_dualstack_endpoint = false;
    cfg.account_id_endpoint_mode = account_id_endpoint_mode::preferred;
    env.set("AWS_CA_BUNDLE", "/nonexistent/bundle.pem");
    try {
        client c(ioc.get_executor(), cfg);
        FAIL("no exception");
    } catch (const config_error& e) {
        // (The bundle named by the variable is what fails, not the file.)
        CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains("AWS_CA_BUNDLE"));
    }
}

TEST_CASE("client config: the endpoint from the profile's services section reaches moto",
          "[config]") {
    test::temp_dir dir;
    test::env_guard env;
    env.clean_aws()
        .set("AWS_CONFIG_FILE",
             dir.write("config", "[profile local]\nregion = eu-central-1\nservices = here\n"
                                 "[services here]\ndynamodb =\n  endpoint_url = " +
                                     test::local_server::endpoint("moto") + "\n"))
        .set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "none").string())
        .set("AWS_PROFILE", "local");
    auto cfg = test::config_for("");
    cfg.endpoint.reset();
    cfg.region.reset();
    asio::io_context ioc;
    client c(ioc.get_executor(), cfg);
    CHECK(c.region() == "eu-central-1");
    CHECK(c.endpoint().source == "dynamodb endpoint_url of services section 'here'");
    CHECK(list_tables(ioc, c).as_object().contains("TableNames"));
}
