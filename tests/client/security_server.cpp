// Security against real servers: a run with known, unique credentials through
// every kind of outcome (success, service errors, faults, timeouts, refused
// connections, failing credential providers, and moto with IAM auth refusing
// a wrong secret or an unknown key) must leave no secret key, session token,
// Authorization header or signature in any log line, metrics record or
// exception. The exact signatures sent are recorded by a forwarder between
// the fault proxy and the server.
#include <ddb/aws/container_provider.hpp>
#include <ddb/client/client.hpp>
#include <ddb/credentials/static_provider.hpp>

#include "../support/client_setup.hpp"
#include "../support/env.hpp"
#include "../support/fault_proxy.hpp"
#include "../support/http_test_server.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"
#include "../support/temp_dir.hpp"
#include "security_support.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>

#include "../support/source_dir.hpp"
#include <cstdio>
#include <mutex>
#include <sstream>

using namespace ddb;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::awaitable;
using std::chrono::milliseconds;

namespace {

std::uint16_t port_of(const std::string& url) {
    return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

// Passes each request on to 127.0.0.1:upstream (one connection each) and
// returns the server's answer, recording the Authorization and
// x-amz-security-token headers that were sent.
struct recording_forwarder {
    explicit recording_forwarder(std::uint16_t upstream_port)
        : upstream(upstream_port) {}

    std::uint16_t upstream;
    std::mutex mutex;
    std::vector<std::string> authorizations, tokens;
    test::http_test_server server{[this](const test::test_request& req) { return forward(req); }};

    test::test_response forward(const test::test_request& req) {
        {
            std::lock_guard lock(mutex);
            authorizations.emplace_back(req[bhttp::field::authorization]);
            tokens.emplace_back(req["x-amz-security-token"]);
        }
        return test::forward_to(upstream, req);
    }

    void register_with(test::leak_guard& guard) {
        std::lock_guard lock(mutex);
        for (auto& a : authorizations)
            guard.authorization(a);
    }
};

// A moto of its own that checks every SigV4 signature (IAM auth on), with one
// IAM user allowed everything (as tests/integration/demo.sh moto-auth does).
class moto_with_auth {
public:
    moto_with_auth() {
        state_ = dir_.path().string() + "/moto-auth.state";
        test::env_guard env;
        env.set("INITIAL_NO_AUTH_ACTION_COUNT", "4");
        std::string start = ddb_test::source_dir() + "/scripts/local-dynamodb start moto '" +
                            state_ + "' >/dev/null";
        REQUIRE(std::system(start.c_str()) == 0);
        started_ = true;
        std::ifstream in(state_);
        long pid = 0;
        REQUIRE(in >> pid >> port_);
        std::string cmd =
            "python3 " + ddb_test::source_dir() +
            "/tests/support/moto_iam_key.py http://127.0.0.1:" + std::to_string(port_);
        FILE* p = ::popen(cmd.c_str(), "r");
        REQUIRE(p);
        char line[512] = {};
        bool got = std::fgets(line, sizeof line, p) != nullptr;
        ::pclose(p);
        REQUIRE(got);
        std::istringstream words(line);
        REQUIRE(words >> id_ >> secret_);
    }
    ~moto_with_auth() {
        if (!started_)
            return;
        std::string stop = ddb_test::source_dir() + "/scripts/local-dynamodb stop '" + state_ + "'";
        [[maybe_unused]] int rc = std::system(stop.c_str());
    }
    moto_with_auth(const moto_with_auth&) = delete;
    moto_with_auth& operator=(const moto_with_auth&) = delete;

    std::uint16_t port() const { return static_cast<std::uint16_t>(port_); }
    const std::string& access_key_id() const { return id_; }
    const std::string& secret() const { return secret_; }

private:
    test::temp_dir dir_;
    std::string state_, id_, secret_;
    int port_ = 0;
    bool started_ = false;
};

client_config config_for(const std::string& endpoint, credentials_provider_ptr provider,
                         test::leak_guard& guard,
                         milliseconds attempt_timeout = milliseconds(10000)) {
    client_config c;
    c.region = "us-east-1";
    c.endpoint = endpoint;
    c.credentials = std::move(provider);
    retry_config r;
    r.max_attempts = 3;
    r.base_delay = milliseconds(1);
    r.random = [] { return 0.5; };
    c.retry = r;
    c.attempt_timeout = attempt_timeout;
    c.hooks = guard.hooks();
    return c;
}

credentials_provider_ptr static_creds(const credentials& c) {
    return std::make_shared<static_provider>(c);
}

boost::json::value call(asio::io_context& ioc, client& c, const std::string& operation,
                        const boost::json::value& request) {
    return test::run(ioc, [&]() -> awaitable<boost::json::value> {
        co_return co_await c.call(operation, request);
    });
}

template <class E>
void expect(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const E&) {
        SUCCEED();
    } catch (const std::exception& x) {
        FAIL("unexpected exception: " << x.what());
    }
}

} // namespace

