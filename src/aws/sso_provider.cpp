#include <ddb/aws/sso_provider.hpp>

#include <ddb/core/config_error.hpp>
#include <ddb/credentials/error.hpp>

#include "../core/env.hpp"
#include "detail/metadata_http.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace ddb {

namespace {

namespace json = boost::json;
namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;
using sys_clock = std::chrono::system_clock;
using header_list = std::vector<std::pair<std::string, std::string>>;

/// An access token expiring sooner than this is refreshed when it can be.
constexpr auto refresh_window = std::chrono::minutes(5);

std::string login_hint(const sso_settings& s) {
    return s.profile_name.empty() ? "run aws sso login"
                                  : "run aws sso login --profile " + s.profile_name;
}

std::string who(const sso_settings& s) {
    return s.profile_name.empty() ? std::string("SSO") : "SSO profile '" + s.profile_name + "'";
}

std::string sha1_hex(std::string_view text) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(text.data(), text.size(), md, &n, EVP_sha1(), nullptr) != 1)
        throw credentials_error(credentials_errc::provider_failed,
                                "SHA-1 (for the SSO token cache name) is unavailable in OpenSSL");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

std::string iso8601(sys_clock::time_point t) {
    auto s = std::chrono::floor<std::chrono::seconds>(t);
    auto day = std::chrono::floor<std::chrono::days>(s);
    std::chrono::year_month_day ymd{day};
    std::chrono::hh_mm_ss hms{s - day};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

/// ISO 8601 as the AWS CLI writes it; older CLIs wrote "...UTC" for "Z".
std::optional<sys_clock::time_point> parse_time(std::string text) {
    if (text.ends_with("UTC"))
        text.replace(text.size() - 3, 3, "Z");
    return detail::parse_iso8601(text);
}

fs::path cache_file(const sso_settings& s) {
    fs::path dir;
    if (!s.cache_dir.empty()) {
        dir = detail::expand_home(s.cache_dir);
    } else {
        auto home = detail::getenv_nonempty("HOME");
        if (!home)
            throw credentials_error(credentials_errc::login_required,
                                    who(s) + ": HOME is not set, so the SSO token cache "
                                             "(~/.aws/sso/cache) cannot be found");
        dir = fs::path(*home) / ".aws" / "sso" / "cache";
    }
    return dir / (sha1_hex(s.session_name.empty() ? s.start_url : s.session_name) + ".json");
}

/// The token cache file `aws sso login` writes; `doc` keeps every field so
/// that a rewrite loses none.
struct token_cache {
    json::object doc;
    std::string access_token;
    sys_clock::time_point expires_at;
    std::string refresh_token, client_id, client_secret;
    std::optional<sys_clock::time_point> registration_expires_at;

    std::string text(std::string_view key) const {
        auto* v = doc.if_contains(key);
        return v && v->is_string() ? std::string(v->as_string()) : std::string();
    }
};

token_cache read_cache(const fs::path& path, const sso_settings& s) {
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw credentials_error(credentials_errc::login_required,
                                who(s) + ": no SSO token cached (" + path.string() +
                                    " does not exist): " + login_hint(s));
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    auto bad = [&](const std::string& why) {
        return credentials_error(credentials_errc::malformed,
                                 who(s) + ": SSO token cache " + path.string() + " " + why);
    };
    if (!in)
        throw bad("cannot be read");
    json::error_code jec;
    json::value v = json::parse(text.str(), jec);
    if (jec || !v.is_object())
        throw bad("is not a JSON object");
    token_cache c;
    c.doc = std::move(v.as_object());
    c.access_token = c.text("accessToken");
    if (c.access_token.empty())
        throw bad("lacks accessToken");
    auto expires = parse_time(c.text("expiresAt"));
    if (!expires)
        throw bad("lacks expiresAt as an ISO 8601 time");
    c.expires_at = *expires;
    c.refresh_token = c.text("refreshToken");
    c.client_id = c.text("clientId");
    c.client_secret = c.text("clientSecret");
    c.registration_expires_at = parse_time(c.text("registrationExpiresAt"));
    return c;
}

bool refreshable(const token_cache& c, const sso_settings& s, sys_clock::time_point now) {
    return !s.session_name.empty() && !c.refresh_token.empty() && !c.client_id.empty() &&
           !c.client_secret.empty() && c.registration_expires_at &&
           *c.registration_expires_at > now;
}

/// Writes the cache through a temporary file (mode 0600) renamed over it, so
/// a reader (another process, `aws`) never sees half a file. False when it
/// cannot: the refreshed token is still used for this fetch.
bool write_cache(const fs::path& path, const json::object& doc) {
    std::random_device rd;
    auto tmp = path;
    tmp += ".tmp-" + std::to_string(rd()) + "-" + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    std::string text = json::serialize(doc);
    std::size_t done = 0;
    while (done < text.size()) {
        auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += static_cast<std::size_t>(n);
    }
    bool ok = done == text.size() && ::fsync(fd) == 0;
    ok = ::close(fd) == 0 && ok;
    if (ok && ::rename(tmp.c_str(), path.c_str()) == 0)
        return true;
    ::unlink(tmp.c_str());
    return false;
}

std::string dns_suffix(const std::string& region) {
    return region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

ddb::endpoint oidc_endpoint(const sso_settings& s) {
    if (s.oidc_endpoint)
        return *s.oidc_endpoint;
    return parse_endpoint("https://oidc." + s.sso_region + "." + dns_suffix(s.sso_region));
}

ddb::endpoint portal_endpoint(const sso_settings& s) {
    if (s.portal_endpoint)
        return *s.portal_endpoint;
    return parse_endpoint("https://portal.sso." + s.sso_region + "." + dns_suffix(s.sso_region));
}

/// `suffix` under the endpoint's base path.
std::string under(const ddb::endpoint& ep, std::string_view suffix) {
    std::string base = ep.path;
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    return base + std::string(suffix);
}

/// The service's error type ("UnauthorizedException", "invalid_grant"),
/// from the x-amzn-ErrorType header or the JSON body; letters, digits and
/// '_' only, so a message can quote it safely.
std::string error_type(const http::response& res) {
    std::string type(res["x-amzn-ErrorType"]);
    if (type.empty()) {
        json::error_code ec;
        auto v = json::parse(res.body(), ec);
        if (!ec && v.is_object()) {
            for (const char* key : {"__type", "code", "error"})
                if (auto* f = v.as_object().if_contains(key); f && f->is_string()) {
                    type = std::string(f->as_string());
                    break;
                }
        }
    }
    if (auto colon = type.find(':'); colon != std::string::npos)
        type.resize(colon);
    if (auto hash = type.rfind('#'); hash != std::string::npos)
        type.erase(0, hash + 1);
    std::erase_if(type,
                  [](char c) { return !std::isalnum(static_cast<unsigned char>(c)) && c != '_'; });
    type.resize(std::min<std::size_t>(type.size(), 64));
    return type;
}

std::string status_text(const http::response& res) {
    auto type = error_type(res);
    return "HTTP " + std::to_string(res.result_int()) + (type.empty() ? "" : " " + type);
}

/// One request, tried again (up to `attempts`) while the answer may change:
/// 5xx, 429 or no answer. Returns the first other answer; throws
/// `provider_failed` naming `what` when every attempt failed.
boost::asio::awaitable<http::response> exchange(detail::metadata_client& client,
                                                const sso_settings& s, const ddb::endpoint& ep,
                                                bhttp::verb method, std::string target,
                                                header_list headers, std::string body,
                                                std::string what) {
    std::string last_problem;
    std::string_view content_type = body.empty() ? std::string_view() : "application/json";
    for (int attempt = 1; attempt <= s.attempts; ++attempt) {
        if (attempt > 1)
            co_await detail::pause_before_attempt(attempt, std::chrono::milliseconds(50), 10);
        std::optional<http::response> res;
        try {
            res = co_await client.request(ep, method, target, headers, body, content_type);
        } catch (const http::transport_error& e) {
            last_problem = e.what();
            continue;
        }
        auto status = res->result_int();
        if (status >= 500 || status == 429) {
            last_problem = status_text(*res);
            continue;
        }
        co_return std::move(*res);
    }
    throw credentials_error(credentials_errc::provider_failed,
                            what + ": no answer after " + std::to_string(s.attempts) +
                                " attempts (" + last_problem + ")");
}

/// SSO OIDC CreateToken with the cached refresh token; on success `c` holds
/// the new token and the cache file is rewritten.
boost::asio::awaitable<void> refresh(detail::metadata_client& client, const sso_settings& s,
                                     token_cache& c, const fs::path& path) {
    json::object req;
    req["clientId"] = c.client_id;
    req["clientSecret"] = c.client_secret;
    req["grantType"] = "refresh_token";
    req["refreshToken"] = c.refresh_token;
    std::string body = json::serialize(req);
    auto ep = oidc_endpoint(s);
    std::string what = who(s) + ": SSO OIDC CreateToken at " + ep.url;
    std::string target = under(ep, "/token");
    header_list headers;
    auto res = co_await exchange(client, s, ep, bhttp::verb::post, std::move(target),
                                 std::move(headers), std::move(body), what);
    if (res.result_int() != 200)
        throw credentials_error(credentials_errc::login_required,
                                what + " refused to refresh the SSO token (" + status_text(res) +
                                    "): " + login_hint(s));
    json::error_code ec;
    auto v = json::parse(res.body(), ec);
    const json::object* o = !ec && v.is_object() ? &v.as_object() : nullptr;
    auto* token = o ? o->if_contains("accessToken") : nullptr;
    auto* expires_in = o ? o->if_contains("expiresIn") : nullptr;
    auto* rotated = o ? o->if_contains("refreshToken") : nullptr;
    if (!token || !token->is_string() || token->as_string().empty() || !expires_in ||
        !expires_in->is_int64() || expires_in->as_int64() <= 0)
        throw credentials_error(credentials_errc::malformed,
                                what + ": the answer lacks accessToken or expiresIn");
    auto now = sys_clock::now();
    c.access_token = std::string(token->as_string());
    c.expires_at = now + std::chrono::seconds(expires_in->as_int64());
    c.doc["accessToken"] = c.access_token;
    c.doc["expiresAt"] = iso8601(c.expires_at);
    if (rotated && rotated->is_string() && !rotated->as_string().empty()) {
        c.refresh_token = std::string(rotated->as_string());
        c.doc["refreshToken"] = c.refresh_token;
    }
    write_cache(path, c.doc); // best effort: this fetch has its token either way
}

/// Makes `c.access_token` usable: refreshed when it expires within the
/// window and can be, kept while valid when the refresh fails.
boost::asio::awaitable<void> ensure_token(detail::metadata_client& client, const sso_settings& s,
                                          token_cache& c, const fs::path& path) {
    auto now = sys_clock::now();
    if (c.expires_at - now > refresh_window)
        co_return;
    if (refreshable(c, s, now)) {
        std::exception_ptr failure;
        try {
            co_await refresh(client, s, c, path);
        } catch (const credentials_error&) {
            failure = std::current_exception();
        }
        if (failure && c.expires_at <= sys_clock::now())
            std::rethrow_exception(failure);
        co_return; // refreshed, or still valid for a while
    }
    if (c.expires_at > now)
        co_return;
    std::string why = s.session_name.empty()
                          ? " (a legacy profile, without sso_session, cannot be refreshed)"
                          : " and cannot be refreshed";
    throw credentials_error(credentials_errc::login_required,
                            who(s) + ": the SSO token has expired" + why + ": " + login_hint(s));
}

credentials parse_role_credentials(std::string_view body, const sso_settings& s,
                                   const std::string& what) {
    json::error_code ec;
    auto v = json::parse(body, ec);
    const json::object* rc = nullptr;
    if (!ec && v.is_object())
        if (auto* f = v.as_object().if_contains("roleCredentials"); f && f->is_object())
            rc = &f->as_object();
    auto bad = [&](const std::string& why) {
        return credentials_error(credentials_errc::malformed, what + ": the answer " + why);
    };
    if (!rc)
        throw bad("lacks roleCredentials");
    auto text = [&](std::string_view key) {
        auto* f = rc->if_contains(key);
        return f && f->is_string() ? std::string(f->as_string()) : std::string();
    };
    credentials c;
    c.access_key_id = text("accessKeyId");
    c.secret_access_key = text("secretAccessKey");
    c.session_token = text("sessionToken");
    if (c.access_key_id.empty() || c.secret_access_key.empty())
        throw bad("lacks accessKeyId or secretAccessKey");
    auto* exp = rc->if_contains("expiration");
    if (!exp || !exp->is_number())
        throw bad("lacks expiration (milliseconds since the epoch)");
    json::error_code nec;
    auto ms = exp->to_number<std::int64_t>(nec);
    if (nec)
        throw bad("has an expiration that is not a whole number of milliseconds");
    c.expiration = sys_clock::time_point(std::chrono::milliseconds(ms));
    c.account_id = s.account_id;
    c.source = "sso " + s.profile_name;
    return c;
}

/// GetRoleCredentials at the SSO portal.
boost::asio::awaitable<credentials>
role_credentials(detail::metadata_client& client, const sso_settings& s, const std::string& token) {
    auto ep = portal_endpoint(s);
    // Every byte but the unreserved ones percent-encoded ('+' as %2B: role
    // names may hold "+=,.@"), as the SDKs encode query strings.
    auto encode = [](const std::string& v) {
        return boost::urls::encode(v, boost::urls::unreserved_chars);
    };
    boost::urls::url target;
    target.set_path(under(ep, "/federation/credentials"));
    target.set_encoded_query("role_name=" + encode(s.role_name) +
                             "&account_id=" + encode(s.account_id));
    header_list headers;
    headers.emplace_back("x-amz-sso_bearer_token", token);
    std::string what = who(s) + ": SSO portal GetRoleCredentials at " + ep.url + " for role " +
                       s.role_name + " in account " + s.account_id;
    std::string encoded(target.encoded_target());
    std::string no_body;
    auto res = co_await exchange(client, s, ep, bhttp::verb::get, std::move(encoded),
                                 std::move(headers), std::move(no_body), what);
    auto status = res.result_int();
    if (status == 200)
        co_return parse_role_credentials(res.body(), s, what);
    auto type = error_type(res);
    if (status == 401 || type == "UnauthorizedException")
        throw credentials_error(credentials_errc::login_required,
                                what + ": the SSO token was refused (" + status_text(res) +
                                    "): " + login_hint(s));
    if (status == 403 || status == 404)
        throw credentials_error(credentials_errc::access_denied,
                                what + ": refused (" + status_text(res) + ")");
    throw credentials_error(credentials_errc::provider_failed,
                            what + ": unexpected answer " + status_text(res));
}

/// The whole fetch, on copies (the provider may go away meanwhile).
boost::asio::awaitable<credentials> fetch_sso(sso_settings s) {
    auto path = cache_file(s);
    auto cache = read_cache(path, s);
    detail::metadata_client client(co_await boost::asio::this_coro::executor, s.timeout, s.tls);
    co_await ensure_token(client, s, cache, path);
    co_return co_await role_credentials(client, s, cache.access_token);
}

void require(const std::string& value, const char* setting, const sso_settings& s) {
    if (value.empty())
        throw config_error(config_errc::invalid_setting,
                           who(s) + ": " + setting + " is not set (sso_settings)");
}

} // namespace

sso_provider::sso_provider(sso_settings settings)
    : settings_(std::move(settings)) {
    const auto& s = settings_;
    require(s.start_url, "sso_start_url", s);
    require(s.sso_region, "sso_region", s);
    require(s.account_id, "sso_account_id", s);
    require(s.role_name, "sso_role_name", s);
    bool region_ok = std::all_of(s.sso_region.begin(), s.sso_region.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!region_ok)
        throw config_error(config_errc::invalid_setting,
                           who(s) + ": sso_region '" + s.sso_region +
                               "' is not a region name (lower-case letters, digits, '-')");
    if (s.timeout <= std::chrono::milliseconds::zero())
        throw config_error(config_errc::invalid_setting, "sso_settings::timeout must be > 0, got " +
                                                             std::to_string(s.timeout.count()) +
                                                             " ms");
    if (s.attempts < 1)
        throw config_error(config_errc::invalid_setting,
                           "sso_settings::attempts must be >= 1, got " +
                               std::to_string(s.attempts));
}

boost::asio::awaitable<credentials> sso_provider::fetch() {
    return fetch_sso(settings_);
}

std::string sso_provider::name() const {
    return "sso " + settings_.profile_name;
}

} // namespace ddb
