// Internal: the bucket/partition registry of the DynamoDB repository. The
// global index partitions events by time bucket and shard
// ("<bucket>#<shard>", <ddb/es/tables.hpp>); the meta item (pk "$meta",
// v 0) records the first bucket holding events, so a global read knows where
// to start, and the layout (shards, bucket hours) the first writer used,
// which every reader and writer must share.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/store_config.hpp>

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>

namespace ddb::es::detail {

/// The buckets a global read from id `from` walks at `now`, when `first` is
/// the first bucket holding events: from it (or from's, if later) to the
/// bucket of now + `config.max_clock_skew` (another writer's clock may be
/// that far ahead).
bucket_range buckets_between(std::int64_t first, std::int64_t from,
                             std::chrono::system_clock::time_point now, const store_config& config);

class bucket_registry {
public:
    /// `c` and `config` must outlive the registry.
    bucket_registry(client& c, const store_config& config)
        : c_(c)
        , cfg_(config) {}

    /// Records that `bucket` holds events (the lowest one wins), before
    /// events of that bucket are written, so a global read never starts
    /// after them; the first writer also records the layout. Once per
    /// lower bucket than this registry recorded before.
    /// @throws es_error(layout_mismatch) when another layout is recorded.
    boost::asio::awaitable<void> record(std::int64_t bucket);

    /// The first bucket holding events; none before the first event.
    /// @throws es_error(layout_mismatch) as `record`.
    boost::asio::awaitable<std::optional<std::int64_t>> first();

    /// `buckets_between` the first bucket and the bucket of now (none
    /// without events: `count` 0).
    boost::asio::awaitable<bucket_range> range(std::int64_t from);

private:
    item meta_key() const;
    void check_layout(const item& meta) const;

    client& c_;
    const store_config& cfg_;
    // The lowest bucket this registry has recorded in the meta item.
    std::atomic<std::int64_t> recorded_{std::numeric_limits<std::int64_t>::max()};
};

} // namespace ddb::es::detail
