// Internal: one request through the pooled transport: a connection slot, a
// pooled or new connection, the write and the read, and the one resend
// after a stale pooled connection.
#pragma once

#include <ddb/http/transport.hpp>

#include "pooled_impl.hpp"

#include <boost/asio/awaitable.hpp>

namespace ddb::http::detail {

/// What `pooled_transport::send` does (see there).
boost::asio::awaitable<raw_response> send(detail::pooled_transport_impl& t, const origin& o,
                                          const request_view& req, clock_type::time_point deadline,
                                          exchange_info* info);

} // namespace ddb::http::detail
