// Test that header file is self-contained.
#include <ddb/aws/sso_provider.hpp>

#include "../support/env.hpp"
#include "../support/http_test_server.hpp"
#include "../support/run.hpp"
#include "../support/temp_dir.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

using namespace ddb;
namespace json = boost::json;
using namespace std::chrono_literals;
using sys_clock = std::chrono::system_clock;

namespace {

// What `aws sso login` names the cache files (SHA-1 hex, computed apart).
constexpr const char* session_cache =
    "6a8732fe3624aef043e5f7811b597bd5e2a56b39.json"; // dev-session
constexpr const char* legacy_cache =
    "e8be5486177c5b5392bd9aa76563515b29358e6e.json"; // https://example.awsapps.com/start
constexpr const char* start_url = "https://example.awsapps.com/start";

// Strings that must never appear in an error message.
const std::vector<std::string> secrets = {
    "cached-access-token", "new-access-token", "refresh-1",        "refresh-2",
    "client-secret-x",     "sso-secret-key",   "sso-session-token"};

std::string iso(sys_clock::time_point t) {
    auto s = std::chrono::floor<std::chrono::seconds>(t);
    auto day = std::chrono::floor<std::chrono::days>(s);
    std::chrono::year_month_day ymd{day};
    std::chrono::hh_mm_ss hms{s - day};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

std::int64_t epoch_ms(sys_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// A cache file as `aws sso login` writes it for an sso-session profile.
json::object cache_doc(sys_clock::time_point expires, bool with_refresh = true) {
    json::object o;
    o["startUrl"] = start_url;
    o["region"] = "us-east-1";
    o["accessToken"] = "cached-access-token";
    o["expiresAt"] = iso(expires);
    if (with_refresh) {
        o["clientId"] = "client-id-x";
        o["clientSecret"] = "client-secret-x";
        o["registrationExpiresAt"] = iso(sys_clock::now() + std::chrono::days(30));
        o["refreshToken"] = "refresh-1";
    }
    o["somethingNew"] = "kept as it is";
    return o;
}

// Loopback servers speaking SSO OIDC (POST /token) and the SSO portal
// (GET /federation/credentials); each answers with its queue of statuses
// first (then 200) and records what it was sent.
struct sso_world {
    test::temp_dir cache;
    std::mutex mutex;
    std::deque<test::test_response> oidc_script, portal_script;
    std::vector<test::test_request> oidc_seen, portal_seen;
    sys_clock::time_point role_expiry = sys_clock::now() + 1h;

    test::http_test_server oidc{[this](const test::test_request& req) {
        std::lock_guard lock(mutex);
        oidc_seen.push_back(req);
        if (!oidc_script.empty()) {
            auto res = oidc_script.front();
            oidc_script.pop_front();
            return res;
        }
        return test::make_response(200, R"({"accessToken":"new-access-token","expiresIn":3600,)"
                                        R"("refreshToken":"refresh-2","tokenType":"Bearer"})");
    }};
    test::http_test_server portal{[this](const test::test_request& req) {
        std::lock_guard lock(mutex);
        portal_seen.push_back(req);
        if (!portal_script.empty()) {
            auto res = portal_script.front();
            portal_script.pop_front();
            return res;
        }
        return test::make_response(
            200,
            R"({"roleCredentials":{"accessKeyId":"AKIDSSO","secretAccessKey":"sso-secret-key",)"
            R"("sessionToken":"sso-session-token","expiration":)" +
                std::to_string(epoch_ms(role_expiry)) + "}}");
    }};

    sso_settings settings(bool legacy = false) {
        sso_settings s;
        s.start_url = start_url;
        s.sso_region = "us-east-1";
        s.account_id = "123456789012";
        s.role_name = "ReadOnly";
        s.session_name = legacy ? "" : "dev-session";
        s.profile_name = "dev";
        s.cache_dir = cache.path().string();
        s.oidc_endpoint = parse_endpoint(oidc.url());
        s.portal_endpoint = parse_endpoint(portal.url());
        s.timeout = 2000ms;
        return s;
    }
    void write_cache(const json::object& doc, const char* name = session_cache) {
        cache.write(name, json::serialize(doc));
    }
    json::object read_cache(const char* name = session_cache) {
        std::ifstream in(cache.path() / name);
        std::stringstream ss;
        ss << in.rdbuf();
        return json::parse(ss.str()).as_object();
    }
    std::string portal_token(std::size_t i) {
        std::lock_guard lock(mutex);
        return std::string(portal_seen.at(i)["x-amz-sso_bearer_token"]);
    }
};

test::test_response error_answer(unsigned status, const std::string& type) {
    auto res = test::make_response(status, R"({"message":"refused"})");
    res.set("x-amzn-ErrorType",
            type + ":http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/");
    return res;
}

// The error `fetch()` throws; checks that its message holds no token.
credentials_error fetch_error(sso_provider& p) {
    try {
        test::run([&] { return p.fetch(); });
    } catch (const credentials_error& e) {
        std::string what = e.what();
        for (const auto& s : secrets) {
            INFO(what);
            CHECK(what.find(s) == std::string::npos);
        }
        return e;
    }
    FAIL("fetch() did not throw");
    throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("sso provider: a valid cached token buys role credentials", "[sso]") {
    sso_world w;
    w.write_cache(cache_doc(sys_clock::now() + 1h));
    auto s = w.settings();
    s.role_name = "Read Only+x&y";
    sso_provider p(s);
    CHECK(p.name() == "sso dev");
    auto c = test::run([&] { return p.fetch(); });
    CHECK(c.access_key_id == "AKIDSSO");
    CHECK(c.secret_access_key == "sso-secret-key");
    CHECK(c.session_token == "sso-session-token");
    CHECK(c.account_id == "123456789012");
    CHECK(c.source == "sso dev");
    REQUIRE(c.expiration);
    CHECK(epoch_ms(*c.expiration) == epoch_ms(w.role_expiry));
    CHECK(w.oidc.requests() == 0);
    REQUIRE(w.portal.requests() == 1);
    CHECK(w.portal_token(0) == "cached-access-token");
    // The query is URL-encoded: the portal decodes exactly the role and account.
    CHECK(w.portal_seen[0].target() ==
          "/federation/credentials?role_name=Read%20Only%2Bx%26y&account_id=123456789012");
    auto target = boost::urls::parse_origin_form(w.portal_seen[0].target()).value();
    CHECK(target.path() == "/federation/credentials");
    auto params = target.params();
    REQUIRE(params.find("role_name") != params.end());
    CHECK((*params.find("role_name")).value == "Read Only+x&y");
    CHECK((*params.find("account_id")).value == "123456789012");
    CHECK(w.portal_seen[0].method() == boost::beast::http::verb::get);
}

TEST_CASE("sso provider: an expired token is refreshed through OIDC CreateToken", "[sso]") {
    sso_world w;
    w.write_cache(cache_doc(sys_clock::now() - 1h));
    sso_provider p(w.settings());
    auto before = sys_clock::now();
    auto c = test::run([&] { return p.fetch(); });
    CHECK(c.access_key_id == "AKIDSSO");

    REQUIRE(w.oidc.requests() == 1);
    const auto& req = w.oidc_seen[0];
    CHECK(req.method() == boost::beast::http::verb::post);
    CHECK(req.target() == "/token");
    CHECK(req[boost::beast::http::field::content_type] == "application/json");
    auto body = json::parse(req.body()).as_object();
    CHECK(body.size() == 4);
    CHECK(body.at("clientId") == "client-id-x");
    CHECK(body.at("clientSecret") == "client-secret-x");
    CHECK(body.at("grantType") == "refresh_token");
    CHECK(body.at("refreshToken") == "refresh-1");

    // The cache is rewritten: the new token and refresh token, every other field kept.
    auto doc = w.read_cache();
    CHECK(doc.at("accessToken") == "new-access-token");
    CHECK(doc.at("refreshToken") == "refresh-2");
    CHECK(doc.at("clientId") == "client-id-x");
    CHECK(doc.at("clientSecret") == "client-secret-x");
    CHECK(doc.at("startUrl") == start_url);
    CHECK(doc.at("region") == "us-east-1");
    CHECK(doc.at("somethingNew") == "kept as it is");
    CHECK(doc.contains("registrationExpiresAt"));
    auto expires = std::string(doc.at("expiresAt").as_string());
    CHECK(expires > iso(before + 59min));
    CHECK(expires < iso(before + 61min));
    struct stat st {};
    REQUIRE(::stat((w.cache.path() / session_cache).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(std::distance(std::filesystem::directory_iterator(w.cache.path()),
                        std::filesystem::directory_iterator()) == 1); // no temporary left

    // Then the portal is asked with the new token; the next fetch uses the cache.
    REQUIRE(w.portal.requests() == 1);
    CHECK(w.portal_token(0) == "new-access-token");
    test::run([&] { return p.fetch(); });
    CHECK(w.oidc.requests() == 1);
    CHECK(w.portal_token(1) == "new-access-token");
}

TEST_CASE("sso provider: a token about to expire is refreshed, kept if refresh fails", "[sso]") {
    sso_world w;
    w.write_cache(cache_doc(sys_clock::now() + 2min)); // inside the 5-minute window
    auto s = w.settings();
    s.attempts = 2;
    sso_provider p(s);
    w.oidc_script = {test::make_response(500, "{}"), test::make_response(503, "{}")};
    auto c = test::run([&] { return p.fetch(); });
    CHECK(c.access_key_id == "AKIDSSO");
    CHECK(w.oidc.requests() == 2); // both attempts, then the still-valid token
    CHECK(w.portal_token(0) == "cached-access-token");
    CHECK(w.read_cache().at("accessToken") == "cached-access-token");

    // A token outside the window is used as it is.
    w.write_cache(cache_doc(sys_clock::now() + 10min));
    test::run([&] { return p.fetch(); });
    CHECK(w.oidc.requests() == 2);
}

TEST_CASE("sso provider: an expired session that cannot be refreshed needs a login", "[sso]") {
    sso_world w;
    auto expect_login = [&](const sso_settings& s) {
        sso_provider p(s);
        auto e = fetch_error(p);
        CHECK(e.code() == credentials_errc::login_required);
        CHECK(std::string(e.what()).find("aws sso login --profile dev") != std::string::npos);
    };
    SECTION("no refresh token") {
        w.write_cache(cache_doc(sys_clock::now() - 1min, false));
        expect_login(w.settings());
    }
    SECTION("registration expired") {
        auto doc = cache_doc(sys_clock::now() - 1min);
        doc["registrationExpiresAt"] = iso(sys_clock::now() - 1h);
        w.write_cache(doc);
        expect_login(w.settings());
    }
    SECTION("legacy profile (no sso_session): never refreshed") {
        w.write_cache(cache_doc(sys_clock::now() - 1min), legacy_cache);
        expect_login(w.settings(true));
        CHECK(w.oidc.requests() == 0);
    }
    SECTION("OIDC refuses the refresh token") {
        w.write_cache(cache_doc(sys_clock::now() - 1min));
        w.oidc_script = {test::make_response(400, R"({"error":"invalid_grant"})")};
        expect_login(w.settings());
        CHECK(w.oidc.requests() == 1);
    }
    SECTION("no cache file") {
        expect_login(w.settings());
    }
    SECTION("the portal refuses the token") {
        w.write_cache(cache_doc(sys_clock::now() + 1h));
        w.portal_script = {error_answer(401, "UnauthorizedException")};
        expect_login(w.settings());
    }
    CHECK(w.portal.requests() <= 1);
}

TEST_CASE("sso provider: a legacy profile reads the cache named after its start URL", "[sso]") {
    sso_world w;
    w.write_cache(cache_doc(sys_clock::now() + 1h), legacy_cache);
    sso_provider p(w.settings(true));
    CHECK(test::run([&] { return p.fetch(); }).access_key_id == "AKIDSSO");
}

TEST_CASE("sso provider: the cache is under $HOME/.aws/sso/cache by default", "[sso]") {
    sso_world w;
    test::temp_dir home;
    std::filesystem::create_directories(home.path() / ".aws" / "sso" / "cache");
    home.write(std::string(".aws/sso/cache/") + session_cache,
               json::serialize(cache_doc(sys_clock::now() + 1h)));
    test::env_guard env;
    env.set("HOME", home.path().string());
    auto s = w.settings();
    s.cache_dir.clear();
    sso_provider p(s);
    CHECK(test::run([&] { return p.fetch(); }).access_key_id == "AKIDSSO");
    s.cache_dir = "~/.aws/sso/cache"; // "~" is $HOME too
    sso_provider tilde(s);
    CHECK(test::run([&] { return tilde.fetch(); }).access_key_id == "AKIDSSO");
}

TEST_CASE("sso provider: the portal's refusals and failures are typed", "[sso]") {
    sso_world w;
    w.write_cache(cache_doc(sys_clock::now() + 1h));
    auto s = w.settings();
    s.attempts = 2;
    sso_provider p(s);

    w.portal_script = {error_answer(403, "ForbiddenException")};
    auto denied = fetch_error(p);
    CHECK(denied.code() == credentials_errc::access_denied);
    CHECK(std::string(denied.what()).find("ReadOnly") != std::string::npos);
    CHECK(std::string(denied.what()).find("ForbiddenException") != std::string::npos);

    // 500 then 200: retried.
    w.portal_script = {test::make_response(500, "{}")};
    auto before = w.portal.requests();
    CHECK(test::run([&] { return p.fetch(); }).access_key_id == "AKIDSSO");
    CHECK(w.portal.requests() == before + 2);

    // Throttled on every attempt: provider_failed.
    w.portal_script = {error_answer(429, "TooManyRequestsException"),
                       error_answer(429, "TooManyRequestsException")};
    auto throttled = fetch_error(p);
    CHECK(throttled.code() == credentials_errc::provider_failed);
    CHECK(std::string(throttled.what()).find("TooManyRequestsException") != std::string::npos);

    // An answer without credentials is malformed.
    w.portal_script = {test::make_response(200, R"({"roleCredentials":{"accessKeyId":"A"}})")};
    CHECK(fetch_error(p).code() == credentials_errc::malformed);

    // Nothing listening: provider_failed.
    s.portal_endpoint = parse_endpoint("http://127.0.0.1:1");
    sso_provider unreachable(s);
    CHECK(fetch_error(unreachable).code() == credentials_errc::provider_failed);
}

TEST_CASE("sso provider: a malformed cache file is malformed", "[sso]") {
    sso_world w;
    sso_provider p(w.settings());
    SECTION("not JSON") {
        w.cache.write(session_cache, "accessToken=cached-access-token");
    }
    SECTION("no accessToken") {
        auto doc = cache_doc(sys_clock::now() + 1h);
        doc.erase("accessToken");
        w.write_cache(doc);
    }
    SECTION("expiresAt not a time") {
        auto doc = cache_doc(sys_clock::now() + 1h);
        doc["expiresAt"] = "tomorrow";
        w.write_cache(doc);
    }
    auto e = fetch_error(p);
    CHECK(e.code() == credentials_errc::malformed);
    CHECK(std::string(e.what()).find(session_cache) != std::string::npos);
    CHECK(w.portal.requests() == 0);
}

TEST_CASE("sso provider: settings are checked when it is built", "[sso]") {
    sso_world w;
    auto refused = [](sso_settings s) {
        try {
            sso_provider p(std::move(s));
        } catch (const config_error& e) {
            return e.code() == config_errc::invalid_setting;
        }
        return false;
    };
    auto s = w.settings();
    CHECK_NOTHROW(sso_provider(s));
    auto t = s;
    t.role_name.clear();
    CHECK(refused(t));
    t = s;
    t.account_id.clear();
    CHECK(refused(t));
    t = s;
    t.start_url.clear();
    CHECK(refused(t));
    t = s;
    t.sso_region = "us-east-1.evil.example/";
    CHECK(refused(t));
    t = s;
    t.timeout = 0ms;
    CHECK(refused(t));
    t = s;
    t.attempts = 0;
    CHECK(refused(t));
}
