#include "fault_proxy.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include <zlib.h>

#include <atomic>
#include <deque>
#include <future>
#include <list>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

namespace ddb::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct fault_proxy::impl : std::enable_shared_from_this<impl> {
    impl(std::string host, std::uint16_t port, std::optional<tls_files> tls)
        : upstream_host(std::move(host))
        , upstream_port(port)
        , acceptor(ioc)
        , ssl(asio::ssl::context::tls_server) {
        if (tls) {
            use_tls = true;
            ssl.use_certificate_chain_file(tls->certificate_chain);
            ssl.use_private_key_file(tls->private_key, asio::ssl::context::pem);
        }
        listen();
    }

    asio::io_context ioc;
    std::string upstream_host;
    std::uint16_t upstream_port;
    tcp::acceptor acceptor;
    asio::ssl::context ssl;
    bool use_tls = false;
    std::uint16_t listen_port = 0;
    std::thread thread;

    std::mutex mutex;
    std::deque<fault> plan;
    std::list<std::weak_ptr<beast::tcp_stream>> idle_clients; // lowest layers of idle sessions
    std::atomic<std::size_t> accepted{0}, seen{0}, injected{0}, open{0}, peak_open{0};
    // Random injection (under `mutex`).
    double rate = 0;
    std::mt19937_64 random;
    std::vector<fault> kinds;
    std::map<std::string, std::size_t> by_name;
    std::vector<std::string> key_ids;
    std::set<std::string, std::less<>> key_id_set;

    static bool is_batch(std::string_view target) {
        return target.ends_with(".BatchWriteItem") || target.ends_with(".BatchGetItem");
    }

    fault next_fault(const http::request<http::string_body>& req) {
        std::lock_guard lock(mutex);
        // Record the access key id of the SigV4 Authorization header.
        std::string_view auth = req[http::field::authorization];
        if (auto at = auth.find("Credential="); at != auth.npos) {
            auto id = auth.substr(at + 11);
            id = id.substr(0, id.find('/'));
            if (key_id_set.insert(std::string(id)).second)
                key_ids.emplace_back(id);
        }
        fault f;
        if (!plan.empty()) {
            f = std::move(plan.front());
            plan.pop_front();
        } else if (rate > 0 && !kinds.empty() &&
                   std::uniform_real_distribution<double>(0, 1)(random) < rate) {
            f = kinds[std::uniform_int_distribution<std::size_t>(0, kinds.size() - 1)(random)];
            if (f.kind == fault::partial_batch && !is_batch(req["x-amz-target"]))
                f = fault{};
        }
        if (f.kind != fault::forward) {
            ++injected;
            ++by_name[f.name];
        }
        return f;
    }

