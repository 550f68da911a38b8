// Test that header file is self-contained.
#include <ddb/credentials/chain_provider.hpp>

#include <ddb/credentials/caching_provider.hpp>
#include <ddb/credentials/environment_provider.hpp>
#include <ddb/credentials/local_chain.hpp>
#include <ddb/credentials/profile_provider.hpp>

#include "../support/env.hpp"
#include "../support/run.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace ddb;

namespace {

std::shared_ptr<chain_provider> env_then_profile(const char* creds_file) {
    return std::make_shared<chain_provider>(std::vector<credentials_provider_ptr>{
        std::make_shared<environment_provider>(),
        std::make_shared<profile_provider>(profile_set::parse("", creds_file),
                                           profile_selection{"default", false})});
}

} // namespace

TEST_CASE("chain: the first source with credentials wins", "[credentials]") {
    test::env_guard env;
    env.clean_aws();
    auto chain = env_then_profile("[default]\naws_access_key_id=P\naws_secret_access_key=PS\n");
    CHECK(test::run([&] { return chain->fetch(); }).source == "profile:default");
    env.set("AWS_ACCESS_KEY_ID", "E").set("AWS_SECRET_ACCESS_KEY", "ES");
    CHECK(test::run([&] { return chain->fetch(); }).source == "environment");
}

TEST_CASE("chain: describe() says which source served last, and a cache adds its credentials",
          "[credentials]") {
    test::env_guard env;
    env.clean_aws();
    auto chain = env_then_profile("[default]\naws_access_key_id=P\naws_secret_access_key=PS\n");
    CHECK(chain->describe() == "chain: environment, profile 'default'; nothing served yet");
    test::run([&] { return chain->fetch(); });
    CHECK(chain->describe() ==
          "chain: environment, profile 'default'; served by profile 'default'");
    env.set("AWS_ACCESS_KEY_ID", "E").set("AWS_SECRET_ACCESS_KEY", "ES");
    test::run([&] { return chain->fetch(); });
    CHECK(chain->describe() == "chain: environment, profile 'default'; served by environment");
    caching_provider cache(chain);
    CHECK(cache.describe() == chain->describe());
    test::run([&] { return cache.fetch(); });
    CHECK(cache.describe() == chain->describe() + "; cached credentials from environment");
    CHECK_THAT(cache.describe(), !Catch::Contains("ES"));
}

TEST_CASE("chain: nothing found lists every source tried, without secrets", "[credentials]") {
    test::env_guard env;
    env.clean_aws();
    auto chain = env_then_profile("[other]\naws_access_key_id=P\naws_secret_access_key=PSECRET\n");
    try {
        test::run([&] { return chain->fetch(); });
        FAIL("no exception");
    } catch (const credentials_error& e) {
        CHECK(e.code() == credentials_errc::not_found);
        REQUIRE(e.tried().size() == 2);
        CHECK(e.tried()[0].source == "environment");
        CHECK(e.tried()[1].source == "profile 'default'");
        std::string what = e.what();
        CHECK(what.find("environment") != std::string::npos);
        CHECK(what.find("profile 'default'") != std::string::npos);
        CHECK(what.find("PSECRET") == std::string::npos);
    }
}

TEST_CASE("chain: a malformed source stops the chain", "[credentials]") {
    test::env_guard env;
    env.clean_aws().set("AWS_ACCESS_KEY_ID", "ONLYID");
    auto chain = env_then_profile("[default]\naws_access_key_id=P\naws_secret_access_key=PS\n");
    try {
        test::run([&] { return chain->fetch(); });
        FAIL("no exception");
    } catch (const credentials_error& e) {
        CHECK(e.code() == credentials_errc::malformed);
        CHECK(std::string(e.what()).find("environment") != std::string::npos);
    }
}

TEST_CASE("the local chain reads the environment and then the profile files", "[credentials]") {
    test::temp_dir dir;
    test::env_guard env;
    env.clean_aws()
        .set("AWS_SHARED_CREDENTIALS_FILE",
             dir.write("credentials",
                       "[default]\naws_access_key_id=FILEKEY\naws_secret_access_key=S\n"))
        .set("AWS_CONFIG_FILE", (dir.path() / "none").string());
    auto from_file = make_local_credentials_chain();
    CHECK(test::run([&] { return from_file->fetch(); }).access_key_id == "FILEKEY");
    env.set("AWS_ACCESS_KEY_ID", "ENVKEY").set("AWS_SECRET_ACCESS_KEY", "S");
    auto from_env = make_local_credentials_chain();
    CHECK(test::run([&] { return from_env->fetch(); }).access_key_id == "ENVKEY");
    // The cache in front: the first answer is kept.
    CHECK(test::run([&] { return from_file->fetch(); }).access_key_id == "FILEKEY");
    CHECK(local_credential_sources().size() == 2);
}
