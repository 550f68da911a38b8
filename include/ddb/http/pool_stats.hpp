// ddb — the counters of a connection pool.
// Thread safety: these are value types; distinct objects: safe; shared
// objects: safe to read concurrently, not to change while read (as for the
// standard library's types).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ddb::http {

/// Counters of one origin's pool.
struct pool_stats {
    std::size_t open = 0;                 ///< connections open now (in use + idle)
    std::size_t idle = 0;                 ///< of which idle in the pool
    std::uint64_t connections_opened = 0; ///< ever opened
    std::uint64_t requests = 0;           ///< requests sent
    std::uint64_t reused = 0;             ///< requests sent on a pooled connection
    std::uint64_t discarded_stale = 0;    ///< pooled connections found closed or expired
};

} // namespace ddb::http
