// The DynamoDB and STS endpoint rules, table-driven from the SDKs' own
// endpoint test cases. Each row names where it comes from:
//   cpp#N  aws/aws-sdk-cpp generated/tests/dynamodb-gen-tests/
//          DynamoDBEndpointProviderTests.cpp (the 357-case version), TEST CASE N
//          (the SDKs' shared endpoint-tests of the DynamoDB model);
//   sts#N  aws/aws-sdk-cpp generated/tests/sts-gen-tests/STSEndpointProviderTests.cpp,
//          TEST CASE N;
//   streams#N  aws/aws-sdk-cpp generated/tests/dynamodbstreams-gen-tests/
//          DynamoDBStreamsEndpointProviderTests.cpp (the 50-case version), TEST CASE N;
//   rules  botocore 1.43 data: dynamodb/2012-08-10/endpoint-rule-set-1.json,
//          sts/2011-06-15/endpoint-rule-set-1.json,
//          dynamodbstreams/2012-08-10/endpoint-rule-set-1.json and partitions.json (newer
//          than the cpp file where they differ: dual-stack account endpoints
//          exist now, see the rows marked "newer");
//   ddb    our own choice where the rule sets leave one (noted).
#include <ddb/aws/endpoint.hpp>

#include "../support/env.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace ddb;

namespace {

struct row {
    const char* from;
    const char* region;
    bool fips = false, dualstack = false;
    const char* mode = nullptr;     // none: preferred (the default)
    const char* account = nullptr;  // the credentials' account id; none: they carry none
    const char* endpoint = nullptr; // a configured URL
    const char* url = nullptr;      // expected; none: an error
    const char* error = nullptr;    // text the config_error holds
};

endpoint_settings settings_of(const row& r) {
    endpoint_settings s;
    s.use_fips = r.fips;
    s.use_dualstack = r.dualstack;
    s.fips_source = s.dualstack_source = s.account_mode_source = "test";
    if (r.mode)
        s.account_mode = std::string(r.mode) == "required"   ? account_id_endpoint_mode::required
                         : std::string(r.mode) == "disabled" ? account_id_endpoint_mode::disabled
                                                             : account_id_endpoint_mode::preferred;
    return s;
}

// The URL a call with `r`'s credentials would go to (without the path "/").
std::string resolve_row(const row& r) {
    lazy_profile_set files(profile_set{}, profile_selection{"default", false});
    std::optional<std::string_view> url;
    if (r.endpoint)
        url = r.endpoint;
    const dynamodb_endpoint d = resolve_dynamodb_endpoint(url, r.region, settings_of(r), files);
    const service_endpoint e = d.for_credentials(r.account ? r.account : "", "the test");
    std::string s = e.endpoint.url;
    if (e.endpoint.path == "/")
        s.pop_back();
    return s;
}

void check_rows(const std::vector<row>& rows, std::string (*resolve)(const row&)) {
    for (const auto& r : rows) {
        INFO(r.from << ": region " << r.region << (r.fips ? " FIPS" : "")
                    << (r.dualstack ? " dual-stack" : "") << " mode "
                    << (r.mode ? r.mode : "(default)") << " account "
                    << (r.account ? r.account : "(none)") << " endpoint "
                    << (r.endpoint ? r.endpoint : "(none)"));
        if (r.url) {
            CHECK(resolve(r) == r.url);
            continue;
        }
        try {
            auto got = resolve(r);
            FAIL("no error; got " << got);
        } catch (const config_error& e) {
            CHECK(e.code() == config_errc::invalid_setting);
            CHECK_THAT(std::string(e.what()), Catch::Matchers::Contains(r.error));
        }
    }
}

const char* const account_1 = "111111111111";

} // namespace

