// The STS query protocol's texts over canned STS documents (the shapes of
// AWS's API reference and of moto's answers), the settings the STS calls and
// the role providers refuse, and the web identity provider's errors before
// any request. No network.
#include <ddb/aws/sts.hpp>

#include <ddb/aws/assume_role_provider.hpp>
#include <ddb/aws/web_identity_provider.hpp>
#include <ddb/core/config_error.hpp>
#include <ddb/credentials/static_provider.hpp>

#include "../support/env.hpp"
#include "../support/run.hpp"
#include "../support/temp_dir.hpp"
#include "aws/detail/sts_xml.hpp"

#include <catch2/catch.hpp>

using namespace ddb;

namespace {

// AWS's documented AssumeRole answer (the token on one line, as STS sends it).
const std::string assume_role_answer =
    R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<AssumeRoleResult>
  <SourceIdentity>DevUser123</SourceIdentity>
  <AssumedRoleUser>
    <Arn>arn:aws:sts::123456789012:assumed-role/demo/John</Arn>
    <AssumedRoleId>ARO123EXAMPLE123:John</AssumedRoleId>
  </AssumedRoleUser>
  <Credentials>
    <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
    <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
    <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW+LWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGd=</SessionToken>
    <Expiration>2019-11-09T13:34:41Z</Expiration>
  </Credentials>
  <PackedPolicySize>6</PackedPolicySize>
</AssumeRoleResult>
<ResponseMetadata>
  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
</ResponseMetadata>
</AssumeRoleResponse>)";

// moto's AssumeRoleWithWebIdentity answer: one line, fractional seconds,
// the role in another account.
const std::string web_identity_answer =
    R"(<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">)"
    R"(<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIARZPUZDIKGP5YEEVE</AccessKeyId>)"
    R"(<SecretAccessKey>79wZOBCo5IaW42yEbAa5eTWglnbNtjfpxUCOfx2A</SecretAccessKey>)"
    R"(<SessionToken>FQoGZXIvYXdzEBYaD4LgV8WH</SessionToken>)"
    R"(<Expiration>2026-11-30T06:48:12.351820Z</Expiration></Credentials>)"
    R"(<AssumedRoleUser><AssumedRoleId>ARO123EXAMPLE123:s1</AssumedRoleId>)"
    R"(<Arn>arn:aws:sts::210987654321:assumed-role/open/s1</Arn></AssumedRoleUser>)"
    R"(<PackedPolicySize>6</PackedPolicySize></AssumeRoleWithWebIdentityResult>)"
    R"(<ResponseMetadata><RequestId>f6mnpriW</RequestId></ResponseMetadata>)"
    R"(</AssumeRoleWithWebIdentityResponse>)";

std::chrono::system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
    using namespace std::chrono;
    return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

template <class F>
credentials_errc malformed_code(F&& f) {
    try {
        f();
    } catch (const credentials_error& e) {
        return static_cast<credentials_errc>(e.code().value());
    }
    return credentials_errc{};
}

sts_settings some_sts() {
    sts_settings s;
    s.endpoint = parse_endpoint("http://127.0.0.1:1");
    return s;
}

std::string config_message(const std::function<void()>& f) {
    try {
        f();
    } catch (const config_error& e) {
        CHECK(e.code() == config_errc::invalid_setting);
        return e.what();
    }
    FAIL("no config_error");
    return {};
}

} // namespace

