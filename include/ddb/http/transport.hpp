// ddb — the HTTP/1.1 transport: pooled keep-alive connections over TCP or TLS.
#pragma once

#include <ddb/http/error.hpp>
#include <ddb/http/options.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ddb::http {

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

/// A response as `transport::send_raw` reads it: the status, the header
/// fields as views into one buffer (no allocation per field), and the body.
/// Reusable: `send_raw` clears it first.
class raw_response {
public:
    unsigned status() const noexcept { return status_; }
    /// The first field named `name` (case-insensitive); empty when absent.
    std::string_view operator[](std::string_view name) const noexcept;
    /// Whether a field named `name` is present.
    bool has(std::string_view name) const noexcept;
    /// Every field, in the order received.
    std::size_t field_count() const noexcept { return fields_.size(); }
    std::string_view field_name(std::size_t i) const noexcept {
        return {text_.data() + fields_[i].name_at, fields_[i].name_size};
    }
    std::string_view field_value(std::size_t i) const noexcept {
        return {text_.data() + fields_[i].value_at, fields_[i].value_size};
    }
    std::string_view reason() const noexcept { return {text_.data(), reason_size_}; }
    int version() const noexcept { return version_; }
    std::string& body() noexcept { return body_; }
    const std::string& body() const noexcept { return body_; }

    void clear() noexcept;
    void set_status(unsigned status, std::string_view reason, int version);
    void add_field(std::string_view name, std::string_view value);

private:
    struct field {
        std::uint32_t name_at, name_size, value_at, value_size;
    };
    unsigned status_ = 0;
    int version_ = 11;
    std::size_t reason_size_ = 0;
    std::string text_; // the reason phrase, then each field's name and value
    std::vector<field> fields_;
    std::string body_;
};

/// Counters of one origin's pool.
struct pool_stats {
    std::size_t open = 0;                 ///< connections open now (in use + idle)
    std::size_t idle = 0;                 ///< of which idle in the pool
    std::uint64_t connections_opened = 0; ///< ever opened
    std::uint64_t requests = 0;           ///< requests sent
    std::uint64_t reused = 0;             ///< requests sent on a pooled connection
    std::uint64_t discarded_stale = 0;    ///< pooled connections found closed or expired
};

/// Sends HTTP/1.1 requests over pooled keep-alive connections, one pool per
/// origin, on the executor it is given: it starts no thread of its own and
/// never blocks (name resolution uses Asio's resolver, whose results are
/// cached per pool for `dns_cache_ttl`).
///
/// Thread safety: `send()` may be called concurrently from coroutines on
/// several threads of one io_context. The transport must outlive every
/// `send()` in progress.
class transport {
public:
    explicit transport(boost::asio::any_io_executor ex, pool_options opts = {});
    ~transport();
    transport(const transport&) = delete;
    transport& operator=(const transport&) = delete;

    /** Sends `req` to `to` and reads the whole response.

        Waits (in order, without a thread) while the origin already has
        `max_connections_per_host` requests in flight. Takes the most recently
        used idle connection, or opens one (connect timeout applies). When a
        pooled connection turns out to be closed by the server before any
        byte of the response arrived, the request is sent once more on a new
        connection.

        @param deadline the whole exchange (waiting, connecting, writing,
               reading) must finish by then, else `errc::attempt_timeout`.
        @param info filled with what happened on the wire, when given.
        @throws transport_error on failure; `boost::system::system_error`
                with `asio::error::operation_aborted` when cancelled.

        Per-operation cancellation: terminal, partial and total cancellation
        stop the exchange; the connection in use is closed (never pooled in
        an unknown state) and its slot freed.
    */
    boost::asio::awaitable<response> send(const origin& to, const request& req,
                                          std::chrono::steady_clock::time_point deadline,
                                          exchange_info* info = nullptr);

    /** `send()` without Beast's message types, for callers that build the
        request head themselves: `head` is the request line and header
        fields, ending with an empty line ("\r\n\r\n"), and `body` the
        body its Content-Length announces. Both must stay valid until the
        call completes. The response is read into `out` (cleared first).
        Same pooling, deadline, resend and error rules as `send()`. */
    boost::asio::awaitable<void> send_raw(const origin& to, std::string_view head,
                                          std::string_view body, raw_response& out,
                                          std::chrono::steady_clock::time_point deadline,
                                          exchange_info* info = nullptr);

    /// The counters of `to`'s pool (zeros when none exists yet).
    pool_stats stats(const origin& to) const;

    const pool_options& options() const noexcept;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

} // namespace ddb::http
