// ddb::es — a snapshot: an aggregate's state at a version.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ddb::es {

struct snapshot {
    std::string aggregate_uuid{};
    /// The version of the last event the state includes.
    std::int64_t aggregate_version = 0;
    /// The state, opaque bytes (any size: large states are split into parts).
    std::vector<std::uint8_t> state{};

    friend bool operator==(const snapshot&, const snapshot&) = default;
};

} // namespace ddb::es
