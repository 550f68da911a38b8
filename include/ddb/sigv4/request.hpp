// ddb — the view of an HTTP request that SigV4 signs.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace ddb::sigv4 {

/// One HTTP header as sent. Names are case-insensitive; values must be a
/// single line (obs-fold continuation lines are joined by whoever parses a
/// raw request, before signing).
struct header {
    std::string_view name;
    std::string_view value;
};

/// What SigV4 signs: a non-owning view of an HTTP request. The signer never
/// modifies it; `sign()` returns the headers to add instead.
struct request {
    std::string_view method = "POST";
    /// The path as it goes on the request line; empty means "/".
    std::string_view path = "/";
    /// The query string without '?'. Pairs may be raw or percent-encoded;
    /// they are decoded and re-encoded canonically.
    std::string_view query;
    /// Every header to sign. Must contain `host`. `authorization`,
    /// `user-agent`, `expect`, `transfer-encoding` and `x-amzn-trace-id` are
    /// never signed (proxies and agents change them).
    std::span<const header> headers;
    /// The body. Ignored when `payload_hash` is set.
    std::string_view payload;
    /// Lower-case hex SHA-256 of the body, when the caller already has it
    /// (or "UNSIGNED-PAYLOAD" where a service allows it).
    std::optional<std::string_view> payload_hash;
};

} // namespace ddb::sigv4
