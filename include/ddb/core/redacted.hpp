// ddb — printing secrets safely.
#pragma once

#include <ostream>
#include <string_view>

namespace ddb {

/// Placeholder printed instead of any secret value.
inline constexpr std::string_view redacted_text = "** REDACTED **";

/// A view of a secret that prints as `** REDACTED **` (or empty when empty),
/// so logging code cannot leak it by accident.
struct redacted {
    std::string_view secret;
    friend std::ostream& operator<<(std::ostream& os, redacted r) {
        return os << (r.secret.empty() ? std::string_view{} : redacted_text);
    }
};

} // namespace ddb
