// The official SigV4 test suite (tests/data/sigv4), one test per case,
// compared byte for byte at every stage: canonical request, string to sign,
// Authorization header.
#include <ddb/sigv4/signer.hpp>

#include "../support/raw_request.hpp"

#include <catch2/catch.hpp>

#include "../support/source_dir.hpp"
#include <chrono>
#include <filesystem>

namespace {

using namespace ddb;
namespace fs = std::filesystem;

const std::string suite_dir = ddb_test::source_dir() + "/tests/data/sigv4";
const char* sts_token =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPf"
    "IeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7W"
    "Z0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8F"
    "DrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

std::chrono::system_clock::time_point suite_time() {
    using namespace std::chrono;
    return sys_days{2015y / August / 30} + 12h + 36min;
}

credentials suite_credentials(std::string token = {}) {
    return {"AKIDEXAMPLE",    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            std::move(token), {},
            "test",           {}};
}

struct expected {
    std::string creq, sts, authz;
};

expected load_expected(const fs::path& dir, const std::string& name) {
    return {test::read_file(dir / (name + ".creq")), test::read_file(dir / (name + ".sts")),
            test::read_file(dir / (name + ".authz"))};
}

void run_case(const std::string& rel, const credentials& creds, sigv4::settings opts = {}) {
    fs::path dir = fs::path(suite_dir) / rel;
    std::string name = dir.filename().string();
    INFO("case " << rel);
    REQUIRE(fs::exists(dir / (name + ".req")));
    auto raw = test::parse_raw_request(test::read_file(dir / (name + ".req")));
    auto want = load_expected(dir, name);
    sigv4::signing_trace trace;
    sigv4::signing_key_cache cache;
    auto result = sigv4::sign(raw.view(), {creds, "us-east-1", "service", suite_time(), opts},
                              &cache, &trace);
    CHECK(trace.canonical_request == want.creq);
    CHECK(trace.string_to_sign == want.sts);
    CHECK(result.authorization == want.authz);
    // Every .req already has X-Amz-Date: the signer must not add a second one.
    CHECK_FALSE(result.add_amz_date);
    // The pure stage functions give the same texts as sign().
    sigv4::added_headers extra;
    if (opts.token_mode == sigv4::session_token_mode::include)
        extra.security_token = result.security_token;
    CHECK(sigv4::canonical_request(raw.view(), opts, extra) == want.creq);
    auto scope = sigv4::credential_scope("20150830", "us-east-1", "service");
    CHECK(sigv4::string_to_sign("20150830T123600Z", scope, want.creq) == want.sts);
}

#define SUITE_CASE(path)                                                                           \
    TEST_CASE("sigv4 suite: " path, "[sigv4][suite]") {                                            \
        run_case(path, suite_credentials());                                                       \
    }

} // namespace

SUITE_CASE("get-header-key-duplicate")
SUITE_CASE("get-header-value-multiline")
SUITE_CASE("get-header-value-order")
SUITE_CASE("get-header-value-trim")
SUITE_CASE("get-unreserved")
SUITE_CASE("get-utf8")
SUITE_CASE("get-vanilla")
SUITE_CASE("get-vanilla-empty-query-key")
SUITE_CASE("get-vanilla-query")
SUITE_CASE("get-vanilla-query-order-encoded")
SUITE_CASE("get-vanilla-query-order-key")
SUITE_CASE("get-vanilla-query-order-key-case")
SUITE_CASE("get-vanilla-query-order-value")
SUITE_CASE("get-vanilla-query-unreserved")
SUITE_CASE("get-vanilla-utf8-query")
SUITE_CASE("normalize-path/get-relative")
SUITE_CASE("normalize-path/get-relative-relative")
SUITE_CASE("normalize-path/get-slash")
SUITE_CASE("normalize-path/get-slash-dot-slash")
SUITE_CASE("normalize-path/get-slash-pointless-dot")
SUITE_CASE("normalize-path/get-slashes")
SUITE_CASE("normalize-path/get-space")
SUITE_CASE("normalize-path/get-special-character")
SUITE_CASE("post-header-key-case")
SUITE_CASE("post-header-key-sort")
SUITE_CASE("post-header-value-case")
SUITE_CASE("post-vanilla")
SUITE_CASE("post-vanilla-empty-query-value")
SUITE_CASE("post-vanilla-query")
SUITE_CASE("post-x-www-form-urlencoded")
SUITE_CASE("post-x-www-form-urlencoded-parameters")

// The token comes from the credentials; the signer adds and signs it.
TEST_CASE("sigv4 suite: get-vanilla-with-session-token", "[sigv4][suite]") {
    auto creds =
        suite_credentials("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267");
    run_case("get-vanilla-with-session-token", creds);
}

// The token header is already in the request and is signed; it is not added twice.
TEST_CASE("sigv4 suite: post-sts-token/post-sts-header-before", "[sigv4][suite]") {
    run_case("post-sts-token/post-sts-header-before", suite_credentials(sts_token));
    auto dir = fs::path(suite_dir) / "post-sts-token/post-sts-header-before";
    auto raw = test::parse_raw_request(test::read_file(dir / "post-sts-header-before.req"));
    auto creds = suite_credentials(sts_token);
    auto r = sigv4::sign(raw.view(), {creds, "us-east-1", "service", suite_time()});
    CHECK(r.security_token.empty());
}

// The token is added after signing, unsigned.
TEST_CASE("sigv4 suite: post-sts-token/post-sts-header-after", "[sigv4][suite]") {
    sigv4::settings opts;
    opts.token_mode = sigv4::session_token_mode::exclude_from_signature;
    auto creds = suite_credentials(sts_token);
    run_case("post-sts-token/post-sts-header-after", creds, opts);
    auto dir = fs::path(suite_dir) / "post-sts-token/post-sts-header-after";
    auto raw = test::parse_raw_request(test::read_file(dir / "post-sts-header-after.req"));
    auto r = sigv4::sign(raw.view(), {creds, "us-east-1", "service", suite_time(), opts});
    CHECK(r.security_token == sts_token);
    // The signed request of the suite carries exactly this token header.
    CHECK(test::read_file(dir / "post-sts-header-after.sreq")
              .find(std::string("X-Amz-Security-Token:") + sts_token) != std::string::npos);
}
