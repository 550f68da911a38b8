// Test that header file is self-contained.
#include <ddb/http/transport.hpp>

#include <ddb/client/client.hpp>

#include "../support/client_setup.hpp"
#include "../support/fault_proxy.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"
#include "../support/temp_dir.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>

#include <thread>

using namespace ddb;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::awaitable;
using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

namespace {

http::request list_tables(std::uint16_t port) {
    http::request req{bhttp::verb::post, "/", 11};
    req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
    req.set(bhttp::field::content_type, "application/x-amz-json-1.0");
    req.set("x-amz-target", "DynamoDB_20120810.ListTables");
    // moto and dynalite do not check signatures unless asked to.
    req.set(bhttp::field::authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDX/20260101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=0000");
    req.body() = "{}";
    req.prepare_payload();
    return req;
}

http::origin origin_of(std::uint16_t port) {
    return {false, "127.0.0.1", port};
}

} // namespace

TEST_CASE("transport: a stale pooled connection is replaced and the request resent once",
          "[http]") {
    test::fault_proxy proxy(test::local_server::endpoint("moto"));
    asio::io_context ioc;
    http::pooled_transport t(ioc.get_executor());
    auto req = list_tables(proxy.port());
    http::exchange_info first, second;
    test::run(ioc, [&]() -> awaitable<void> {
        co_await t.send(origin_of(proxy.port()), req, steady::now() + std::chrono::seconds(5),
                        &first);
    });
    proxy.push({test::fault::close_before_forward}); // the server "closed" the pooled connection
    auto res = test::run(ioc, [&]() -> awaitable<http::response> {
        co_return co_await t.send(origin_of(proxy.port()), req,
                                  steady::now() + std::chrono::seconds(5), &second);
    });
    CHECK(res.result_int() == 200);
    CHECK_FALSE(first.reused_connection);
    CHECK(second.reused_connection);
    CHECK(second.resent);
    CHECK(proxy.requests() == 3);
    CHECK(proxy.connections_accepted() == 2);
}

TEST_CASE("transport: requests beyond the connection limit wait their turn", "[http]") {
    test::fault_proxy proxy(test::local_server::endpoint("moto"));
    asio::io_context ioc;
    http::pool_options opts;
    opts.max_connections_per_host = 2;
    http::pooled_transport t(ioc.get_executor(), opts);
    auto req = list_tables(proxy.port());
    for (int i = 0; i < 8; ++i)
        proxy.push({test::fault::delay, 0, {}, milliseconds(50)});
    std::atomic<int> ok{0};
    std::atomic<std::size_t> max_open{0};
    for (int i = 0; i < 8; ++i)
        asio::co_spawn(
            ioc,
            [&]() -> awaitable<void> {
                auto r = co_await t.send(origin_of(proxy.port()), req,
                                         steady::now() + std::chrono::seconds(10));
                max_open = std::max(max_open.load(), t.stats(origin_of(proxy.port())).open);
                if (r.result_int() == 200)
                    ++ok;
            },
            asio::detached);
    std::thread second([&] { ioc.run(); });
    ioc.run();
    second.join();
    CHECK(ok == 8);
    CHECK(proxy.connections_accepted() <= 2);
    CHECK(max_open <= 2);
}

TEST_CASE("transport: oversized responses and refused connections are typed errors", "[http]") {
    test::fault_proxy proxy(test::local_server::endpoint("moto"));
    asio::io_context ioc;
    http::pool_options small;
    small.max_response_bytes = 64;
    http::pooled_transport t(ioc.get_executor(), small);
    auto req = list_tables(proxy.port());
    try {
        test::run(ioc, [&]() -> awaitable<void> {
            co_await t.send(origin_of(proxy.port()), req, steady::now() + std::chrono::seconds(5));
        });
        FAIL("no exception");
    } catch (const http::transport_error& e) {
        CHECK(e.code() == http::errc::response_too_large);
        CHECK_FALSE(e.transient());
    }
    // A port nobody listens on.
    std::uint16_t closed;
    {
        asio::ip::tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        closed = a.local_endpoint().port();
    }
    http::pooled_transport t2(ioc.get_executor());
    try {
        test::run(ioc, [&]() -> awaitable<void> {
            co_await t2.send(origin_of(closed), req, steady::now() + std::chrono::seconds(5));
        });
        FAIL("no exception");
    } catch (const http::transport_error& e) {
        CHECK(e.code() == http::errc::connect_failed);
        CHECK(e.transient());
    }
}

namespace {

// A throwaway CA and a server certificate for DNS:localhost, made with the
// openssl command line.
struct throwaway_pki {
    test::temp_dir dir;
    std::string ca, cert, key;
    throwaway_pki() {
        auto p = dir.path().string();
        ca = p + "/ca.pem";
        cert = p + "/server.pem";
        key = p + "/server.key";
        std::string cmd =
            "cd '" + p +
            "' && "
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "
            "ca.key -out ca.pem "
            "-days 1 -subj '/CN=ddb test CA' && "
            "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "
            "server.key -out server.csr "
            "-subj '/CN=localhost' && "
            "printf 'subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\n' > ext.cnf && "
            "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out "
            "server.pem -days 1 "
            "-extfile ext.cnf";
        REQUIRE(std::system((cmd + " >/dev/null 2>&1").c_str()) == 0);
    }
};

http::errc tls_error_of(asio::io_context& ioc, client& c) {
    try {
        test::run(ioc, [&]() -> awaitable<void> {
            boost::json::value none = boost::json::object{};
            co_await c.call("ListTables", none);
        });
    } catch (const http::transport_error& e) {
        INFO(e.what());
        return static_cast<http::errc>(e.code().value());
    }
    return {};
}

} // namespace

TEST_CASE("TLS: a trusted CA and the right host name succeed; anything else fails typed",
          "[http][tls]") {
    throwaway_pki pki;
    test::fault_proxy proxy(test::local_server::endpoint("moto"),
                            test::tls_files{pki.cert, pki.key});
    asio::io_context ioc;
    std::string https_localhost = "https://localhost:" + std::to_string(proxy.port());
    std::string https_ip = "https://127.0.0.1:" + std::to_string(proxy.port());

    auto trusted = test::config_for(https_localhost);
    trusted.pool.tls.ca_file = pki.ca;
    client good(ioc.get_executor(), trusted);
    auto tables = test::run(ioc, [&]() -> awaitable<boost::json::value> {
        boost::json::value none = boost::json::object{};
        co_return co_await good.call("ListTables", none);
    });
    CHECK(tables.as_object().contains("TableNames"));

    // Not signed by a CA we trust.
    client untrusted(ioc.get_executor(), test::config_for(https_localhost));
    CHECK(tls_error_of(ioc, untrusted) == http::errc::tls_handshake_failed);

    // Signed by our CA, but for another name than the one we connect to.
    auto wrong_name = test::config_for(https_ip);
    wrong_name.pool.tls.ca_file = pki.ca;
    client mismatch(ioc.get_executor(), wrong_name);
    CHECK(tls_error_of(ioc, mismatch) == http::errc::tls_handshake_failed);

    // Verification off only by the loudly named option.
    auto insecure = test::config_for(https_ip);
    insecure.pool.tls.verification = http::tls_verification::insecure_accept_any_certificate;
    client anything(ioc.get_executor(), insecure);
    CHECK(tls_error_of(ioc, anything) == http::errc{});
}
