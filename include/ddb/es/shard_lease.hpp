// ddb::es — the lease and checkpoint of one DynamoDB Streams shard for one
// consumer, kept in the checkpoints table by `checkpoint_store`
// (<ddb/es/checkpoint_store.hpp>; docs/streams.md, "Leases and
// checkpoints"). The same owner / expiry / fence mechanism as a projection's
// partition lease, with the shard's lineage (parents), where to start
// without a checkpoint, the checkpoint (a sequence number) and, once the
// shard was read to its end, when it was finished.
// Thread safety: a value type (as the standard library's).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ddb::es {

/// Where a shard without a checkpoint is read from.
enum class shard_lease_start {
    trim_horizon, ///< its oldest record still kept
    latest,       ///< just after its newest record (the past is not wanted)
};

/// One shard's lease and checkpoint. As returned by `acquire_shard` it is
/// the holder's handle: `renew`, `commit` and `finish` update it.
struct shard_lease {
    /// The consumer (the key of its leases, like a projection's name).
    std::string consumer;
    /// The stream's label (LatestStreamLabel): a re-enabled stream's
    /// leases are apart from the old one's.
    std::string label;
    std::string shard_id;
    /// Read to their end before this shard (per-key order).
    std::vector<std::string> parents{};
    shard_lease_start start = shard_lease_start::trim_horizon;

    /// Empty: nobody holds it.
    std::string owner{};
    /// Changes each time the shard is taken free or expired.
    std::int64_t fence = 0;
    /// Expiry, by the clock of the worker that last took or renewed it.
    std::chrono::system_clock::time_point until{};

    /// The checkpoint: the sequence number of the last record handled
    /// (empty: none yet; read from `start`).
    std::optional<std::string> sequence_number{};
    /// The last sequence number handed to a handler (`record_delivery`):
    /// records up to it and after the checkpoint that a later owner reads
    /// again are redeliveries.
    std::optional<std::string> delivering{};
    /// Records handled under this lease item (a statistic).
    std::int64_t handled = 0;
    /// When the checkpoint was last committed (empty: never).
    std::optional<std::chrono::system_clock::time_point> committed_at{};

    /// When the shard was read to its end and every record handled (empty:
    /// not finished). A finished lease is never taken again; its children
    /// may start.
    std::optional<std::chrono::system_clock::time_point> done{};
    /// Records were lost (trimmed, older than the stream keeps): the
    /// checkpoint the gap started after, or "TRIM_HORIZON".
    std::optional<std::string> gap{};

    friend bool operator==(const shard_lease&, const shard_lease&) = default;
};

/// Whether sequence number `a` is before `b` (both decimal strings without
/// leading zeros: shorter first, then as text).
bool sequence_before(const std::string& a, const std::string& b) noexcept;

} // namespace ddb::es
