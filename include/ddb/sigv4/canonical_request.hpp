// ddb — the pure stages of SigV4, each rendering the specification's text.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/sigv4/request.hpp>
#include <ddb/sigv4/settings.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace ddb::sigv4 {

/// Extra headers the signer adds and signs (empty views are skipped).
struct added_headers {
    std::string_view amz_date;       ///< x-amz-date, unless the request has it
    std::string_view security_token; ///< x-amz-security-token, unless the request has it
};

/// Appends the canonical request to `out`:
///   METHOD \n canonical-uri \n canonical-query \n canonical-headers \n
///   signed-headers \n payload-hash
/// and returns the offset in `out` where the signed-headers line starts, with
/// its length. Throws `signing_error` for invalid headers or a missing host.
struct canonical_request_info {
    std::size_t signed_headers_offset = 0;
    std::size_t signed_headers_size = 0;
};
canonical_request_info append_canonical_request(std::string& out, const request& req,
                                                const settings& opts, const added_headers& extra);

/// The canonical request as a string (convenience over `append_canonical_request`).
std::string canonical_request(const request& req, const settings& opts = {},
                              const added_headers& extra = {});

/// "yyyymmddThhmmssZ" of a UTC time point (the x-amz-date format).
std::string format_amz_date(std::chrono::system_clock::time_point t);

/// "yyyymmdd/region/service/aws4_request".
std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service);

/// "AWS4-HMAC-SHA256 \n amz-date \n scope \n hex(sha256(canonical_request))".
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);

/// Appends RFC 3986 percent-encoding of `in` to `out`: unreserved characters
/// (A-Z a-z 0-9 - _ . ~) stay, every other byte becomes %XX (upper-case).
/// With `keep_slash`, '/' stays too (for paths).
void uri_encode(std::string& out, std::string_view in, bool keep_slash);

/// Removes "." and ".." segments and repeated slashes (RFC 3986 5.2.4); an
/// empty path becomes "/". A trailing slash is kept.
std::string normalize_path(std::string_view path);

} // namespace ddb::sigv4
