#include <ddb/http/transport.hpp>

#include <ddb/core/config_error.hpp>
#include <ddb/core/saturating_time.hpp>

#include "detail/response_check.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/err.h>
#include <openssl/x509.h>

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <map>
#include <mutex>
#include <optional>
#include <type_traits>
#include <vector>

namespace ddb::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

namespace {

/// One keep-alive connection, plain or TLS. Used by one request at a time.
struct connection {
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
    clock_type::time_point idle_since{};

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
    void close() {
        beast::error_code ignored;
        lowest().socket().close(ignored);
    }
    // Whether the server has closed (or written to) the idle socket: a
    // non-blocking peek that finds nothing to read means it is still open.
    bool still_open() {
        auto& s = lowest().socket();
        if (!s.is_open())
            return false;
        char byte;
        ssize_t n = ::recv(s.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
};

std::string describe(const origin& o) {
    std::string s = o.tls ? "https://" : "http://";
    s.append(o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host);
    s.append(":").append(std::to_string(o.port));
    return s;
}

bool is_ip_literal(const std::string& host) {
    beast::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x == y)
            continue;
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

// The request line and header fields of `req`, as Beast's serializer writes them.
std::string head_of(const request& req) {
    std::string head;
    head.reserve(512);
    auto method = req.method_string();
    auto target = req.target();
    head.append(method.data(), method.size()).push_back(' ');
    head.append(target.data(), target.size());
    head.append(req.version() == 10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
    for (const auto& f : req.base()) {
        auto name = f.name_string();
        auto value = f.value();
        head.append(name.data(), name.size()).append(": ");
        head.append(value.data(), value.size()).append("\r\n");
    }
    head.append("\r\n");
    return head;
}

} // namespace

std::string_view raw_response::operator[](std::string_view name) const noexcept {
    for (std::size_t i = 0; i < fields_.size(); ++i)
        if (iequals(field_name(i), name))
            return field_value(i);
    return {};
}

bool raw_response::has(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < fields_.size(); ++i)
        if (iequals(field_name(i), name))
            return true;
    return false;
}

void raw_response::clear() noexcept {
    status_ = 0;
    version_ = 11;
    reason_size_ = 0;
    text_.clear();
    fields_.clear();
    body_.clear();
}

void raw_response::set_status(unsigned status, std::string_view reason, int version) {
    status_ = status;
    version_ = version;
    text_.clear();
    fields_.clear();
    if (text_.capacity() < 512)
        text_.reserve(512);
    text_.append(reason);
    reason_size_ = reason.size();
}

void raw_response::add_field(std::string_view name, std::string_view value) {
    if (fields_.capacity() == 0)
        fields_.reserve(16);
    auto at = static_cast<std::uint32_t>(text_.size());
    text_.append(name).append(value);
    fields_.push_back({at, static_cast<std::uint32_t>(name.size()),
                       at + static_cast<std::uint32_t>(name.size()),
                       static_cast<std::uint32_t>(value.size())});
}

/// The pool of one origin.
struct host_pool {
    host_pool(asio::any_io_executor ex, origin o, const pool_options& opts)
        : where(std::move(o))
        , options(opts)
        , idle_limit(ddb::detail::saturating_cast<clock_type::duration>(opts.idle_timeout))
        , tokens(ex, opts.max_connections_per_host) {
        for (std::size_t i = 0; i < opts.max_connections_per_host; ++i)
            tokens.try_send(beast::error_code{});
    }

    origin where;
    const pool_options& options;
    clock_type::duration idle_limit; // options.idle_timeout, without overflow
    // One token per connection slot: receiving one waits, FIFO, without a thread.
    asio::experimental::concurrent_channel<void(beast::error_code)> tokens;

    mutable std::mutex mutex;                      // guards idle and dns
    std::vector<std::unique_ptr<connection>> idle; // most recently used last
    std::optional<tcp::resolver::results_type> dns;
    clock_type::time_point dns_expiry{};

    std::atomic<std::size_t> open{0};
    std::atomic<std::uint64_t> opened{0}, requests{0}, reused{0}, stale{0};

