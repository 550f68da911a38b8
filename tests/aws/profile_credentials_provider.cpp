// Resolving a profile into the provider it describes: static keys, role
// chains (source_profile of any depth, self-reference, cycles),
// credential_source, web identity, SSO settings, credential_process, and
// every contradictory or incomplete setting refused with a typed error that
// names profile and key and never a secret. No network: the providers that
// call STS or SSO are built, not fetched (tests/aws/sts.cpp and
// tests/aws/sso_provider.cpp fetch through them; tests/aws/profile_roles.cpp
// runs a role chain against moto).
#include <ddb/aws/profile_credentials_provider.hpp>

#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

using namespace ddb;

namespace {

const char* config_file = R"(
[profile base]
aws_access_key_id = AKIDBASE
aws_secret_access_key = SECRETBASE
aws_account_id = 111122223333
[profile r1]
role_arn = arn:aws:iam::123456789012:role/one
source_profile = base
external_id = ext-1
role_session_name = s1
duration_seconds = 1800
[profile r2]
role_arn = arn:aws:iam::123456789012:role/two
source_profile = r1
[profile self]
role_arn = arn:aws:iam::123456789012:role/self
source_profile = self
aws_access_key_id = AKIDSELF
aws_secret_access_key = SECRETSELF
[profile selfless]
role_arn = arn:aws:iam::123456789012:role/selfless
source_profile = selfless
[profile loop-a]
role_arn = arn:aws:iam::123456789012:role/a
source_profile = loop-b
[profile loop-b]
role_arn = arn:aws:iam::123456789012:role/b
source_profile = loop-a
[profile mfa]
role_arn = arn:aws:iam::123456789012:role/m
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/user
[profile both]
role_arn = arn:aws:iam::123456789012:role/both
source_profile = base
credential_source = Environment
[profile neither]
role_arn = arn:aws:iam::123456789012:role/neither
[profile env-source]
role_arn = arn:aws:iam::123456789012:role/env
credential_source = Environment
[profile bogus-source]
role_arn = arn:aws:iam::123456789012:role/bogus
credential_source = Mainframe
[profile missing-source]
role_arn = arn:aws:iam::123456789012:role/missing
source_profile = nowhere
[profile empty]
region = eu-west-1
[profile empty-source]
role_arn = arn:aws:iam::123456789012:role/e
source_profile = empty
[profile long]
role_arn = arn:aws:iam::123456789012:role/long
source_profile = base
duration_seconds = 99999
[profile wif]
role_arn = arn:aws:iam::123456789012:role/wif
web_identity_token_file = /var/run/token
[profile wif-alone]
web_identity_token_file = /var/run/token
[profile sso-new]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Reader
[profile sso-legacy]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 123456789012
sso_role_name = Reader
[profile sso-nosection]
sso_session = nosuch
sso_account_id = 123456789012
sso_role_name = Reader
[profile sso-mismatch]
sso_session = corp
sso_start_url = https://other.awsapps.com/start
sso_account_id = 123456789012
sso_role_name = Reader
[profile sso-norole]
sso_session = corp
sso_account_id = 123456789012
[profile sso-badregion]
sso_start_url = https://corp.awsapps.com/start
sso_region = not a region
sso_account_id = 123456789012
sso_role_name = Reader
[profile process]
credential_process = /usr/bin/env printf '{}'
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
)";

profile_credentials_options options() {
    profile_credentials_options o;
    o.sts.endpoint = parse_endpoint("http://127.0.0.1:1");
    return o;
}

profile_credentials_provider provider(const std::string& name, bool explicit_choice = true) {
    return profile_credentials_provider(profile_set::parse(config_file, ""),
                                        {name, explicit_choice}, options());
}

// The error fetch() throws (after resolution failed), with its message.
credentials_errc failure(const std::string& name, std::string& what, bool explicit_choice = true) {
    auto p = provider(name, explicit_choice);
    boost::asio::io_context io;
    try {
        ddb::test::complete(io, [&] { return p.fetch(); });
    } catch (const credentials_error& e) {
        what = e.what();
        return static_cast<credentials_errc>(e.code().value());
    }
    FAIL("no credentials_error for profile " << name);
    return {};
}

} // namespace

