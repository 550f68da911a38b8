#include "http_test_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <thread>

namespace ddb::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct http_test_server::impl {
    explicit impl(handler h)
        : fn(std::move(h))
        , acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0}) {}
    handler fn;
    asio::io_context ioc;
    tcp::acceptor acceptor;
    std::thread thread;
    std::atomic<std::size_t> count{0};

    asio::awaitable<void> serve(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        beast::flat_buffer buffer;
        for (;;) {
            test_request req;
            auto [ec, n] = co_await http::async_read(stream, buffer, req, tuple_awaitable);
            if (ec)
                co_return;
            ++count;
            test_response res = fn(req);
            res.keep_alive(req.keep_alive());
            auto [wec, wn] = co_await http::async_write(stream, res, tuple_awaitable);
            if (wec || !req.keep_alive())
                co_return;
        }
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(tuple_awaitable);
            if (ec)
                co_return;
            asio::co_spawn(ioc, serve(std::move(socket)), asio::detached);
        }
    }
};

http_test_server::http_test_server(handler h)
    : impl_(std::make_shared<impl>(std::move(h))) {
    asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
    impl_->thread = std::thread([p = impl_.get()] { p->ioc.run(); });
}

http_test_server::~http_test_server() {
    impl_->ioc.stop();
    if (impl_->thread.joinable())
        impl_->thread.join();
}

std::uint16_t http_test_server::port() const {
    return impl_->acceptor.local_endpoint().port();
}
std::string http_test_server::url() const {
    return "http://127.0.0.1:" + std::to_string(port());
}
std::size_t http_test_server::requests() const {
    return impl_->count;
}

test_response make_response(unsigned status, std::string body, std::string content_type) {
    test_response res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, content_type);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

test_response forward_to(std::uint16_t port, const test_request& req) {
    try {
        asio::io_context ioc;
        asio::ip::tcp::socket socket(ioc);
        socket.connect({asio::ip::make_address("127.0.0.1"), port});
        test_request copy = req;
        copy.keep_alive(false);
        http::write(socket, copy);
        boost::beast::flat_buffer buffer;
        test_response res;
        http::read(socket, buffer, res);
        return res;
    } catch (const std::exception& e) {
        return make_response(502, e.what(), "text/plain");
    }
}

} // namespace ddb::test
