// Internal: opening a connection of the pooled transport: name resolution
// (cached per pool), TCP connect and the TLS handshake, all within the
// connect timeout.
#pragma once

#include <ddb/http/options.hpp>

#include "pool.hpp"
#include "pooled_impl.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>

namespace ddb::http::detail {

/// Sets up `ssl` for `tls`: TLS 1.2 or later, and peer verification
/// against the system store and the configured CA file and directory (or
/// none, when verification is off). Throws `config_error(invalid_setting)`
/// for a CA file that cannot be loaded.
void configure_tls(boost::asio::ssl::context& ssl, const tls_options& tls);

/// A new connection to `pool.where`, ready for a request, by `deadline` and
/// within the connect timeout. Throws `transport_error` (resolve_failed,
/// connect_failed, connect_timeout, tls_handshake_failed).
boost::asio::awaitable<std::unique_ptr<connection>>
connect(detail::pooled_transport_impl& t, host_pool& pool, clock_type::time_point deadline);

} // namespace ddb::http::detail
