// ddb::es — migrating a store of the old global-index layout (events spread
// over shards by id, `g` = "<bucket>#<id mod shards>") to the current one
// (index partitions by aggregate, <ddb/es/tables.hpp>). `ddb-es migrate`
// runs it from the command line.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/core/diagnostics.hpp>
#include <ddb/es/detail/async.hpp>
#include <ddb/es/store_config.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>

namespace ddb::es {

struct migrate_options {
    /// The partition count to record; default: the old shard count (else
    /// `store_config::partitions`). 1 to 1000.
    std::optional<int> partitions{};
    /// UpdateItem calls in flight at once.
    int concurrency = 16;
};

/// How far a migration has come; at the end, what it did.
struct migrate_progress {
    std::int64_t scanned = 0;   ///< items of the events table read
    std::int64_t rewritten = 0; ///< events whose index key was rewritten
    std::int64_t in_place = 0;  ///< events whose key was right already (a resumed run)
    std::int64_t vanished = 0;  ///< events deleted between the scan and their rewrite (TTL)
};

struct migrate_result {
    /// False when the store had the current layout already: nothing done.
    bool migrated = false;
    /// The partition count the store records now.
    int partitions = 0;
    /// The old layout's shard count, when it recorded one.
    std::optional<int> old_shards{};
    migrate_progress counts{};
};

/** Rewrites a store of the old layout in place: scans the events table and
    sets the index key `g` of every event (an UpdateItem conditioned on the
    item still existing; events already right are skipped), then rewrites
    the meta item (layout version 2, the partition count, the old shard
    count removed). Until then every repository refuses the store
    (`es_errc::old_layout`); stop every writer first (an old writer would
    go on writing old keys). Resumable: run it again after an interruption;
    on a store of the current layout it changes nothing (`migrated` false),
    and on a store without a meta item it records the current layout after
    the scan.

    `progress` is called after each page of the scan, on the client's
    executor.
    @throws es_error(invalid_argument) for options out of range, or
            `options.partitions` other than the count a store of the current
            layout records (re-partitioning would move aggregates between the
            partitions consumers have checkpointed).
    @throws es_error(layout_mismatch) for a layout version it does not know. */
boost::asio::awaitable<migrate_result>
migrate_layout(client& c, const store_config& config, migrate_options options = {},
               std::function<void(const migrate_progress&)> progress = {});

/// `migrate_layout`, asynchronous: `void(error_code, migrate_result)` on
/// the client's executor, on a handle on the client (`client::share()`). Cancellation:
/// terminal, partial: `operation_aborted`, some events rewritten (each
/// whole), the meta item not yet: run it again (resumable); total: ignored.
template <detail::token Token = default_token>
auto async_migrate_layout(client& c, store_config config, migrate_options options,
                          std::function<void(const migrate_progress&)> progress,
                          Token&& token = default_token()) {
    return detail::async_op<migrate_result>(
        c.get_executor(),
        [cl = c.share(), config = std::move(config), options,
         progress = std::move(progress)]() mutable {
            return migrate_layout(cl, config, options, progress);
        },
        nullptr, cancellation_support::terminal_partial, std::forward<Token>(token));
}
template <detail::token Token = default_token>
auto async_migrate_layout(client& c, store_config config, migrate_options options,
                          std::function<void(const migrate_progress&)> progress, diagnostics& diag,
                          Token&& token = default_token()) {
    return detail::async_op<migrate_result>(
        c.get_executor(),
        [cl = c.share(), config = std::move(config), options,
         progress = std::move(progress)]() mutable {
            return migrate_layout(cl, config, options, progress);
        },
        &diag, cancellation_support::terminal_partial, std::forward<Token>(token));
}

} // namespace ddb::es
