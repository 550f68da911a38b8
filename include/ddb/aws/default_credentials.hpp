// ddb — the default credential chain, as in every AWS SDK.
#pragma once

#include <ddb/credentials/provider.hpp>

#include <vector>

namespace ddb {

/// Environment → shared profile files → container (ECS/EKS:
/// AWS_CONTAINER_CREDENTIALS_*) → EC2 instance metadata (IMDSv2), in a chain
/// behind a `caching_provider` (refresh 5 minutes before expiry, one shared
/// refresh). This is what a `client` uses when given no provider.
credentials_provider_ptr make_default_credentials_chain();

/// The sources of the default chain, unwrapped, in order.
std::vector<credentials_provider_ptr> default_credential_sources();

} // namespace ddb
