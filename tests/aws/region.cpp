// Test that header file is self-contained.
#include <ddb/aws/region.hpp>

#include <ddb/credentials/error.hpp>

#include "../support/env.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace ddb;

TEST_CASE("region: explicit, AWS_REGION, AWS_DEFAULT_REGION, then the profile", "[config]") {
    test::temp_dir dir;
    test::env_guard env;
    env.clean_aws()
        .set("AWS_CONFIG_FILE",
             dir.write("config",
                       "[default]\nregion = ap-south-1\n[profile p]\nregion = eu-north-1\n"))
        .set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "none").string());
    CHECK(resolve_region() == "ap-south-1");
    env.set("AWS_PROFILE", "p");
    CHECK(resolve_region() == "eu-north-1");
    env.set("AWS_DEFAULT_REGION", "us-west-1");
    CHECK(resolve_region() == "us-west-1");
    env.set("AWS_REGION", "us-east-2");
    CHECK(resolve_region() == "us-east-2");
    CHECK(resolve_region("cn-north-1") == "cn-north-1");
}

TEST_CASE("region: none found and malformed names are typed errors", "[config]") {
    test::env_guard env;
    env.clean_aws()
        .set("AWS_CONFIG_FILE", "/nonexistent/config")
        .set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/c");
    try {
        resolve_region();
        FAIL("no exception");
    } catch (const config_error& e) {
        CHECK(e.code() == config_errc::region_not_found);
        CHECK(std::string(e.what()).find("AWS_REGION") != std::string::npos);
    }
    for (const char* bad : {"US-EAST-1", "us east 1", "evil.com/", "-us", "a\r\nb"}) {
        INFO(bad);
        try {
            resolve_region(bad);
            FAIL("no exception");
        } catch (const config_error& e) {
            CHECK(e.code() == config_errc::invalid_region);
        }
    }
}

TEST_CASE("region: a variable set but empty counts as unset, and the error says so", "[config]") {
    test::temp_dir dir;
    test::env_guard env;
    env.clean_aws()
        .set("AWS_CONFIG_FILE", dir.write("config", "[default]\nregion = ap-south-1\n"))
        .set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "none").string())
        .set("AWS_REGION", "");
    CHECK(resolve_region() == "ap-south-1");
    env.set("AWS_DEFAULT_REGION", "us-west-1");
    CHECK(resolve_region() == "us-west-1");
    env.set("AWS_DEFAULT_REGION", "").set("AWS_CONFIG_FILE", (dir.path() / "none").string());
    try {
        resolve_region();
        FAIL("no exception");
    } catch (const config_error& e) {
        CHECK(e.code() == config_errc::region_not_found);
        CHECK_THAT(std::string(e.what()),
                   Catch::Matchers::Contains("AWS_REGION, AWS_DEFAULT_REGION set but empty"));
    }
}

TEST_CASE("region: a syntax error in the config file is reported, naming file and line",
          "[config]") {
    test::temp_dir dir;
    test::env_guard env;
    const std::string secret = "wJalrXUtnFEMI-region-test-secret";
    auto config = dir.write("config", "[default]\nregion = eu-west-3\naws_secret_access_key " +
                                          secret + "\n");
    env.clean_aws()
        .set("AWS_CONFIG_FILE", config)
        .set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "none").string());
    try {
        resolve_region();
        FAIL("no exception: the broken file was taken for 'no region'");
    } catch (const credentials_error& e) {
        CHECK(e.code() == credentials_errc::malformed);
        std::string what = e.what();
        CHECK_THAT(what, Catch::Matchers::Contains(config + ":3:"));
        CHECK_THAT(what, !Catch::Matchers::Contains(secret));
    }
    // Not read at all when an earlier source has the region.
    env.set("AWS_REGION", "us-east-2");
    CHECK(resolve_region() == "us-east-2");
    CHECK(resolve_region("eu-north-1") == "eu-north-1");
}
