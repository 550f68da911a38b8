// ddb — credentials of a profile of the shared files, whatever it uses:
// static keys, role_arn (with source_profile or credential_source),
// web_identity_token_file, SSO (sso_session or legacy), credential_process.
#pragma once

#include <ddb/aws/sts.hpp>
#include <ddb/credentials/profile_file.hpp>
#include <ddb/credentials/provider.hpp>
#include <ddb/http/options.hpp>

#include <optional>
#include <string>

namespace ddb {

/// What the network-backed sources of a profile need.
struct profile_credentials_options {
    /// Where STS is (AssumeRole, AssumeRoleWithWebIdentity). The default
    /// chain resolves it with `resolve_sts_endpoint()`.
    sts_settings sts;
    /// TLS for SSO OIDC and the SSO portal.
    http::tls_options tls;
    /// Where `aws sso login` caches tokens; empty: $HOME/.aws/sso/cache.
    std::string sso_cache_dir;
};

/// Resolves a profile into the provider it describes, once, when built (the
/// files are read then; a file or profile error is kept and thrown by
/// `fetch()`, so a chain's earlier sources still work), in this order, as
/// botocore does:
///
/// 1. `role_arn`: with `web_identity_token_file`, AssumeRoleWithWebIdentity;
///    else AssumeRole with the credentials of `source_profile` (resolved the
///    same way, chains of any depth; a profile naming itself uses its own
///    static keys; a cycle is `malformed`, naming the path) or of
///    `credential_source` (`Environment`, `Ec2InstanceMetadata`,
///    `EcsContainer`); `external_id`, `role_session_name`,
///    `duration_seconds` apply. `mfa_serial` is refused (`unsupported`: a
///    server cannot prompt for a code).
/// 2. `sso_session` (its `[sso-session]` section) or legacy `sso_start_url`
///    + `sso_region`, with `sso_account_id` and `sso_role_name`.
/// 3. static keys (`aws_access_key_id`, ...).
/// 4. `credential_process`.
///
/// Every link that calls a service is cached (refreshed before expiry), so
/// a chain of roles calls each source once per expiry.
///
/// Errors from `fetch()`: `not_found` when the profile is absent and was not
/// chosen explicitly, or has no credentials at all; `profile_not_found` for
/// an explicitly chosen (or source) profile that does not exist;
/// `malformed` for contradictory or incomplete settings (naming profile and
/// key); `unsupported` for `mfa_serial`; else the source's own error.
///
/// Thread safety: distinct objects: safe. Shared objects: safe (`fetch()`
/// may be called concurrently, as for every `credentials_provider`).
class profile_credentials_provider final : public credentials_provider {
public:
    /// The profile the environment selects, from the files it names.
    explicit profile_credentials_provider(profile_credentials_options opts);
    /// The given profile of the given files.
    profile_credentials_provider(const profile_set& files, profile_selection selection,
                                 profile_credentials_options opts);

    boost::asio::awaitable<credentials> fetch() override;
    /// "profile 'dev'" before resolution; "profile 'dev': <what it uses>".
    std::string name() const override;
    void invalidate() override;

    /// What the profile resolved to, e.g. "assume-role arn:aws:iam::1:role/r
    /// (from profile 'base': static keys)"; the error text when it did not.
    const std::string& resolved() const noexcept { return resolved_; }

private:
    // Resolves the selected profile of `files`; `where` names the files
    // searched, for the message when the profile is absent.
    void resolve(const profile_set& files, const profile_credentials_options& opts,
                 const std::string& where);

    profile_selection selection_;
    credentials_provider_ptr inner_;         // null when resolution failed
    std::optional<credentials_error> error_; // why, thrown by fetch()
    std::string resolved_;
};

} // namespace ddb
