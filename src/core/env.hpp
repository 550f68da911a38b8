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

/// True when the variable is set to the empty string (which ddb, like the
/// AWS SDKs, treats as unset; messages say so, as it is easy to miss).
inline bool getenv_set_but_empty(const char* name) {
    const char* v = std::getenv(name);
    return v && !*v;
}

/// `path` with a leading "~" or "~/" replaced by $HOME, as the AWS SDKs read
/// file settings (AWS_CONFIG_FILE, a profile's ca_bundle).
inline std::string expand_home(std::string path) {
    if (!path.empty() && path[0] == '~' && (path.size() == 1 || path[1] == '/'))
        path = getenv_nonempty("HOME").value_or("") + path.substr(1);
    return path;
}

} // namespace ddb::detail
