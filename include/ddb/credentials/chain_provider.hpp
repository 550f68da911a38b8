// ddb — try several credential sources in order.
#pragma once

#include <ddb/credentials/provider.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace ddb {

/// Asks each provider in turn and returns the first credentials found. A
/// provider answering `not_found` is skipped; any other error stops the
/// chain. Either way the `credentials_error` thrown (code `not_found`, or
/// the stopping source's code) lists every source tried and what it said,
/// in order, in its message and in `tried()`: "no AWS credentials:
/// environment: ... are not set; profile 'default': ...; container: ...;
/// instance metadata (failed; the chain stops here): ... HTTP 403 ...".
///
/// Thread safety: distinct objects: safe. Shared objects: safe (`fetch()`
/// may be called concurrently, as for every `credentials_provider`).
class chain_provider final : public credentials_provider {
public:
    explicit chain_provider(std::vector<credentials_provider_ptr> providers);

    boost::asio::awaitable<credentials> fetch() override;
    std::string name() const override;
    void invalidate() override;
    /// "chain: environment, ...; served by <source>" (or "nothing served yet").
    std::string describe() const override;

    /// The sources in order.
    const std::vector<credentials_provider_ptr>& providers() const noexcept { return providers_; }

private:
    std::vector<credentials_provider_ptr> providers_;
    std::atomic<std::size_t> served_{0}; // index + 1 of the last source that served
};

} // namespace ddb