TEST_CASE("sts xml: AssumeRole answer as AWS documents it", "[sts]") {
    auto c = detail::parse_sts_credentials(assume_role_answer, "AssumeRole", "assume-role r");
    CHECK(c.access_key_id == "ASIAIOSFODNN7EXAMPLE");
    CHECK(c.secret_access_key == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
    CHECK(c.session_token.starts_with("AQoDYXdzEPT//////////wEXAMPLE"));
    CHECK(c.session_token.ends_with("kMcGd="));
    REQUIRE(c.expiration);
    CHECK(*c.expiration == utc(2019, 11, 9, 13, 34, 41));
    CHECK(c.account_id == "123456789012");
    CHECK(c.source == "assume-role r");
}

TEST_CASE("sts xml: AssumeRoleWithWebIdentity answer as moto sends it", "[sts]") {
    auto c = detail::parse_sts_credentials(web_identity_answer, "AssumeRoleWithWebIdentity",
                                           "web-identity r");
    CHECK(c.access_key_id == "ASIARZPUZDIKGP5YEEVE");
    CHECK(c.session_token == "FQoGZXIvYXdzEBYaD4LgV8WH");
    REQUIRE(c.expiration);
    CHECK(*c.expiration == utc(2026, 11, 30, 6, 48, 12));
    CHECK(c.account_id == "210987654321");
    // The answer of another action is not mistaken for this one's.
    CHECK(malformed_code([&] {
              detail::parse_sts_credentials(web_identity_answer, "AssumeRole", "x");
          }) == credentials_errc::malformed);
}

TEST_CASE("sts xml: incomplete or unreadable answers are malformed, naming the element only",
          "[sts]") {
    auto message_of = [](const std::string& xml) -> std::string {
        try {
            detail::parse_sts_credentials(xml, "AssumeRole", "assume-role r");
        } catch (const credentials_error& e) {
            CHECK(e.code() == credentials_errc::malformed);
            return e.what();
        }
        FAIL("parsed: " << xml);
        return {};
    };
    auto without = [&](const std::string& element) {
        std::string xml = assume_role_answer;
        auto open = xml.find("<" + element + ">");
        auto close = xml.find("</" + element + ">");
        return xml.erase(open, close + element.size() + 3 - open);
    };
    CHECK_THAT(message_of(without("AccessKeyId")),
               Catch::Contains("Credentials/AccessKeyId") && !Catch::Contains("wJalr"));
    CHECK_THAT(message_of(without("SecretAccessKey")),
               Catch::Contains("Credentials/SecretAccessKey") && !Catch::Contains("ASIAIOS"));
    CHECK_THAT(message_of(without("SessionToken")), Catch::Contains("Credentials/SessionToken"));
    CHECK_THAT(message_of(without("Expiration")), Catch::Contains("Expiration is missing"));
    std::string bad_time = assume_role_answer;
    bad_time.replace(bad_time.find("2019-11-09T13:34:41Z"), 20, "tomorrow at noon");
    CHECK_THAT(message_of(bad_time), Catch::Contains("not an ISO 8601 time"));
    CHECK_THAT(message_of("{\"json\": true}"), Catch::Contains("not XML"));
    CHECK_THAT(message_of("<AssumeRoleResponse><AssumeRoleResult>"), Catch::Contains("not XML"));
    CHECK_THAT(message_of(""), Catch::Contains("no AssumeRoleResponse/AssumeRoleResult"));
    CHECK_THAT(message_of("<Other/>"), Catch::Contains("no AssumeRoleResponse/AssumeRoleResult"));
    // Deep nesting is refused before the (recursive) parser sees it.
    std::string deep;
    for (int i = 0; i < 100000; ++i)
        deep += "<a>";
    CHECK_THAT(message_of(deep), Catch::Contains("not XML"));
    // No account id without an assumed-role ARN: not an error.
    auto c = detail::parse_sts_credentials(without("AssumedRoleUser"), "AssumeRole", "r");
    CHECK(c.account_id.empty());
}

TEST_CASE("sts xml: error answers of AWS and of moto", "[sts]") {
    auto aws = detail::parse_sts_error(
        R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>AccessDenied</Code>
    <Message>User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/x</Message>
  </Error>
  <RequestId>4a2e7b5c-1111-2222-3333-444455556666</RequestId>
</ErrorResponse>)");
    REQUIRE(aws);
    CHECK(aws->code == "AccessDenied");
    CHECK(aws->message.starts_with("User: arn:aws:iam::123456789012:user/dev is not"));
    CHECK(aws->request_id == "4a2e7b5c-1111-2222-3333-444455556666");

    auto moto = detail::parse_sts_error(
        R"(<?xml version="1.0" encoding="utf-8"?>)"
        R"(<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request )"
        R"(signature we calculated does not match</Message><Type>Sender</Type></Error></Errors>)"
        R"(</ErrorResponse>)");
    REQUIRE(moto);
    CHECK(moto->code == "SignatureDoesNotMatch");
    CHECK(moto->request_id.empty());

    CHECK_FALSE(detail::parse_sts_error("<html><body>502 Bad Gateway</body></html>"));
    CHECK_FALSE(detail::parse_sts_error("<!doctype html><title>500</title>"));
    CHECK_FALSE(detail::parse_sts_error(""));
    CHECK_FALSE(detail::parse_sts_error(R"({"__type":"ThrottlingException"})"));
}

TEST_CASE("sts xml: how each STS error code is treated", "[sts]") {
    using e = credentials_errc;
    struct row {
        unsigned status;
        const char* code;
        e errc;
        bool retried;
    };
    const row rows[] = {
        {403, "AccessDenied", e::access_denied, false},
        {400, "InvalidIdentityToken", e::access_denied, false},
        {403, "IDPRejectedClaim", e::access_denied, false},
        {403, "RegionDisabledException", e::access_denied, false},
        {403, "InvalidClientTokenId", e::access_denied, false},
        {403, "SignatureDoesNotMatch", e::access_denied, false},
        {400, "ExpiredToken", e::expired_token, false},
        {400, "ExpiredTokenException", e::expired_token, false},
        {400, "MalformedPolicyDocument", e::malformed_policy, false},
        {400, "PackedPolicyTooLarge", e::malformed_policy, false},
        {400, "ValidationError", e::malformed_policy, false},
        {400, "Throttling", e::provider_failed, true},
        {400, "ThrottlingException", e::provider_failed, true},
        {400, "IDPCommunicationError", e::provider_failed, true},
        {500, "InternalFailure", e::provider_failed, true},
        {503, "", e::provider_failed, true},
        {502, "AccessDenied", e::provider_failed, true}, // a 5xx is tried again whatever it says
        {400, "SomethingNew", e::provider_failed, false},
        {404, "", e::provider_failed, false},
    };
    for (const auto& r : rows) {
        INFO(r.status << " " << r.code);
        auto c = detail::classify_sts_error(r.status, r.code);
        CHECK(c.errc == r.errc);
        CHECK(c.retryable == r.retried);
    }
}

TEST_CASE("sts form: values are percent-encoded as botocore does", "[sts]") {
    CHECK(detail::form_encode({{"Action", "AssumeRole"},
                               {"RoleArn", "arn:aws:iam::123456789012:role/path/x"},
                               {"RoleSessionName", "a+b=c,d.e@f-g_h~i"},
                               {"ExternalId", "sp ace&amp=eq"}}) ==
          "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fpath%2Fx"
          "&RoleSessionName=a%2Bb%3Dc%2Cd.e%40f-g_h~i&ExternalId=sp%20ace%26amp%3Deq");
    CHECK(detail::form_encode({}).empty());
}

TEST_CASE("sts arn: the account id is the fifth field", "[sts]") {
    CHECK(detail::account_id_of_arn("arn:aws:sts::123456789012:assumed-role/r/s") ==
          "123456789012");
    CHECK(detail::account_id_of_arn("arn:aws-cn:sts::000000000001:assumed-role/r/s") ==
          "000000000001");
    CHECK(detail::account_id_of_arn("arn:aws:sts::123456789012").empty());
    CHECK(detail::account_id_of_arn("not an arn").empty());
    CHECK(detail::account_id_of_arn("").empty());
}

TEST_CASE("sts settings: values that cannot work are refused, naming the field", "[sts]") {
    credentials key{"AKID", "secret", {}, {}, "test", {}};
    auto source = std::make_shared<static_provider>(key);
    assume_role_params role{"arn:aws:iam::123456789012:role/r", "", "", std::nullopt};

    auto with = [&](auto change) {
        sts_settings s = some_sts();
        change(s);
        return config_message([&] { assume_role_provider p(source, role, s); });
    };
    CHECK_THAT(with([](sts_settings& s) { s.timeout = std::chrono::milliseconds(0); }),
               Catch::Contains("sts_settings::timeout must be > 0, got 0 ms"));
    CHECK_THAT(with([](sts_settings& s) { s.attempts = 0; }),
               Catch::Contains("sts_settings::attempts must be >= 1, got 0"));
    CHECK_THAT(with([](sts_settings& s) { s.endpoint = {}; }),
               Catch::Contains("sts_settings::endpoint is not set"));
    CHECK_THAT(with([](sts_settings& s) { s.region.clear(); }),
               Catch::Contains("sts_settings::region is empty"));

    auto role_with = [&](auto change) {
        assume_role_params r = role;
        change(r);
        return config_message([&] { assume_role_provider p(source, r, some_sts()); });
    };
    CHECK_THAT(role_with([](assume_role_params& r) { r.role_arn.clear(); }),
               Catch::Contains("assume_role_params::role_arn is empty"));
    CHECK_THAT(role_with([](assume_role_params& r) { r.duration = std::chrono::seconds(899); }),
               Catch::Contains("must be 900 to 43200 s, got 899 s") &&
                   Catch::Contains("arn:aws:iam::123456789012:role/r"));
    CHECK_THAT(role_with([](assume_role_params& r) { r.duration = std::chrono::seconds(43201); }),
               Catch::Contains("got 43201 s"));
    CHECK_NOTHROW(assume_role_provider(
        source,
        [&] {
            auto r = role;
            r.duration = std::chrono::seconds(900);
            return r;
        }(),
        some_sts()));
    CHECK_NOTHROW(assume_role_provider(
        source,
        [&] {
            auto r = role;
            r.duration = std::chrono::hours(12);
            return r;
        }(),
        some_sts()));

    CHECK_THAT(config_message([&] { assume_role_provider p(nullptr, role, some_sts()); }),
               Catch::Contains("no source provider"));
    CHECK_THAT(config_message([&] { web_identity_provider p("", role, some_sts()); }),
               Catch::Contains("token file name is empty"));
    CHECK_THAT(config_message([&] {
                   sts_settings s = some_sts();
                   s.attempts = -1;
                   web_identity_provider p(s);
               }),
               Catch::Contains("sts_settings::attempts"));

    // The free functions refuse the same before any request.
    sts_settings zero = some_sts();
    zero.timeout = std::chrono::milliseconds(-1);
    CHECK_THROWS_AS(test::run([&]() { return sts_assume_role(zero, key, role); }), config_error);
}

TEST_CASE("web identity: errors before any request name the file, never the token", "[sts]") {
    test::env_guard env;
    env.clean_aws();
    env.unset("AWS_WEB_IDENTITY_TOKEN_FILE").unset("AWS_ROLE_ARN").unset("AWS_ROLE_SESSION_NAME");
    auto code_and_message =
        [](web_identity_provider& p) -> std::pair<credentials_errc, std::string> {
        try {
            test::run([&] { return p.fetch(); });
        } catch (const credentials_error& e) {
            return {static_cast<credentials_errc>(e.code().value()), e.what()};
        }
        FAIL("fetched");
        return {};
    };
    web_identity_provider from_env(some_sts());
    CHECK(from_env.name() == "web-identity");

    auto [c1, m1] = code_and_message(from_env);
    CHECK(c1 == credentials_errc::not_found);
    CHECK_THAT(m1, Catch::Contains("AWS_WEB_IDENTITY_TOKEN_FILE is not set"));
    env.set("AWS_WEB_IDENTITY_TOKEN_FILE", "");
    auto [c2, m2] = code_and_message(from_env);
    CHECK(c2 == credentials_errc::not_found);
    CHECK_THAT(m2, Catch::Contains("set but empty"));

    test::temp_dir dir;
    std::string token = "eyJhbGciOiJSUzI1NiJ9.secret-token-body.sig";
    std::string file = dir.write("token", token + "\n");
    env.set("AWS_WEB_IDENTITY_TOKEN_FILE", file);
    auto [c3, m3] = code_and_message(from_env);
    CHECK(c3 == credentials_errc::malformed);
    CHECK_THAT(m3, Catch::Contains("AWS_ROLE_ARN is not") && Catch::Contains(file));

    env.set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/eks");
    env.set("AWS_WEB_IDENTITY_TOKEN_FILE", file + ".missing");
    auto [c4, m4] = code_and_message(from_env);
    CHECK(c4 == credentials_errc::malformed);
    CHECK_THAT(m4, Catch::Contains(file + ".missing does not exist") &&
                       Catch::Contains("arn:aws:iam::123456789012:role/eks"));

    std::string empty = dir.write("empty", " \n");
    web_identity_provider from_profile(empty, {"arn:aws:iam::123456789012:role/p", "", "", {}},
                                       some_sts());
    CHECK(from_profile.name() == "web-identity arn:aws:iam::123456789012:role/p");
    auto [c5, m5] = code_and_message(from_profile);
    CHECK(c5 == credentials_errc::malformed);
    CHECK_THAT(m5, Catch::Contains(empty + " is empty"));

    web_identity_provider on_dir(dir.path().string(), {"arn:aws:iam::1:role/p", "", "", {}},
                                 some_sts());
    auto [c6, m6] = code_and_message(on_dir);
    CHECK(c6 == credentials_errc::malformed);
    CHECK_THAT(m6, Catch::Contains("is a directory"));
    for (const auto& m : {m1, m2, m3, m4, m5, m6})
        CHECK_THAT(m, !Catch::Contains("secret-token-body"));
}
