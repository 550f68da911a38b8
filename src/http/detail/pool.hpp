// Internal: the connection pools of the pooled transport. One `host_pool`
// per origin: connection slots (waited for in order), idle keep-alive
// connections, the cached DNS answer and the counters.
#pragma once

#include <ddb/http/options.hpp>
#include <ddb/http/transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace ddb::http::detail {

using clock_type = std::chrono::steady_clock;

/// One keep-alive connection, plain or TLS. Used by one request at a time.
struct connection {
    std::optional<boost::beast::tcp_stream> plain;
    std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> secure;
    boost::beast::flat_buffer buffer; // what is read
    std::string head;                 // the request head being written
    clock_type::time_point idle_since{};

    boost::beast::tcp_stream& lowest() {
        return secure ? boost::beast::get_lowest_layer(*secure) : *plain;
    }
    void close();
    /// Whether the server has closed (or written to) the idle socket: a
    /// non-blocking peek that finds nothing to read means it is still open.
    bool still_open();
};

/// The pool of one origin.
struct host_pool {
    host_pool(boost::asio::any_io_executor ex, origin o, const pool_options& opts);

    origin where;
    const pool_options& options;
    clock_type::duration idle_limit; // options.idle_timeout, without overflow
    // One token per connection slot: receiving one waits, FIFO, without a thread.
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> tokens;

    mutable std::mutex mutex;                      // guards idle and dns
    std::vector<std::unique_ptr<connection>> idle; // most recently used last
    std::optional<boost::asio::ip::tcp::resolver::results_type> dns;
    clock_type::time_point dns_expiry{};

    std::atomic<std::size_t> open{0};
    std::atomic<std::uint64_t> opened{0}, requests{0}, reused{0}, stale{0};

    /// The most recently used idle connection still worth using, or nullptr.
    std::unique_ptr<connection> take_idle();
    void put_idle(std::unique_ptr<connection> c);
    /// Closes `c` (when set) and gives up its place in `open`.
    void discard(std::unique_ptr<connection>& c);
    pool_stats stats() const;
};

/// Holds a connection slot (and the connection) for one request; gives both
/// back on every path out, including exceptions and cancellation.
struct lease {
    std::shared_ptr<host_pool> pool;
    std::unique_ptr<connection> conn;
    bool reusable = false;

    explicit lease(std::shared_ptr<host_pool> p)
        : pool(std::move(p)) {}
    lease(const lease&) = delete;
    ~lease();
};

/// The pools of one transport, one per origin (few origins: a vector beats a map).
class pool_registry {
public:
    std::shared_ptr<host_pool> pool_for(const origin& o, const boost::asio::any_io_executor& ex,
                                        const pool_options& opts);
    /// The pool of `o`, or nullptr.
    std::shared_ptr<host_pool> find(const origin& o) const;

private:
    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<host_pool>> pools_;
};

} // namespace ddb::http::detail
