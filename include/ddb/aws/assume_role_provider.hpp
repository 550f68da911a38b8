// ddb — credentials of an assumed role: a source provider's credentials
// traded for the role's through STS AssumeRole (profiles with role_arn).
#pragma once

#include <ddb/aws/sts.hpp>
#include <ddb/credentials/provider.hpp>

namespace ddb {

/// Each `fetch()` fetches the source's credentials and calls AssumeRole
/// with them. Put it behind a `caching_provider` (the profile resolver and
/// the default chain do) so that STS is called once per expiry.
///
/// Errors from `fetch()`: the source's error as is (so a chain of roles
/// says which link failed), else `sts_error`. When STS answers that the
/// source's token expired (`expired_token`), the source is invalidated so
/// that the next fetch does not present it again.
///
/// Thread safety: distinct objects: safe. Shared objects: safe (`fetch()`
/// may be called concurrently, as for every `credentials_provider`).
class assume_role_provider final : public credentials_provider {
public:
    assume_role_provider(credentials_provider_ptr source, assume_role_params role,
                         sts_settings sts);

    boost::asio::awaitable<credentials> fetch() override;
    /// "assume-role <role_arn> (from <source name>)".
    std::string name() const override;

private:
    credentials_provider_ptr source_;
    assume_role_params role_;
    sts_settings sts_;
};

} // namespace ddb
