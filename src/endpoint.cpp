#include <ddb/core/redacted.hpp>
#include <ddb/endpoint.hpp>
#include <ddb/region.hpp>

#include "credentials/env.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <cctype>

namespace ddb {
namespace {

// The URL as an error may show it: user info (it may hold a password) is
// replaced, even where the URL does not parse. Everything from after "://"
// to the last '@' before any '?' or '#' counts as user info.
std::string printable(std::string_view url) {
    auto scheme_end = url.find("://");
    std::size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    auto at = url.substr(0, url.find_first_of("?#", start)).rfind('@');
    if (at == std::string_view::npos || at < start)
        return std::string(url);
    std::string s(url.substr(0, start));
    s.append(redacted_text).append(url.substr(at));
    return s;
}

[[noreturn]] void invalid(std::string_view url, std::string_view why) {
    throw config_error(config_errc::invalid_endpoint,
                       "invalid endpoint URL '" + printable(url) + "': " + std::string(why));
}

bool is_true(std::string_view v) {
    if (v.size() != 4)
        return false;
    for (std::size_t i = 0; i < 4; ++i)
        if (std::tolower(static_cast<unsigned char>(v[i])) != "true"[i])
            return false;
    return true;
}

} // namespace

std::string endpoint::host_header() const {
    // (append, not operator+: GCC 12 -O3 warns falsely on the latter.)
    std::string h;
    bool v6 = host.find(':') != std::string::npos;
    if (v6)
        h.append("[");
    h.append(host);
    if (v6)
        h.append("]");
    if (port != (tls() ? 443 : 80))
        h.append(":").append(std::to_string(port));
    return h;
}

endpoint parse_endpoint(std::string_view url) {
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed)
        invalid(url, parsed.error().message());
    const boost::urls::url_view& u = *parsed;
    endpoint ep;
    ep.scheme = u.scheme();
    for (auto& c : ep.scheme)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ep.scheme != "http" && ep.scheme != "https")
        invalid(url, "scheme must be http or https");
    if (u.has_userinfo())
        invalid(url, "user info is not allowed");
    if (u.has_query())
        invalid(url, "a query is not allowed");
    if (u.has_fragment())
        invalid(url, "a fragment is not allowed");
    switch (u.host_type()) {
    case boost::urls::host_type::ipv6:
        ep.host = u.host_ipv6_address().to_string();
        break;
    case boost::urls::host_type::ipvfuture:
        invalid(url, "IPvFuture hosts are not supported");
    default:
        ep.host = u.host_address();
        break;
    }
    if (ep.host.empty())
        invalid(url, "no host");
    if (u.has_port()) {
        auto digits = u.port();
        unsigned long n = 0;
        for (char c : digits)
            n = n * 10 + static_cast<unsigned long>(c - '0'), n = n > 65536 ? 65536 : n;
        if (digits.empty() || n == 0 || n > 65535)
            invalid(url, "port must be 1-65535");
        ep.port = static_cast<std::uint16_t>(n);
    } else {
        ep.port = ep.tls() ? 443 : 80;
    }
    ep.path = u.path().empty() ? "/" : std::string(u.encoded_path());
    ep.url.append(ep.scheme).append("://").append(ep.host_header()).append(ep.path);
    return ep;
}

endpoint resolve_endpoint(std::optional<std::string_view> explicit_url, std::string_view region) {
    if (explicit_url && !explicit_url->empty())
        return parse_endpoint(*explicit_url);
    bool ignore = is_true(detail::getenv_opt("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").value_or(""));
    if (!ignore) {
        if (auto u = detail::getenv_nonempty("AWS_ENDPOINT_URL_DYNAMODB"))
            return parse_endpoint(*u);
        if (auto u = detail::getenv_nonempty("AWS_ENDPOINT_URL"))
            return parse_endpoint(*u);
    }
    validate_region(region);
    std::string url = "https://dynamodb.";
    url.append(region).append(region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com");
    return parse_endpoint(url);
}

} // namespace ddb
