// Internal: what the parts of the DynamoDB repository share (the writer,
// the reader, the bucket registry): the client, the configuration, the id
// generator.
#pragma once

#include "bucket_registry.hpp"
#include "event_item.hpp"

#include <ddb/client/client.hpp>
#include <ddb/es/error.hpp>
#include <ddb/es/event_repository.hpp>
#include <ddb/es/id_generator.hpp>
#include <ddb/es/store_config.hpp>

#include <memory>

namespace ddb::es::detail {

struct dynamodb_store {
    /// `invalid_argument` for a layout out of range (partitions, bucket).
    dynamodb_store(client& cl, store_config config, std::shared_ptr<id_generator> g)
        : c(cl.share())
        , cfg(std::move(config))
        , ids(g ? std::move(g) : std::make_shared<timestamp_id_generator>()) {
        check_layout_options(cfg);
    }
    dynamodb_store(const dynamodb_store&) = delete;
    dynamodb_store& operator=(const dynamodb_store&) = delete;

    /// Per-aggregate reads: strongly consistent unless `o` or the config
    /// says otherwise.
    bool consistent(const read_options& o) const {
        return o.consistent_read.value_or(cfg.consistent_read);
    }

    /// Writers render items with this: `cfg` with the store's recorded
    /// partition count. The repository awaits `buckets.for_writes()` before
    /// every write, which makes it valid.
    const store_config& wcfg() const { return buckets.write_config(); }

    client c; // a handle on the caller's client (share())
    const store_config cfg;
    const std::shared_ptr<id_generator> ids;
    bucket_registry buckets{c, cfg};
};

} // namespace ddb::es::detail
