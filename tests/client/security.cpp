// Security without a DynamoDB: TLS defaults, redirects not followed, shared
// credential files that are broken, endpoint URLs with user info. Every error
// met here goes through a leak_guard (security_support.hpp). The run against
// real servers, with auth failures and faults, is in security_server.cpp.
#include <ddb/aws/container_provider.hpp>
#include <ddb/aws/default_credentials.hpp>
#include <ddb/aws/endpoint.hpp>
#include <ddb/client/client.hpp>
#include <ddb/core/config_error.hpp>
#include <ddb/credentials/profile_file.hpp>
#include <ddb/credentials/profile_provider.hpp>
#include <ddb/credentials/static_provider.hpp>

#include "../support/client_setup.hpp"
#include "../support/env.hpp"
#include "../support/fault_proxy.hpp"
#include "../support/http_test_server.hpp"
#include "../support/run.hpp"
#include "../support/temp_dir.hpp"
#include "security_support.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/field.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>

using namespace ddb;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::awaitable;

namespace {

// Known, unique credentials for one test.
struct marked_credentials {
    credentials creds{test::random_marker("AKIDSEC"),
                      test::random_marker("secret-"),
                      test::random_marker("token-", 48),
                      {},
                      "test",
                      {}};
    void register_with(test::leak_guard& guard) const {
        guard.secret(creds.secret_access_key);
        guard.secret(creds.session_token);
    }
};

// test::config_for with these credentials, watched by `guard`.
client_config config_for(const std::string& endpoint, const credentials& creds,
                         test::leak_guard& guard) {
    client_config c = test::config_for(endpoint);
    c.credentials = std::make_shared<static_provider>(creds);
    c.hooks = guard.hooks();
    return c;
}

using ddb::test::list_tables;

// A loopback stand-in that records the Authorization headers it was sent
// (so the test knows the exact signatures) and answers an empty ListTables.
struct recording_server {
    std::mutex mutex;
    std::vector<std::string> authorizations;
    test::http_test_server server{[this](const test::test_request& req) {
        std::lock_guard lock(mutex);
        authorizations.emplace_back(req[bhttp::field::authorization]);
        return test::make_response(200, R"({"TableNames":[]})", "application/x-amz-json-1.0");
    }};
    void register_with(test::leak_guard& guard) {
        std::lock_guard lock(mutex);
        for (auto& a : authorizations)
            guard.authorization(a);
    }
};

// A self-signed certificate for DNS:localhost (its own trust anchor), made
// with the openssl command line.
struct self_signed {
    test::temp_dir dir;
    std::string cert, key;
    self_signed() {
        auto p = dir.path().string();
        cert = p + "/cert.pem";
        key = p + "/key.pem";
        std::string cmd = "cd '" + p +
                          "' && openssl req -x509 -newkey ec -pkeyopt "
                          "ec_paramgen_curve:prime256v1 -nodes -keyout key.pem -out cert.pem "
                          "-days 1 -subj '/CN=localhost' -addext subjectAltName=DNS:localhost "
                          ">/dev/null 2>&1";
        REQUIRE(std::system(cmd.c_str()) == 0);
    }
};

} // namespace

TEST_CASE("security: the leak guard finds a planted secret, header or signature", "[security]") {
    std::string secret = test::random_marker("planted-");
    std::string authorization = "AWS4-HMAC-SHA256 Credential=AKIDX/20260101/us-east-1/dynamodb/"
                                "aws4_request, SignedHeaders=host, Signature=" +
                                std::string(64, 'a');
    test::leak_guard guard;
    guard.secret(secret);
    guard.observe("clean", "PutItem attempt 1: HTTP 200");
    CHECK(guard.findings().empty());
    guard.observe("log", "x " + secret + " y");
    guard.observe("what()", std::string(64, 'b'));
    call_metrics m;
    m.operation = "PutItem";
    m.error = "failed with " + authorization;
    guard.hooks().on_call(m);
    // The secret; in metrics Signature=, AWS4-HMAC-SHA256 and hex; hex in what().
    CHECK(guard.findings().size() == 5);
    guard.authorization(authorization);
    CHECK(guard.findings().size() == 7); // and the header value, and its signature
}

