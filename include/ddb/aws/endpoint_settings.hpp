// ddb — the endpoint settings every AWS SDK reads: FIPS, dual-stack and the
// account-based endpoint mode (AWS SDKs and Tools reference guide, "Dual-stack
// and FIPS endpoints" and "Account-based endpoints").
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <ddb/credentials/profile_file.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ddb {

/// Whether DynamoDB requests go to the account-based endpoint
/// `https://<account-id>.ddb.<region>.amazonaws.com` (setting
/// `account_id_endpoint_mode` / AWS_ACCOUNT_ID_ENDPOINT_MODE). The account id
/// comes from the credentials (`credentials::account_id`).
enum class account_id_endpoint_mode {
    /// Used when the credentials carry an account id and nothing excludes it
    /// (a configured endpoint URL, FIPS, a partition other than aws); the
    /// SDKs' default, and what AWS recommends.
    preferred,
    /// Always used: a client whose settings exclude it (FIPS, a partition
    /// other than aws) is refused, and so is a call whose credentials carry
    /// no account id (`config_error(invalid_setting)`). A configured endpoint
    /// URL or the `local` region still wins, as in the SDKs.
    required,
    /// Never used.
    disabled,
};

/// "preferred", "required" or "disabled".
std::string_view to_string(account_id_endpoint_mode mode) noexcept;

/// The settings given in code (`client_config` has the same fields); those
/// left unset come from the environment, then the selected profile.
struct endpoint_options {
    std::optional<bool> use_fips_endpoint;
    std::optional<bool> use_dualstack_endpoint;
    std::optional<ddb::account_id_endpoint_mode> account_id_endpoint_mode;
};

/// The resolved settings, and where each came from.
struct endpoint_settings {
    bool use_fips = false;
    bool use_dualstack = false;
    account_id_endpoint_mode account_mode = account_id_endpoint_mode::preferred;
    /// Where each value came from: "client_config::use_fips_endpoint",
    /// "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint of profile 'dev'"; empty
    /// for the default.
    std::string fips_source, dualstack_source, account_mode_source;
};

/** Resolves each setting: `code` → its variable (AWS_USE_FIPS_ENDPOINT,
    AWS_USE_DUALSTACK_ENDPOINT, AWS_ACCOUNT_ID_ENDPOINT_MODE) → the selected
    profile's key (use_fips_endpoint, use_dualstack_endpoint,
    account_id_endpoint_mode) → the default (false, false, preferred).

    Values: `true` / `false` in any case; `preferred` / `required` /
    `disabled` in any case. A variable or key set to the empty string counts
    as unset. Anything else is `config_error(invalid_setting)` naming the
    variable or the profile and file key, and the value. `code_name`
    prefixes the field names in `*_source` ("client_config::").

    The files are read (through `files`) only when a setting is left open by
    `code` and the environment; a syntax error in them is
    `credentials_error(malformed)`.
*/
endpoint_settings resolve_endpoint_settings(const endpoint_options& code, lazy_profile_set& files,
                                            std::string_view code_name = "endpoint_options::");

/// The same, reading the shared config files when needed.
endpoint_settings resolve_endpoint_settings(const endpoint_options& code = {});

} // namespace ddb
