#include <ddb/sigv4/canonical_request.hpp>
#include <ddb/sigv4/error.hpp>

#include "../core/sha256.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ddb::sigv4 {
namespace {

constexpr std::array<bool, 256> make_table(std::string_view extra) {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c)
        t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c)
        t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c)
        t[c] = true;
    for (char c : extra)
        t[static_cast<unsigned char>(c)] = true;
    return t;
}
constexpr auto unreserved = make_table("-_.~");
constexpr auto tchar = make_table("!#$%&'*+-.^_`|~");

char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Percent-decodes a query component; a '%' not followed by two hex digits is
// kept literally (it is then encoded as %25).
std::string percent_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%' && i + 2 < in.size()) {
            int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(in[i]);
    }
    return out;
}

// Headers never signed: they are added or changed by proxies and agents.
bool excluded(std::string_view lname) noexcept {
    // The same list as botocore and smithy-rs, plus authorization itself.
    return lname == "authorization" || lname == "user-agent" || lname == "expect" ||
           lname == "x-amzn-trace-id" || lname == "transfer-encoding";
}

struct canon_header {
    std::uint32_t name_off, name_len; // lower-cased name in the names buffer
    std::string_view value;
};

// Appends a header value trimmed of spaces and tabs, inner runs collapsed to
// one space. Most values have no run to collapse: they are copied in one go.
void append_trimmed(std::string& out, std::string_view v) {
    std::size_t b = 0, e = v.size();
    while (b < e && (v[b] == ' ' || v[b] == '\t'))
        ++b;
    while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t'))
        --e;
    v = v.substr(b, e - b);
    bool simple = true;
    for (std::size_t i = 0; i < v.size(); ++i)
        if (v[i] == '\t' || (v[i] == ' ' && i + 1 < v.size() && v[i + 1] == ' ')) {
            simple = false;
            break;
        }
    if (simple) {
        out.append(v);
        return;
    }
    bool in_space = false;
    for (char c : v) {
        if (c == ' ' || c == '\t') {
            if (!in_space)
                out.push_back(' ');
            in_space = true;
        } else {
            out.push_back(c);
            in_space = false;
        }
    }
}

void validate_header(const header& h) {
    if (h.name.empty())
        throw signing_error(errc::invalid_header_name, "empty header name");
    for (char c : h.name)
        if (!tchar[static_cast<unsigned char>(c)])
            throw signing_error(errc::invalid_header_name,
                                "header name is not an HTTP token: " + std::string(h.name));
    bool bad = false;
    for (char c : h.value)
        bad |= (c == '\r') | (c == '\n') | (c == '\0');
    if (bad)
        throw signing_error(errc::invalid_header_value,
                            "value of header '" + std::string(h.name) + "' contains CR, LF or NUL");
}

void append_canonical_query(std::string& out, std::string_view query) {
    std::vector<std::pair<std::string, std::string>> pairs;
    while (!query.empty()) {
        auto amp = query.find('&');
        auto piece = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (piece.empty())
            continue;
        auto eq = piece.find('=');
        std::string k, v;
        uri_encode(k, percent_decode(piece.substr(0, eq)), false);
        if (eq != std::string_view::npos)
            uri_encode(v, percent_decode(piece.substr(eq + 1)), false);
        pairs.emplace_back(std::move(k), std::move(v));
    }
    std::sort(pairs.begin(), pairs.end());
    bool first = true;
    for (auto& [k, v] : pairs) {
        if (!first)
            out.push_back('&');
        first = false;
        out.append(k).push_back('=');
        out.append(v);
    }
}

} // namespace

void uri_encode(std::string& out, std::string_view in, bool keep_slash) {
    static constexpr char digits[] = "0123456789ABCDEF";
    for (char ch : in) {
        auto c = static_cast<unsigned char>(ch);
        if (unreserved[c] || (keep_slash && c == '/')) {
            out.push_back(ch);
        } else {
            char buf[3] = {'%', digits[c >> 4], digits[c & 15]};
            out.append(buf, 3);
        }
    }
}

std::string normalize_path(std::string_view path) {
    std::vector<std::string_view> segments;
    bool trailing = false;
    std::size_t i = 0;
    while (i <= path.size()) {
        auto slash = path.find('/', i);
        if (slash == std::string_view::npos)
            slash = path.size();
        auto seg = path.substr(i, slash - i);
        bool last = slash == path.size();
        if (seg == "..") {
            if (!segments.empty())
                segments.pop_back();
            trailing = last;
        } else if (seg.empty() || seg == ".") {
            trailing = last;
        } else {
            segments.push_back(seg);
            trailing = false;
        }
        i = slash + 1;
    }
    std::string out = "/";
    for (std::size_t s = 0; s < segments.size(); ++s) {
        if (s)
            out.push_back('/');
        out.append(segments[s]);
    }
    if (trailing && !segments.empty())
        out.push_back('/');
    return out;
}

namespace {

void validate_method(std::string_view method) {
    if (method.empty())
        throw signing_error(errc::invalid_method, "empty HTTP method");
    for (char c : method)
        if (!tchar[static_cast<unsigned char>(c)])
            throw signing_error(errc::invalid_method, "HTTP method is not a token");
}

// The headers to sign, validated, lower-cased and sorted by name. Reused
// per thread: signing is on the request hot path and must not allocate when
// warm.
struct signed_header_list {
    std::vector<canon_header> headers;
    std::string names; // the lower-cased names, one after the other

    std::string_view name_of(const canon_header& h) const {
        return std::string_view(names.data() + h.name_off, h.name_len);
    }