TEST_CASE("endpoint rules: DynamoDB host names per partition, FIPS and dual-stack",
          "[endpoint_rules]") {
    const std::vector<row> rows = {
        {"cpp#0", "af-south-1", false, false, nullptr, nullptr, nullptr,
         "https://dynamodb.af-south-1.amazonaws.com"},
        {"cpp#20", "us-east-1", false, false, nullptr, nullptr, nullptr,
         "https://dynamodb.us-east-1.amazonaws.com"},
        {"cpp#21", "us-east-1", true, false, nullptr, nullptr, nullptr,
         "https://dynamodb-fips.us-east-1.amazonaws.com"},
        {"cpp#28", "us-east-1", true, true, nullptr, nullptr, nullptr,
         "https://dynamodb-fips.us-east-1.api.aws"},
        {"cpp#29", "us-east-1", false, true, nullptr, nullptr, nullptr,
         "https://dynamodb.us-east-1.api.aws"},
        {"cpp#17", "local", false, false, nullptr, nullptr, nullptr, "http://localhost:8000"},
        {"cpp#30", "cn-north-1", false, false, nullptr, nullptr, nullptr,
         "https://dynamodb.cn-north-1.amazonaws.com.cn"},
        {"cpp#32", "cn-north-1", true, true, nullptr, nullptr, nullptr,
         "https://dynamodb-fips.cn-north-1.api.amazonwebservices.com.cn"},
        {"cpp#33", "cn-north-1", true, false, nullptr, nullptr, nullptr,
         "https://dynamodb-fips.cn-north-1.amazonaws.com.cn"},
        {"cpp#34", "cn-north-1", false, true, nullptr, nullptr, nullptr,
         "https://dynamodb.cn-north-1.api.amazonwebservices.com.cn"},
        {"cpp#35", "us-gov-east-1", false, false, nullptr, nullptr, nullptr,
         "https://dynamodb.us-gov-east-1.amazonaws.com"},
        // aws-us-gov: the regular host name is the FIPS one.
        {"cpp#36", "us-gov-east-1", true, false, nullptr, nullptr, nullptr,
         "https://dynamodb.us-gov-east-1.amazonaws.com"},
        {"cpp#38", "us-gov-west-1", true, false, nullptr, nullptr, nullptr,
         "https://dynamodb.us-gov-west-1.amazonaws.com"},
        {"cpp#39", "us-gov-east-1", true, true, nullptr, nullptr, nullptr,
         "https://dynamodb-fips.us-gov-east-1.api.aws"},
        {"cpp#40", "us-gov-east-1", false, true, nullptr, nullptr, nullptr,
         "https://dynamodb.us-gov-east-1.api.aws"},
        {"cpp#41", "us-iso-east-1", false, false, nullptr, nullptr, nullptr,
         "https://dynamodb.us-iso-east-1.c2s.ic.gov"},
        {"cpp#43", "us-iso-east-1", true, false, nullptr, nullptr, nullptr,
         "https://dynamodb-fips.us-iso-east-1.c2s.ic.gov"},
        {"cpp#44", "us-isob-east-1", false, false, nullptr, nullptr, nullptr,
         "https://dynamodb.us-isob-east-1.sc2s.sgov.gov"},
        {"cpp#45", "us-isob-east-1", true, false, nullptr, nullptr, nullptr,
         "https://dynamodb-fips.us-isob-east-1.sc2s.sgov.gov"},
        {"rules (partitions.json)", "eu-isoe-west-1", false, false, nullptr, nullptr, nullptr,
         "https://dynamodb.eu-isoe-west-1.cloud.adc-e.uk"},
        {"rules (partitions.json)", "us-isof-south-1", false, false, nullptr, nullptr, nullptr,
         "https://dynamodb.us-isof-south-1.csp.hci.ic.gov"},
        {"rules (partitions.json)", "eusc-de-east-1", false, false, nullptr, nullptr, nullptr,
         "https://dynamodb.eusc-de-east-1.amazonaws.eu"},
        {"rules (partitions.json: unknown regions are aws)", "xx-mars-1", false, false, nullptr,
         nullptr, nullptr, "https://dynamodb.xx-mars-1.amazonaws.com"},
        // Configured URLs, and what cannot go with them.
        {"cpp#46", "us-east-1", false, false, nullptr, nullptr, "https://example.com",
         "https://example.com"},
        {"cpp#48", "us-east-1", true, false, nullptr, nullptr, "https://example.com", nullptr,
         "FIPS endpoints"},
        {"cpp#49", "us-east-1", false, true, nullptr, nullptr, "https://example.com", nullptr,
         "Dual-stack endpoints"},
        {"cpp#124", "local", true, false, nullptr, account_1, nullptr, nullptr,
         "region 'local' (DynamoDB local, http://localhost:8000) has no FIPS endpoint"},
        {"cpp#125", "local", false, true, nullptr, account_1, nullptr, nullptr,
         "has no dual-stack endpoint"},
    };
    check_rows(rows, resolve_row);
}

