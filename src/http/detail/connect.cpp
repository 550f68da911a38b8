#include "connect.hpp"

#include <ddb/core/config_error.hpp>
#include <ddb/core/saturating_time.hpp>

#include "failure.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/err.h>
#include <openssl/x509.h>

namespace ddb::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

void configure_tls(asio::ssl::context& ssl, const tls_options& tls) {
    ssl.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
    if (tls.verification != tls_verification::verify_peer) {
        ssl.set_verify_mode(asio::ssl::verify_none);
        return;
    }
    ssl.set_verify_mode(asio::ssl::verify_peer);
    if (tls.use_system_ca_store)
        ssl.set_default_verify_paths();
    if (!tls.ca_file.empty()) {
        boost::system::error_code ec;
        ssl.load_verify_file(tls.ca_file, ec);
        if (ec) // typed, like every other setting ddb refuses
            throw config_error(config_errc::invalid_setting,
                               "TLS ca_file '" + tls.ca_file +
                                   "' cannot be loaded: " + ec.message());
    }
    if (!tls.ca_dir.empty())
        ssl.add_verify_path(tls.ca_dir);
}

namespace {

// The address `o.host` names when it is an IP literal: no lookup (and no
// hop to the resolver's thread) for it, so a new connection per request
// (HTTP/1.0 servers) does not pay one each time.
std::optional<tcp::resolver::results_type> literal_address(const origin& o) {
    beast::error_code ec;
    auto address = asio::ip::make_address(o.host, ec);
    if (ec)
        return std::nullopt;
    return tcp::resolver::results_type::create(tcp::endpoint(address, o.port), o.host,
                                               std::to_string(o.port));
}

// The pool's cached addresses, an IP literal, or a lookup raced against `deadline`.
asio::awaitable<tcp::resolver::results_type>
resolve(detail::pooled_transport_impl& t, host_pool& pool, clock_type::time_point deadline) {
    const origin& o = pool.where;
    {
        std::lock_guard lock(pool.mutex);
        if (pool.dns && clock_type::now() < pool.dns_expiry)
            co_return *pool.dns;
    }
    if (auto literal = literal_address(o))
        co_return *literal;
    tcp::resolver resolver(t.ex);
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(t.ex, deadline);
    auto lookup = resolver.async_resolve(o.host, std::to_string(o.port), tuple_awaitable);
    auto expiry = timer.async_wait(tuple_awaitable);
    auto winner = co_await (std::move(lookup) || std::move(expiry));
    if (winner.index() == 1)
        fail(errc::connect_timeout, o, "name resolution timed out", {});
    auto [ec, results] = std::get<0>(std::move(winner));
    if (ec == asio::error::operation_aborted)
        throw boost::system::system_error(ec);
    if (ec)
        fail(errc::resolve_failed, o, "cannot resolve host", ec);
    std::lock_guard lock(pool.mutex);
    pool.dns = results;
    pool.dns_expiry = ddb::detail::saturating_add(clock_type::now(), t.options.dns_cache_ttl);
    co_return results;
}

// The TCP connection, on the transport's executor, with no delay and
// non-blocking (synchronous writes, tried first, must never block).
asio::awaitable<std::unique_ptr<connection>> open_tcp(detail::pooled_transport_impl& t,
                                                      const origin& o,
                                                      const tcp::resolver::results_type& addresses,
                                                      clock_type::time_point connect_deadline) {
    auto c = std::make_unique<connection>();
    c->plain.emplace(t.ex);
    c->plain->expires_at(t.clock->timeout_at(connect_deadline));
    terminal_relay relay(co_await asio::this_coro::cancellation_state);
    auto [ec, ep] = co_await c->plain->async_connect(addresses, relay.bind(tuple_awaitable));
    if (ec == asio::error::operation_aborted)
        ec = co_await timeout_unless_cancelled(ec);
    if (ec == asio::error::operation_aborted)
        throw boost::system::system_error(ec);
    if (is_timeout(ec))
        fail(errc::connect_timeout, o, "connect timed out", ec);
    if (ec)
        fail(errc::connect_failed, o, "cannot connect", ec);
    beast::error_code ignored;
    c->plain->socket().set_option(tcp::no_delay(true), ignored);
    c->plain->socket().non_blocking(true, ignored);
    co_return c;
}

// TLS over `c`'s TCP connection: SNI, host name verification, handshake.
asio::awaitable<void> handshake(detail::pooled_transport_impl& t, const origin& o, connection& c) {
    c.secure.emplace(std::move(*c.plain), t.ssl);
    c.plain.reset();
    if (!SSL_set_tlsext_host_name(c.secure->native_handle(), o.host.c_str()))
        fail(errc::tls_handshake_failed, o, "cannot set SNI host name", {});
    if (t.options.tls.verification == tls_verification::verify_peer)
        c.secure->set_verify_callback(asio::ssl::host_name_verification(o.host));
    terminal_relay relay(co_await asio::this_coro::cancellation_state);
    auto [ec] = co_await c.secure->async_handshake(asio::ssl::stream_base::client,
                                                   relay.bind(tuple_awaitable));
    if (ec == asio::error::operation_aborted)
        ec = co_await timeout_unless_cancelled(ec);
    if (ec == asio::error::operation_aborted)
        throw boost::system::system_error(ec);
    if (is_timeout(ec))
        fail(errc::connect_timeout, o, "TLS handshake timed out", ec);
    if (ec) {
        long verify = SSL_get_verify_result(c.secure->native_handle());
        std::string why =
            verify != X509_V_OK
                ? std::string("certificate rejected: ") + X509_verify_cert_error_string(verify)
                : "TLS handshake failed (host name mismatch or protocol error)";
        fail(errc::tls_handshake_failed, o, why, ec);
    }
}

} // namespace

asio::awaitable<std::unique_ptr<connection>>
connect(detail::pooled_transport_impl& t, host_pool& pool, clock_type::time_point deadline) {
    const origin& o = pool.where;
    auto connect_deadline = std::min(
        deadline, ddb::detail::saturating_add(clock_type::now(), t.options.connect_timeout));
    auto addresses = co_await resolve(t, pool, connect_deadline);
    auto c = co_await open_tcp(t, o, addresses, connect_deadline);
    if (o.tls)
        co_await handshake(t, o, *c);
    ++pool.open;
    ++pool.opened;
    co_return c;
}

} // namespace ddb::http::detail
