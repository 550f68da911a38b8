// Internal: the layout registry of the DynamoDB repository. The global index
// keys events by time bucket and index partition ("<bucket>#<partition>",
// <ddb/es/tables.hpp>); the meta item (pk "$meta", v 0) records the layout
// (`lv` layout version 2, `partitions`, `bh` bucket hours), which every
// reader and writer uses, and the first bucket holding events (`fb`), so a
// global read knows where to start. A meta item without `lv` is the old
// layout (shards by id): refused until `ddb-es migrate` rewrote it.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/store_config.hpp>

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>

namespace ddb::es::detail {

/// The layout version this library writes and reads.
inline constexpr std::int64_t layout_version = 2;

/// The buckets a global read from id `from` walks at `now`, when `first` is
/// the first bucket holding events: from it (or from's, if later) to the
/// bucket of now + `config.max_clock_skew` (another writer's clock may be
/// that far ahead), or to the bucket of id `upto` when that is earlier (a
/// read that holds back young events).
bucket_range buckets_between(std::int64_t first, std::int64_t from,
                             std::chrono::system_clock::time_point now, const store_config& config,
                             std::int64_t upto = std::numeric_limits<std::int64_t>::max());

/// The store's meta item as a global read needs it.
struct store_meta {
    /// The first bucket holding events; none before the first event.
    std::optional<std::int64_t> first{};
    /// The recorded partition count; the configuration's while none is.
    int partitions = 0;
};

/// The meta item's key.
item meta_key();

/// `meta` checked against `config`: the recorded layout.
/// @throws es_error(old_layout) without `lv` (naming `ddb-es migrate`),
///         es_error(layout_mismatch) for another layout version, another
///         bucket than `config.bucket` or no valid partition count.
store_meta inspect_meta(const item& meta, const store_config& config);

class bucket_registry {
public:
    /// `c` and `config` must outlive the registry.
    bucket_registry(client& c, const store_config& config)
        : c_(c)
        , cfg_(config) {}

    /// One consistent GetItem of the meta item (every global read: `first`
    /// moves); caches the partition count.
    /// @throws as `inspect_meta`.
    boost::asio::awaitable<store_meta> read();

    /// The recorded partition count (read once, then cached); the
    /// configuration's while none is recorded.
    boost::asio::awaitable<int> partitions();

    /// Refuses the old layout (per-aggregate reads); one GetItem per
    /// registry, none once the layout was read.
    boost::asio::awaitable<void> check();

    /// Writers: the configuration to render items with, its `partitions`
    /// the recorded ones; when the store has no layout yet, this writer
    /// records its own first. Once per registry, then cached.
    boost::asio::awaitable<const store_config*> for_writes();
    /// What `for_writes` gave, once it has (std::logic_error before).
    const store_config& write_config() const;

    /// Records that `bucket` holds events (the lowest one wins), before
    /// events of that bucket are written, so a global read never starts
    /// after them. Once per lower bucket than this registry recorded
    /// before. Call `for_writes` first.
    boost::asio::awaitable<void> record(std::int64_t bucket);

    /// `buckets_between` the first bucket and the bucket of now (none
    /// without events: `count` 0).
    boost::asio::awaitable<bucket_range> range(std::int64_t from);

private:
    boost::asio::awaitable<std::optional<item>> get_meta();
    const store_config& cached_for_writes(int partitions);

    client& c_;
    const store_config& cfg_;
    // The recorded partition count once read (0: not yet).
    std::atomic<int> partitions_{0};
    // The layout was read and is not the old one (or there was none).
    std::atomic<bool> checked_{false};
    // The configuration writers render items with, once known.
    std::mutex write_mutex_;
    std::unique_ptr<store_config> write_cfg_;
    std::atomic<const store_config*> write_ptr_{nullptr};
    // The lowest bucket this registry has recorded in the meta item.
    std::atomic<std::int64_t> recorded_{std::numeric_limits<std::int64_t>::max()};
};

} // namespace ddb::es::detail