TEST_CASE("endpoint rules: account-based DynamoDB endpoints by mode", "[endpoint_rules]") {
    const std::vector<row> rows = {
        {"cpp#198", "us-east-1", false, false, "preferred", account_1, nullptr,
         "https://111111111111.ddb.us-east-1.amazonaws.com"},
        {"rules (default mode is preferred)", "us-east-1", false, false, nullptr, account_1,
         nullptr, "https://111111111111.ddb.us-east-1.amazonaws.com"},
        {"cpp#218", "us-east-1", false, false, "preferred", nullptr, nullptr,
         "https://dynamodb.us-east-1.amazonaws.com"},
        {"cpp#222", "us-east-1", false, false, "required", account_1, nullptr,
         "https://111111111111.ddb.us-east-1.amazonaws.com"},
        {"rules (mode disabled)", "us-east-1", false, false, "disabled", account_1, nullptr,
         "https://dynamodb.us-east-1.amazonaws.com"},
        {"cpp#196", "us-east-1", true, false, "preferred", account_1, nullptr,
         "https://dynamodb-fips.us-east-1.amazonaws.com"},
        {"cpp#195", "us-east-1", true, true, "preferred", account_1, nullptr,
         "https://dynamodb-fips.us-east-1.api.aws"},
        // newer: the rule set of botocore 1.43 (and the DynamoDB endpoint
        // table) has dual-stack account endpoints; cpp#197 predates them.
        {"rules (newer)", "us-east-1", false, true, "preferred", account_1, nullptr,
         "https://111111111111.ddb.us-east-1.api.aws"},
        {"rules (newer; cpp#221 predates)", "us-east-1", false, true, "required", account_1,
         nullptr, "https://111111111111.ddb.us-east-1.api.aws"},
        {"cpp#54", "us-east-1", false, false, "preferred", account_1, "https://example.com",
         "https://example.com"},
        {"cpp#122", "us-east-1", false, false, "required", nullptr, "https://example.com",
         "https://example.com"},
        {"cpp#126", "local", false, false, "preferred", account_1, nullptr,
         "http://localhost:8000"},
        {"cpp#194", "local", false, false, "required", nullptr, nullptr, "http://localhost:8000"},
        {"rules (aws partition only)", "cn-north-1", false, false, "preferred", account_1, nullptr,
         "https://dynamodb.cn-north-1.amazonaws.com.cn"},
        {"cpp#356", "us-gov-east-1", false, false, "preferred", account_1, nullptr,
         "https://dynamodb.us-gov-east-1.amazonaws.com"},
        // Errors of mode required.
        {"cpp#242", "us-east-1", false, false, "required", nullptr, nullptr, nullptr,
         "carry no account id"},
        {"cpp#220", "us-east-1", true, false, "required", account_1, nullptr, nullptr,
         "no FIPS account-based endpoints"},
        {"cpp#219", "us-east-1", true, true, "required", account_1, nullptr, nullptr,
         "no FIPS account-based endpoints"},
        {"cpp#246", "cn-north-1", false, false, "required", account_1, nullptr, nullptr,
         "partition aws-cn has no account-based endpoints"},
        {"cpp#244", "cn-north-1", true, false, "required", account_1, nullptr, nullptr,
         "no FIPS account-based endpoints"},
        {"rules (newer; cpp#245 predates)", "cn-north-1", false, true, "required", account_1,
         nullptr, nullptr, "partition aws-cn has no account-based endpoints"},
        // A malformed account id ("Credentials-sourced account ID parameter
        // is invalid" in the rule set, which checks for a host label; ddb
        // wants the 12 digits every account id has).
        {"rules + ddb (12 digits)", "us-east-1", false, false, "preferred", "12345", nullptr,
         nullptr, "is not 12 digits"},
        {"rules + ddb (12 digits)", "us-east-1", false, false, "preferred", "11111111111a", nullptr,
         nullptr, "is not 12 digits"},
        {"rules + ddb (12 digits)", "us-east-1", false, false, "preferred", "evil.example.com/x",
         nullptr, nullptr, "is not 12 digits"},
    };
    check_rows(rows, resolve_row);
}

