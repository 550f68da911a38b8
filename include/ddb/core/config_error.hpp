// ddb — errors in the client's configuration (region, endpoint).
// Thread safety: exceptions and codes are immutable once built: safe to
// share between threads.
#pragma once

#include <ddb/core/error.hpp>

#include <type_traits>

namespace ddb {

/// Why a configuration value was rejected. Category name: "ddb.config".
enum class config_errc {
    /// No region in the config, AWS_REGION, AWS_DEFAULT_REGION or the profile.
    region_not_found = 1,
    /// A region that is not lower-case letters, digits and dashes.
    invalid_region,
    /// An endpoint URL that does not parse, is not http(s), has no host, or
    /// carries user info, a query or a fragment.
    invalid_endpoint,
    /// Another setting (e.g. AWS_MAX_ATTEMPTS, AWS_RETRY_MODE) has an
    /// invalid value.
    invalid_setting,
};

const boost::system::error_category& config_category() noexcept;

inline error_code make_error_code(config_errc e) noexcept {
    return {static_cast<int>(e), config_category()};
}

/// Thrown when the configuration cannot be used.
class config_error : public ddb::error {
public:
    config_error(config_errc e, const std::string& message)
        : ddb::error(make_error_code(e), message) {}
};

} // namespace ddb

template <>
struct boost::system::is_error_code_enum<ddb::config_errc> : std::true_type {};