    void listen() {
        tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), listen_port);
        acceptor.open(ep.protocol());
        acceptor.set_option(tcp::acceptor::reuse_address(true));
        acceptor.bind(ep);
        acceptor.listen();
        listen_port = acceptor.local_endpoint().port();
    }

    // Closes the listening socket for `d` (connects are refused), then
    // listens again on the same port. Runs on the proxy's thread.
    asio::awaitable<void> refuse_for(std::chrono::milliseconds d) {
        if (!acceptor.is_open())
            co_return; // already refusing
        beast::error_code ignored;
        acceptor.close(ignored);
        asio::steady_timer t(ioc, d);
        co_await t.async_wait(tuple_awaitable);
        for (int tries = 0; tries < 50; ++tries) {
            bool ok = true;
            try {
                listen();
            } catch (const std::exception&) {
                ok = false;
                acceptor.close(ignored);
            }
            if (ok)
                break;
            t.expires_after(std::chrono::milliseconds(10));
            co_await t.async_wait(tuple_awaitable);
        }
        asio::co_spawn(ioc, accept_loop(), asio::detached);
    }

    // Counts a client connection while it is open.
    struct open_guard {
        impl* p;
        explicit open_guard(impl* p_)
            : p(p_) {
            auto n = ++p->open;
            auto peak = p->peak_open.load();
            while (n > peak && !p->peak_open.compare_exchange_weak(peak, n)) {
            }
        }
        ~open_guard() { --p->open; }
        open_guard(const open_guard&) = delete;
        open_guard& operator=(const open_guard&) = delete;
    };

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(tuple_awaitable);
            if (ec)
                co_return;
            ++accepted;
            if (use_tls) {
                auto stream =
                    std::make_shared<beast::ssl_stream<beast::tcp_stream>>(std::move(socket), ssl);
                asio::co_spawn(ioc, tls_session(stream), asio::detached);
            } else {
                auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
                asio::co_spawn(ioc, session(stream, stream), asio::detached);
            }
        }
    }

    asio::awaitable<void>
    tls_session(std::shared_ptr<beast::ssl_stream<beast::tcp_stream>> stream) {
        auto [ec] =
            co_await stream->async_handshake(asio::ssl::stream_base::server, tuple_awaitable);
        if (ec)
            co_return; // the client refused our certificate
        std::shared_ptr<beast::tcp_stream> lowest(stream, &beast::get_lowest_layer(*stream));
        co_await session(stream, lowest);
    }

    // Sends a complete response, or only its first half and then closes.
    template <class Stream>
    asio::awaitable<bool> write_response(Stream& client, http::response<http::string_body>& res,
                                         bool truncate, std::chrono::milliseconds drip = {}) {
        if (drip.count() > 0) {
            std::ostringstream raw;
            raw << res;
            std::string bytes = raw.str();
            std::size_t piece = std::max<std::size_t>(1, (bytes.size() + 19) / 20);
            asio::steady_timer t(ioc);
            for (std::size_t at = 0; at < bytes.size(); at += piece) {
                auto [ec, n] = co_await asio::async_write(
                    client, asio::buffer(bytes.data() + at, std::min(piece, bytes.size() - at)),
                    tuple_awaitable);
                if (ec)
                    co_return false;
                t.expires_after(drip);
                co_await t.async_wait(tuple_awaitable);
            }
            co_return true;
        }
        if (!truncate) {
            auto [ec, n] = co_await http::async_write(client, res, tuple_awaitable);
            co_return !ec;
        }
        std::ostringstream raw;
        raw << res;
        std::string bytes = raw.str();
        bytes.resize(bytes.size() - res.body().size() / 2 - 1);
        co_await asio::async_write(client, asio::buffer(bytes), tuple_awaitable);
        co_return false;
    }

    template <class Stream>
    asio::awaitable<void> session(std::shared_ptr<Stream> client,
                                  std::shared_ptr<beast::tcp_stream> lowest) {
        open_guard counted(this);
        beast::flat_buffer client_buffer, upstream_buffer;
        std::optional<beast::tcp_stream> upstream;
        {
            std::lock_guard lock(mutex);
            idle_clients.push_back(lowest);
        }
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(64 * 1024 * 1024);
            auto [rec, rn] =
                co_await http::async_read(*client, client_buffer, parser, tuple_awaitable);
            if (rec)
                co_return;
            ++seen;
            auto req = parser.release();
            fault f = next_fault(req);

            if (f.kind == fault::refuse_connection) {
                lowest->close();
                co_await refuse_for(f.wait.count() > 0 ? f.wait : std::chrono::milliseconds(50));
                co_return;
            }
            if (f.kind == fault::close_before_forward) {
                lowest->close();
                co_return;
            }
            if (f.kind == fault::respond) {
                http::response<http::string_body> res{static_cast<http::status>(f.status), 11};
                res.set(http::field::content_type, "application/x-amz-json-1.0");
                res.set("x-amzn-RequestId", "fault-proxy-" + std::to_string(seen.load()));
                res.body() = f.body;
                res.keep_alive(true);
                res.prepare_payload();
                if (!co_await write_response(*client, res, false))
                    co_return;
                continue;
            }
            boost::json::object held_back; // partial_batch: table -> requests or keys not forwarded
            bool batch_get = false;
            if (f.kind == fault::partial_batch) {
                auto body = boost::json::parse(req.body()).as_object();
                auto& tables = body["RequestItems"].as_object();
                batch_get = std::string(req["x-amz-target"]).ends_with("BatchGetItem");
                for (auto& [table, spec] : tables) {
                    auto& list = batch_get ? spec.as_object()["Keys"].as_array() : spec.as_array();
                    boost::json::array rest(
                        list.begin() + static_cast<std::ptrdiff_t>(list.size() / 2), list.end());
                    list.erase(list.begin() + static_cast<std::ptrdiff_t>(list.size() / 2),
                               list.end());
                    if (!rest.empty())
                        held_back[table] = std::move(rest);
                }
                // Keep tables with something left to forward.
                boost::json::object kept;
                for (auto& [table, spec] : tables)
                    if (!(batch_get ? spec.as_object()["Keys"].as_array().empty()
                                    : spec.as_array().empty()))
                        kept[table] = spec;
                body["RequestItems"] = kept;
                req.body() = boost::json::serialize(body);
                req.prepare_payload();
            }
            if (f.kind == fault::delay) {
                asio::steady_timer t(ioc, f.wait);
                co_await t.async_wait(tuple_awaitable);
            }

            // Forward to the server, reconnecting when it closed the last one.
            http::response<http::string_body> res;
            bool ok = false;
            for (int tries = 0; tries < 2 && !ok; ++tries) {
                if (!upstream) {
                    upstream.emplace(ioc);
                    tcp::resolver resolver(ioc);
                    auto [dec, addrs] = co_await resolver.async_resolve(
                        upstream_host, std::to_string(upstream_port), tuple_awaitable);
                    if (dec)
                        co_return;
                    auto [cec, cep] = co_await upstream->async_connect(addrs, tuple_awaitable);
                    if (cec)
                        co_return;
                    upstream_buffer.clear();
                }
                req.keep_alive(true);
                auto [wec, wn] = co_await http::async_write(*upstream, req, tuple_awaitable);
                http::response_parser<http::string_body> rp;
                rp.body_limit(64 * 1024 * 1024);
                beast::error_code uec = wec;
                if (!wec) {
                    auto [e2, n2] =
                        co_await http::async_read(*upstream, upstream_buffer, rp, tuple_awaitable);
                    uec = e2;
                }
                if (uec) {
                    upstream.reset();
                    continue;
                }
                res = rp.release();
                if (!res.keep_alive())
                    upstream.reset();
                ok = true;
            }
            if (!ok)
                co_return;
            if (f.kind == fault::close_after_forward) {
                lowest->close();
                co_return;
            }
            if (f.kind == fault::partial_batch) {
                auto body = boost::json::parse(res.body()).as_object();
                auto& unprocessed = body[batch_get ? "UnprocessedKeys" : "UnprocessedItems"];
                if (!unprocessed.is_object())
                    unprocessed = boost::json::object{};
                for (auto& [table, rest] : held_back) {
                    if (batch_get) {
                        auto& spec = unprocessed.as_object()[table];
                        if (!spec.is_object())
                            spec = boost::json::object{{"Keys", boost::json::array{}}};
                        for (auto& k : rest.as_array())
                            spec.as_object()["Keys"].as_array().push_back(k);
                    } else {
                        auto& list = unprocessed.as_object()[table];
                        if (!list.is_array())
                            list = boost::json::array{};
                        for (auto& w : rest.as_array())
                            list.as_array().push_back(w);
                    }
                }
                res.body() = boost::json::serialize(body);
                auto crc = ::crc32(::crc32(0L, Z_NULL, 0),
                                   reinterpret_cast<const Bytef*>(res.body().data()),
                                   static_cast<uInt>(res.body().size()));
                res.set("x-amz-crc32", std::to_string(crc));
                res.prepare_payload();
            }
            if (f.kind == fault::flip_body_byte && !res.body().empty())
                res.body()[res.body().size() / 2] ^= 0x01;
            res.keep_alive(true);
            auto drip = f.kind == fault::slow_drip ? f.wait : std::chrono::milliseconds(0);
            if (!co_await write_response(*client, res, f.kind == fault::truncate_body, drip)) {
                lowest->close();
                co_return;
            }
        }
    }
};