namespace {

std::string resolve_sts_row(const row& r) {
    lazy_profile_set files(profile_set{}, profile_selection{"default", false});
    std::optional<std::string_view> url;
    if (r.endpoint)
        url = r.endpoint;
    const service_endpoint e = resolve_sts_endpoint(url, r.region, settings_of(r), files);
    std::string s = e.endpoint.url;
    if (e.endpoint.path == "/")
        s.pop_back();
    return s + " " + e.signing_region;
}

} // namespace

TEST_CASE("endpoint rules: STS host names and signing regions", "[endpoint_rules]") {
    const std::vector<row> rows = {
        {"sts#19", "us-east-1", false, false, nullptr, nullptr, nullptr,
         "https://sts.us-east-1.amazonaws.com us-east-1"},
        {"sts#20", "us-east-1", true, false, nullptr, nullptr, nullptr,
         "https://sts-fips.us-east-1.amazonaws.com us-east-1"},
        {"sts#27", "us-east-1", true, true, nullptr, nullptr, nullptr,
         "https://sts-fips.us-east-1.api.aws us-east-1"},
        {"sts#28", "us-east-1", false, true, nullptr, nullptr, nullptr,
         "https://sts.us-east-1.api.aws us-east-1"},
        {"sts#9", "aws-global", false, false, nullptr, nullptr, nullptr,
         "https://sts.amazonaws.com us-east-1"},
        {"sts#14", "eu-west-1", false, false, nullptr, nullptr, nullptr,
         "https://sts.eu-west-1.amazonaws.com eu-west-1"},
        {"sts#29", "cn-north-1", false, false, nullptr, nullptr, nullptr,
         "https://sts.cn-north-1.amazonaws.com.cn cn-north-1"},
        {"sts#32", "cn-north-1", true, false, nullptr, nullptr, nullptr,
         "https://sts-fips.cn-north-1.amazonaws.com.cn cn-north-1"},
        {"sts#33", "cn-north-1", false, true, nullptr, nullptr, nullptr,
         "https://sts.cn-north-1.api.amazonwebservices.com.cn cn-north-1"},
        {"sts#35", "us-gov-east-1", true, false, nullptr, nullptr, nullptr,
         "https://sts.us-gov-east-1.amazonaws.com us-gov-east-1"},
        {"sts#38", "us-gov-east-1", true, true, nullptr, nullptr, nullptr,
         "https://sts-fips.us-gov-east-1.api.aws us-gov-east-1"},
        {"sts#40", "us-iso-east-1", false, false, nullptr, nullptr, nullptr,
         "https://sts.us-iso-east-1.c2s.ic.gov us-iso-east-1"},
        // ddb: no region means the global endpoint, signed for us-east-1
        // (the rule set would refuse: "Missing Region").
        {"ddb", "", false, false, nullptr, nullptr, nullptr, "https://sts.amazonaws.com us-east-1"},
        {"ddb", "", true, false, nullptr, nullptr, nullptr, nullptr,
         "STS has no global FIPS or dual-stack endpoint"},
        {"rules (custom endpoint)", "eu-west-1", false, false, nullptr, nullptr,
         "http://127.0.0.1:5000", "http://127.0.0.1:5000 eu-west-1"},
        {"rules (FIPS and custom endpoint)", "eu-west-1", true, false, nullptr, nullptr,
         "http://127.0.0.1:5000", nullptr, "FIPS endpoints"},
    };
    check_rows(rows, resolve_sts_row);
}