    std::unique_ptr<connection> take_idle() {
        auto now = clock_type::now();
        std::lock_guard lock(mutex);
        while (!idle.empty()) {
            auto c = std::move(idle.back());
            idle.pop_back();
            auto idle_for = now - c->idle_since;
            // Peek at the socket only when it sat idle a while: in a busy
            // pool a connection is reused within microseconds, and a close
            // that slips past the peek is caught by the resend-once rule.
            if (idle_for < idle_limit &&
                (idle_for < std::chrono::milliseconds(50) || c->still_open()))
                return c;
            c->close();
            --open;
            ++stale;
        }
        return nullptr;
    }

    void put_idle(std::unique_ptr<connection> c) {
        c->idle_since = clock_type::now();
        std::lock_guard lock(mutex);
        idle.push_back(std::move(c));
    }

    void discard(std::unique_ptr<connection>& c) {
        if (!c)
            return;
        c->close();
        c.reset();
        --open;
    }
};

namespace {

// Holds a connection slot (and the connection) for one request; gives both
// back on every path out, including exceptions and cancellation.
struct lease {
    std::shared_ptr<host_pool> pool;
    std::unique_ptr<connection> conn;
    bool reusable = false;

    explicit lease(std::shared_ptr<host_pool> p)
        : pool(std::move(p)) {}
    lease(const lease&) = delete;
    ~lease() {
        if (conn && reusable)
            pool->put_idle(std::move(conn));
        else
            pool->discard(conn);
        pool->tokens.try_send(beast::error_code{});
    }
};

[[noreturn]] void fail(errc e, const origin& o, std::string_view what,
                       const beast::error_code& cause) {
    std::string msg = std::string(what) + " (" + describe(o) + ")";
    if (cause)
        msg += ": " + cause.message();
    throw transport_error(e, msg, cause);
}

bool is_timeout(const beast::error_code& ec) {
    return ec == beast::error::timeout || ec == asio::error::timed_out;
}

// An error that means: the server closed a connection we thought reusable.
bool is_closed_by_peer(const beast::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::ssl::error::stream_truncated;
}

[[noreturn]] void fail_exchange(const origin& o, const beast::error_code& ec, bool got_bytes) {
    if (ec == asio::error::operation_aborted)
        throw boost::system::system_error(ec);
    if (is_timeout(ec))
        fail(errc::attempt_timeout, o, "no complete response in time", ec);
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit ||
        ec == bhttp::error::buffer_overflow)
        fail(errc::response_too_large, o, "response exceeds max_response_bytes", ec);
    if (is_closed_by_peer(ec) || ec == bhttp::error::partial_message)
        fail(errc::connection_closed, o,
             got_bytes ? "connection closed during the response"
                       : "connection closed before the response",
             ec);
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category())
        fail(errc::malformed_response, o, "malformed HTTP response", ec);
    fail(errc::io_error, o, "I/O error", ec);
}

} // namespace

void detail::fail_read(const origin& o, const beast::error_code& ec, bool got_bytes) {
    fail_exchange(o, ec, got_bytes);
}

void validate(const pool_options& o, const std::string& prefix) {
    auto bad = [&](const std::string& what) {
        throw config_error(config_errc::invalid_setting, prefix + what);
    };
    auto ms = [](std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; };
    if (o.max_connections_per_host < 1)
        bad("max_connections_per_host must be >= 1, got 0");
    if (o.max_response_bytes < 1)
        bad("max_response_bytes must be >= 1, got 0");
    if (o.connect_timeout <= std::chrono::milliseconds::zero())
        bad("connect_timeout must be > 0, got " + ms(o.connect_timeout) +
            " (milliseconds::max() for no limit)");
    if (o.idle_timeout < std::chrono::milliseconds::zero())
        bad("idle_timeout must be >= 0, got " + ms(o.idle_timeout));
    if (o.dns_cache_ttl < std::chrono::seconds::zero())
        bad("dns_cache_ttl must be >= 0, got " + std::to_string(o.dns_cache_ttl.count()) + " s");
}

