// ddb — the default credential chain, as in every AWS SDK.
#pragma once

#include <ddb/credentials/caching_provider.hpp>
#include <ddb/credentials/chain_provider.hpp>

namespace ddb {

/// The chain a client uses when given no provider, wrapped in a
/// `caching_provider`: environment variables, then the shared profile files
/// (AWS_PROFILE / AWS_DEFAULT_PROFILE / "default"). The container (ECS) and
/// instance-metadata (IMDSv2) providers join the end of this chain with the
/// HTTP transport.
///
/// Reads the profile files now, not at each fetch.
credentials_provider_ptr make_default_credentials_chain();

/// The sources of the default chain, unwrapped, for callers that add their own.
std::vector<credentials_provider_ptr> default_credential_sources();

} // namespace ddb
