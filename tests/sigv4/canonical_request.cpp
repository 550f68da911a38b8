// Test that header file is self-contained.
#include <ddb/sigv4/canonical_request.hpp>

#include <ddb/sigv4/error.hpp>

#include <catch2/catch.hpp>

#include <chrono>

using namespace ddb::sigv4;

TEST_CASE("uri_encode keeps unreserved characters and encodes the rest upper-case", "[sigv4]") {
    std::string out;
    uri_encode(out, "AZaz09-_.~", false);
    CHECK(out == "AZaz09-_.~");
    out.clear();
    uri_encode(out, "a b/c+d=e&f%\xE1\x88\xB4", false);
    CHECK(out == "a%20b%2Fc%2Bd%3De%26f%25%E1%88%B4");
    out.clear();
    uri_encode(out, "/a b/", true);
    CHECK(out == "/a%20b/");
}

TEST_CASE("normalize_path removes dot segments and repeated slashes", "[sigv4]") {
    struct row {
        const char* in;
        const char* out;
    };
    for (auto [in, out] :
         {row{"", "/"}, row{"/", "/"}, row{"//", "/"}, row{"/./", "/"}, row{"/example/..", "/"},
          row{"/a/b/../..", "/"}, row{"/./example", "/example"}, row{"//example//", "/example/"},
          row{"/a/b/..", "/a/"}, row{"/a/./b", "/a/b"}, row{"/../a", "/a"},
          row{"/a/b/c", "/a/b/c"}}) {
        INFO(in);
        CHECK(normalize_path(in) == out);
    }
}

TEST_CASE("canonical query sorts by encoded key then value and re-encodes", "[sigv4]") {
    header hs[] = {{"Host", "h"}};
    request r;
    r.method = "GET";
    r.headers = hs;
    r.query = "b=2&a=z&a=y&%E1%88%B4=1&c&d=x%2By+z&&e=%zz";
    auto creq = canonical_request(r);
    auto second_line = creq.substr(creq.find('\n', 4) + 1);
    second_line = second_line.substr(0, second_line.find('\n'));
    CHECK(second_line == "%E1%88%B4=1&a=y&a=z&b=2&c=&d=x%2By%2Bz&e=%25zz");
}

TEST_CASE("header values are trimmed, runs of spaces and tabs collapse, duplicates join in order",
          "[sigv4]") {
    header hs[] = {{"host", "h"}, {"X-B", " two  \t words "}, {"x-a", "1"}, {"X-A", "0"}};
    request r;
    r.method = "GET";
    r.headers = hs;
    r.payload_hash = "UNSIGNED-PAYLOAD";
    CHECK(canonical_request(r) ==
          "GET\n/\n\nhost:h\nx-a:1,0\nx-b:two words\n\nhost;x-a;x-b\nUNSIGNED-PAYLOAD");
}

TEST_CASE("the single-encode setting leaves the path as given (S3)", "[sigv4]") {
    header hs[] = {{"host", "h"}};
    request r;
    r.method = "GET";
    r.path = "/a%20b//c/../";
    r.headers = hs;
    r.payload_hash = "x";
    settings s3{percent_encoding::single_encode, path_normalization::disabled, {}};
    CHECK(canonical_request(r, s3).starts_with("GET\n/a%20b//c/../\n"));
    CHECK(canonical_request(r).starts_with("GET\n/a%2520b/\n"));
}

TEST_CASE("invalid headers are rejected with a typed error", "[sigv4]") {
    request r;
    r.method = "GET";
    auto code_of = [&](std::vector<header> hs) {
        r.headers = hs;
        try {
            canonical_request(r);
        } catch (const signing_error& e) {
            return e.code();
        }
        return ddb::error_code{};
    };
    CHECK(code_of({{"host", "h"}, {"x-bad", "a\r\nInjected: 1"}}) == errc::invalid_header_value);
    CHECK(code_of({{"host", "h"}, {"x-bad", "a\nb"}}) == errc::invalid_header_value);
    CHECK(code_of({{"host", "h"}, {"x-bad", std::string_view("a\0b", 3)}}) ==
          errc::invalid_header_value);
    CHECK(code_of({{"host", "h"}, {"bad name", "v"}}) == errc::invalid_header_name);
    CHECK(code_of({{"host", "h"}, {"bad:name", "v"}}) == errc::invalid_header_name);
    CHECK(code_of({{"host", "h"}, {"", "v"}}) == errc::invalid_header_name);
    CHECK(code_of({{"x-only", "v"}}) == errc::missing_host);
    r.method = "G T";
    CHECK(code_of({{"host", "h"}}) == errc::invalid_method);
}

TEST_CASE("the error message names the header but never its value", "[sigv4]") {
    header hs[] = {{"host", "h"}, {"x-amz-security-token", "SECRETTOKEN\r\n"}};
    request r;
    r.headers = hs;
    try {
        canonical_request(r);
        FAIL("no exception");
    } catch (const signing_error& e) {
        std::string what = e.what();
        CHECK(what.find("x-amz-security-token") != std::string::npos);
        CHECK(what.find("SECRETTOKEN") == std::string::npos);
    }
}

TEST_CASE("format_amz_date renders UTC as yyyymmddThhmmssZ", "[sigv4]") {
    using namespace std::chrono;
    CHECK(format_amz_date(sys_days{2015y / August / 30} + 12h + 36min) == "20150830T123600Z");
    CHECK(format_amz_date(sys_days{2000y / January / 1} + 59s + 999ms) == "20000101T000059Z");
    CHECK(format_amz_date(sys_days{2024y / February / 29} + 23h + 59min + 59s) ==
          "20240229T235959Z");
}
