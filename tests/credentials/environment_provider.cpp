// Test that header file is self-contained.
#include <ddb/credentials/environment_provider.hpp>

#include "../support/env.hpp"
#include "../support/run.hpp"

#include <catch2/catch.hpp>

using namespace ddb;

namespace {
credentials_errc code_of(const std::function<void()>& f, std::string* what = nullptr) {
    try {
        f();
    } catch (const credentials_error& e) {
        if (what)
            *what = e.what();
        return static_cast<credentials_errc>(e.code().value());
    }
    FAIL("no credentials_error");
    return {};
}
} // namespace

TEST_CASE("environment provider reads key id, secret and token", "[credentials]") {
    test::env_guard env;
    env.clean_aws().set("AWS_ACCESS_KEY_ID", "AKIDENV").set("AWS_SECRET_ACCESS_KEY", "SECRETENV");
    auto c = test::run([] { return environment_provider{}.fetch(); });
    CHECK(c.access_key_id == "AKIDENV");
    CHECK(c.secret_access_key == "SECRETENV");
    CHECK(c.session_token.empty());
    CHECK(c.source == "environment");
    CHECK_FALSE(c.expiration);
    env.set("AWS_SESSION_TOKEN", "TOKENENV");
    CHECK(environment_provider::read().session_token == "TOKENENV");
}

TEST_CASE("environment provider: nothing set is not_found, half set is malformed",
          "[credentials]") {
    test::env_guard env;
    env.clean_aws();
    CHECK(code_of([] { environment_provider::read(); }) == credentials_errc::not_found);
    env.set("AWS_ACCESS_KEY_ID", "AKIDENV");
    CHECK(code_of([] { environment_provider::read(); }) == credentials_errc::malformed);
    env.unset("AWS_ACCESS_KEY_ID").set("AWS_SECRET_ACCESS_KEY", "SECRETONLY");
    std::string what;
    CHECK(code_of([] { environment_provider::read(); }, &what) == credentials_errc::malformed);
    CHECK(what.find("SECRETONLY") == std::string::npos);
    // An empty variable counts as unset.
    env.set("AWS_ACCESS_KEY_ID", "").set("AWS_SECRET_ACCESS_KEY", "");
    CHECK(code_of([] { environment_provider::read(); }) == credentials_errc::not_found);
}
