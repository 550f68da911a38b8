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
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ddb::test {

/// What to do with one request.
struct fault {
    enum kind_t {
        forward, ///< pass through unchanged
        /// close the client connection before forwarding and refuse new
        /// connections for `wait` (the listening socket is closed, so a
        /// reconnect gets ECONNREFUSED), then listen again on the same port
        refuse_connection,
        close_before_forward, ///< close the client connection; the server never sees the request
        close_after_forward,  ///< the server processes it; the client gets no byte back
        respond,              ///< answer `status`/`body` instead of forwarding
        flip_body_byte,       ///< forward, then flip one bit of the response body (CRC mismatch)
        delay,                ///< wait `wait`, then forward
        truncate_body,        ///< forward, send only the first half of the response, close
        /// forward, then send the response in 20 pieces, `wait` apart
        slow_drip,
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
    /// What the proxy counts it as (`injected_by_name`); default: the kind's name.
    std::string name;

    fault(kind_t k = forward, unsigned s = 200, std::string b = {},
          std::chrono::milliseconds w = {}, std::string n = {})
        : kind(k)
        , status(s)
        , body(std::move(b))
        , wait(w)
        , name(n.empty() ? kind_name(k) : std::move(n)) {}

    static std::string kind_name(kind_t k);

    /// 400 ThrottlingException.
    static fault throttle();
    /// 400 ProvisionedThroughputExceededException with throttling reasons.
    static fault throughput_exceeded();
    /// 400 RequestLimitExceeded (account-level on-demand limit).
    static fault request_limit();
    /// 500 InternalServerError.
    static fault internal_error();
    /// 503 ServiceUnavailable.
    static fault unavailable();
    /// Every kind the chaos tests inject, each with a name of its own:
    /// delays and drips are sized from the client's attempt timeout
    /// (delay: beyond it; drip: about half of it, so the answer arrives).
    static std::vector<fault> all_kinds(std::chrono::milliseconds attempt_timeout);
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

    /// From now on, a request with no queued fault gets one of `kinds`
    /// (uniformly) with probability `rate`, drawn from a generator seeded
    /// with `seed`. Batch-only kinds (partial_batch) are applied to
    /// BatchWriteItem/BatchGetItem only; other requests are forwarded.
    void inject_randomly(double rate, std::uint64_t seed, std::vector<fault> kinds);
    /// Stops random injection.
    void stop_injecting();

    std::size_t connections_accepted() const;
    /// Client connections open now, and the most open at once.
    std::size_t connections_open() const;
    std::size_t peak_connections_open() const;
    std::size_t requests() const;
    std::size_t faults_injected() const;
    /// Faults injected so far, by `fault::name`.
    std::map<std::string, std::size_t> injected_by_name() const;
    /// The access key ids of the requests' SigV4 Authorization headers, in
    /// the order first seen.
    std::vector<std::string> access_key_ids() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

} // namespace ddb::test
