// Internal: the state of a pooled_transport, shared by its parts (connect,
// exchange) and kept alive by the transport.
#pragma once

#include <ddb/http/transport.hpp>

#include "deadline_clock.hpp"
#include "pool.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace ddb::http {

struct detail::pooled_transport_impl {
    /// Throws config_error for settings that cannot work (see `validate`)
    /// and for a CA file that cannot be loaded.
    pooled_transport_impl(boost::asio::any_io_executor e, pool_options o,
                          const std::string& settings_name);

    boost::asio::any_io_executor ex; // where sockets live, whatever the caller's executor
    pool_options options;
    boost::asio::ssl::context ssl;
    std::shared_ptr<detail::deadline_clock> clock;
    detail::pool_registry pools;

    /// Beast reads at most the buffer's free capacity (512 bytes when it
    /// starts empty, and it stays that small as the body is moved out): a
    /// 50 KB answer would take ~100 reads. One reservation per connection.
    static constexpr std::size_t read_buffer_size = 32 * 1024;
};

} // namespace ddb::http
