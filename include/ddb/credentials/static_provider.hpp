// ddb — credentials given in code.
#pragma once

#include <ddb/credentials/provider.hpp>

namespace ddb {

/// Returns the credentials it was built with. Throws
/// `credentials_errc::malformed` from `fetch()` when the key id or secret is empty.
///
/// Thread safety: distinct objects: safe. Shared objects: safe (`fetch()`
/// may be called concurrently, as for every `credentials_provider`).
class static_provider final : public credentials_provider {
public:
    explicit static_provider(credentials creds);
    boost::asio::awaitable<credentials> fetch() override;
    std::string name() const override { return "static"; }

private:
    credentials creds_;
};

} // namespace ddb
