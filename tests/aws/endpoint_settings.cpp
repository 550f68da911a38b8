// Test that header file is self-contained.
#include <ddb/aws/endpoint_settings.hpp>

#include <ddb/core/config_error.hpp>
#include <ddb/credentials/error.hpp>

#include "../support/env.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace ddb;

namespace {

std::string error_of(const endpoint_options& code = {}) {
    try {
        resolve_endpoint_settings(code);
    } catch (const config_error& e) {
        CHECK(e.code() == config_errc::invalid_setting);
        return e.what();
    }
    FAIL("no error");
    return {};
}

} // namespace

TEST_CASE("endpoint settings: defaults, code over environment over profile", "[config]") {
    test::temp_dir dir;
    test::env_guard env;
    env.clean_aws().set("AWS_CONFIG_FILE",
                        dir.write("config", "[default]\nuse_fips_endpoint = TRUE\n"
                                            "use_dualstack_endpoint = true\n"
                                            "account_id_endpoint_mode = disabled\n"
                                            "[profile plain]\nregion = us-east-1\n"));
    env.set("AWS_PROFILE", "plain");
    auto s = resolve_endpoint_settings();
    CHECK_FALSE(s.use_fips);
    CHECK_FALSE(s.use_dualstack);
    CHECK(s.account_mode == account_id_endpoint_mode::preferred);
    CHECK(s.fips_source.empty());

    env.unset("AWS_PROFILE");
    s = resolve_endpoint_settings();
    CHECK(s.use_fips);
    CHECK(s.use_dualstack);
    CHECK(s.account_mode == account_id_endpoint_mode::disabled);
    CHECK_THAT(s.fips_source,
               Catch::Matchers::StartsWith("use_fips_endpoint of profile 'default'"));

    env.set("AWS_USE_FIPS_ENDPOINT", "false")
        .set("AWS_USE_DUALSTACK_ENDPOINT", "False")
        .set("AWS_ACCOUNT_ID_ENDPOINT_MODE", "REQUIRED");
    s = resolve_endpoint_settings();
    CHECK_FALSE(s.use_fips);
    CHECK_FALSE(s.use_dualstack);
    CHECK(s.account_mode == account_id_endpoint_mode::required);
    CHECK(s.fips_source == "AWS_USE_FIPS_ENDPOINT");
    CHECK(s.account_mode_source == "AWS_ACCOUNT_ID_ENDPOINT_MODE");

    endpoint_options code;
    code.use_fips_endpoint = true;
    code.account_id_endpoint_mode = account_id_endpoint_mode::preferred;
    s = resolve_endpoint_settings(code);
    CHECK(s.use_fips);
    CHECK(s.fips_source == "endpoint_options::use_fips_endpoint");
    CHECK(s.account_mode == account_id_endpoint_mode::preferred);
    CHECK(s.dualstack_source == "AWS_USE_DUALSTACK_ENDPOINT");

    // Set but empty counts as unset: the profile's value is used.
    env.set("AWS_USE_FIPS_ENDPOINT", "");
    CHECK(resolve_endpoint_settings().use_fips);
}

TEST_CASE("endpoint settings: bad values are refused naming the variable or profile", "[config]") {
    test::temp_dir dir;
    test::env_guard env;
    env.clean_aws();
    env.set("AWS_USE_FIPS_ENDPOINT", "yes");
    CHECK_THAT(error_of(),
               Catch::Matchers::Contains("AWS_USE_FIPS_ENDPOINT must be true or false, not 'yes'"));
    env.unset("AWS_USE_FIPS_ENDPOINT").set("AWS_USE_DUALSTACK_ENDPOINT", "1");
    CHECK_THAT(error_of(), Catch::Matchers::Contains("AWS_USE_DUALSTACK_ENDPOINT"));
    env.unset("AWS_USE_DUALSTACK_ENDPOINT").set("AWS_ACCOUNT_ID_ENDPOINT_MODE", "sometimes");
    CHECK_THAT(error_of(),
               Catch::Matchers::Contains("AWS_ACCOUNT_ID_ENDPOINT_MODE must be preferred, "
                                         "required or disabled, not 'sometimes'"));
    // Code wins: the bad variable is not read.
    endpoint_options code;
    code.account_id_endpoint_mode = account_id_endpoint_mode::disabled;
    CHECK(resolve_endpoint_settings(code).account_mode == account_id_endpoint_mode::disabled);

    env.unset("AWS_ACCOUNT_ID_ENDPOINT_MODE");
    auto config = dir.write("config", "[profile p]\nuse_dualstack_endpoint = maybe\n");
    env.set("AWS_CONFIG_FILE", config).set("AWS_PROFILE", "p");
    auto what = error_of();
    CHECK_THAT(what, Catch::Matchers::Contains("use_dualstack_endpoint of profile 'p'"));
    CHECK_THAT(what, Catch::Matchers::Contains(config));
    CHECK_THAT(what, Catch::Matchers::Contains("not 'maybe'"));
}

TEST_CASE("endpoint settings: the files are read only for settings left open", "[config]") {
    test::temp_dir dir;
    test::env_guard env;
    env.clean_aws().set("AWS_CONFIG_FILE", dir.write("broken", "[default]\nuse_fips_endpoint\n"));
    try {
        resolve_endpoint_settings();
        FAIL("no exception");
    } catch (const credentials_error& e) {
        CHECK(e.code() == credentials_errc::malformed);
    }
    env.set("AWS_USE_FIPS_ENDPOINT", "true").set("AWS_USE_DUALSTACK_ENDPOINT", "false");
    endpoint_options code;
    code.account_id_endpoint_mode = account_id_endpoint_mode::required;
    auto s = resolve_endpoint_settings(code);
    CHECK(s.use_fips);
    CHECK(s.account_mode == account_id_endpoint_mode::required);
}