fault_proxy::fault_proxy(std::string upstream_host, std::uint16_t upstream_port,
                         std::optional<tls_files> tls)
    : impl_(std::make_shared<impl>(std::move(upstream_host), upstream_port, std::move(tls))) {
    asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
    impl_->thread = std::thread([p = impl_.get()] { p->ioc.run(); });
}

static std::pair<std::string, std::uint16_t> split_url(const std::string& url) {
    auto rest = url.substr(url.find("://") + 3);
    auto colon = rest.rfind(':');
    auto slash = rest.find('/', colon);
    return {rest.substr(0, colon),
            static_cast<std::uint16_t>(std::stoi(rest.substr(colon + 1, slash - colon - 1)))};
}

fault_proxy::fault_proxy(const std::string& upstream_url, std::optional<tls_files> tls)
    : fault_proxy(split_url(upstream_url).first, split_url(upstream_url).second, std::move(tls)) {}

fault_proxy::~fault_proxy() {
    impl_->ioc.stop();
    if (impl_->thread.joinable())
        impl_->thread.join();
}

std::uint16_t fault_proxy::port() const {
    return impl_->listen_port;
}

std::string fault_proxy::endpoint() const {
    return (impl_->use_tls ? "https://localhost:" : "http://127.0.0.1:") +
           std::to_string(impl_->listen_port);
}

