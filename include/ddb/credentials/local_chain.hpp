// ddb — the credential sources that need no network.
#pragma once

#include <ddb/credentials/caching_provider.hpp>
#include <ddb/credentials/chain_provider.hpp>

namespace ddb {

/// Environment variables, then the shared profile files (AWS_PROFILE /
/// AWS_DEFAULT_PROFILE / "default"). Reads the profile files now, not at
/// each fetch. The full default chain, which adds the container and
/// instance-metadata providers, is `make_default_credentials_chain()` in
/// <ddb/aws/default_credentials.hpp>.
std::vector<credentials_provider_ptr> local_credential_sources();

/// `local_credential_sources()` in a chain, behind a `caching_provider`.
credentials_provider_ptr make_local_credentials_chain();

} // namespace ddb
