// ddb::es — the snapshot repository.
#pragma once

#include <ddb/es/snapshot.hpp>

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace ddb::es {

/// Implementations: `dynamodb_snapshot_repository`, `in_memory_snapshot_repository`.
class snapshot_repository {
public:
    virtual ~snapshot_repository() = default;
    /// The newest complete and intact snapshot of `uuid`, if any. A snapshot
    /// still being written, or one whose parts are missing or damaged, is
    /// skipped (the one before it is returned).
    virtual boost::asio::awaitable<std::optional<snapshot>> retrieve(std::string uuid) = 0;
    /// Stores `s`; afterwards it is what `retrieve` returns (until a newer
    /// one). Older snapshots beyond the retention count are deleted.
    virtual boost::asio::awaitable<snapshot> persist(snapshot s) = 0;
};

} // namespace ddb::es
