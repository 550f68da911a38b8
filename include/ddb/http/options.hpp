// ddb — transport settings: pool limits, timeouts, TLS.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
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

/// TLS settings. By default the system CA store is used (OpenSSL's default
/// paths, which `SSL_CERT_FILE` and `SSL_CERT_DIR` can move).
struct tls_options {
    tls_verification verification = tls_verification::verify_peer;
    /// PEM file of trusted CAs, in addition to the system store. A `client`
    /// left without one takes `AWS_CA_BUNDLE`, then the profile's
    /// `ca_bundle` (docs/security.md). A file that cannot be loaded is a
    /// `config_error(invalid_setting)` naming it.
    std::string ca_file;
    std::string ca_dir; ///< directory of hashed CA certificates, likewise
    bool use_system_ca_store = true;
};

/// Connection pool settings, per (scheme, host, port).
///
/// Durations: `duration::max()` means no limit (all deadline arithmetic
/// saturates, so any very large value works too). Values that cannot work
/// are refused with `config_error(invalid_setting)` naming the field when the
/// transport (or the client) is built.
struct pool_options {
    /// Connections open at once per host (>= 1); more concurrent requests
    /// wait, in order, for one to be free. (The AWS C++ SDK's default is 25.)
    std::size_t max_connections_per_host = 512;
    /// A pooled connection idle this long is closed instead of reused; keep
    /// it below the server's own idle limit (dynalite: 5 s). >= 0; 0: a
    /// connection is never reused.
    std::chrono::milliseconds idle_timeout{4000};
    /// Time allowed for name resolution, TCP connect and TLS handshake; > 0.
    std::chrono::milliseconds connect_timeout{3000};
    /// Largest response (headers + body) accepted (>= 1), so a broken or
    /// hostile endpoint cannot exhaust memory. DynamoDB answers are at most
    /// a few MB.
    std::size_t max_response_bytes = 32 * 1024 * 1024;
    /// How long resolved addresses are reused for new connections; >= 0
    /// (0: resolve for every new connection).
    std::chrono::seconds dns_cache_ttl{30};
    tls_options tls;
};

/// Throws `config_error(invalid_setting)` naming the first field of `o`
/// that cannot work (`prefix` + field name, e.g. "client_config::pool.").
void validate(const pool_options& o, const std::string& prefix = "pool_options::");

} // namespace ddb::http