TEST_CASE("endpoint rules: STS endpoint URLs from the environment and the profile",
          "[endpoint_rules]") {
    test::env_guard env;
    env.clean_aws();
    lazy_profile_set none(profile_set{}, profile_selection{"default", false});
    CHECK(resolve_sts_endpoint(std::nullopt, "eu-west-1", none).endpoint.host ==
          "sts.eu-west-1.amazonaws.com");
    env.set("AWS_ENDPOINT_URL", "http://127.0.0.1:4000");
    CHECK(resolve_sts_endpoint(std::nullopt, "eu-west-1", none).endpoint.port == 4000);
    env.set("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:4001");
    auto sts = resolve_sts_endpoint(std::nullopt, "eu-west-1", none);
    CHECK(sts.endpoint.port == 4001);
    CHECK(sts.endpoint.source == "AWS_ENDPOINT_URL_STS");
    CHECK(sts.signing_region == "eu-west-1");
    CHECK(sts.form == endpoint_form::configured);
    // The DynamoDB variable is not STS's.
    env.unset("AWS_ENDPOINT_URL_STS").unset("AWS_ENDPOINT_URL");
    env.set("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:4002");
    CHECK(resolve_sts_endpoint(std::nullopt, "eu-west-1", none).endpoint.host ==
          "sts.eu-west-1.amazonaws.com");
    // The profile's services section: sts.endpoint_url, then endpoint_url.
    auto files = profile_set::parse("[profile p]\nservices = s\nendpoint_url = http://h:1\n"
                                    "[services s]\nsts =\n  endpoint_url = http://sts-here:2\n"
                                    "dynamodb =\n  endpoint_url = http://ddb-here:3\n"
                                    "[profile q]\nendpoint_url = http://h:4\n",
                                    "");
    lazy_profile_set p(files, profile_selection{"p", true});
    auto from_section = resolve_sts_endpoint(std::nullopt, "eu-west-1", p);
    CHECK(from_section.endpoint.host == "sts-here");
    CHECK(from_section.endpoint.source == "sts endpoint_url of services section 's'");
    lazy_profile_set q(files, profile_selection{"q", true});
    CHECK(resolve_sts_endpoint(std::nullopt, "eu-west-1", q).endpoint.port == 4);
    // FIPS from the profile applies to STS too.
    auto fips_files = profile_set::parse("[default]\nuse_fips_endpoint = true\n", "");
    lazy_profile_set fips(fips_files, profile_selection{"default", false});
    CHECK(resolve_sts_endpoint(std::nullopt, "us-west-2", fips).endpoint.host ==
          "sts-fips.us-west-2.amazonaws.com");
}

namespace {

// The Streams URL and signing region of row `r`.
std::string resolve_streams_row(const row& r) {
    lazy_profile_set files(profile_set{}, profile_selection{"default", false});
    std::optional<std::string_view> url;
    if (r.endpoint)
        url = r.endpoint;
    const service_endpoint e =
        resolve_dynamodb_streams_endpoint(url, r.region, settings_of(r), files);
    std::string s = e.endpoint.url;
    if (e.endpoint.path == "/")
        s.pop_back();
    return s + " " + e.signing_region;
}

} // namespace

