// Internal: how the transport names what went wrong (http::errc, with the
// origin and the underlying error in the message).
#pragma once

#include <ddb/http/error.hpp>
#include <ddb/http/transport.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_state.hpp>
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

/// Beast's and Asio's composed operations (http::async_read, async_write,
/// async_connect, the TLS handshake) let only terminal cancellation through
/// (their default filter), but an exchange is abandoned whatever the type
/// its call accepted (its connection is closed, not pooled). A relay passes
/// the awaiting coroutine's cancellation (`co_await
/// asio::this_coro::cancellation_state`, already filtered by what the call
/// accepts) on to one such operation as terminal:
/// `co_await op(..., relay.bind(token))`. One operation at a time.
class terminal_relay {
public:
    explicit terminal_relay(const boost::asio::cancellation_state& cs)
        : from_(cs.slot()) {
        if (from_.is_connected())
            from_.assign([this](boost::asio::cancellation_type) {
                to_.emit(boost::asio::cancellation_type::terminal);
            });
    }
    ~terminal_relay() {
        if (from_.is_connected())
            from_.clear();
    }
    terminal_relay(const terminal_relay&) = delete;
    terminal_relay& operator=(const terminal_relay&) = delete;

    template <class Token>
    auto bind(Token token) {
        return boost::asio::bind_cancellation_slot(to_.slot(), std::move(token));
    }

private:
    boost::asio::cancellation_slot from_;
    boost::asio::cancellation_signal to_;
};

/// Throws what the transport throws for a failed exchange with `o`:
/// `transport_error` (or `system_error` with operation_aborted when cancelled).
[[noreturn]] void fail_read(const origin& o, const boost::beast::error_code& ec, bool got_bytes);

} // namespace ddb::http::detail
