// Test that header file is self-contained.
#include <ddb/endpoint.hpp>

#include "support/env.hpp"

#include <catch2/catch.hpp>

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
