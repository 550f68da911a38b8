// Test that header file is self-contained.
#include <ddb/sigv4/signer.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

using namespace ddb;
using namespace std::chrono;

namespace {

const credentials creds{
    "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, "test", {}};
const auto t0 = sys_days{2015y / August / 30} + 12h + 36min;

sigv4::request dynamo_request(std::span<const sigv4::header> hs, std::string_view body) {
    sigv4::request r;
    r.headers = hs;
    r.payload = body;
    return r;
}

} // namespace

TEST_CASE("sign adds x-amz-date and signs it when the request lacks it", "[sigv4]") {
    sigv4::header hs[] = {{"host", "dynamodb.us-east-1.amazonaws.com"},
                          {"x-amz-target", "DynamoDB_20120810.ListTables"},
                          {"content-type", "application/x-amz-json-1.0"}};
    sigv4::signing_trace trace;
    auto r = sigv4::sign(dynamo_request(hs, "{}"), {creds, "us-east-1", "dynamodb", t0}, nullptr,
                         &trace);
    CHECK(r.add_amz_date);
    CHECK(r.amz_date == "20150830T123600Z");
    CHECK(r.security_token.empty());
    CHECK(trace.canonical_request.find("x-amz-date:20150830T123600Z\n") != std::string::npos);
    CHECK(r.authorization.starts_with(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="));
    CHECK(r.signature().size() == 64);
    CHECK(r.authorization.ends_with(r.signature()));
}

TEST_CASE("session token: signed by default, unsigned in exclude mode, never duplicated",
          "[sigv4]") {
    credentials temp = creds;
    temp.session_token = "TOKEN123";
    sigv4::header hs[] = {{"host", "h"}};
    sigv4::signing_trace trace;
    auto r =
        sigv4::sign(dynamo_request(hs, ""), {temp, "eu-west-1", "dynamodb", t0}, nullptr, &trace);
    CHECK(r.security_token == "TOKEN123");
    CHECK(trace.canonical_request.find("x-amz-security-token:TOKEN123\n") != std::string::npos);
    CHECK(r.authorization.find("SignedHeaders=host;x-amz-date;x-amz-security-token,") !=
          std::string::npos);

    sigv4::settings ex;
    ex.token_mode = sigv4::session_token_mode::exclude_from_signature;
    auto r2 = sigv4::sign(dynamo_request(hs, ""), {temp, "eu-west-1", "dynamodb", t0, ex}, nullptr,
                          &trace);
    CHECK(r2.security_token == "TOKEN123");
    CHECK(trace.canonical_request.find("x-amz-security-token") == std::string::npos);
    CHECK(r2.signature() != r.signature());
}

TEST_CASE("an x-amz-date header that differs from the signing time is rejected", "[sigv4]") {
    sigv4::header hs[] = {{"host", "h"}, {"X-Amz-Date", "20150830T123601Z"}};
    try {
        sigv4::sign(dynamo_request(hs, ""), {creds, "us-east-1", "dynamodb", t0});
        FAIL("no exception");
    } catch (const sigv4::signing_error& e) {
        CHECK(e.code() == sigv4::errc::date_mismatch);
    }
}

TEST_CASE("missing parameters are typed errors", "[sigv4]") {
    sigv4::header hs[] = {{"host", "h"}};
    auto req = dynamo_request(hs, "");
    credentials empty;
    CHECK_THROWS_AS(sigv4::sign(req, {empty, "us-east-1", "dynamodb", t0}), sigv4::signing_error);
    CHECK_THROWS_AS(sigv4::sign(req, {creds, "", "dynamodb", t0}), sigv4::signing_error);
    CHECK_THROWS_AS(sigv4::sign(req, {creds, "us-east-1", "", t0}), sigv4::signing_error);
}

TEST_CASE("payload_hash replaces hashing the body", "[sigv4]") {
    sigv4::header hs[] = {{"host", "h"}};
    auto a = dynamo_request(hs, "{}");
    auto b = dynamo_request(hs, "different body");
    // sha256("{}")
    b.payload_hash = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    CHECK(sigv4::sign(a, {creds, "us-east-1", "dynamodb", t0}).authorization ==
          sigv4::sign(b, {creds, "us-east-1", "dynamodb", t0}).authorization);
}

TEST_CASE("the key cache derives once per (secret, date, region, service)", "[sigv4]") {
    sigv4::signing_key_cache cache(4);
    sigv4::header hs[] = {{"host", "h"}};
    auto req = dynamo_request(hs, "{}");
    auto first = sigv4::sign(req, {creds, "us-east-1", "dynamodb", t0}, &cache);
    auto again = sigv4::sign(req, {creds, "us-east-1", "dynamodb", t0 + 1h}, &cache);
    CHECK(cache.derivations() == 1);
    sigv4::sign(req, {creds, "us-west-2", "dynamodb", t0}, &cache);
    sigv4::sign(req, {creds, "us-east-1", "dynamodb", t0 + 24h}, &cache);
    CHECK(cache.derivations() == 3);
    // Cached and uncached signatures agree.
    CHECK(first.authorization ==
          sigv4::sign(req, {creds, "us-east-1", "dynamodb", t0}).authorization);
    // A different secret with everything else equal is a different key.
    credentials other = creds;
    other.secret_access_key += "x";
    CHECK(sigv4::sign(req, {other, "us-east-1", "dynamodb", t0}, &cache).authorization !=
          first.authorization);
    CHECK(cache.derivations() == 4);
    // Beyond capacity entries are replaced, and results stay correct.
    for (int d = 2; d < 10; ++d)
        sigv4::sign(req, {creds, "us-east-1", "dynamodb", t0 + d * 24h}, &cache);
    CHECK(sigv4::sign(req, {creds, "us-east-1", "dynamodb", t0}, &cache).authorization ==
          first.authorization);
}

TEST_CASE("the key cache is safe to use from many threads", "[sigv4]") {
    sigv4::signing_key_cache cache(2);
    sigv4::header hs[] = {{"host", "h"}};
    auto req = dynamo_request(hs, "{}");
    const char* regions[] = {"us-east-1", "eu-west-1", "ap-south-1"};
    std::string expected[3];
    for (int i = 0; i < 3; ++i)
        expected[i] = sigv4::sign(req, {creds, regions[i], "dynamodb", t0}).authorization;
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                int k = (i + t) % 3;
                if (sigv4::sign(req, {creds, regions[k], "dynamodb", t0}, &cache).authorization !=
                    expected[k])
                    ++mismatches;
            }
        });
    for (auto& th : threads)
        th.join();
    CHECK(mismatches == 0);
}

TEST_CASE("credentials print without secret or token", "[sigv4][credentials]") {
    credentials c{"AKIDPRINT", "SECRETVALUE", "TOKENVALUE", {}, "test", {}};
    std::ostringstream os;
    os << c;
    CHECK(os.str().find("AKIDPRINT") != std::string::npos);
    CHECK(os.str().find("SECRETVALUE") == std::string::npos);
    CHECK(os.str().find("TOKENVALUE") == std::string::npos);
    CHECK(os.str().find("REDACTED") != std::string::npos);
}