TEST_CASE("profile credentials: static keys, with the account id", "[credentials][profile]") {
    auto p = provider("base");
    boost::asio::io_context io;
    auto c = ddb::test::complete(io, [&] { return p.fetch(); });
    CHECK(c.access_key_id == "AKIDBASE");
    CHECK(c.secret_access_key == "SECRETBASE");
    CHECK(c.account_id == "111122223333");
    CHECK(c.source == "profile:base");
    CHECK(p.resolved() == "static keys");
    CHECK(p.name() == "profile 'base': static keys");
}

TEST_CASE("profile credentials: role chains resolve link by link", "[credentials][profile]") {
    CHECK(provider("r1").resolved() ==
          "assume-role arn:aws:iam::123456789012:role/one (from profile 'base': static keys)");
    CHECK(provider("r2").resolved() ==
          "assume-role arn:aws:iam::123456789012:role/two (from profile 'r1': assume-role "
          "arn:aws:iam::123456789012:role/one (from profile 'base': static keys))");
    // A profile that is its own source uses its own keys.
    CHECK(provider("self").resolved() ==
          "assume-role arn:aws:iam::123456789012:role/self (from profile 'self': static keys)");
    CHECK(provider("env-source").resolved() ==
          "assume-role arn:aws:iam::123456789012:role/env (from environment)");
    CHECK(provider("wif").resolved() == "web identity arn:aws:iam::123456789012:role/wif");
    CHECK(provider("sso-new").resolved() == "sso");
    CHECK(provider("sso-legacy").resolved() == "sso");
    CHECK(provider("process").resolved() == "credential_process");
}

TEST_CASE("profile credentials: bad role settings are refused, naming profile and key",
          "[credentials][profile]") {
    struct row {
        const char* profile;
        credentials_errc code;
        const char* says;
    };
    const row rows[] = {
        {"loop-a", credentials_errc::malformed, "source_profile cycle: loop-a -> loop-b -> loop-a"},
        {"selfless", credentials_errc::malformed, "names the profile itself, which has no static"},
        {"mfa", credentials_errc::unsupported, "mfa_serial"},
        {"both", credentials_errc::malformed, "source_profile or credential_source, not both"},
        {"neither", credentials_errc::malformed, "needs source_profile or credential_source"},
        {"bogus-source", credentials_errc::malformed, "not 'Mainframe'"},
        {"missing-source", credentials_errc::profile_not_found, "source_profile 'nowhere'"},
        {"empty-source", credentials_errc::malformed, "source_profile 'empty' has no credentials"},
        {"long", credentials_errc::malformed, "duration_seconds"},
        {"wif-alone", credentials_errc::malformed, "web_identity_token_file needs role_arn"},
        {"sso-nosection", credentials_errc::malformed, "[sso-session nosuch]"},
        {"sso-mismatch", credentials_errc::malformed, "sso_start_url differs"},
        {"sso-norole", credentials_errc::malformed, "lacks sso_role_name"},
        {"sso-badregion", credentials_errc::malformed, "sso_region 'not a region'"},
        {"empty", credentials_errc::not_found, "has no credentials"},
        {"absent", credentials_errc::profile_not_found, "AWS_PROFILE"},
    };
    for (const auto& r : rows) {
        INFO(r.profile);
        std::string what;
        CHECK(failure(r.profile, what) == r.code);
        CHECK_THAT(what, Catch::Contains(r.says));
        CHECK_THAT(what, !Catch::Contains("SECRET"));
        if (std::string(r.profile) != "absent")
            CHECK_THAT(what, Catch::Contains(r.profile));
    }
    // An absent profile nobody chose is "not found": the chain moves on.
    std::string what;
    CHECK(failure("default", what, false) == credentials_errc::not_found);
}