void fault_proxy::push(fault f) {
    std::lock_guard lock(impl_->mutex);
    impl_->plan.push_back(std::move(f));
}

void fault_proxy::close_client_connections() {
    // Runs on the proxy's own thread, where its sockets live.
    std::promise<void> done;
    asio::post(impl_->ioc, [this, &done] {
        std::lock_guard lock(impl_->mutex);
        for (auto& w : impl_->idle_clients)
            if (auto s = w.lock()) {
                beast::error_code ignored;
                s->socket().shutdown(tcp::socket::shutdown_both, ignored);
            }
        impl_->idle_clients.clear();
        done.set_value();
    });
    done.get_future().wait();
}

void fault_proxy::inject_randomly(double rate, std::uint64_t seed, std::vector<fault> kinds) {
    std::lock_guard lock(impl_->mutex);
    impl_->rate = rate;
    impl_->random.seed(seed);
    impl_->kinds = std::move(kinds);
}

void fault_proxy::stop_injecting() {
    std::lock_guard lock(impl_->mutex);
    impl_->rate = 0;
}

std::size_t fault_proxy::connections_open() const {
    return impl_->open;
}
std::size_t fault_proxy::peak_connections_open() const {
    return impl_->peak_open;
}

std::map<std::string, std::size_t> fault_proxy::injected_by_name() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->by_name;
}

std::vector<std::string> fault_proxy::access_key_ids() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->key_ids;
}

std::string fault::kind_name(kind_t k) {
    switch (k) {
    case forward:
        return "forward";
    case refuse_connection:
        return "refuse_connection";
    case close_before_forward:
        return "close_before_forward";
    case close_after_forward:
        return "close_after_forward";
    case respond:
        return "respond";
    case flip_body_byte:
        return "flip_body_byte";
    case delay:
        return "delay";
    case truncate_body:
        return "truncate_body";
    case slow_drip:
        return "slow_drip";
    case partial_batch:
        return "partial_batch";
    }
    return "unknown";
}

static fault error_answer(unsigned status, const char* type, std::string extra, const char* name) {
    std::string body = std::string(R"({"__type":"com.amazonaws.dynamodb.v20120810#)") + type +
                       R"(","message":"injected by the fault proxy")" + extra + "}";
    return fault{fault::respond, status, std::move(body), {}, name};
}

fault fault::throttle() {
    return error_answer(400, "ThrottlingException", "", "ThrottlingException");
}
fault fault::throughput_exceeded() {
    return error_answer(
        400, "ProvisionedThroughputExceededException",
        R"(,"ThrottlingReasons":[{"reason":"TableWriteProvisionedThroughputExceeded","resource":"arn:aws:dynamodb:us-east-1:000000000000:table/injected"}])",
        "ProvisionedThroughputExceeded");
}
fault fault::request_limit() {
    return error_answer(400, "RequestLimitExceeded", "", "RequestLimitExceeded");
}
fault fault::internal_error() {
    return error_answer(500, "InternalServerError", "", "500 InternalServerError");
}
fault fault::unavailable() {
    return error_answer(503, "ServiceUnavailable", "", "503 ServiceUnavailable");
}

std::vector<fault> fault::all_kinds(std::chrono::milliseconds attempt_timeout) {
    return {fault{refuse_connection, 200, {}, std::chrono::milliseconds(30)},
            fault{close_before_forward},
            fault{close_after_forward},
            fault{truncate_body},
            fault{flip_body_byte},
            internal_error(),
            unavailable(),
            throttle(),
            throughput_exceeded(),
            request_limit(),
            fault{delay, 200, {}, attempt_timeout + std::chrono::milliseconds(100)},
            fault{slow_drip, 200, {}, attempt_timeout / 40}};
}

std::size_t fault_proxy::connections_accepted() const {
    return impl_->accepted;
}
std::size_t fault_proxy::requests() const {
    return impl_->seen;
}
std::size_t fault_proxy::faults_injected() const {
    return impl_->injected;
}

} // namespace ddb::test
