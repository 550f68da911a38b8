// Internal: how ddb judges an HTTP response as it is read, shared by the
// transport, the client and the fuzz target of response heads.
#pragma once

#include <ddb/http/transport.hpp>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ddb::http::detail {

using response_parser = boost::beast::http::response_parser<boost::beast::http::string_body>;

/// The limits every response is read under: a body of at most
/// `max_response_bytes`, a head of at most that or 1 MiB, whichever is less.
void limit_response(response_parser& p, std::size_t max_response_bytes);

/// Throws what the transport throws for a failed read from `o`:
/// `transport_error` (or `system_error` with operation_aborted when cancelled).
[[noreturn]] void fail_read(const origin& o, const boost::beast::error_code& ec, bool got_bytes);

/// Whether `body` matches an `x-amz-crc32` header value (the decimal CRC32 of
/// the body as sent); `actual` receives the body's CRC32.
bool crc32_matches(std::string_view header_value, std::string_view body, std::uint32_t& actual);

} // namespace ddb::http::detail
