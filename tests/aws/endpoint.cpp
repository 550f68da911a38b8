// Test that header file is self-contained.
#include <ddb/aws/endpoint.hpp>

#include <ddb/credentials/error.hpp>

#include "../support/env.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace ddb;

TEST_CASE("parse_endpoint accepts http(s) URLs with host, port and path", "[config]") {
    auto e = parse_endpoint("http://127.0.0.1:8000");
    CHECK(e.scheme == "http");
    CHECK(e.host == "127.0.0.1");
    CHECK(e.port == 8000);
    CHECK(e.path == "/");
    CHECK_FALSE(e.tls());
    CHECK(e.host_header() == "127.0.0.1:8000");
    CHECK(e.url == "http://127.0.0.1:8000/");

    auto s = parse_endpoint("HTTPS://dynamodb.eu-west-1.amazonaws.com/");
    CHECK(s.tls());
    CHECK(s.port == 443);
    CHECK(s.host_header() == "dynamodb.eu-west-1.amazonaws.com");

    auto v6 = parse_endpoint("http://[::1]:4567/base");
    CHECK(v6.host == "::1");
    CHECK(v6.host_header() == "[::1]:4567");
    CHECK(v6.path == "/base");
}

TEST_CASE("parse_endpoint rejects malformed URLs with a typed error", "[config]") {
    for (const char* bad : {"", "localhost:8000", "ftp://host/", "http://", "http://user:pw@host/",
                            "http://host/?q=1", "http://host/#f", "http://host:99999/",
                            "http://host:0/", "http://ho st/", "not a url", "http://host:/"}) {
        INFO(bad);
        try {
            parse_endpoint(bad);
            FAIL("no exception");
        } catch (const config_error& e) {
            CHECK(e.code() == config_errc::invalid_endpoint);
        }
    }
}

TEST_CASE("resolve_endpoint: explicit, service variable, global variable, then the default",
          "[config]") {
    test::env_guard env;
    env.clean_aws();
    CHECK(resolve_endpoint(std::nullopt, "us-east-1").url ==
          "https://dynamodb.us-east-1.amazonaws.com/");
    CHECK(resolve_endpoint(std::nullopt, "cn-north-1").url ==
          "https://dynamodb.cn-north-1.amazonaws.com.cn/");
    env.set("AWS_ENDPOINT_URL", "http://localhost:1111");
    CHECK(resolve_endpoint(std::nullopt, "us-east-1").port == 1111);
    env.set("AWS_ENDPOINT_URL_DYNAMODB", "http://localhost:2222");
    CHECK(resolve_endpoint(std::nullopt, "us-east-1").port == 2222);
    CHECK(resolve_endpoint("http://localhost:3333", "us-east-1").port == 3333);
    env.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE");
    CHECK(resolve_endpoint(std::nullopt, "eu-west-1").host == "dynamodb.eu-west-1.amazonaws.com");
    CHECK(resolve_endpoint("http://localhost:3333", "us-east-1").port == 3333);
    env.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false")
        .set("AWS_ENDPOINT_URL_DYNAMODB", "bogus");
    CHECK_THROWS_AS(resolve_endpoint(std::nullopt, "us-east-1"), config_error);
}