// The positive path (a configured CA), an untrusted CA and a host name
// mismatch against moto are in tests/http/transport.cpp ("TLS: ...").
TEST_CASE("security: TLS verification is on by default and refuses a self-signed server "
          "before sending anything",
          "[security][tls]") {
    // The defaults, at every level a user may start from.
    CHECK(http::tls_options{}.verification == http::tls_verification::verify_peer);
    CHECK(http::pool_options{}.tls.verification == http::tls_verification::verify_peer);
    CHECK(client_config{}.pool.tls.verification == http::tls_verification::verify_peer);
    CHECK(client_config{}.pool.tls.use_system_ca_store);
    CHECK(client_config{}.pool.tls.ca_file.empty());

    self_signed pki;
    recording_server upstream;
    test::fault_proxy tls_front("127.0.0.1", upstream.server.port(),
                                test::tls_files{pki.cert, pki.key});
    std::string url = "https://localhost:" + std::to_string(tls_front.port());
    marked_credentials mc;
    test::leak_guard guard;
    mc.register_with(guard);
    asio::io_context ioc;

    // Default settings: the certificate is not trusted; the signed request
    // never leaves the process.
    client by_default(ioc.get_executor(), config_for(url, mc.creds, guard));
    auto e = guard.failure([&] { list_tables(ioc, by_default); });
    try {
        std::rethrow_exception(e);
    } catch (const http::transport_error& t) {
        CHECK(t.code() == http::errc::tls_handshake_failed);
        CHECK_FALSE(t.transient());
        CHECK(std::string(t.what()).find("certificate") != std::string::npos);
    }
    CHECK(upstream.server.requests() == 0);

    // Trusted only once the test names the certificate as its CA.
    auto trusting = config_for(url, mc.creds, guard);
    trusting.pool.tls.ca_file = pki.cert;
    client explicit_ca(ioc.get_executor(), trusting);
    CHECK(list_tables(ioc, explicit_ca).as_object().contains("TableNames"));
    CHECK(upstream.server.requests() == 1);

    // The same CA does not make a wrong host name acceptable.
    auto wrong_host =
        config_for("https://127.0.0.1:" + std::to_string(tls_front.port()), mc.creds, guard);
    wrong_host.pool.tls.ca_file = pki.cert;
    client mismatch(ioc.get_executor(), wrong_host);
    auto m = guard.failure([&] { list_tables(ioc, mismatch); });
    try {
        std::rethrow_exception(m);
    } catch (const http::transport_error& t) {
        CHECK(t.code() == http::errc::tls_handshake_failed);
    }
    CHECK(upstream.server.requests() == 1);

    // A CA file that cannot be loaded is a typed configuration error.
    auto missing_ca = config_for(url, mc.creds, guard);
    missing_ca.pool.tls.ca_file = pki.cert + ".missing";
    auto bad = guard.failure([&] { client unusable(ioc.get_executor(), missing_ca); });
    try {
        std::rethrow_exception(bad);
    } catch (const config_error& ce) {
        CHECK(ce.code() == config_errc::invalid_setting);
        CHECK(std::string(ce.what()).find(".missing") != std::string::npos);
    }

    upstream.register_with(guard);
    CHECK(guard.secrets() >= 4); // secret, token, one Authorization and its signature
    guard.assert_clean();
}

