// ddb — the transport seam, and its real implementation: pooled keep-alive
// HTTP/1.1 connections over TCP or TLS.
#pragma once

#include <ddb/http/error.hpp>
#include <ddb/http/message.hpp>
#include <ddb/http/options.hpp>
#include <ddb/http/pool_stats.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ddb::http {

namespace detail {
struct pooled_transport_impl; // the implementation (src/)
}

using request = boost::beast::http::request<boost::beast::http::string_body>;
using response = boost::beast::http::response<boost::beast::http::string_body>;

/// Where requests go: scheme, host and port. One connection pool per origin.
struct origin {
    bool tls = true;
    std::string host; ///< name or IP address (IPv6 without brackets)
    std::uint16_t port = 443;
    bool operator==(const origin&) const = default;
};

/// What happened on the wire during one `send()`.
struct exchange_info {
    bool reused_connection = false; ///< sent on a pooled keep-alive connection
    bool resent = false;            ///< a stale pooled connection failed; resent on a new one
    std::size_t bytes_sent = 0;
    std::size_t bytes_received = 0;
};

/// The seam between the client and the wire: takes a request, returns the
/// whole response. `pooled_transport` is the real one; tests script their own.
///
/// Thread safety: `send()` may be called concurrently from coroutines on
/// several threads. The transport must outlive every `send()` in progress.
class transport {
public:
    transport() = default;
    virtual ~transport() = default;
    transport(const transport&) = delete;
    transport& operator=(const transport&) = delete;

    /** Sends `req` to `to` and reads the whole response.

        @param deadline the whole exchange must finish by then, else
               `transport_error(errc::attempt_timeout)`.
        @param info filled with what happened on the wire, when not null
               (also when the send throws).
        @throws transport_error when no whole response came (never for a
                response of any status); `boost::system::system_error` with
                `asio::error::operation_aborted` when cancelled.
    */
    virtual boost::asio::awaitable<raw_response>
    send(const origin& to, const request_view& req, std::chrono::steady_clock::time_point deadline,
         exchange_info* info) = 0;

    /// The counters of `to`'s pool; zeros for a transport without pools.
    virtual pool_stats stats(const origin& to) const;

    /// `send()` with Beast's message types (Content-Length as
    /// `prepare_payload` sets it), for small requests off the hot path.
    boost::asio::awaitable<response> send(const origin& to, const request& req,
                                          std::chrono::steady_clock::time_point deadline,
                                          exchange_info* info = nullptr);
};

/// Sends HTTP/1.1 requests over pooled keep-alive connections, one pool per
/// origin, on the executor it is given: it starts no thread of its own and
/// never blocks (name resolution uses Asio's resolver, whose results are
/// cached per pool for `dns_cache_ttl`).
///
/// Thread safety: `send()` may be called concurrently from coroutines on
/// several threads of one io_context. The transport must outlive every
/// `send()` in progress.
class pooled_transport final : public transport {
public:
    /// Throws `config_error(invalid_setting)` naming the first field of
    /// `opts` that cannot work (`settings_name` + field, see `validate`), or
    /// a TLS CA file that cannot be loaded.
    explicit pooled_transport(boost::asio::any_io_executor ex, pool_options opts = {},
                              const std::string& settings_name = "pool_options::");
    ~pooled_transport() override;

    using transport::send;

    /** Waits (in order, without a thread) while the origin already has
        `max_connections_per_host` requests in flight. Takes the most recently
        used idle connection, or opens one (connect timeout applies). When a
        pooled connection turns out to be closed by the server before any
        byte of the response arrived, the request is sent once more on a new
        connection. The head is rendered (`render_head`) into a buffer the
        connection keeps, and written with the body in one system call.

        Per-operation cancellation: terminal, partial and total cancellation
        stop the exchange; the connection in use is closed (never pooled in
        an unknown state) and its slot freed.
    */
    boost::asio::awaitable<raw_response> send(const origin& to, const request_view& req,
                                              std::chrono::steady_clock::time_point deadline,
                                              exchange_info* info) override;

    pool_stats stats(const origin& to) const override;

    const pool_options& options() const noexcept;

private:
    std::shared_ptr<detail::pooled_transport_impl> impl_;
};

} // namespace ddb::http
