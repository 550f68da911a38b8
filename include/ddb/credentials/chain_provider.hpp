// ddb — try several credential sources in order.
#pragma once

#include <ddb/credentials/provider.hpp>

#include <vector>

namespace ddb {

/// Asks each provider in turn and returns the first credentials found. A
/// provider answering `not_found` is skipped; any other error stops the
/// chain. When none has credentials, throws `credentials_error(not_found)`
/// whose message and `tried()` list every source and its reason.
class chain_provider final : public credentials_provider {
public:
    explicit chain_provider(std::vector<credentials_provider_ptr> providers);

    boost::asio::awaitable<credentials> fetch() override;
    std::string name() const override;
    void invalidate() override;

    /// The sources in order.
    const std::vector<credentials_provider_ptr>& providers() const noexcept { return providers_; }

private:
    std::vector<credentials_provider_ptr> providers_;
};

} // namespace ddb