TEST_CASE("security: redirects are not followed, the other host gets nothing", "[security]") {
    std::mutex mutex;
    std::vector<std::string> authorizations;
    test::http_test_server elsewhere([&](const test::test_request& req) {
        std::lock_guard lock(mutex);
        authorizations.emplace_back(req[bhttp::field::authorization]);
        return test::make_response(200, R"({"TableNames":["stolen"]})");
    });
    std::atomic<unsigned> status{301};
    test::http_test_server redirecting([&](const test::test_request& req) {
        {
            std::lock_guard lock(mutex);
            authorizations.emplace_back(req[bhttp::field::authorization]);
        }
        auto res = test::make_response(status.load(), "<html>moved</html>", "text/html");
        res.set(bhttp::field::location, elsewhere.url() + "/");
        return res;
    });
    marked_credentials mc;
    test::leak_guard guard;
    mc.register_with(guard);
    asio::io_context ioc;
    client c(ioc.get_executor(), config_for(redirecting.url(), mc.creds, guard));

    std::size_t sent = 0;
    for (unsigned code : {301u, 302u, 303u, 307u, 308u}) {
        INFO("HTTP " << code);
        status = code;
        auto e = guard.failure([&] { list_tables(ioc, c); });
        try {
            std::rethrow_exception(e);
        } catch (const unexpected_response& r) {
            CHECK(r.kind() == service_errc::unexpected_response);
            CHECK(r.status() == code);
            CHECK(std::string(r.what()).find("HTTP " + std::to_string(code)) != std::string::npos);
        }
        ++sent; // a redirect is not retried either
        CHECK(redirecting.requests() == sent);
        CHECK(elsewhere.requests() == 0);
    }

    // The container credentials provider does not follow one either, so its
    // authorization token stays with the host it was meant for.
    std::string container_token = test::random_marker("container-token-");
    guard.secret(container_token);
    test::env_guard env;
    env.clean_aws()
        .set("AWS_CONTAINER_CREDENTIALS_FULL_URI", redirecting.url() + "/creds")
        .set("AWS_CONTAINER_AUTHORIZATION_TOKEN", container_token);
    status = 302;
    container_provider provider;
    auto pe = guard.failure([&] { test::run([&] { return provider.fetch(); }); });
    try {
        std::rethrow_exception(pe);
    } catch (const credentials_error& ce) {
        CHECK(ce.code() == credentials_errc::provider_failed);
        CHECK(std::string(ce.what()).find("HTTP 302") != std::string::npos);
    }
    CHECK(elsewhere.requests() == 0);

    {
        std::lock_guard lock(mutex);
        for (auto& a : authorizations)
            guard.authorization(a);
    }
    guard.assert_clean();
}

TEST_CASE("security: broken credential files are typed errors naming file and line, never the "
          "secret",
          "[security][credentials]") {
    test::temp_dir dir;
    std::string secret = test::random_marker("wJalrXUtnFEMI/K7MDENG/");
    std::string big_prefix;
    for (int i = 0; i < 100000; ++i) // ~4 MB of valid profiles before the broken line
        big_prefix += "[p" + std::to_string(i) + "]\nregion = us-east-1\n";
    std::string garbage = "[default]\n";
    for (int i = 0; i < 4096; ++i)
        garbage += static_cast<char>((i * 7919) % 256);
    garbage += "\naws_secret_access_key " + secret + "\n";

    struct broken_case {
        std::string name, content;
        std::string line; // expected ":<line>" in the message, empty: any
    };
    const std::vector<broken_case> cases = {
        {"missing '='",
         "[default]\naws_access_key_id = AKID\naws_secret_access_key " + secret + "\n", ":3:"},
        {"unterminated section holding the secret",
         "[default aws_secret_access_key=" + secret + "\n", ":1:"},
        {"text after the section header", "[default] " + secret + "\n", ":1:"},
        {"property before any section", "aws_secret_access_key = " + secret + "\n", ":1:"},
        {"secret on a broken sub-property line",
         "[default]\naws_access_key_id = AKID\ns3 =\n  " + secret + "\n", ":4:"},
        {"empty property name", "[default]\n = " + secret + "\n", ":2:"},
        {"binary garbage", garbage, ""},
        {"huge file, broken at the end", big_prefix + "aws_secret_access_key " + secret + "\n",
         ":200001:"},
    };

    test::leak_guard guard;
    guard.secret(secret);
    test::env_guard env;
    env.clean_aws();
    for (const auto& bc : cases) {
        INFO(bc.name);
        auto path = dir.write("credentials", bc.content);

        // The parser, as the profile provider and the default chain use it.
        auto e = guard.failure([&] { profile_set::load({"/nonexistent/config", path}); });
        try {
            std::rethrow_exception(e);
        } catch (const credentials_error& ce) {
            CHECK(ce.code() == credentials_errc::malformed);
            std::string what = ce.what();
            CHECK(what.find(path + ":") != std::string::npos);
            if (!bc.line.empty())
                CHECK(what.find(path + bc.line) != std::string::npos);
        }

        // Through the default chain a client uses: a broken file stops the
        // chain (it is not "not found"), and the message still names it.
        env.set("AWS_SHARED_CREDENTIALS_FILE", path).set("AWS_CONFIG_FILE", "/nonexistent/config");
        auto chain = make_default_credentials_chain();
        auto ce = guard.failure([&] { test::run([&] { return chain->fetch(); }); });
        try {
            std::rethrow_exception(ce);
        } catch (const credentials_error& x) {
            CHECK(x.code() == credentials_errc::malformed);
            CHECK(std::string(x.what()).find(path) != std::string::npos);
        }
    }

    // A broken config file, for the client's region lookup too.
    auto config = dir.write("config", "[default]\nregion = us-east-1\naws_secret_access_key " +
                                          secret + "\n");
    env.set("AWS_CONFIG_FILE", config).set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/c");
    guard.failure([&] {
        profile_provider p;
        test::run([&] { return p.fetch(); });
    });
    guard.failure([&] {
        asio::io_context ioc;
        client_config cfg;
        cfg.region = "us-east-1";
        cfg.endpoint = "http://127.0.0.1:1"; // never reached
        cfg.hooks = guard.hooks();
        client c(ioc.get_executor(), cfg);
        list_tables(ioc, c);
    });

    CHECK(guard.texts() > cases.size() * 2);
    guard.assert_clean();
}

