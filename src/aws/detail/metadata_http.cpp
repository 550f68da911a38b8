#include "metadata_http.hpp"

#include <ddb/core/saturating_time.hpp>
#include <ddb/credentials/error.hpp>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cctype>

namespace ddb::detail {

namespace json = boost::json;

namespace {
http::pool_options metadata_pool(std::chrono::milliseconds timeout, http::tls_options tls) {
    http::pool_options opts;
    opts.max_connections_per_host = 2;
    opts.connect_timeout = timeout;
    opts.idle_timeout = std::chrono::milliseconds(1000);
    opts.max_response_bytes = 64 * 1024;
    opts.tls = std::move(tls);
    return opts;
}
} // namespace

metadata_client::metadata_client(boost::asio::any_io_executor ex, std::chrono::milliseconds timeout)
    : metadata_client(std::move(ex), timeout, http::tls_options{}) {}

metadata_client::metadata_client(boost::asio::any_io_executor ex, std::chrono::milliseconds timeout,
                                 http::tls_options tls)
    : timeout_(timeout)
    , transport_(std::move(ex), metadata_pool(timeout, std::move(tls))) {}

boost::asio::awaitable<http::response>
metadata_client::request(const ddb::endpoint& ep, boost::beast::http::verb method,
                         std::string_view target,
                         const std::vector<std::pair<std::string, std::string>>& headers) {
    return request(ep, method, target, headers, std::string(), {});
}

boost::asio::awaitable<http::response>
metadata_client::request(const ddb::endpoint& ep, boost::beast::http::verb method,
                         std::string_view target,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         std::string body, std::string_view content_type) {
    http::request req{method, std::string(target), 11};
    if (!content_type.empty())
        req.set(boost::beast::http::field::content_type, content_type);
    req.body() = std::move(body);
    req.set(boost::beast::http::field::host, ep.host_header());
    req.set(boost::beast::http::field::user_agent, "ddb/0.1.0");
    for (auto& [name, value] : headers)
        req.set(name, value);
    req.prepare_payload();
    http::origin to{ep.tls(), ep.host, ep.port};
    auto deadline = saturating_add(std::chrono::steady_clock::now(), timeout_);
    co_return co_await transport_.send(to, req, deadline);
}

boost::asio::awaitable<http::response> metadata_client::request(
    const ddb::endpoint& ep, boost::beast::http::verb method, std::string_view target,
    const std::vector<std::pair<std::string, std::string>>& headers, std::string body) {
    return request(ep, method, target, headers, std::move(body), {});
}

boost::asio::awaitable<void> pause_before_attempt(int attempt, std::chrono::milliseconds first,
                                                  int max_doublings) {
    boost::asio::steady_timer t(co_await boost::asio::this_coro::executor,
                                first * (1 << std::clamp(attempt - 2, 0, max_doublings)));
    co_await t.async_wait(boost::asio::use_awaitable);
}

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s) {
    // yyyy-mm-ddThh:mm:ss[.fff](Z|+00:00)
    auto num = [&](std::size_t at, std::size_t n) -> int {
        if (at + n > s.size())
            return -1;
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            if (!std::isdigit(static_cast<unsigned char>(s[i])))
                return -1;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':' || s[16] != ':')
        return std::nullopt;
    int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
        se = num(17, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        se < 0 || se > 60)
        return std::nullopt;
    std::size_t i = 19;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
            ++i;
    }
    std::string_view zone = s.substr(i);
    if (zone != "Z" && zone != "z" && zone != "+00:00")
        return std::nullopt;
    using namespace std::chrono;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok())
        return std::nullopt;
    return sys_days{ymd} + hours{h} + minutes{mi} + seconds{se};
}

credentials parse_credentials_json(std::string_view body, std::string source) {
    json::error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object())
        throw credentials_error(credentials_errc::malformed,
                                source + ": response is not a JSON object");
    const auto& o = v.as_object();
    auto get = [&](std::string_view key) -> std::string {
        if (auto* f = o.if_contains(key); f && f->is_string())
            return std::string(f->as_string());
        return {};
    };
    credentials c;
    c.access_key_id = get("AccessKeyId");
    c.secret_access_key = get("SecretAccessKey");
    c.session_token = get("Token");
    c.account_id = get("AccountId");
    c.source = std::move(source);
    if (c.access_key_id.empty() || c.secret_access_key.empty())
        throw credentials_error(credentials_errc::malformed,
                                c.source + ": response lacks AccessKeyId or SecretAccessKey");
    if (auto exp = get("Expiration"); !exp.empty()) {
        c.expiration = parse_iso8601(exp);
        if (!c.expiration)
            throw credentials_error(credentials_errc::malformed,
                                    c.source + ": Expiration is not an ISO 8601 time");
    }
    return c;
}

} // namespace ddb::detail
