#include "pool.hpp"

#include <ddb/core/saturating_time.hpp>

#include <sys/socket.h>

#include <cerrno>

namespace ddb::http::detail {

namespace beast = boost::beast;

void connection::close() {
    beast::error_code ignored;
    lowest().socket().close(ignored);
}

bool connection::still_open() {
    auto& s = lowest().socket();
    if (!s.is_open())
        return false;
    char byte;
    ssize_t n = ::recv(s.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

host_pool::host_pool(boost::asio::any_io_executor ex, origin o, const pool_options& opts)
    : where(std::move(o))
    , options(opts)
    , idle_limit(ddb::detail::saturating_cast<clock_type::duration>(opts.idle_timeout))
    , tokens(ex, opts.max_connections_per_host) {
    for (std::size_t i = 0; i < opts.max_connections_per_host; ++i)
        tokens.try_send(beast::error_code{});
}

std::unique_ptr<connection> host_pool::take_idle() {
    auto now = clock_type::now();
    std::lock_guard lock(mutex);
    while (!idle.empty()) {
        auto c = std::move(idle.back());
        idle.pop_back();
        auto idle_for = now - c->idle_since;
        // Peek at the socket only when it sat idle a while: in a busy
        // pool a connection is reused within microseconds, and a close
        // that slips past the peek is caught by the resend-once rule.
        if (idle_for < idle_limit && (idle_for < std::chrono::milliseconds(50) || c->still_open()))
            return c;
        c->close();
        --open;
        ++stale;
    }
    return nullptr;
}

void host_pool::put_idle(std::unique_ptr<connection> c) {
    c->idle_since = clock_type::now();
    std::lock_guard lock(mutex);
    idle.push_back(std::move(c));
}

void host_pool::discard(std::unique_ptr<connection>& c) {
    if (!c)
        return;
    c->close();
    c.reset();
    --open;
}

pool_stats host_pool::stats() const {
    pool_stats s;
    std::lock_guard lock(mutex);
    s.open = open;
    s.idle = idle.size();
    s.connections_opened = opened;
    s.requests = requests;
    s.reused = reused;
    s.discarded_stale = stale;
    return s;
}

lease::~lease() {
    if (conn && reusable)
        pool->put_idle(std::move(conn));
    else
        pool->discard(conn);
    pool->tokens.try_send(beast::error_code{});
}

std::shared_ptr<host_pool> pool_registry::pool_for(const origin& o,
                                                   const boost::asio::any_io_executor& ex,
                                                   const pool_options& opts) {
    std::lock_guard lock(mutex_);
    for (auto& p : pools_)
        if (p->where == o)
            return p;
    pools_.push_back(std::make_shared<host_pool>(ex, o, opts));
    return pools_.back();
}

std::shared_ptr<host_pool> pool_registry::find(const origin& o) const {
    std::lock_guard lock(mutex_);
    for (auto& p : pools_)
        if (p->where == o)
            return p;
    return nullptr;
}

} // namespace ddb::http::detail