TEST_CASE("parse_endpoint explains a bad URL in plain words and names its source", "[config]") {
    struct bad_url {
        std::string url, source, says;
    };
    const std::vector<bad_url> cases = {
        {"htp:/x", "AWS_ENDPOINT_URL_DYNAMODB",
         "endpoint URL 'htp:/x' from AWS_ENDPOINT_URL_DYNAMODB: the scheme must be http or "
         "https, not 'htp'"},
        {"http:/x", "AWS_ENDPOINT_URL", "from AWS_ENDPOINT_URL: has no host"},
        {"http://", "client_config::endpoint", "has no host"},
        {"localhost:8000", "client_config::endpoint",
         "has no scheme: write http://localhost:8000 or https://localhost:8000"},
        {"http://ho st/", "AWS_ENDPOINT_URL", "is not a URL: it contains a space"},
        {"http://host\x01/", "", "is not a URL: it contains the byte 0x01"},
        {"http://[::1/", "", "is not a URL: expected http(s)://host[:port][/path]"},
        {"http://host:99999/", "", "the port must be 1-65535"},
        {"http://host:/", "", "has an empty port"},
        {"", "AWS_ENDPOINT_URL", "from AWS_ENDPOINT_URL: is empty"},
        {"http://host/?q=1", "", "a query"},
        {"https://u:pw@host/", "", "user info"},
    };
    for (const auto& c : cases) {
        INFO(c.url);
        try {
            parse_endpoint(c.url, c.source);
            FAIL("no exception");
        } catch (const config_error& e) {
            CHECK(e.code() == config_errc::invalid_endpoint);
            std::string what = e.what();
            CHECK_THAT(what, Catch::Matchers::Contains(c.says));
            // Boost.URL's own words never reach the user.
            CHECK_THAT(what, !Catch::Matchers::Contains("mismatch"));
            CHECK_THAT(what, !Catch::Matchers::Contains("need more"));
            CHECK_THAT(what, !Catch::Matchers::Contains("leftover"));
            CHECK_THAT(what, !Catch::Matchers::Contains(":pw@"));
        }
    }
}

TEST_CASE("resolve_endpoint: a variable set but empty counts as unset, as in botocore",
          "[config]") {
    test::env_guard env;
    env.clean_aws().set("AWS_ENDPOINT_URL_DYNAMODB", "");
    auto aws = resolve_endpoint(std::nullopt, "eu-west-1");
    CHECK(aws.url == "https://dynamodb.eu-west-1.amazonaws.com/");
    CHECK(aws.source == "the default for region eu-west-1");
    env.set("AWS_ENDPOINT_URL", "http://localhost:1111");
    auto global = resolve_endpoint(std::nullopt, "eu-west-1");
    CHECK(global.port == 1111);
    CHECK(global.source == "AWS_ENDPOINT_URL");
    env.set("AWS_ENDPOINT_URL_DYNAMODB", "http://localhost:2222");
    CHECK(resolve_endpoint(std::nullopt, "eu-west-1").source == "AWS_ENDPOINT_URL_DYNAMODB");
    CHECK(resolve_endpoint("", "eu-west-1").source == "AWS_ENDPOINT_URL_DYNAMODB");
    CHECK(resolve_endpoint("http://localhost:3333", "eu-west-1").source ==
          "client_config::endpoint");
    env.set("AWS_ENDPOINT_URL_DYNAMODB", "").set("AWS_ENDPOINT_URL", "");
    CHECK(resolve_endpoint(std::nullopt, "eu-west-1").host == "dynamodb.eu-west-1.amazonaws.com");
    // A bad URL in a variable names the variable.
    env.set("AWS_ENDPOINT_URL", "htp:/x");
    try {
        resolve_endpoint(std::nullopt, "eu-west-1");
        FAIL("no exception");
    } catch (const config_error& e) {
        CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains("from AWS_ENDPOINT_URL:"));
    }
}

