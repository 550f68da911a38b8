#include "exchange.hpp"

#include "connect.hpp"
#include "failure.hpp"
#include "response_check.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

#include <array>
#include <type_traits>

namespace ddb::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

namespace {

// Head and body in one gather write (one system call). On a plain
// connection (a non-blocking socket) it is tried at once: the whole request
// nearly always fits the socket's send buffer, and then no write operation,
// timer or suspension is needed. Returns the bytes written (0 when the
// socket would block, or for TLS).
template <class Stream>
std::size_t write_now(Stream& s, std::string_view head, std::string_view body,
                      beast::error_code& ec) {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
        const std::array<asio::const_buffer, 2> out{asio::buffer(head.data(), head.size()),
                                                    asio::buffer(body.data(), body.size())};
        std::size_t written = s.socket().write_some(out, ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            ec = {};
            return 0;
        }
        return ec ? 0 : written;
    } else {
        return 0;
    }
}

// Writes the request (its head rendered in `c.head`) and reads the whole
// response through `parser`. (One coroutine frame: the write is inline.)
template <class Stream>
asio::awaitable<beast::error_code> exchange(Stream& s, connection& c, std::string_view body,
                                            raw_parser& parser, exchange_info& info,
                                            bool& got_bytes) {
    const std::string_view head = c.head;
    terminal_relay relay(co_await asio::this_coro::cancellation_state);
    beast::error_code ec;
    const std::size_t written = write_now(s, head, body, ec);
    info.bytes_sent += written;
    if (ec)
        co_return ec;
    if (written < head.size() + body.size()) {
        const std::string_view h = head.substr(std::min(written, head.size()));
        const std::string_view b = body.substr(written > head.size() ? written - head.size() : 0);
        const std::array<asio::const_buffer, 2> rest{asio::buffer(h.data(), h.size()),
                                                     asio::buffer(b.data(), b.size())};
        auto [wec, sent] = co_await asio::async_write(s, rest, relay.bind(tuple_awaitable));
        info.bytes_sent += sent;
        if (wec)
            co_return wec;
    }
    if (c.buffer.capacity() < detail::pooled_transport_impl::read_buffer_size)
        c.buffer.reserve(detail::pooled_transport_impl::read_buffer_size);
    auto [rec, received] =
        co_await bhttp::async_read(s, c.buffer, parser, relay.bind(tuple_awaitable));
    info.bytes_received += received;
    got_bytes = received > 0 || c.buffer.size() > 0;
    co_return rec;
}

} // namespace

asio::awaitable<raw_response> send(detail::pooled_transport_impl& t, const origin& o,
                                   const request_view& req, clock_type::time_point deadline,
                                   exchange_info* info_out) {
    exchange_info local;
    exchange_info& info = info_out ? *info_out : local;
    auto pool = t.pools.pool_for(o, t.ex, t.options);
    ++pool->requests;
    deadline_clock::flight flight(*t.clock);
    // A slot: taken at once when one is free, else waited for, in order,
    // while the origin is at its connection limit.
    if (!pool->tokens.try_receive([](beast::error_code) {})) {
        auto [ec] = co_await pool->tokens.async_receive(tuple_awaitable);
        if (ec)
            throw boost::system::system_error(ec);
    }
    lease held(pool);
    held.conn = pool->take_idle();
    info.reused_connection = held.conn != nullptr;
    if (held.conn)
        ++pool->reused;

    raw_response out;
    for (int round = 0;; ++round) {
        if (!held.conn)
            held.conn = co_await connect(t, *pool, deadline);
        connection& c = *held.conn;
        c.lowest().expires_at(t.clock->timeout_at(deadline));
        c.head.clear();
        render_head(req, c.head);
        out.clear();
        raw_parser parser(out);
        limit_response(parser, t.options.max_response_bytes);
        bool got_bytes = false;
        beast::error_code ec =
            c.secure ? co_await exchange(*c.secure, c, req.body, parser, info, got_bytes)
                     : co_await exchange(*c.plain, c, req.body, parser, info, got_bytes);
        if (ec == asio::error::operation_aborted)
            ec = co_await timeout_unless_cancelled(ec);
        if (!ec) {
            c.lowest().expires_never();
            held.reusable = parser.keep_alive() && !parser.need_eof() && c.buffer.size() == 0;
            co_return std::move(out);
        }
        // A pooled connection the server had closed: resend once on a new one.
        bool stale = round == 0 && info.reused_connection && !got_bytes && is_closed_by_peer(ec);
        pool->discard(held.conn);
        if (!stale)
            fail_read(o, ec, got_bytes);
        ++pool->stale;
        info.resent = true;
    }
}

} // namespace ddb::http::detail