TEST_CASE("security: an endpoint URL's user info never appears in an error", "[security]") {
    std::string password = test::random_marker("pw-");
    test::leak_guard guard;
    guard.secret(password);
    for (std::string url :
         {"https://admin:" + password + "@dynamodb.example.com/",
          "http://" + password + "@127.0.0.1:8000", "https://user:" + password + "@host:99999/",
          "https://user:" + password + "@exa mple.com/", "ftp://u:" + password + "@example.com/"}) {
        INFO(url);
        auto e = guard.failure([&] { parse_endpoint(url); });
        try {
            std::rethrow_exception(e);
        } catch (const config_error& ce) {
            CHECK(ce.code() == config_errc::invalid_endpoint);
        }
    }
    // The same through a client's configuration and the container provider's URI.
    guard.failure([&] {
        asio::io_context ioc;
        client_config c;
        c.region = "us-east-1";
        c.endpoint = "https://k:" + password + "@localhost/";
        client cl(ioc.get_executor(), c);
    });
    test::env_guard env;
    env.clean_aws().set("AWS_CONTAINER_CREDENTIALS_FULL_URI",
                        "https://k:" + password + "@localhost/creds");
    container_provider provider;
    guard.failure([&] { test::run([&] { return provider.fetch(); }); });
    guard.assert_clean();
}

