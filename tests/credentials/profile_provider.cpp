// Test that header file is self-contained.
#include <ddb/credentials/profile_provider.hpp>

#include "../support/env.hpp"
#include "../support/run.hpp"
#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace ddb;

namespace {

const char* creds_file =
    "[default]\naws_access_key_id = AKIDDEF\naws_secret_access_key = SECDEF\n"
    "[temp]\naws_access_key_id = AKIDTMP\naws_secret_access_key = SECTMP\n"
    "aws_session_token = TOKTMP\n"
    "[half]\naws_access_key_id = AKIDHALF\n"
    "[role]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = default\n"
    "[process]\ncredential_process = /bin/echo\n"
    "[empty]\nregion = us-east-1\n";

credentials_errc code_of(const profile_provider& p, std::string* what = nullptr) {
    try {
        p.read();
    } catch (const credentials_error& e) {
        if (what)
            *what = e.what();
        return static_cast<credentials_errc>(e.code().value());
    }
    FAIL("no credentials_error");
    return {};
}

profile_provider provider(std::string name, bool explicit_choice = true) {
    return profile_provider(profile_set::parse("", creds_file), {std::move(name), explicit_choice});
}

} // namespace

TEST_CASE("profile provider returns the selected profile's keys", "[credentials]") {
    auto c = provider("default", false).read();
    CHECK(c.access_key_id == "AKIDDEF");
    CHECK(c.secret_access_key == "SECDEF");
    CHECK(c.source == "profile:default");
    auto temp = provider("temp");
    auto t = test::run([&] { return temp.fetch(); });
    CHECK(t.session_token == "TOKTMP");
}

TEST_CASE("profile provider errors are typed", "[credentials]") {
    CHECK(code_of(provider("nope", true)) == credentials_errc::profile_not_found);
    CHECK(code_of(provider("nope", false)) == credentials_errc::not_found);
    CHECK(code_of(provider("empty")) == credentials_errc::not_found);
    CHECK(code_of(provider("half")) == credentials_errc::malformed);
    std::string what;
    CHECK(code_of(provider("role"), &what) == credentials_errc::unsupported);
    CHECK(what.find("role_arn") != std::string::npos);
    CHECK(code_of(provider("process")) == credentials_errc::unsupported);
}

TEST_CASE("a broken profile file is reported at fetch, not at construction", "[credentials]") {
    test::temp_dir dir;
    test::env_guard env;
    env.clean_aws()
        .set("AWS_SHARED_CREDENTIALS_FILE",
             dir.write("credentials", "[default]\nthis is not ini\n"))
        .set("AWS_CONFIG_FILE", (dir.path() / "none").string());
    profile_provider p; // must not throw
    std::string what;
    CHECK(code_of(p, &what) == credentials_errc::malformed);
    CHECK(what.find("credentials:2") != std::string::npos);
}

TEST_CASE("the default constructor follows AWS_PROFILE and the file variables", "[credentials]") {
    test::temp_dir dir;
    test::env_guard env;
    env.clean_aws()
        .set("AWS_SHARED_CREDENTIALS_FILE", dir.write("credentials", creds_file))
        .set("AWS_CONFIG_FILE", (dir.path() / "none").string())
        .set("AWS_PROFILE", "temp");
    profile_provider p;
    CHECK(p.read().access_key_id == "AKIDTMP");
    CHECK(p.name() == "profile 'temp'");
}
