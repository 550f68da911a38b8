#include <boost/algorithm/string/predicate.hpp>
#include <ddb/aws/endpoint.hpp>
#include <ddb/core/redacted.hpp>

#include "../core/env.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <cctype>
#include <utility>

namespace ddb {
namespace {

// Where the user info of `url` is, [first, second), even where the URL does
// not parse: everything from after "://" to the last '@' before any '?' or
// '#'. Empty when there is none.
std::pair<std::size_t, std::size_t> user_info(std::string_view url) {
    auto scheme_end = url.find("://");
    std::size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
    auto at = url.substr(0, url.find_first_of("?#", start)).rfind('@');
    if (at == std::string_view::npos || at < start)
        return {0, 0};
    return {start, at};
}

// The URL as an error may show it: user info (it may hold a password) is replaced.
std::string printable(std::string_view url) {
    auto [start, at] = user_info(url);
    if (start == at)
        return std::string(url);
    std::string s(url.substr(0, start));
    s.append(redacted_text).append(url.substr(at));
    return s;
}

[[noreturn]] void invalid(std::string_view url, std::string_view source, std::string_view why) {
    std::string msg = "endpoint URL '" + printable(url) + "'";
    if (!source.empty())
        msg.append(" from ").append(source);
    msg.append(": ").append(why);
    throw config_error(config_errc::invalid_endpoint, msg);
}

// Characters a URL may hold as they are (RFC 3986: unreserved, reserved, '%').
bool url_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::string_view("-._~:/?#[]@!$&'()*+,;=%").find(c) != std::string_view::npos;
}

// Why Boost.URL refused `url`, in plain words (its own are "mismatch",
// "need more" and the like). Names a bad character, never the text around it.
std::string why_not_a_url(std::string_view url) {
    const auto [secret_from, secret_to] = user_info(url);
    for (std::size_t i = 0; i < url.size(); ++i) {
        const char c = url[i];
        if (url_char(c))
            continue;
        std::string shown;
        if (i >= secret_from && i < secret_to)
            shown = "a character in its user info"; // (part of a password: not shown)
        else if (c == ' ')
            shown = "a space";
        else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
            static const char hex[] = "0123456789abcdef";
            shown = "the byte 0x";
            shown += hex[(static_cast<unsigned char>(c) >> 4) & 0xf];
            shown += hex[static_cast<unsigned char>(c) & 0xf];
        } else
            shown = std::string("'") + c + "'";
        return "is not a URL: it contains " + shown +
               ", which a URL cannot hold (percent-encode it or remove it)";
    }
    if (url.find("://") == std::string_view::npos)
        return "is not a URL: expected http://host[:port] or https://host[:port]";
    return "is not a URL: expected http(s)://host[:port][/path] (check the brackets of an IPv6 "
           "address and the port)";
}

// "localhost:8000" or "localhost:8000/": a host and port without a scheme
// (Boost.URL reads "localhost" as the scheme).
bool looks_like_host_and_port(std::string_view url) {
    auto colon = url.find(':');
    if (colon == std::string_view::npos || url.find("://") != std::string_view::npos)
        return false;
    std::size_t i = colon + 1, digits = 0;
    while (i < url.size() && url[i] >= '0' && url[i] <= '9')
        ++i, ++digits;
    return digits > 0 && (i == url.size() || url[i] == '/');
}

