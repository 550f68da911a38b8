// Bad input that ddb refuses on its own, with no server: each case asserts
// the exact typed error (class and code). docs/errors.md lists them.
#include <ddb/aws/endpoint.hpp>
#include <ddb/aws/region.hpp>
#include <ddb/client/client.hpp>
#include <ddb/client/errors.hpp>
#include <ddb/credentials/static_provider.hpp>
#include <ddb/sigv4/signer.hpp>
#include <ddb/value/attribute_value.hpp>
#include <ddb/value/item.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

using namespace ddb;
using av = attribute_value;

namespace {

// The code of the `E` that `f` throws; fails the test for anything else.
template <class E, class F>
error_code code_of(F&& f, std::string* what = nullptr) {
    try {
        f();
    } catch (const E& e) {
        if (what)
            *what = e.what();
        return e.code();
    } catch (const std::exception& e) {
        FAIL("another exception: " << e.what());
    }
    FAIL("no exception");
    return {};
}

} // namespace

TEST_CASE("bad input: invalid number strings", "[bad_input]") {
    for (const char* bad : {"", " 1", "1 ", "abc", "1e", "e5", "--1", "+-1", "1.2.3", "0x10", ".",
                            "1..0", "NaN", "Infinity", "1,5", "١"}) {
        INFO("'" << bad << "'");
        CHECK(code_of<value_error>([&] { number n(bad); }) == value_errc::invalid_number);
        // The same text arriving as AttributeValue JSON.
        boost::json::value j = {{"N", bad}};
        CHECK(code_of<value_error>([&] { av::from_json(j); }) == value_errc::invalid_number);
    }
}

TEST_CASE("bad input: out-of-range numbers", "[bad_input]") {
    CHECK(code_of<value_error>([] { number n(std::string(39, '7')); }) ==
          value_errc::too_many_digits);
    CHECK(code_of<value_error>([] { number n("1E126"); }) == value_errc::number_out_of_range);
    CHECK(code_of<value_error>([] { number n("-1E126"); }) == value_errc::number_out_of_range);
    CHECK(code_of<value_error>([] { number n("1E-131"); }) == value_errc::number_out_of_range);
    CHECK(code_of<value_error>([] { number n(std::nan("")); }) == value_errc::not_finite);
    CHECK(code_of<value_error>([] { number n(std::numeric_limits<double>::infinity()); }) ==
          value_errc::not_finite);
    // A valid number that does not fit the integer asked for.
    CHECK(code_of<value_error>([] { (void)number("1E30").as<std::int64_t>(); }) ==
          value_errc::number_not_representable);
    CHECK(code_of<value_error>([] { (void)number("1.5").as<int>(); }) ==
          value_errc::number_not_representable);
    // The limits themselves are fine.
    CHECK_NOTHROW(number("9.9999999999999999999999999999999999999E+125"));
    CHECK_NOTHROW(number("1E-130"));
}

TEST_CASE("bad input: empty or duplicate set members", "[bad_input]") {
    CHECK(code_of<value_error>([] { av::ss({}); }) == value_errc::empty_set);
    CHECK(code_of<value_error>([] { av::ns({}); }) == value_errc::empty_set);
    CHECK(code_of<value_error>([] { av::bs({}); }) == value_errc::empty_set);
    CHECK(code_of<value_error>([] {
              av::ss({"a", "b", "a"});
          }) == value_errc::duplicate_set_member);
    // Numbers compare by value: 1, 1.0 and 10E-1 are the same member.
    CHECK(code_of<value_error>([] {
              av::ns({number("1"), number("1.0")});
          }) == value_errc::duplicate_set_member);
    CHECK(code_of<value_error>([] {
              av::ns({number("1"), number("10E-1")});
          }) == value_errc::duplicate_set_member);
    CHECK(code_of<value_error>([] {
              av::bs({bytes{1, 2}, bytes{1, 2}});
          }) == value_errc::duplicate_set_member);
    // The same sets arriving as JSON.
    for (const char* bad : {R"({"SS":[]})", R"({"NS":[]})", R"({"BS":[]})"})
        CHECK(code_of<value_error>([&] { av::from_json(boost::json::parse(bad)); }) ==
              value_errc::empty_set);
    for (const char* bad :
         {R"({"SS":["x","x"]})", R"({"NS":["2","2.00"]})", R"({"BS":["AQ==","AQ=="]})"})
        CHECK(code_of<value_error>([&] { av::from_json(boost::json::parse(bad)); }) ==
              value_errc::duplicate_set_member);
    // An empty string member is a valid set member (DynamoDB allows it).
    CHECK_NOTHROW(av::ss({"", "a"}));
}

TEST_CASE("bad input: AttributeValue JSON of the wrong shape", "[bad_input]") {
    for (const char* bad : {R"({"S":1})", R"({"X":"1"})", R"({"S":"a","N":"1"})", R"({})",
                            R"({"NULL":false})", R"({"BOOL":"true"})", R"([1])", R"("x")"}) {
        INFO(bad);
        CHECK(code_of<value_error>([&] { av::from_json(boost::json::parse(bad)); }) ==
              value_errc::invalid_json);
    }
    CHECK(code_of<value_error>([] { av::from_json(boost::json::parse(R"({"B":"@@@@"})")); }) ==
          value_errc::invalid_base64);
}