TEST_CASE("security: no secret, token or signature in logs, metrics or errors of a run with "
          "faults",
          "[security]") {
    credentials creds{test::random_marker("AKIDLEAK"),
                      test::random_marker("secret/"),
                      test::random_marker("token+", 64),
                      {},
                      "test",
                      {}};
    test::leak_guard guard;
    guard.secret(creds.secret_access_key);
    guard.secret(creds.session_token);

    recording_forwarder recorder(port_of(test::local_server::endpoint("moto")));
    test::fault_proxy proxy("127.0.0.1", recorder.server.port());
    asio::io_context ioc;
    client c(ioc.get_executor(), config_for(proxy.endpoint(), static_creds(creds), guard));
    std::string table = test::unique_table("sec");

    // Success.
    test::run(ioc, [&] { return test::create_table(c, table); });
    boost::json::value put = {{"TableName", table},
                              {"Item", {{"pk", {{"S", "a"}}}, {"n", {{"N", "1"}}}}}};
    call(ioc, c, "PutItem", put);

    // Service errors.
    boost::json::value conditional = put;
    conditional.as_object()["ConditionExpression"] = "attribute_not_exists(pk)";
    expect<conditional_check_failed>(guard.failure([&] { call(ioc, c, "PutItem", conditional); }));
    boost::json::value missing = {{"TableName", table + "-missing"},
                                  {"Key", {{"pk", {{"S", "a"}}}}}};
    expect<resource_not_found>(guard.failure([&] { call(ioc, c, "GetItem", missing); }));
    boost::json::value invalid = {{"TableName", table}, {"Item", {{"n", {{"N", "1"}}}}}};
    expect<validation_error>(guard.failure([&] { call(ioc, c, "PutItem", invalid); }));

    // Faults the client retries past.
    proxy.push({test::fault::close_after_forward});
    call(ioc, c, "PutItem", put);
    proxy.push({test::fault::flip_body_byte});
    proxy.push({test::fault::truncate_body});
    call(ioc, c, "PutItem", put);

    // Faults it gives up on: throttling, 503, timeouts, an expired token.
    for (int i = 0; i < 3; ++i)
        proxy.push(test::fault::throttle());
    expect<throttling_exception>(guard.failure([&] { call(ioc, c, "PutItem", put); }));
    for (int i = 0; i < 3; ++i)
        proxy.push(test::fault::unavailable());
    expect<service_unavailable>(guard.failure([&] { call(ioc, c, "PutItem", put); }));
    client impatient(ioc.get_executor(),
                     config_for(proxy.endpoint(), static_creds(creds), guard, milliseconds(300)));
    for (int i = 0; i < 3; ++i)
        proxy.push({test::fault::delay, 200, {}, milliseconds(900)});
    expect<http::transport_error>(guard.failure([&] { call(ioc, impatient, "GetItem", missing); }));
    for (int i = 0; i < 3; ++i) // refreshed and re-signed once, then retried as usual
        proxy.push(
            {test::fault::respond, 400,
             R"({"__type":"com.amazon.coral.service#ExpiredTokenException","message":"The security token included in the request is expired"})"});
    expect<expired_token>(guard.failure([&] { call(ioc, c, "PutItem", put); }));
    proxy.push(
        {test::fault::respond, 400,
         R"({"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down","ThrottlingReasons":[{"reason":"TableReadProvisionedThroughputExceeded","resource":"arn:aws:dynamodb:us-east-1:123456789012:table/t"}]})"});
    call(ioc, c, "PutItem", put);

    // A refused connection.
    std::uint16_t closed;
    {
        asio::ip::tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        closed = a.local_endpoint().port();
    }
    client refused(ioc.get_executor(), config_for("http://127.0.0.1:" + std::to_string(closed),
                                                  static_creds(creds), guard));
    expect<http::transport_error>(guard.failure([&] { call(ioc, refused, "PutItem", put); }));

    // Credential providers that fail, with secrets in what they were sent or
    // answered: the container endpoint's authorization token, and answers
    // that hold a secret but are broken.
    std::string container_token = test::random_marker("container-");
    std::string answered_secret = test::random_marker("answered-secret-");
    std::string answered_token = test::random_marker("answered-token-");
    guard.secret(container_token);
    guard.secret(answered_secret);
    guard.secret(answered_token);
    std::vector<test::test_response> answers = {
        test::make_response(500, R"({"SecretAccessKey":")" + answered_secret + R"("})"),
        test::make_response(403, "denied for " + answered_token, "text/plain"),
        test::make_response(200, R"({"AccessKeyId":"AKIDC","SecretAccessKey":")" + answered_secret +
                                     R"(","Token":")" + answered_token + R"(","Expiration":"soon)" +
                                     answered_secret + R"("})"),
        test::make_response(200, R"({"SecretAccessKey":")" + answered_secret + R"(","Token":")" +
                                     answered_token + R"("})"),
        test::make_response(200, R"({"AccessKeyId":"AKIDC","SecretAccessKey":")" + answered_secret +
                                     R"(", broken)"),
    };
    std::atomic<std::size_t> next{0};
    test::http_test_server container([&](const test::test_request&) {
        return answers[std::min(next.load(), answers.size() - 1)];
    });
    test::env_guard env;
    env.clean_aws()
        .set("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.url() + "/creds")
        .set("AWS_CONTAINER_AUTHORIZATION_TOKEN", container_token);
    container_provider::options quick;
    quick.attempts = 2;
    quick.timeout = milliseconds(500);
    for (std::size_t i = 0; i < answers.size(); ++i) {
        next = i;
        client from_container(
            ioc.get_executor(),
            config_for(proxy.endpoint(), std::make_shared<container_provider>(quick), guard));
        expect<credentials_error>(
            guard.failure([&] { call(ioc, from_container, "GetItem", missing); }));
    }

    // Every request that reached the server was signed with the marked
    // credentials; all of them are secrets now.
    {
        std::lock_guard lock(recorder.mutex);
        REQUIRE(recorder.authorizations.size() >= 10);
        for (std::size_t i = 0; i < recorder.tokens.size(); ++i) {
            CHECK(recorder.tokens[i] == creds.session_token);
            CHECK(recorder.authorizations[i].find(creds.access_key_id) != std::string::npos);
        }
    }
    recorder.register_with(guard);
    CHECK(guard.texts() >= 40);
    guard.assert_clean();
}

