// Test that header file is self-contained.
#include <ddb/region.hpp>

#include "support/env.hpp"
#include "support/temp_dir.hpp"

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
