// ddb — static credentials from a profile of the shared files.
#pragma once

#include <ddb/credentials/profile_file.hpp>
#include <ddb/credentials/provider.hpp>

#include <optional>

namespace ddb {

/// Returns `aws_access_key_id` / `aws_secret_access_key` / `aws_session_token`
/// of one profile. The files are read once, when the provider is built, so
/// `fetch()` never touches the disk on an io thread.
///
/// Errors from `fetch()`: `not_found` when the default profile is absent or
/// has no keys; `profile_not_found` when an explicitly chosen profile
/// (AWS_PROFILE) is absent; `malformed` for a key id without secret;
/// `unsupported` for role_arn, credential_process, SSO or web identity,
/// which need the network: `profile_credentials_provider`
/// (<ddb/aws/profile_credentials_provider.hpp>) resolves those, and the
/// default chain uses it.
///
/// Thread safety: distinct objects: safe. Shared objects: safe (`fetch()`
/// may be called concurrently, as for every `credentials_provider`).
class profile_provider final : public credentials_provider {
public:
    /// Reads the files named by the environment and selects the profile
    /// named by the environment. A malformed file does not throw here: the
    /// error is kept and thrown by `fetch()`, so earlier sources of a chain
    /// still work.
    profile_provider();
    /// Uses the given profiles and profile name.
    profile_provider(profile_set profiles, profile_selection selection);

    boost::asio::awaitable<credentials> fetch() override;
    std::string name() const override;

    /// The same lookup, synchronously.
    credentials read() const;

private:
    profile_set profiles_;
    profile_selection selection_;
    std::optional<credentials_error> load_error_; // a broken file, reported at fetch()
    std::vector<std::string> searched_;           // the files read (for messages)
};

/// The static keys of one profile (`aws_access_key_id`,
/// `aws_secret_access_key`, optional `aws_session_token` and
/// `aws_account_id`); `source` is "profile:<name>". Throws
/// `credentials_error`: `not_found` when it has neither key, `malformed`
/// when it has only one.
credentials read_profile_keys(const profile& p);

} // namespace ddb
