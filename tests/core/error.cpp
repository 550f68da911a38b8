// Every error enumerator of every ddb category has a category name and a
// real message; codes compare equal to their enumerators.
#include <ddb/client/errors.hpp>
#include <ddb/core/config_error.hpp>
#include <ddb/core/error.hpp>
#include <ddb/credentials/error.hpp>
#include <ddb/http/error.hpp>
#include <ddb/sigv4/error.hpp>
#include <ddb/value/error.hpp>

#include <catch2/catch.hpp>

namespace {

template <class Enum>
void walk(Enum first, Enum last, const char* category) {
    for (int v = static_cast<int>(first); v <= static_cast<int>(last); ++v) {
        auto e = static_cast<Enum>(v);
        ddb::error_code ec = e;
        INFO(category << " " << v);
        CHECK(std::string(ec.category().name()) == category);
        CHECK_FALSE(ec.message().empty());
        CHECK(ec.message() != "unknown " + std::string(category) + " error " + std::to_string(v));
        CHECK(ec == e);
        CHECK(ec);
    }
    int past = static_cast<int>(last) + 1;
    CHECK(ddb::error_code(past, ddb::error_code(first).category()).message() ==
          "unknown " + std::string(category) + " error " + std::to_string(past));
}

} // namespace

TEST_CASE("every error enumerator is named and described", "[error]") {
    walk(ddb::sigv4::errc::invalid_header_name, ddb::sigv4::errc::missing_parameter, "ddb.sigv4");
    walk(ddb::credentials_errc::not_found, ddb::credentials_errc::login_required,
         "ddb.credentials");
    walk(ddb::config_errc::region_not_found, ddb::config_errc::invalid_setting, "ddb.config");
    walk(ddb::http::errc::resolve_failed, ddb::http::errc::unparsable_body, "ddb.http");
    walk(ddb::service_errc::conditional_check_failed, ddb::service_errc::unknown, "ddb.service");
    walk(ddb::value_errc::invalid_number, ddb::value_errc::request_too_large, "ddb.value");
}

TEST_CASE("every ddb exception is a ddb::error with its code", "[error]") {
    try {
        throw ddb::credentials_error(ddb::credentials_errc::malformed, "bad");
    } catch (const ddb::error& e) {
        CHECK(e.code() == ddb::credentials_errc::malformed);
        CHECK(std::string(e.what()).find("bad") != std::string::npos);
    }
}