TEST_CASE("endpoint rules: DynamoDB Streams host names per partition, FIPS and dual-stack",
          "[endpoint_rules]") {
    const std::vector<row> rows = {
        {"streams#0", "af-south-1", false, false, nullptr, nullptr, nullptr,
         "https://streams.dynamodb.af-south-1.amazonaws.com af-south-1"},
        {"streams#19", "us-east-1", false, false, nullptr, nullptr, nullptr,
         "https://streams.dynamodb.us-east-1.amazonaws.com us-east-1"},
        {"streams#24", "us-east-1", true, false, nullptr, nullptr, nullptr,
         "https://streams.dynamodb-fips.us-east-1.amazonaws.com us-east-1"},
        // newer: the rule set names dual-stack hosts of aws, aws-cn and
        // aws-us-gov "streams-dynamodb" (streams#23, #25, #28, #30, #35, #36
        // had "streams.dynamodb").
        {"rules (newer than streams#23)", "us-east-1", true, true, nullptr, nullptr, nullptr,
         "https://streams-dynamodb-fips.us-east-1.api.aws us-east-1"},
        {"rules (newer than streams#25)", "us-east-1", false, true, nullptr, nullptr, nullptr,
         "https://streams-dynamodb.us-east-1.api.aws us-east-1"},
        {"streams#26", "cn-north-1", false, false, nullptr, nullptr, nullptr,
         "https://streams.dynamodb.cn-north-1.amazonaws.com.cn cn-north-1"},
        {"streams#27", "cn-northwest-1", false, false, nullptr, nullptr, nullptr,
         "https://streams.dynamodb.cn-northwest-1.amazonaws.com.cn cn-northwest-1"},
        {"streams#29", "cn-north-1", true, false, nullptr, nullptr, nullptr,
         "https://streams.dynamodb-fips.cn-north-1.amazonaws.com.cn cn-north-1"},
        {"rules (newer than streams#28)", "cn-north-1", true, true, nullptr, nullptr, nullptr,
         "https://streams-dynamodb-fips.cn-north-1.api.amazonwebservices.com.cn cn-north-1"},
        {"rules (newer than streams#30)", "cn-north-1", false, true, nullptr, nullptr, nullptr,
         "https://streams-dynamodb.cn-north-1.api.amazonwebservices.com.cn cn-north-1"},
        {"streams#31", "us-gov-east-1", false, false, nullptr, nullptr, nullptr,
         "https://streams.dynamodb.us-gov-east-1.amazonaws.com us-gov-east-1"},
        // aws-us-gov: the regular host name is the FIPS one.
        {"streams#32", "us-gov-east-1", true, false, nullptr, nullptr, nullptr,
         "https://streams.dynamodb.us-gov-east-1.amazonaws.com us-gov-east-1"},
        {"streams#34", "us-gov-west-1", true, false, nullptr, nullptr, nullptr,
         "https://streams.dynamodb.us-gov-west-1.amazonaws.com us-gov-west-1"},
        {"rules (newer than streams#35)", "us-gov-east-1", true, true, nullptr, nullptr, nullptr,
         "https://streams-dynamodb-fips.us-gov-east-1.api.aws us-gov-east-1"},
        {"rules (newer than streams#36)", "us-gov-east-1", false, true, nullptr, nullptr, nullptr,
         "https://streams-dynamodb.us-gov-east-1.api.aws us-gov-east-1"},
        {"streams#37", "us-iso-east-1", false, false, nullptr, nullptr, nullptr,
         "https://streams.dynamodb.us-iso-east-1.c2s.ic.gov us-iso-east-1"},
        {"streams#39", "us-iso-east-1", true, false, nullptr, nullptr, nullptr,
         "https://streams.dynamodb-fips.us-iso-east-1.c2s.ic.gov us-iso-east-1"},
        // newer: partitions.json gives aws-iso dual-stack now (streams#38,
        // #40 refused it): the generic "streams.dynamodb" form.
        {"rules (newer than streams#40)", "us-iso-east-1", false, true, nullptr, nullptr, nullptr,
         "https://streams.dynamodb.us-iso-east-1.api.aws.ic.gov us-iso-east-1"},
        {"rules (newer than streams#38)", "us-iso-east-1", true, true, nullptr, nullptr, nullptr,
         "https://streams.dynamodb-fips.us-iso-east-1.api.aws.ic.gov us-iso-east-1"},
        {"streams#41", "us-isob-east-1", false, false, nullptr, nullptr, nullptr,
         "https://streams.dynamodb.us-isob-east-1.sc2s.sgov.gov us-isob-east-1"},
        {"streams#43", "us-isob-east-1", true, false, nullptr, nullptr, nullptr,
         "https://streams.dynamodb-fips.us-isob-east-1.sc2s.sgov.gov us-isob-east-1"},
        {"rules (partitions.json)", "eu-isoe-west-1", false, false, nullptr, nullptr, nullptr,
         "https://streams.dynamodb.eu-isoe-west-1.cloud.adc-e.uk eu-isoe-west-1"},
        // ddb: region local is DynamoDB local, which serves Streams on its
        // port (streams#16; the newer rule set dropped the case).
        {"streams#16", "local", false, false, nullptr, nullptr, nullptr,
         "http://localhost:8000 us-east-1"},
        {"ddb", "local", true, false, nullptr, nullptr, nullptr, nullptr,
         "region 'local' (DynamoDB local, http://localhost:8000) has no FIPS endpoint"},
        // Configured URLs, and what cannot go with them.
        {"streams#45", "us-east-1", false, false, nullptr, nullptr, "https://example.com",
         "https://example.com us-east-1"},
        {"streams#47", "us-east-1", true, false, nullptr, nullptr, "https://example.com", nullptr,
         "FIPS endpoints"},
        {"streams#48", "us-east-1", false, true, nullptr, nullptr, "https://example.com", nullptr,
         "Dual-stack endpoints"},
    };
    check_rows(rows, resolve_streams_row);
}

