// ddb::es — what an append expects the aggregate's version to be.
#pragma once

#include <cstdint>

namespace ddb::es {

/// `any()`: append after whatever is there (the store reads the latest
/// version and retries its own conflicts). `no_stream()`: the aggregate must
/// have no events. `exact(n)`: the aggregate must be at version n (n = 0 is
/// the same as `no_stream()`).
struct expected_version {
    enum class kind { any, exact };
    kind mode = kind::any;
    std::int64_t version = 0;

    static constexpr expected_version any() noexcept { return {kind::any, 0}; }
    static constexpr expected_version no_stream() noexcept { return {kind::exact, 0}; }
    static constexpr expected_version exact(std::int64_t n) noexcept { return {kind::exact, n}; }
};

} // namespace ddb::es
