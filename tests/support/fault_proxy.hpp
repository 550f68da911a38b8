// ddb tests — a fault-injecting HTTP proxy in front of a real local DynamoDB.
//
// It forwards each request to the upstream server (moto or dynalite) and
// answers with the server's real response, unless a scripted fault says
// otherwise for that request. It is not a DynamoDB: apart from canned error
// answers it never makes up a response. Keeps client connections alive even
// when the upstream closes its own after each response.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ddb::test {

/// What to do with one request.
struct fault {
    enum kind_t {
        forward,              ///< pass through unchanged
        close_before_forward, ///< close the client connection; the server never sees the request
        close_after_forward,  ///< the server processes it; the client gets no byte back
        respond,              ///< answer `status`/`body` instead of forwarding
        flip_body_byte,       ///< forward, then flip one bit of the response body (CRC mismatch)
        delay,                ///< wait `wait`, then forward
        truncate_body,        ///< forward, send only the first half of the response, close
        /// BatchWriteItem / BatchGetItem: forward only the first half of the
        /// requests or keys of each table; the server's real answer is
        /// returned with the other half added to UnprocessedItems /
        /// UnprocessedKeys (and a matching x-amz-crc32).
        partial_batch,
    };
    kind_t kind = forward;
    unsigned status = 200;
    std::string body;
    std::chrono::milliseconds wait{0};

    fault(kind_t k = forward, unsigned s = 200, std::string b = {},
          std::chrono::milliseconds w = {})
        : kind(k)
        , status(s)
        , body(std::move(b))
        , wait(w) {}

    static fault throttle() {
        return {
            respond,
            400,
            R"({"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"})",
            {}};
    }
    static fault unavailable() {
        return {
            respond,
            503,
            R"({"__type":"com.amazonaws.dynamodb.v20120810#ServiceUnavailable","message":"try again"})",
            {}};
    }
};

/// Server-side TLS material for a TLS listener (PEM files).
struct tls_files {
    std::string certificate_chain;
    std::string private_key;
};

class fault_proxy {
public:
    /// Listens on 127.0.0.1 (a free port) and forwards to upstream host:port
    /// (plain HTTP). With `tls`, clients must speak TLS to the proxy.
    fault_proxy(std::string upstream_host, std::uint16_t upstream_port,
                std::optional<tls_files> tls = {});
    /// Same, with the upstream given as "http://host:port".
    explicit fault_proxy(const std::string& upstream_url, std::optional<tls_files> tls = {});
    ~fault_proxy();

    std::uint16_t port() const;
    /// "http://127.0.0.1:PORT" (or https://localhost:PORT with TLS).
    std::string endpoint() const;

    /// Queues a fault for the next request that has none yet (FIFO).
    void push(fault f);
    /// Closes every client connection (call it while no request is in
    /// flight: pooled connections of the client become stale).
    void close_client_connections();

    std::size_t connections_accepted() const;
    std::size_t requests() const;
    std::size_t faults_injected() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

} // namespace ddb::test