TEST_CASE("endpoint rules: DynamoDB Streams endpoint URLs from the environment and the profile",
          "[endpoint_rules]") {
    test::env_guard env;
    env.clean_aws();
    lazy_profile_set none(profile_set{}, profile_selection{"default", false});
    const endpoint_settings plain;
    CHECK(resolve_dynamodb_streams_endpoint(std::nullopt, "eu-west-1", plain, none).endpoint.host ==
          "streams.dynamodb.eu-west-1.amazonaws.com");
    env.set("AWS_ENDPOINT_URL", "http://127.0.0.1:4000");
    CHECK(resolve_dynamodb_streams_endpoint(std::nullopt, "eu-west-1", plain, none).endpoint.port ==
          4000);
    env.set("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "http://127.0.0.1:4001");
    auto e = resolve_dynamodb_streams_endpoint(std::nullopt, "eu-west-1", plain, none);
    CHECK(e.endpoint.port == 4001);
    CHECK(e.endpoint.source == "AWS_ENDPOINT_URL_DYNAMODB_STREAMS");
    CHECK(e.form == endpoint_form::configured);
    // An explicit URL comes first.
    CHECK(resolve_dynamodb_streams_endpoint("http://127.0.0.1:4005", "eu-west-1", plain, none)
              .endpoint.port == 4005);
    // The DynamoDB variable is not Streams'.
    env.unset("AWS_ENDPOINT_URL_DYNAMODB_STREAMS").unset("AWS_ENDPOINT_URL");
    env.set("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:4002");
    CHECK(resolve_dynamodb_streams_endpoint(std::nullopt, "eu-west-1", plain, none).endpoint.host ==
          "streams.dynamodb.eu-west-1.amazonaws.com");
    // The profile's services section: dynamodb_streams.endpoint_url, then endpoint_url.
    auto files = profile_set::parse("[profile p]\nservices = s\nendpoint_url = http://h:1\n"
                                    "[services s]\ndynamodb_streams =\n"
                                    "  endpoint_url = http://streams-here:2\n"
                                    "dynamodb =\n  endpoint_url = http://ddb-here:3\n"
                                    "[profile q]\nendpoint_url = http://h:4\n",
                                    "");
    lazy_profile_set p(files, profile_selection{"p", true});
    auto from_section = resolve_dynamodb_streams_endpoint(std::nullopt, "eu-west-1", plain, p);
    CHECK(from_section.endpoint.host == "streams-here");
    CHECK(from_section.endpoint.source == "dynamodb_streams endpoint_url of services section 's'");
    lazy_profile_set q(files, profile_selection{"q", true});
    CHECK(resolve_dynamodb_streams_endpoint(std::nullopt, "eu-west-1", plain, q).endpoint.port ==
          4);
}