struct transport::impl : std::enable_shared_from_this<transport::impl> {
    impl(asio::any_io_executor e, pool_options o)
        : ex(std::move(e))
        , options(std::move(o))
        , ssl(asio::ssl::context::tls_client)
        , strand(asio::make_strand(ex))
        , sentinel(strand) {
        validate(options);
        ssl.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1);
        if (options.tls.verification == tls_verification::verify_peer) {
            ssl.set_verify_mode(asio::ssl::verify_peer);
            if (options.tls.use_system_ca_store)
                ssl.set_default_verify_paths();
            if (!options.tls.ca_file.empty()) {
                boost::system::error_code ec;
                ssl.load_verify_file(options.tls.ca_file, ec);
                if (ec) // typed, like every other setting ddb refuses
                    throw config_error(config_errc::invalid_setting,
                                       "TLS ca_file '" + options.tls.ca_file +
                                           "' cannot be loaded: " + ec.message());
            }
            if (!options.tls.ca_dir.empty())
                ssl.add_verify_path(options.tls.ca_dir);
        } else {
            ssl.set_verify_mode(asio::ssl::verify_none);
        }
    }

    asio::any_io_executor ex;
    pool_options options;
    asio::ssl::context ssl;

    // Timeouts without a system call per request. Asio re-arms the kernel
    // timer (timerfd_settime) only when a new timer becomes the earliest one.
    // Deadlines are rounded up to a grid of `grid_step`, and while requests
    // flow a sentinel timer waits for the next grid point, so no request's
    // timer is ever the earliest. Costs a wake-up per step while busy, none
    // while idle; timeouts fire up to one step late.
    static constexpr std::chrono::milliseconds grid_step{100};
    static constexpr std::size_t read_buffer_size = 32 * 1024;
    asio::strand<asio::any_io_executor> strand;
    asio::steady_timer sentinel; // used on `strand` only
    std::atomic<bool> sentinel_running{false};
    std::atomic<clock_type::rep> last_send{0};
    std::atomic<int> in_flight{0}; // exchanges that armed a timeout

    static clock_type::time_point on_grid(clock_type::time_point t) {
        auto step = std::chrono::duration_cast<clock_type::duration>(grid_step).count();
        auto ticks = t.time_since_epoch().count();
        if (ticks > clock_type::duration::max().count() - step)
            return clock_type::time_point::max(); // "never" (or as good as)
        return clock_type::time_point(clock_type::duration((ticks + step - 1) / step * step));
    }

    clock_type::time_point timeout_at(clock_type::time_point deadline) {
        auto now = clock_type::now();
        last_send.store(now.time_since_epoch().count(), std::memory_order_relaxed);
        if (!sentinel_running.exchange(true, std::memory_order_acq_rel))
            asio::co_spawn(strand, run_sentinel(shared_from_this()), asio::detached);
        return deadline == clock_type::time_point::max() ? deadline : on_grid(deadline);
    }

    static asio::awaitable<void> run_sentinel(std::shared_ptr<impl> self) {
        for (;;) {
            self->sentinel.expires_at(on_grid(clock_type::now() + std::chrono::milliseconds(1)));
            auto [ec] = co_await self->sentinel.async_wait(tuple_awaitable);
            if (ec)
                break;
            // Nothing in flight: stop (so io_context::run() can return) until
            // the next request starts it again.
            if (self->in_flight.load(std::memory_order_acquire) == 0)
                break;
        }
        self->sentinel_running.store(false, std::memory_order_release);
    }

    mutable std::mutex mutex;
    std::vector<std::shared_ptr<host_pool>> pools; // few origins: a vector beats a map

    std::shared_ptr<host_pool> pool_for(const origin& o) {
        std::lock_guard lock(mutex);
        for (auto& p : pools)
            if (p->where == o)
                return p;
        pools.push_back(std::make_shared<host_pool>(ex, o, options));
        return pools.back();
    }

    asio::awaitable<tcp::resolver::results_type> resolve(host_pool& pool,
                                                         clock_type::time_point deadline) {
        const origin& o = pool.where;
        {
            std::lock_guard lock(pool.mutex);
            if (pool.dns && clock_type::now() < pool.dns_expiry)
                co_return *pool.dns;
        }
        // An address needs no lookup (and no hop to the resolver's thread):
        // a new connection per request (HTTP/1.0 servers) pays it each time.
        if (beast::error_code aec; is_ip_literal(o.host)) {
            auto address = asio::ip::make_address(o.host, aec);
            if (aec)
                fail(errc::resolve_failed, o, "cannot use address", aec);
            co_return tcp::resolver::results_type::create(tcp::endpoint(address, o.port), o.host,
                                                          std::to_string(o.port));
        }
        tcp::resolver resolver(ex);
        // Race the lookup against the connect deadline.
        using namespace asio::experimental::awaitable_operators;
        asio::steady_timer timer(ex, deadline);
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
        pool.dns_expiry = ddb::detail::saturating_add(clock_type::now(), options.dns_cache_ttl);
        co_return results;
    }

    // Beast's stream timeout closes the socket and then marks the stream as
    // timed out; with several threads running the io_context the aborted
    // operation can complete in between and report `operation_aborted`. An
    // abort the caller did not ask for (no cancellation on its coroutine) is
    // that timeout.
    static asio::awaitable<beast::error_code> timeout_unless_cancelled(beast::error_code ec) {
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() == asio::cancellation_type::none)
            co_return beast::error::timeout;
        co_return ec;
    }

    asio::awaitable<std::unique_ptr<connection>> connect(host_pool& pool,
                                                         clock_type::time_point deadline) {
        const origin& o = pool.where;
        auto connect_deadline = std::min(
            deadline, ddb::detail::saturating_add(clock_type::now(), options.connect_timeout));
        auto addresses = co_await resolve(pool, connect_deadline);
        // Sockets live on the transport's executor (the client's io_context),
        // whichever executor the calling coroutine runs on.
        auto c = std::make_unique<connection>();
        c->plain.emplace(ex);
        c->plain->expires_at(timeout_at(connect_deadline));
        auto [ec, ep] = co_await c->plain->async_connect(addresses, tuple_awaitable);
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
        // Synchronous writes (tried first, see exchange) must never block.
        c->plain->socket().non_blocking(true, ignored);
        if (o.tls) {
            c->secure.emplace(std::move(*c->plain), ssl);
            c->plain.reset();
            if (!SSL_set_tlsext_host_name(c->secure->native_handle(), o.host.c_str()))
                fail(errc::tls_handshake_failed, o, "cannot set SNI host name", {});
            if (options.tls.verification == tls_verification::verify_peer)
                c->secure->set_verify_callback(asio::ssl::host_name_verification(o.host));
            auto [hec] = co_await c->secure->async_handshake(asio::ssl::stream_base::client,
                                                             tuple_awaitable);
            if (hec == asio::error::operation_aborted)
                hec = co_await timeout_unless_cancelled(hec);
            if (hec == asio::error::operation_aborted)
                throw boost::system::system_error(hec);
            if (is_timeout(hec))
                fail(errc::connect_timeout, o, "TLS handshake timed out", hec);
            if (hec) {
                long verify = SSL_get_verify_result(c->secure->native_handle());
                std::string why =
                    verify != X509_V_OK
                        ? std::string("certificate rejected: ") +
                              X509_verify_cert_error_string(verify)
                        : "TLS handshake failed (host name mismatch or protocol error)";
                fail(errc::tls_handshake_failed, o, why, hec);
            }
        }
        ++pool.open;
        ++pool.opened;
        co_return c;
    }

    template <class Stream>
    asio::awaitable<beast::error_code> exchange(Stream& s, connection& c, std::string_view head,
                                                std::string_view body, detail::raw_parser& parser,
                                                exchange_info& info, bool& got_bytes) {
        // Head and body in one gather write (one system call). On a plain
        // connection (a non-blocking socket) it is tried at once: the whole
        // request nearly always fits the socket's send buffer, and then no
        // write operation, timer or suspension is needed.
        std::size_t written = 0;
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
            const std::array<asio::const_buffer, 2> out{asio::buffer(head.data(), head.size()),
                                                        asio::buffer(body.data(), body.size())};
            beast::error_code ec;
            written = s.socket().write_some(out, ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again)
                written = 0;
            else if (ec)
                co_return ec;
            info.bytes_sent += written;
        }
        if (written < head.size() + body.size()) {
            const std::string_view h = head.substr(std::min(written, head.size()));
            const std::string_view b =
                body.substr(written > head.size() ? written - head.size() : 0);
            const std::array<asio::const_buffer, 2> rest{asio::buffer(h.data(), h.size()),
                                                         asio::buffer(b.data(), b.size())};
            auto [wec, sent] = co_await asio::async_write(s, rest, tuple_awaitable);
            info.bytes_sent += sent;
            if (wec)
                co_return wec;
        }
        // Beast reads at most the buffer's free capacity (512 bytes when it
        // starts empty, and it stays that small as the body is moved out): a
        // 50 KB answer would take ~100 reads. One reservation per connection.
        if (c.buffer.capacity() < read_buffer_size)
            c.buffer.reserve(read_buffer_size);
        auto [rec, received] = co_await bhttp::async_read(s, c.buffer, parser, tuple_awaitable);
        info.bytes_received += received;
        got_bytes = received > 0 || c.buffer.size() > 0;
        co_return rec;
    }

    asio::awaitable<void> send(const origin& o, std::string_view head, std::string_view body,
                               raw_response& out, clock_type::time_point deadline,
                               exchange_info* info_out) {
        exchange_info local;
        exchange_info& info = info_out ? *info_out : local;
        auto pool = pool_for(o);
        ++pool->requests;
        struct flight_guard { // counts exchanges for the timeout sentinel
            std::atomic<int>& n;
            explicit flight_guard(std::atomic<int>& c)
                : n(c) {
                ++n;
            }
            ~flight_guard() { --n; }
        } flight(in_flight);

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

        for (int round = 0;; ++round) {
            if (!held.conn)
                held.conn = co_await connect(*pool, deadline);
            connection& c = *held.conn;
            c.lowest().expires_at(timeout_at(deadline));
            out.clear();
            detail::raw_parser parser(out);
            detail::limit_response(parser, options.max_response_bytes);
            bool got_bytes = false;
            beast::error_code ec =
                c.secure ? co_await exchange(*c.secure, c, head, body, parser, info, got_bytes)
                         : co_await exchange(*c.plain, c, head, body, parser, info, got_bytes);
            if (ec == asio::error::operation_aborted)
                ec = co_await timeout_unless_cancelled(ec);
            if (!ec) {
                c.lowest().expires_never();
                held.reusable = parser.keep_alive() && !parser.need_eof() && c.buffer.size() == 0;
                co_return;
            }
            // A pooled connection the server had closed: resend once on a new one.
            bool stale =
                round == 0 && info.reused_connection && !got_bytes && is_closed_by_peer(ec);
            pool->discard(held.conn);
            if (stale) {
                ++pool->stale;
                info.resent = true;
                continue;
            }
            fail_exchange(o, ec, got_bytes);
        }
    }
};