TEST_CASE("security: AWS_CA_BUNDLE and the profile's ca_bundle are trusted, an explicit ca_file "
          "first",
          "[security][tls]") {
    self_signed pki;
    recording_server upstream;
    test::fault_proxy tls_front("127.0.0.1", upstream.server.port(),
                                test::tls_files{pki.cert, pki.key});
    std::string url = "https://localhost:" + std::to_string(tls_front.port());
    marked_credentials mc;
    test::leak_guard guard;
    mc.register_with(guard);
    test::temp_dir dir;
    test::env_guard env;
    env.clean_aws()
        .unset("AWS_CA_BUNDLE")
        .set("AWS_CONFIG_FILE", (dir.path() / "none").string())
        .set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "none").string());
    asio::io_context ioc;
    std::size_t sent = 0;
    auto trusted = [&](const std::string& why) {
        INFO(why);
        client c(ioc.get_executor(), config_for(url, mc.creds, guard));
        CHECK(list_tables(ioc, c).as_object().contains("TableNames"));
        CHECK(upstream.server.requests() == ++sent);
    };
    auto refused = [&](const std::string& why, client_config cfg, const std::string& says) {
        INFO(why);
        auto e = guard.failure([&] { client c(ioc.get_executor(), cfg); });
        try {
            std::rethrow_exception(e);
        } catch (const config_error& ce) {
            CHECK(ce.code() == config_errc::invalid_setting);
            CHECK_THAT(std::string(ce.what()), Catch::Matchers::Contains(says));
        }
    };

    // Untrusted without a bundle.
    client plain(ioc.get_executor(), config_for(url, mc.creds, guard));
    guard.failure([&] { list_tables(ioc, plain); });
    CHECK(upstream.server.requests() == 0);

    // AWS_CA_BUNDLE.
    env.set("AWS_CA_BUNDLE", pki.cert);
    trusted("AWS_CA_BUNDLE");
    // Set but empty counts as unset.
    env.set("AWS_CA_BUNDLE", "");
    client empty_bundle(ioc.get_executor(), config_for(url, mc.creds, guard));
    guard.failure([&] { list_tables(ioc, empty_bundle); });

    // The profile's ca_bundle (the selected profile's, "~/" expanded).
    env.unset("AWS_CA_BUNDLE")
        .set("AWS_CONFIG_FILE", dir.write("config", "[default]\nregion = us-east-1\n"
                                                    "[profile tls]\nca_bundle = " +
                                                        pki.cert + "\n"));
    client no_profile_bundle(ioc.get_executor(), config_for(url, mc.creds, guard));
    guard.failure([&] { list_tables(ioc, no_profile_bundle); });
    env.set("AWS_PROFILE", "tls");
    trusted("profile ca_bundle");
    env.set("HOME", dir.path().string());
    std::filesystem::copy_file(pki.cert, dir.path() / "ca.pem");
    env.set("AWS_CONFIG_FILE", dir.write("config2", "[profile tls]\nca_bundle = ~/ca.pem\n"));
    trusted("profile ca_bundle under ~/");

    // Precedence: explicit ca_file > AWS_CA_BUNDLE > profile ca_bundle. The
    // loser names a missing file: only the winner is loaded.
    env.set("AWS_CONFIG_FILE",
            dir.write("config3", "[profile tls]\nca_bundle = /nonexistent/profile.pem\n"));
    env.set("AWS_CA_BUNDLE", pki.cert);
    trusted("AWS_CA_BUNDLE over the profile");
    env.set("AWS_CA_BUNDLE", "/nonexistent/env.pem");
    auto explicit_ca = config_for(url, mc.creds, guard);
    explicit_ca.pool.tls.ca_file = pki.cert;
    {
        client c(ioc.get_executor(), explicit_ca);
        CHECK(list_tables(ioc, c).as_object().contains("TableNames"));
        CHECK(upstream.server.requests() == ++sent);
    }

    // A bundle that cannot be loaded: typed, naming the file and where it came from.
    refused("AWS_CA_BUNDLE missing", config_for(url, mc.creds, guard), "/nonexistent/env.pem");
    refused("AWS_CA_BUNDLE missing, source", config_for(url, mc.creds, guard),
            "(set by AWS_CA_BUNDLE)");
    env.unset("AWS_CA_BUNDLE");
    refused("profile bundle missing", config_for(url, mc.creds, guard), "/nonexistent/profile.pem");
    refused("profile bundle missing, source", config_for(url, mc.creds, guard),
            "(set by ca_bundle of profile 'tls')");
    env.set("AWS_CA_BUNDLE", dir.write("garbage.pem", "not a certificate\n"));
    refused("not PEM", config_for(url, mc.creds, guard), "garbage.pem");

    upstream.register_with(guard);
    guard.assert_clean();
}

TEST_CASE("security: a broken config file met while resolving the region names file and line, "
          "never the secret",
          "[security][credentials]") {
    test::temp_dir dir;
    std::string secret = test::random_marker("wJalrXUtnFEMI/K7MDENG/");
    test::leak_guard guard;
    guard.secret(secret);
    auto config = dir.write("config", "[default]\nregion = us-east-1\naws_secret_access_key " +
                                          secret + "\n");
    test::env_guard env;
    env.clean_aws()
        .set("AWS_CONFIG_FILE", config)
        .set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "none").string());
    asio::io_context ioc;
    client_config cfg;
    cfg.endpoint = "http://127.0.0.1:1"; // never reached
    cfg.hooks = guard.hooks();
    auto e = guard.failure([&] { client c(ioc.get_executor(), cfg); });
    try {
        std::rethrow_exception(e);
    } catch (const credentials_error& ce) {
        CHECK(ce.code() == credentials_errc::malformed);
        CHECK_THAT(std::string(ce.what()), Catch::Matchers::Contains(config + ":3:"));
    }
    guard.assert_clean();
}