TEST_CASE("security: authentication failures against moto with IAM auth leak nothing",
          "[security][auth]") {
    moto_with_auth moto;
    recording_forwarder recorder(moto.port());
    test::leak_guard guard;
    asio::io_context ioc;
    std::string endpoint = recorder.server.url();

    // (moto refuses a session token with an IAM user's key: only the
    // stranger sends one.)
    credentials right{moto.access_key_id(), moto.secret(), {}, {}, "test", {}};
    credentials wrong_secret = right;
    wrong_secret.secret_access_key = moto.secret() + test::random_marker("x", 8);
    credentials unknown_key{"AKIA" + test::random_marker("", 16),
                            test::random_marker("unknown-secret-"),
                            test::random_marker("token-", 64),
                            {},
                            "test",
                            {}};
    for (auto* c : {&right, &wrong_secret, &unknown_key}) {
        guard.secret(c->secret_access_key);
        guard.secret(c->session_token);
    }

    boost::json::value none = boost::json::object{};
    client good(ioc.get_executor(), config_for(endpoint, static_creds(right), guard));
    CHECK(call(ioc, good, "ListTables", none).as_object().contains("TableNames"));
    boost::json::value describe = {{"TableName", "sec-no-such-table"}};
    expect<resource_not_found>(guard.failure([&] { call(ioc, good, "DescribeTable", describe); }));

    client bad_secret(ioc.get_executor(), config_for(endpoint, static_creds(wrong_secret), guard));
    auto e1 = guard.failure([&] { call(ioc, bad_secret, "ListTables", none); });
    expect<invalid_signature>(e1);

    client stranger(ioc.get_executor(), config_for(endpoint, static_creds(unknown_key), guard));
    auto e2 = guard.failure([&] { call(ioc, stranger, "ListTables", none); });
    expect<unrecognized_client>(e2);

    recorder.register_with(guard);
    CHECK(recorder.server.requests() == 4);
    guard.assert_clean();
}