bool is_true(std::string_view v) {
    return boost::algorithm::iequals(v, "true");
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

endpoint parse_endpoint(std::string_view url, std::string_view source) {
    if (url.empty())
        invalid(url, source, "is empty");
    auto parsed = boost::urls::parse_absolute_uri(url);
    if (!parsed)
        invalid(url, source, why_not_a_url(url));
    const boost::urls::url_view& u = *parsed;
    endpoint ep;
    ep.scheme = u.scheme();
    for (auto& c : ep.scheme)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ep.scheme != "http" && ep.scheme != "https") {
        if (looks_like_host_and_port(url))
            invalid(url, source,
                    "has no scheme: write http://" + printable(url) + " or https://" +
                        printable(url));
        invalid(url, source, "the scheme must be http or https, not '" + ep.scheme + "'");
    }
    if (u.has_userinfo())
        invalid(url, source, "user info (user:password@) is not allowed; use credentials instead");
    if (!u.has_authority())
        invalid(url, source, "has no host (expected " + ep.scheme + "://host[:port])");
    if (u.has_query())
        invalid(url, source, "a query ('?...') is not allowed");
    if (u.has_fragment())
        invalid(url, source, "a fragment ('#...') is not allowed");
    switch (u.host_type()) {
    case boost::urls::host_type::ipv6:
        ep.host = u.host_ipv6_address().to_string();
        break;
    case boost::urls::host_type::ipvfuture:
        invalid(url, source, "IPvFuture hosts are not supported");
    default:
        ep.host = u.host_address();
        break;
    }
    if (ep.host.empty())
        invalid(url, source, "has no host (expected " + ep.scheme + "://host[:port])");
    if (u.has_port()) {
        auto digits = u.port();
        unsigned long n = 0;
        for (char c : digits)
            n = n * 10 + static_cast<unsigned long>(c - '0'), n = n > 65536 ? 65536 : n;
        if (digits.empty())
            invalid(url, source, "has an empty port after ':'");
        if (n == 0 || n > 65535)
            invalid(url, source, "the port must be 1-65535");
        ep.port = static_cast<std::uint16_t>(n);
    } else {
        ep.port = ep.tls() ? 443 : 80;
    }
    ep.path = u.path().empty() ? "/" : std::string(u.encoded_path());
    ep.url.append(ep.scheme).append("://").append(ep.host_header()).append(ep.path);
    ep.source = std::string(source);
    return ep;
}

bool ignoring_configured_urls() {
    return is_true(detail::getenv_opt("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").value_or(""));
}

namespace {

// The profile's endpoint: its services section's `<key>.endpoint_url`, then
// its own `endpoint_url`.
std::optional<endpoint> profile_endpoint(const service_id& service, const profile& p,
                                         const profile_set& files) {
    if (auto s = p.get("services"); s && !s->empty()) {
        const profile* section = files.services(*s);
        if (!section)
            throw config_error(config_errc::invalid_setting,
                               "profile '" + p.name + "' names services section '" +
                                   std::string(*s) + "', which no config file has");
        const std::string key = std::string(service.config_key) + ".endpoint_url";
        if (auto u = section->get(key); u && !u->empty())
            return parse_endpoint(*u, std::string(service.config_key) +
                                          " endpoint_url of services section '" + section->name +
                                          "'");
    }
    if (auto u = p.get("endpoint_url"); u && !u->empty())
        return parse_endpoint(*u, "endpoint_url of profile '" + p.name + "'");
    return std::nullopt;
}

} // namespace

std::optional<endpoint> configured_endpoint(const service_id& service,
                                            std::optional<std::string_view> explicit_url,
                                            lazy_profile_set& files,
                                            std::string_view explicit_source) {
    if (explicit_url && !explicit_url->empty())
        return parse_endpoint(*explicit_url, explicit_source);
    // AWS_IGNORE_CONFIGURED_ENDPOINT_URLS, else the profile's
    // ignore_configured_endpoint_urls; the files are read unless the
    // variable alone decides.
    auto ignore_variable = detail::getenv_nonempty("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if (ignore_variable && is_true(*ignore_variable))
        return std::nullopt;
    const profile* p = files.selected();
    if (!ignore_variable)
        if (auto v = p ? p->get("ignore_configured_endpoint_urls") : std::nullopt; v && is_true(*v))
            return std::nullopt;
    // Set but empty counts as unset, as in botocore and the Go SDK.
    const std::string service_variable = "AWS_ENDPOINT_URL_" + std::string(service.env_suffix);
    for (const char* name : {service_variable.c_str(), "AWS_ENDPOINT_URL"})
        if (auto u = detail::getenv_nonempty(name))
            return parse_endpoint(*u, name);
    if (!p)
        return std::nullopt;
    return profile_endpoint(service, *p, files.profiles());
}

endpoint resolve_endpoint(std::optional<std::string_view> explicit_url, std::string_view region,
                          lazy_profile_set& files) {
    return resolve_dynamodb_endpoint(explicit_url, region,
                                     resolve_endpoint_settings({}, files, "endpoint_options::"),
                                     files)
        .base.endpoint;
}

endpoint resolve_endpoint(std::optional<std::string_view> explicit_url, std::string_view region,
                          const profile_set& files, const profile_selection& selection) {
    lazy_profile_set loaded(files, selection);
    return resolve_endpoint(explicit_url, region, loaded);
}

endpoint resolve_endpoint(std::optional<std::string_view> explicit_url, std::string_view region) {
    lazy_profile_set files;
    return resolve_endpoint(explicit_url, region, files);
}

} // namespace ddb
