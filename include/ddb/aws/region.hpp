// ddb — which AWS region a client talks to.
#pragma once

#include <ddb/core/config_error.hpp>
#include <ddb/credentials/profile_file.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ddb {

/// Resolves the region as AWS SDKs do: `explicit_region` → `AWS_REGION` →
/// `AWS_DEFAULT_REGION` → the `region` of the selected profile (AWS_PROFILE /
/// AWS_DEFAULT_PROFILE / "default") in the shared config files. Throws
/// `config_error(region_not_found)` listing what was tried, or
/// `config_error(invalid_region)` for a malformed name.
///
/// A variable set to the empty string counts as unset (as in the Go SDK and
/// botocore's endpoint variables; botocore itself would use "" and fail on
/// the host name); the not-found message names such variables. The files
/// are read only when no earlier source has a region; a syntax error in them
/// is `credentials_error(malformed)` naming file and line.
std::string resolve_region(std::optional<std::string_view> explicit_region = std::nullopt);

/// The same, reading the shared config files through `files` (only when no
/// earlier source has a region).
std::string resolve_region(std::optional<std::string_view> explicit_region,
                           lazy_profile_set& files);

/// The same, with the profile files already loaded.
std::string resolve_region(std::optional<std::string_view> explicit_region,
                           const profile_set& profiles, const profile_selection& selection);

/// Throws `config_error(invalid_region)` unless `region` is a plausible region
/// name ([a-z0-9-]+, at most 64 characters), so it can go into a host name.
void validate_region(std::string_view region);

} // namespace ddb
