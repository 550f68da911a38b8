// ddb — credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
#pragma once

#include <ddb/credentials/provider.hpp>

namespace ddb {

/// Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the optional
/// `AWS_SESSION_TOKEN` at each `fetch()`. Neither key set: `not_found`; only
/// one of them set (or empty): `malformed`.
///
/// Thread safety: distinct objects: safe. Shared objects: safe (`fetch()`
/// may be called concurrently, as for every `credentials_provider`).
class environment_provider final : public credentials_provider {
public:
    boost::asio::awaitable<credentials> fetch() override;
    std::string name() const override { return "environment"; }

    /// The same lookup, synchronously (no I/O is involved).
    static credentials read();
};

} // namespace ddb
