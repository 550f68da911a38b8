// Which endpoint a client's calls go to: account-based ones from the
// credentials' account id (AWS_ACCOUNT_ID, providers that carry one), the
// regional one without, FIPS, configured URLs, and mode `required`. The
// AWS host names cannot be reached from here: the transport seam records the
// origin and Host header the client chose, then forwards the request to
// moto, which answers it (a real DynamoDB-compatible server, signature and
// all).
#include <ddb/client/client.hpp>
#include <ddb/credentials/environment_provider.hpp>
#include <ddb/credentials/static_provider.hpp>
#include <ddb/http/transport.hpp>

#include "../support/client_setup.hpp"
#include "../support/env.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <mutex>
#include <vector>

using namespace ddb;
namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;

namespace {

// What the client handed the transport.
struct seen {
    http::origin to;
    std::string host, authorization;
};

// Records each request's origin and headers, then sends it to moto.
class redirecting_transport final : public http::transport {
public:
    redirecting_transport(asio::any_io_executor ex, http::origin moto)
        : real_(std::move(ex))
        , moto_(std::move(moto)) {}

    awaitable<http::raw_response> send(const http::origin& to, const http::request_view& req,
                                       std::chrono::steady_clock::time_point deadline,
                                       http::exchange_info* info) override {
        seen s{to, {}, {}};
        for (const auto& f : req.headers) {
            if (f.name == "Host")
                s.host = f.value;
            if (f.name == "Authorization")
                s.authorization = f.value;
        }
        {
            std::lock_guard lock(mutex_);
            sent_.push_back(std::move(s));
        }
        co_return co_await real_.send(moto_, req, deadline, info);
    }

    std::vector<seen> sent() const {
        std::lock_guard lock(mutex_);
        return sent_;
    }

private:
    http::pooled_transport real_;
    http::origin moto_;
    mutable std::mutex mutex_;
    std::vector<seen> sent_;
};

http::origin moto_origin() {
    auto ep = parse_endpoint(test::local_server::endpoint("moto"));
    return {ep.tls(), ep.host, ep.port};
}

// A client for us-east-1 with no endpoint URL, whose requests end at moto.
struct fixture {
    explicit fixture(std::function<void(client_config&)> tweak = {}) {
        env.clean_aws()
            .set("AWS_ACCESS_KEY_ID", "AKIDACCOUNTTEST")
            .set("AWS_SECRET_ACCESS_KEY", "account-test-secret");
        cfg = test::config_for("");
        cfg.endpoint.reset();
        cfg.credentials = std::make_shared<environment_provider>();
        cfg.transport = transport;
        cfg.hooks.log = [this](log_level, std::string_view line) {
            std::lock_guard lock(log_mutex);
            log.emplace_back(line);
        };
        if (tweak)
            tweak(cfg);
    }

    client make() { return client(ioc.get_executor(), cfg); }

    json::value list_tables(client& c) {
        return test::run(ioc, [&]() -> awaitable<json::value> {
            co_return co_await c.call("ListTables", json::object{});
        });
    }

    std::size_t log_lines_with(std::string_view text) {
        std::lock_guard lock(log_mutex);
        std::size_t n = 0;
        for (auto& l : log)
            n += l.find(text) != std::string::npos;
        return n;
    }

    test::env_guard env;
    asio::io_context ioc;
    std::shared_ptr<redirecting_transport> transport =
        std::make_shared<redirecting_transport>(ioc.get_executor(), moto_origin());
    client_config cfg;
    std::mutex log_mutex;
    std::vector<std::string> log;
};

const http::origin account_origin{true, "123456789012.ddb.us-east-1.amazonaws.com", 443};
const http::origin regional_origin{true, "dynamodb.us-east-1.amazonaws.com", 443};

// Credentials whose account changes when told to (as after a refresh of
// role credentials for another account).
class switching_provider final : public credentials_provider {
public:
    awaitable<credentials> fetch() override {
        credentials c = test::test_credentials;
        c.source = "switching";
        c.account_id = account;
        co_return c;
    }
    std::string name() const override { return "switching"; }
    std::string account;
};

} // namespace

TEST_CASE("account endpoint: AWS_ACCOUNT_ID sends calls to the account's endpoint",
          "[account_endpoint]") {
    fixture f;
    f.env.set("AWS_ACCOUNT_ID", "123456789012");
    client c = f.make();
    CHECK(c.describe_endpoint() == "regional https://dynamodb.us-east-1.amazonaws.com "
                                   "(account-based once credentials with an account id are used)");
    CHECK(f.list_tables(c).as_object().contains("TableNames"));
    CHECK(f.list_tables(c).as_object().contains("TableNames"));
    auto sent = f.transport->sent();
    REQUIRE(sent.size() == 2);
    for (const auto& s : sent) {
        CHECK(s.to == account_origin);
        CHECK(s.host == "123456789012.ddb.us-east-1.amazonaws.com");
        // Signed for the region and service, as with the regional endpoint.
        CHECK_THAT(s.authorization, Catch::Matchers::Contains("/us-east-1/dynamodb/aws4_request"));
    }
    CHECK(c.describe_endpoint() == "account-based https://123456789012.ddb.us-east-1.amazonaws.com "
                                   "(account from credentials: environment)");
    // Built once, then reused: one log line for two calls.
    CHECK(f.log_lines_with("endpoint: account-based") == 1);
    // The constructor's endpoint stays the regional one.
    CHECK(c.endpoint().host == "dynamodb.us-east-1.amazonaws.com");
}