TEST_CASE("bad input: endpoint URLs with user info or an unsupported scheme", "[bad_input]") {
    boost::asio::io_context ioc;
    for (const char* bad :
         {"http://user:secret-pw@127.0.0.1:8000", "https://user@dynamodb.us-east-1.amazonaws.com",
          "ftp://127.0.0.1:8000", "file:///tmp/x", "ws://127.0.0.1:8000", "127.0.0.1:8000",
          "http://127.0.0.1:8000/?x=1", "http://127.0.0.1:8000/#f", "http://127.0.0.1:0"}) {
        INFO(bad);
        client_config cfg;
        cfg.region = "us-east-1";
        cfg.endpoint = bad;
        cfg.credentials =
            std::make_shared<static_provider>(credentials{"AKID", "SECRET", {}, {}, {}, {}});
        std::string what;
        CHECK(code_of<config_error>([&] { client c(ioc.get_executor(), cfg); }, &what) ==
              config_errc::invalid_endpoint);
        // A password in the URL never reaches the message.
        CHECK(what.find("secret-pw") == std::string::npos);
    }
}

TEST_CASE("bad input: CR, LF or NUL in configuration that becomes a header", "[bad_input]") {
    boost::asio::io_context ioc;
    client_config cfg;
    cfg.region = "us-east-1";
    cfg.endpoint = "http://127.0.0.1:8000";
    cfg.credentials =
        std::make_shared<static_provider>(credentials{"AKID", "SECRET", {}, {}, {}, {}});
    for (const char* bad : {"app/1\r\nX-Injected: 1", "app/1\nx", "app/1\r"}) {
        cfg.user_agent_suffix = std::string(bad);
        CHECK(code_of<config_error>([&] { client c(ioc.get_executor(), cfg); }) ==
              config_errc::invalid_setting);
    }
    cfg.user_agent_suffix = std::string("app\0x", 5);
    CHECK(code_of<config_error>([&] { client c(ioc.get_executor(), cfg); }) ==
          config_errc::invalid_setting);
    cfg.user_agent_suffix.clear();
    // The region is part of the host name and of the signature.
    cfg.endpoint.reset();
    cfg.region = "us-east-1\r\nX-Injected: 1";
    CHECK(code_of<config_error>([&] { client c(ioc.get_executor(), cfg); }) ==
          config_errc::invalid_region);
}

TEST_CASE("bad input: CR, LF or NUL in a header value to sign", "[bad_input]") {
    const sigv4::header headers[] = {{"host", "example.com"},
                                     {"x-amz-target", "A\r\nX-Injected: 1"}};
    sigv4::request req;
    req.path = "/";
    req.headers = headers;
    credentials creds{"AKID", "SECRET", {}, {}, {}, {}};
    const auto now = std::chrono::system_clock::now();
    CHECK(code_of<sigv4::signing_error>([&] {
              sigv4::sign(req, {creds, "us-east-1", "dynamodb", now});
          }) == sigv4::errc::invalid_header_value);
    // A session token is a header too.
    const sigv4::header plain[] = {{"host", "example.com"}};
    req.headers = plain;
    creds.session_token = "token\nX-Injected: 1";
    sigv4::signing_params params{creds, "us-east-1", "dynamodb", now};
    CHECK(code_of<sigv4::signing_error>([&] { sigv4::sign(req, params); }) ==
          sigv4::errc::invalid_header_value);
}

TEST_CASE("bad input: response bodies that are not DynamoDB JSON", "[bad_input]") {
    auto kind_of = [](unsigned status, std::string_view body) {
        try {
            throw_service_error(status, "text/html", body, "rid", "GetItem");
        } catch (const unexpected_response& e) {
            CHECK(e.status() == status);
            CHECK(e.body_excerpt() == body.substr(0, 256));
            return e.kind();
        } catch (const service_error& e) {
            FAIL("another service error: " << e.what());
        }
        return service_errc::unknown;
    };
    CHECK(kind_of(500, "<html><body>Internal error</body></html>") ==
          service_errc::unexpected_response);
    CHECK(kind_of(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#Validati)") ==
          service_errc::unexpected_response);
    CHECK(kind_of(400, "") == service_errc::unexpected_response);
    // An error body nested deeper than max_response_depth is not parsed.
    std::string deep = R"({"__type":"ValidationException","x":)";
    for (unsigned i = 0; i < max_response_depth + 1; ++i)
        deep += "[";
    for (unsigned i = 0; i < max_response_depth + 1; ++i)
        deep += "]";
    deep += "}";
    CHECK(kind_of(400, deep) == service_errc::unexpected_response);
}

TEST_CASE("bad input: items over DynamoDB's 400 KB are measured before sending", "[bad_input]") {
    item it{{"pk", av("k")}, {"data", av(std::string(max_item_size, 'x'))}};
    CHECK(item_size(it) > max_item_size);
    it["data"] = av(std::string(max_item_size - item_size({{"pk", av("k")}}) - 4, 'x'));
    CHECK(item_size(it) == max_item_size);
}