TEST_CASE("resolve_endpoint: the profile's services section and endpoint_url, after the variables",
          "[config]") {
    test::temp_dir dir;
    test::env_guard env;
    auto config = dir.write("config", "[default]\nendpoint_url = http://localhost:4001\n"
                                      "[profile svc]\nservices = local\n"
                                      "endpoint_url = http://localhost:4002\n"
                                      "[services local]\ndynamodb =\n"
                                      "  endpoint_url = http://localhost:4003\n"
                                      "[profile other_service]\nservices = s3only\n"
                                      "endpoint_url = http://localhost:4004\n"
                                      "[services s3only]\ns3 =\n  endpoint_url = http://s3:1\n"
                                      "[profile dangling]\nservices = nowhere\n"
                                      "[profile ignoring]\nendpoint_url = http://localhost:4005\n"
                                      "ignore_configured_endpoint_urls = true\n"
                                      "[profile bad]\nendpoint_url = htp:/x\n");
    env.clean_aws()
        .set("AWS_CONFIG_FILE", config)
        .set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "none").string());
    auto ep = resolve_endpoint(std::nullopt, "us-east-1");
    CHECK(ep.port == 4001);
    CHECK(ep.source == "endpoint_url of profile 'default'");
    env.set("AWS_PROFILE", "svc");
    ep = resolve_endpoint(std::nullopt, "us-east-1");
    CHECK(ep.port == 4003);
    CHECK(ep.source == "dynamodb endpoint_url of services section 'local'");
    env.set("AWS_PROFILE", "other_service"); // its services section has no dynamodb entry
    CHECK(resolve_endpoint(std::nullopt, "us-east-1").port == 4004);
    // The variables come first (botocore's order).
    env.set("AWS_ENDPOINT_URL", "http://localhost:4100");
    CHECK(resolve_endpoint(std::nullopt, "us-east-1").port == 4100);
    env.unset("AWS_ENDPOINT_URL");
    // The profile's ignore flag, and the variable over it.
    env.set("AWS_PROFILE", "ignoring");
    CHECK(resolve_endpoint(std::nullopt, "us-east-1").host == "dynamodb.us-east-1.amazonaws.com");
    env.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false");
    CHECK(resolve_endpoint(std::nullopt, "us-east-1").port == 4005);
    env.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true").set("AWS_PROFILE", "svc");
    CHECK(resolve_endpoint(std::nullopt, "us-east-1").host == "dynamodb.us-east-1.amazonaws.com");
    env.unset("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    // A services section that does not exist; a bad URL names the profile.
    env.set("AWS_PROFILE", "dangling");
    try {
        resolve_endpoint(std::nullopt, "us-east-1");
        FAIL("no exception");
    } catch (const config_error& e) {
        CHECK(e.code() == config_errc::invalid_setting);
        CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains("'nowhere'"));
    }
    env.set("AWS_PROFILE", "bad");
    try {
        resolve_endpoint(std::nullopt, "us-east-1");
        FAIL("no exception");
    } catch (const config_error& e) {
        CHECK(e.code() == config_errc::invalid_endpoint);
        CHECK_THAT(std::string(e.what()),
                   Catch::Matchers::Contains("from endpoint_url of profile 'bad': the scheme"));
    }
    // A syntax error in the file is reported, not taken for "no endpoint".
    env.set("AWS_CONFIG_FILE", dir.write("broken", "[default]\nendpoint_url http://x\n"));
    try {
        resolve_endpoint(std::nullopt, "us-east-1");
        FAIL("no exception");
    } catch (const credentials_error& e) {
        CHECK(e.code() == credentials_errc::malformed);
        CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains("broken:2:"));
    }
    // An explicit URL needs no file once the endpoint settings it is checked
    // against (FIPS, dual-stack, account mode) are set elsewhere too.
    env.set("AWS_USE_FIPS_ENDPOINT", "false")
        .set("AWS_USE_DUALSTACK_ENDPOINT", "false")
        .set("AWS_ACCOUNT_ID_ENDPOINT_MODE", "preferred");
    CHECK(resolve_endpoint("http://localhost:4200", "us-east-1").port == 4200);
}

TEST_CASE("parse_endpoint: a bad character inside the user info is not shown", "[config]") {
    try {
        parse_endpoint("https://user:p\"w|d@host/", "AWS_ENDPOINT_URL");
        FAIL("no exception");
    } catch (const config_error& e) {
        std::string what = e.what();
        CHECK_THAT(what, Catch::Matchers::Contains("a character in its user info"));
        CHECK_THAT(what, !Catch::Matchers::Contains("p\"w"));
        CHECK_THAT(what, !Catch::Matchers::Contains("'\"'"));
        CHECK_THAT(what, !Catch::Matchers::Contains("'|'"));
    }
}
