// ddb — the default credential chain, as in every AWS SDK.
#pragma once

#include <ddb/credentials/profile_file.hpp>
#include <ddb/credentials/provider.hpp>
#include <ddb/http/options.hpp>

#include <string>
#include <vector>

namespace ddb {

/// What the chain's network-backed sources need: the region STS is called
/// in, the shared files (already read, or read on first use), TLS settings
/// for STS and SSO (the client passes its CA bundle).
struct default_chain_options {
    /// Empty: `resolve_region()`, or "us-east-1" when none is configured
    /// (STS has a global endpoint).
    std::string region;
    http::tls_options tls;
};

/// The SDKs' documented order (docs/credentials.md):
/// 1. environment (AWS_ACCESS_KEY_ID, ...),
/// 2. web identity from the environment (AWS_WEB_IDENTITY_TOKEN_FILE +
///    AWS_ROLE_ARN: EKS IAM roles for service accounts),
/// 3. the selected profile of the shared files, whatever it uses (static
///    keys, role_arn, web identity, SSO, credential_process:
///    `profile_credentials_provider`),
/// 4. container (ECS, EKS Pod Identity: AWS_CONTAINER_CREDENTIALS_*),
/// 5. EC2 instance metadata (IMDSv2),
/// in a `chain_provider` behind a `caching_provider` (refresh 5 minutes
/// before expiry, one shared refresh; a failed refresh keeps serving the
/// credentials until they expire). This is what a `client` uses when given
/// no provider.
credentials_provider_ptr make_default_credentials_chain();
credentials_provider_ptr make_default_credentials_chain(default_chain_options opts,
                                                        lazy_profile_set& files);

/// The sources of the default chain, unwrapped, in order.
std::vector<credentials_provider_ptr> default_credential_sources();
std::vector<credentials_provider_ptr> default_credential_sources(default_chain_options opts,
                                                                 lazy_profile_set& files);

} // namespace ddb