    // Adds a header unless it is never signed; returns whether it is `host`.
    bool add(std::string_view name, std::string_view value) {
        auto off = static_cast<std::uint32_t>(names.size());
        names.resize(off + name.size());
        std::transform(name.begin(), name.end(), names.begin() + off, lower);
        std::string_view lname(names.data() + off, name.size());
        if (excluded(lname)) {
            names.resize(off);
            return false;
        }
        headers.push_back({off, static_cast<std::uint32_t>(name.size()), value});
        return lname == "host";
    }

    // Stable insertion sort: few headers, and duplicates must keep their order.
    void sort() {
        for (std::size_t i = 1; i < headers.size(); ++i) {
            auto cur = headers[i];
            std::size_t j = i;
            while (j > 0 && name_of(headers[j - 1]) > name_of(cur)) {
                headers[j] = headers[j - 1];
                --j;
            }
            headers[j] = cur;
        }
    }
};

signed_header_list& collect_headers(const request& req, const added_headers& extra) {
    thread_local signed_header_list list;
    list.headers.clear();
    list.names.clear();
    for (const auto& h : req.headers)
        validate_header(h);
    bool has_host = false;
    for (const auto& h : req.headers)
        has_host = list.add(h.name, h.value) || has_host;
    if (!extra.amz_date.empty())
        list.add("x-amz-date", extra.amz_date);
    if (!extra.security_token.empty()) {
        validate_header({"x-amz-security-token", extra.security_token});
        list.add("x-amz-security-token", extra.security_token);
    }
    if (!has_host)
        throw signing_error(errc::missing_host, "request has no host header");
    list.sort();
    return list;
}

void append_canonical_uri(std::string& out, std::string_view path, const settings& opts) {
    if (path.empty())
        path = "/";
    if (opts.normalization == path_normalization::enabled && path != "/") {
        auto normalized = normalize_path(path);
        if (opts.encoding == percent_encoding::double_encode)
            uri_encode(out, normalized, true);
        else
            out.append(normalized);
    } else if (opts.encoding == percent_encoding::double_encode) {
        uri_encode(out, path, true);
    } else {
        out.append(path);
    }
}

// "name:v1,v2\n" per name, duplicates joined in request order.
void append_canonical_headers(std::string& out, const signed_header_list& list) {
    const auto& headers = list.headers;
    for (std::size_t i = 0; i < headers.size();) {
        auto name = list.name_of(headers[i]);
        out.append(name).push_back(':');
        append_trimmed(out, headers[i].value);
        std::size_t j = i + 1;
        for (; j < headers.size() && list.name_of(headers[j]) == name; ++j) {
            out.push_back(',');
            append_trimmed(out, headers[j].value);
        }
        out.push_back('\n');
        i = j;
    }
}

// "name1;name2": each name once.
void append_signed_headers(std::string& out, const signed_header_list& list) {
    const auto& headers = list.headers;
    for (std::size_t i = 0; i < headers.size(); ++i) {
        auto name = list.name_of(headers[i]);
        if (i && name == list.name_of(headers[i - 1]))
            continue;
        if (i)
            out.push_back(';');
        out.append(name);
    }
}

void append_payload_hash(std::string& out, const request& req) {
    if (req.payload_hash) {
        out.append(*req.payload_hash);
        return;
    }
    auto d = detail::sha256(req.payload);
    auto at = out.size();
    out.resize(at + 64);
    detail::hex_encode(d.data(), d.size(), out.data() + at);
}

} // namespace

canonical_request_info append_canonical_request(std::string& out, const request& req,
                                                const settings& opts, const added_headers& extra) {
    validate_method(req.method);
    const signed_header_list& headers = collect_headers(req, extra);
    out.append(req.method).push_back('\n');
    append_canonical_uri(out, req.path, opts);
    out.push_back('\n');
    if (!req.query.empty())
        append_canonical_query(out, req.query);
    out.push_back('\n');
    append_canonical_headers(out, headers);
    out.push_back('\n');
    canonical_request_info info;
    info.signed_headers_offset = out.size();
    append_signed_headers(out, headers);
    info.signed_headers_size = out.size() - info.signed_headers_offset;
    out.push_back('\n');
    append_payload_hash(out, req);
    return info;
}

std::string canonical_request(const request& req, const settings& opts,
                              const added_headers& extra) {
    std::string out;
    append_canonical_request(out, req, opts, extra);
    return out;
}

std::string format_amz_date(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    auto secs = floor<seconds>(t);
    auto day = floor<days>(secs);
    year_month_day ymd{day};
    hh_mm_ss hms{secs - day};
    char buf[17];
    auto put = [&](int at, int width, unsigned v) {
        for (int i = width - 1; i >= 0; --i) {
            buf[at + i] = static_cast<char>('0' + v % 10);
            v /= 10;
        }
    };
    put(0, 4, static_cast<unsigned>(static_cast<int>(ymd.year())));
    put(4, 2, static_cast<unsigned>(ymd.month()));
    put(6, 2, static_cast<unsigned>(ymd.day()));
    buf[8] = 'T';
    put(9, 2, static_cast<unsigned>(hms.hours().count()));
    put(11, 2, static_cast<unsigned>(hms.minutes().count()));
    put(13, 2, static_cast<unsigned>(hms.seconds().count()));
    buf[15] = 'Z';
    return std::string(buf, 16);
}

std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service) {
    std::string s;
    s.reserve(date.size() + region.size() + service.size() + 16);
    s.append(date).append("/").append(region).append("/").append(service).append("/aws4_request");
    return s;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
    std::string s;
    s.reserve(17 + amz_date.size() + scope.size() + 66);
    s.append("AWS4-HMAC-SHA256\n").append(amz_date).append("\n").append(scope).append("\n");
    auto d = detail::sha256(canonical_request);
    auto at = s.size();
    s.resize(at + 64);
    detail::hex_encode(d.data(), d.size(), s.data() + at);
    return s;
}

} // namespace ddb::sigv4
