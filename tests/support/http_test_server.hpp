// ddb tests — a loopback HTTP server whose answers a test function decides.
// Used to speak the credential-endpoint protocols (container, IMDSv2), never
// to stand in for DynamoDB.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace ddb::test {

using test_request = boost::beast::http::request<boost::beast::http::string_body>;
using test_response = boost::beast::http::response<boost::beast::http::string_body>;

class http_test_server {
public:
    using handler = std::function<test_response(const test_request&)>;
    /// Listens on 127.0.0.1 (a free port) on its own thread.
    explicit http_test_server(handler h);
    ~http_test_server();
    std::uint16_t port() const;
    std::string url() const; ///< "http://127.0.0.1:PORT"
    std::size_t requests() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

/// A response with `status`, content type and body.
test_response make_response(unsigned status, std::string body,
                            std::string content_type = "application/json");

/// Sends `req` (as is, on a new connection) to 127.0.0.1:`port` and returns
/// the answer; 502 with the error text when the upstream cannot be reached.
/// For recording forwarders in front of moto.
test_response forward_to(std::uint16_t port, const test_request& req);

} // namespace ddb::test
