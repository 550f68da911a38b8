// ddb — transport settings: pool limits, timeouts, TLS.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace ddb::http {

/// Whether the server's certificate is checked.
enum class tls_verification {
    /// Verify the chain against the CA store and the host name (default).
    verify_peer,
    /// Accept any certificate. Only for tests against throwaway servers:
    /// anyone on the path can read and change the traffic.
    insecure_accept_any_certificate,
};

/// TLS settings. By default the system CA store is used.
struct tls_options {
    tls_verification verification = tls_verification::verify_peer;
    std::string ca_file; ///< PEM file of trusted CAs, in addition to the system store
    std::string ca_dir;  ///< directory of hashed CA certificates, likewise
    bool use_system_ca_store = true;
};

/// Connection pool settings, per (scheme, host, port).
struct pool_options {
    /// Connections open at once per host; more concurrent requests wait, in
    /// order, for one to be free. (The AWS C++ SDK's default is 25.)
    std::size_t max_connections_per_host = 512;
    /// A pooled connection idle this long is closed instead of reused; keep
    /// it below the server's own idle limit (dynalite: 5 s).
    std::chrono::milliseconds idle_timeout{4000};
    /// Time allowed for name resolution, TCP connect and TLS handshake.
    std::chrono::milliseconds connect_timeout{3000};
    /// Largest response (headers + body) accepted, so a broken or hostile
    /// endpoint cannot exhaust memory. DynamoDB answers are at most a few MB.
    std::size_t max_response_bytes = 32 * 1024 * 1024;
    /// How long resolved addresses are reused for new connections.
    std::chrono::seconds dns_cache_ttl{30};
    tls_options tls;
};

} // namespace ddb::http
