//
// ddb demo — signs real DynamoDB requests with ddb's SigV4 signer and sends
// them over a few lines of Beast: ListTables, CreateTable, DescribeTable,
// DeleteTable. It talks to whatever the usual AWS configuration names:
// AWS_ENDPOINT_URL_DYNAMODB (a local moto or dynalite), or real AWS.
//
// This one-shot HTTP call is the demo's own; the library's pooled transport
// (connection reuse, retries, timeouts) is a separate layer.
//
#include <ddb/credentials.hpp>
#include <ddb/default_credentials.hpp>
#include <ddb/endpoint.hpp>
#include <ddb/region.hpp>
#include <ddb/sigv4.hpp>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <iostream>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

struct reply {
    unsigned status;
    std::string raw;  // the body as received
    json::value body; // parsed, when it is JSON
};

// Sends one signed DynamoDB JSON request: resolve, connect, (TLS handshake),
// write, read, close.
asio::awaitable<reply> call(const ddb::endpoint& ep, const std::string& region,
                            ddb::credentials_provider& provider, std::string_view operation,
                            const json::object& request) {
    auto ex = co_await asio::this_coro::executor;
    std::string body = json::serialize(request);
    std::string target = "DynamoDB_20120810." + std::string(operation);
    std::string host = ep.host_header();

    // Sign: host, content-type and x-amz-target are signed; the signer adds
    // x-amz-date and, for temporary credentials, x-amz-security-token.
    ddb::credentials creds = co_await provider.fetch();
    ddb::sigv4::header headers[] = {
        {"host", host}, {"content-type", "application/x-amz-json-1.0"}, {"x-amz-target", target}};
    ddb::sigv4::request to_sign;
    to_sign.method = "POST";
    to_sign.path = ep.path;
    to_sign.headers = headers;
    to_sign.payload = body;
    auto signed_ =
        ddb::sigv4::sign(to_sign, {creds, region, "dynamodb", std::chrono::system_clock::now()},
                         &ddb::sigv4::default_key_cache());

    http::request<http::string_body> req{http::verb::post, ep.path, 11};
    for (auto& h : headers)
        req.set(h.name, h.value);
    req.set("x-amz-date", signed_.amz_date);
    if (!signed_.security_token.empty())
        req.set("x-amz-security-token", signed_.security_token);
    req.set(http::field::authorization, signed_.authorization);
    req.set(http::field::user_agent, "ddb-demo/0.1");
    req.body() = std::move(body);
    req.prepare_payload();

    // Resolve and connect.
    asio::ip::tcp::resolver resolver(ex);
    auto addresses =
        co_await resolver.async_resolve(ep.host, std::to_string(ep.port), asio::use_awaitable);
    beast::tcp_stream tcp(ex);
    tcp.expires_after(std::chrono::seconds(30));
    co_await tcp.async_connect(addresses, asio::use_awaitable);

    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    if (ep.tls()) {
        // TLS: verify the peer against the system CA store, check the host
        // name, send SNI.
        asio::ssl::context ctx(asio::ssl::context::tls_client);
        ctx.set_default_verify_paths();
        ctx.set_verify_mode(asio::ssl::verify_peer);
        beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp), ctx);
        if (!SSL_set_tlsext_host_name(tls.native_handle(), ep.host.c_str()))
            throw beast::system_error(static_cast<int>(::ERR_get_error()),
                                      asio::error::get_ssl_category());
        tls.set_verify_callback(asio::ssl::host_name_verification(ep.host));
        co_await tls.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
        co_await http::async_write(tls, req, asio::use_awaitable);
        co_await http::async_read(tls, buffer, res, asio::use_awaitable);
        beast::error_code ignored;
        beast::get_lowest_layer(tls).socket().shutdown(asio::ip::tcp::socket::shutdown_both,
                                                       ignored);
    } else {
        co_await http::async_write(tcp, req, asio::use_awaitable);
        co_await http::async_read(tcp, buffer, res, asio::use_awaitable);
        beast::error_code ignored;
        tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    }
    reply r{res.result_int(), std::move(res.body()), {}};
    boost::system::error_code parse_error;
    r.body = json::parse(r.raw, parse_error); // error bodies of some servers are XML
    co_return r;
}

void show(std::string_view op, const reply& r) {
    std::string text = r.body.is_null() ? r.raw : json::serialize(r.body);
    if (text.size() > 240)
        text = text.substr(0, 240) + "...";
    std::cout << op << " -> HTTP " << r.status << "\n  " << text << "\n";
}

asio::awaitable<int> demo() {
    std::string region = ddb::resolve_region();
    ddb::endpoint ep = ddb::resolve_endpoint(std::nullopt, region);
    auto provider = ddb::make_default_credentials_chain();
    std::cout << "endpoint: " << ep.url << "  region: " << region << "\n";
    auto creds = co_await provider->fetch();
    std::cout << "credentials: " << creds << "\n\n";

    // (Requests are named locals: GCC 12 mishandles temporaries inside co_await.)
    json::object list_request;
    auto tables = co_await call(ep, region, *provider, "ListTables", list_request);
    show("ListTables", tables);
    if (tables.status != 200)
        co_return 1;

    auto stamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    std::string table = "ddb-demo-" + std::to_string(stamp);
    json::object create{
        {"TableName", table},
        {"BillingMode", "PAY_PER_REQUEST"},
        {"AttributeDefinitions",
         json::array{json::object{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
        {"KeySchema", json::array{json::object{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}}};
    auto created = co_await call(ep, region, *provider, "CreateTable", create);
    show("CreateTable", created);
    if (created.status != 200)
        co_return 1;

    json::object by_name{{"TableName", table}};
    auto described = co_await call(ep, region, *provider, "DescribeTable", by_name);
    show("DescribeTable", described);
    if (described.status != 200)
        co_return 1;
    std::cout << "  table " << table << " is "
              << json::value_to<std::string>(described.body.at("Table").at("TableStatus")) << "\n";

    auto deleted = co_await call(ep, region, *provider, "DeleteTable", by_name);
    show("DeleteTable", deleted);

    // A request the service must refuse: the error comes back typed in the body.
    json::object missing_table{{"TableName", table + "-missing"}};
    auto missing = co_await call(ep, region, *provider, "DescribeTable", missing_table);
    show("DescribeTable (missing table)", missing);
    co_return deleted.status == 200 && missing.status == 400 ? 0 : 1;
}

int main() {
    asio::io_context ioc;
    int rc = 1;
    asio::co_spawn(ioc, demo(), [&](std::exception_ptr e, int result) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                std::cerr << "demo failed: " << ex.what() << "\n";
            }
        } else {
            rc = result;
        }
    });
    ioc.run();
    std::cout << (rc == 0 ? "demo: OK\n" : "demo: FAILED\n");
    return rc;
}
