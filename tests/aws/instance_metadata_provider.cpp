// Test that header file is self-contained.
#include <ddb/aws/instance_metadata_provider.hpp>

#include <ddb/aws/default_credentials.hpp>

#include "../support/env.hpp"
#include "../support/http_test_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>

using namespace ddb;
namespace bhttp = boost::beast::http;

namespace {

// Speaks IMDSv2: PUT token (TTL header required), role listing, role credentials.
struct imds {
    std::mutex mutex;
    std::vector<std::string> log;
    std::atomic<int> tokens_issued{0};
    std::atomic<bool> revoke_next{false};
    std::string role = "ddb-test-role";
    test::http_test_server server{[this](const test::test_request& req) {
        std::string target(req.target());
        {
            std::lock_guard lock(mutex);
            log.push_back(std::string(req.method_string()) + " " + target);
        }
        if (target == "/latest/api/token") {
            if (req.method() != bhttp::verb::put ||
                req["x-aws-ec2-metadata-token-ttl-seconds"].empty())
                return test::make_response(400, "", "text/plain");
            return test::make_response(200, "TOKEN" + std::to_string(++tokens_issued),
                                       "text/plain");
        }
        std::string token(req["x-aws-ec2-metadata-token"]);
        if (token != "TOKEN" + std::to_string(tokens_issued.load()) || revoke_next.exchange(false))
            return test::make_response(401, "", "text/plain");
        if (target == "/latest/meta-data/iam/security-credentials/") {
            if (role.empty())
                return test::make_response(404, "", "text/plain");
            return test::make_response(200, role + "\n", "text/plain");
        }
        if (target == "/latest/meta-data/iam/security-credentials/" + role)
            return test::make_response(
                200, R"({"Code":"Success","AccessKeyId":"AKIDIMDS","SecretAccessKey":"s",)"
                     R"("Token":"t","Expiration":"2099-01-01T00:00:00Z"})");
        return test::make_response(404, "", "text/plain");
    }};
};

credentials_errc code_of(instance_metadata_provider& p) {
    try {
        test::run([&] { return p.fetch(); });
    } catch (const credentials_error& e) {
        return static_cast<credentials_errc>(e.code().value());
    }
    return credentials_errc{};
}

} // namespace

TEST_CASE("IMDSv2: token, role, credentials; the token is reused", "[credentials]") {
    imds server;
    test::env_guard env;
    env.clean_aws()
        .unset("AWS_EC2_METADATA_DISABLED")
        .set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.server.url());
    instance_metadata_provider p;
    auto c = test::run([&] { return p.fetch(); });
    CHECK(c.access_key_id == "AKIDIMDS");
    CHECK(c.source == "instance metadata role ddb-test-role");
    REQUIRE(c.expiration);
    test::run([&] { return p.fetch(); });
    CHECK(server.tokens_issued == 1);
    CHECK(server.log.front() == "PUT /latest/api/token");

    // A revoked token is replaced once.
    server.revoke_next = true;
    CHECK(test::run([&] { return p.fetch(); }).access_key_id == "AKIDIMDS");
    CHECK(server.tokens_issued == 2);
}

TEST_CASE("IMDSv2: disabled, unreachable and role-less instances are not_found", "[credentials]") {
    test::env_guard env;
    env.clean_aws(); // sets AWS_EC2_METADATA_DISABLED=true
    instance_metadata_provider p;
    CHECK(code_of(p) == credentials_errc::not_found);

    // Nothing listens: not_found quickly, so apps off EC2 do not stall.
    env.unset("AWS_EC2_METADATA_DISABLED")
        .set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1");
    auto started = std::chrono::steady_clock::now();
    CHECK(code_of(p) == credentials_errc::not_found);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));

    imds server;
    server.role.clear();
    env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.server.url());
    instance_metadata_provider q;
    CHECK(code_of(q) == credentials_errc::not_found);
}

TEST_CASE("default chain order: environment, files, container, then instance metadata",
          "[credentials]") {
    imds server;
    test::env_guard env;
    env.clean_aws()
        .unset("AWS_EC2_METADATA_DISABLED")
        .set("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.server.url())
        .set("AWS_CONFIG_FILE", "/nonexistent")
        .set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    auto sources = default_credential_sources();
    REQUIRE(sources.size() == 5);
    CHECK(sources[0]->name() == "environment");
    CHECK(sources[1]->name().starts_with("web-identity"));
    CHECK(sources[2]->name().starts_with("profile"));
    CHECK(sources[3]->name() == "container");
    CHECK(sources[4]->name() == "instance metadata");
    auto chain = make_default_credentials_chain();
    CHECK(test::run([&] { return chain->fetch(); }).access_key_id == "AKIDIMDS");
    env.set("AWS_ACCESS_KEY_ID", "AKIDENV").set("AWS_SECRET_ACCESS_KEY", "x");
    auto chain2 = make_default_credentials_chain();
    CHECK(test::run([&] { return chain2->fetch(); }).access_key_id == "AKIDENV");
}

TEST_CASE("default chain: an instance-metadata 403 still lists every source before it",
          "[credentials]") {
    // IMDS turned off on the instance: the token request is refused with 403.
    test::http_test_server refusing(
        [](const test::test_request&) { return test::make_response(403, "", "text/plain"); });
    test::env_guard env;
    env.clean_aws()
        .unset("AWS_EC2_METADATA_DISABLED")
        .set("AWS_EC2_METADATA_SERVICE_ENDPOINT", refusing.url())
        .set("AWS_CONFIG_FILE", "/nonexistent/config")
        .set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .set("AWS_ACCESS_KEY_ID", "");
    auto chain = make_default_credentials_chain();
    try {
        test::run([&] { return chain->fetch(); });
        FAIL("no exception");
    } catch (const credentials_error& e) {
        CHECK(e.code() == credentials_errc::provider_failed);
        std::string what = e.what();
        INFO(what);
        // Every source, in order, with what it said.
        const std::vector<std::string> expected = {
            "no AWS credentials: environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are "
            "not set (AWS_ACCESS_KEY_ID set but empty)",
            "; web-identity: AWS_WEB_IDENTITY_TOKEN_FILE",
            "; profile 'default': no profile 'default' in /nonexistent/credentials (no such "
            "file) or /nonexistent/config (no such file)",
            "; container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set",
            "; instance metadata (failed; the chain stops here): instance metadata at " +
                std::string(refusing.url()),
            "token request answered HTTP 403",
        };
        std::size_t at = 0;
        for (const auto& part : expected) {
            auto found = what.find(part, at);
            CHECK(found != std::string::npos);
            if (found != std::string::npos)
                at = found;
        }
        REQUIRE(e.tried().size() == 5);
        CHECK(e.tried()[0].source == "environment");
        CHECK(e.tried()[1].source == "web-identity");
        CHECK(e.tried()[2].source == "profile 'default'");
        CHECK(e.tried()[3].source == "container");
        CHECK(e.tried()[4].source == "instance metadata");
    }
}
