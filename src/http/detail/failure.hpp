// Internal: how the transport names what went wrong (http::errc, with the
// origin and the underlying error in the message).
#pragma once

#include <ddb/http/error.hpp>
#include <ddb/http/transport.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/error.hpp>

#include <string>
#include <string_view>

namespace ddb::http::detail {

/// "https://host:port" ("[::1]" for IPv6), for messages.
std::string describe(const origin& o);

/// Throws `transport_error(e)`: "<what> (<origin>): <cause>".
[[noreturn]] void fail(errc e, const origin& o, std::string_view what,
                       const boost::beast::error_code& cause);

/// A timer's or the stream's own timeout.
bool is_timeout(const boost::beast::error_code& ec);

/// An error that means: the server closed a connection we thought reusable.
bool is_closed_by_peer(const boost::beast::error_code& ec);

/// Beast's stream timeout closes the socket and then marks the stream as
/// timed out; with several threads running the io_context the aborted
/// operation can complete in between and report `operation_aborted`. An
/// abort the caller did not ask for (no cancellation on its coroutine) is
/// that timeout: returns `beast::error::timeout` then, else `ec`.
boost::asio::awaitable<boost::beast::error_code>
timeout_unless_cancelled(boost::beast::error_code ec);

/// Throws what the transport throws for a failed exchange with `o`:
/// `transport_error` (or `system_error` with operation_aborted when cancelled).
[[noreturn]] void fail_read(const origin& o, const boost::beast::error_code& ec, bool got_bytes);

} // namespace ddb::http::detail
