// ddb — private: reading environment variables.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

namespace ddb::detail {

/// The variable's value; nullopt when unset. (An empty value is returned as "".)
inline std::optional<std::string> getenv_opt(const char* name) {
    const char* v = std::getenv(name);
    if (!v)
        return std::nullopt;
    return std::string(v);
}

/// The variable's value when set and not empty.
inline std::optional<std::string> getenv_nonempty(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v)
        return std::nullopt;
    return std::string(v);
}

} // namespace ddb::detail