transport::transport(asio::any_io_executor ex, pool_options opts)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(opts))) {}

transport::~transport() {
    // Stop the sentinel on its strand; it holds the state until it ends.
    asio::post(impl_->strand, [self = impl_] { self->sentinel.cancel(); });
}

const pool_options& transport::options() const noexcept {
    return impl_->options;
}

asio::awaitable<response> transport::send(const origin& to, const request& req,
                                          clock_type::time_point deadline, exchange_info* info) {
    exchange_info local;
    const std::string head = head_of(req);
    raw_response raw;
    co_await impl_->send(to, head, req.body(), raw, deadline, info ? info : &local);
    response res;
    res.result(raw.status());
    res.reason(raw.reason());
    res.version(raw.version());
    for (std::size_t i = 0; i < raw.field_count(); ++i)
        res.insert(raw.field_name(i), raw.field_value(i));
    res.body() = std::move(raw.body());
    co_return res;
}

asio::awaitable<void> transport::send_raw(const origin& to, std::string_view head,
                                          std::string_view body, raw_response& out,
                                          clock_type::time_point deadline, exchange_info* info) {
    return impl_->send(to, head, body, out, deadline, info);
}

pool_stats transport::stats(const origin& to) const {
    pool_stats s;
    std::shared_ptr<host_pool> pool;
    {
        std::lock_guard lock(impl_->mutex);
        for (auto& p : impl_->pools)
            if (p->where == to)
                pool = p;
    }
    if (!pool)
        return s;
    std::lock_guard lock(pool->mutex);
    s.open = pool->open;
    s.idle = pool->idle.size();
    s.connections_opened = pool->opened;
    s.requests = pool->requests;
    s.reused = pool->reused;
    s.discarded_stale = pool->stale;
    return s;
}

} // namespace ddb::http