TEST_CASE("account endpoint: credentials without an account id use the regional endpoint",
          "[account_endpoint]") {
    fixture f;
    client c = f.make();
    f.list_tables(c);
    auto sent = f.transport->sent();
    REQUIRE(sent.size() == 1);
    CHECK(sent[0].to == regional_origin);
    CHECK(sent[0].host == "dynamodb.us-east-1.amazonaws.com");
    CHECK(c.describe_endpoint() == "regional https://dynamodb.us-east-1.amazonaws.com (the "
                                   "credentials carry no account id, so not account-based)");
}

TEST_CASE("account endpoint: mode required without an account id fails the call, typed",
          "[account_endpoint]") {
    fixture f(
        [](client_config& c) { c.account_id_endpoint_mode = account_id_endpoint_mode::required; });
    client c = f.make();
    try {
        f.list_tables(c);
        FAIL("no exception");
    } catch (const config_error& e) {
        CHECK(e.code() == config_errc::invalid_setting);
        CHECK_THAT(std::string(e.what()),
                   Catch::Matchers::Contains("account_id_endpoint_mode = required (from "
                                             "client_config::account_id_endpoint_mode)"));
        CHECK_THAT(std::string(e.what()),
                   Catch::Matchers::Contains("credentials from environment carry no account id"));
    }
    CHECK(f.transport->sent().empty());
    // With the account id it works.
    f.env.set("AWS_ACCOUNT_ID", "123456789012");
    f.list_tables(c);
    REQUIRE(f.transport->sent().size() == 1);
    CHECK(f.transport->sent()[0].to == account_origin);
}

TEST_CASE("account endpoint: mode disabled, from the environment, keeps the regional endpoint",
          "[account_endpoint]") {
    fixture f;
    f.env.set("AWS_ACCOUNT_ID", "123456789012").set("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled");
    client c = f.make();
    f.list_tables(c);
    REQUIRE(f.transport->sent().size() == 1);
    CHECK(f.transport->sent()[0].to == regional_origin);
    CHECK(c.describe_endpoint() == "regional https://dynamodb.us-east-1.amazonaws.com");
}

TEST_CASE("account endpoint: FIPS and dual-stack choose their host names", "[account_endpoint]") {
    {
        fixture f([](client_config& c) { c.use_fips_endpoint = true; });
        f.env.set("AWS_ACCOUNT_ID", "123456789012"); // FIPS has no account endpoints
        client c = f.make();
        f.list_tables(c);
        REQUIRE(f.transport->sent().size() == 1);
        CHECK(f.transport->sent()[0].to.host == "dynamodb-fips.us-east-1.amazonaws.com");
        CHECK(c.describe_endpoint() == "FIPS https://dynamodb-fips.us-east-1.amazonaws.com "
                                       "(client_config::use_fips_endpoint)");
    }
    {
        fixture f;
        f.env.set("AWS_USE_DUALSTACK_ENDPOINT", "true").set("AWS_ACCOUNT_ID", "123456789012");
        client c = f.make();
        f.list_tables(c);
        REQUIRE(f.transport->sent().size() == 1);
        CHECK(f.transport->sent()[0].to.host == "123456789012.ddb.us-east-1.api.aws");
    }
}

TEST_CASE("account endpoint: a configured URL wins over the account", "[account_endpoint]") {
    fixture f([](client_config& c) { c.endpoint = test::local_server::endpoint("moto"); });
    f.env.set("AWS_ACCOUNT_ID", "123456789012");
    client c = f.make();
    f.list_tables(c);
    REQUIRE(f.transport->sent().size() == 1);
    CHECK(f.transport->sent()[0].to == moto_origin());
    CHECK(c.describe_endpoint() ==
          "configured " + test::local_server::endpoint("moto") + " (client_config::endpoint)");
    // FIPS with a configured URL is refused by the constructor.
    f.cfg.use_fips_endpoint = true;
    CHECK_THROWS_AS(f.make(), config_error);
}

TEST_CASE("account endpoint: the endpoint follows the credentials' account", "[account_endpoint]") {
    auto creds = std::make_shared<switching_provider>();
    fixture f([&](client_config& c) { c.credentials = creds; });
    client c = f.make();
    creds->account = "111111111111";
    f.list_tables(c);
    creds->account = "222222222222";
    f.list_tables(c);
    creds->account = "";
    f.list_tables(c);
    auto sent = f.transport->sent();
    REQUIRE(sent.size() == 3);
    CHECK(sent[0].to.host == "111111111111.ddb.us-east-1.amazonaws.com");
    CHECK(sent[1].to.host == "222222222222.ddb.us-east-1.amazonaws.com");
    CHECK(sent[2].to == regional_origin);
    // A malformed account id fails the call, naming the credentials' source.
    creds->account = "12345";
    try {
        f.list_tables(c);
        FAIL("no exception");
    } catch (const config_error& e) {
        CHECK_THAT(std::string(e.what()),
                   Catch::Matchers::Contains("the account id '12345' of the credentials from "
                                             "switching is not 12 digits"));
    }
    CHECK(f.transport->sent().size() == 3);
}
