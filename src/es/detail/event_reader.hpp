// Internal: the reader of the DynamoDB repository: one aggregate's events
// (a base-table query), and global reads, which walk the time buckets of the
// global index in order and merge the index partitions of each (merge.hpp),
// so they return events by ascending id without Scan.
#pragma once

#include "dynamodb_store.hpp"

#include <ddb/es/event_repository.hpp>
#include <ddb/model/query_scan.hpp>
#include <ddb/ops/generator.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ddb::es::detail {

class event_reader {
public:
    /// The generators keep `store` alive.
    explicit event_reader(std::shared_ptr<dynamodb_store> store)
        : s_(std::move(store)) {}

    /// The event with this id (the global index); `event_not_found`.
    boost::asio::awaitable<stored_event> find(std::int64_t id);

    /// A base-table query of aggregate `uuid` (checked) with the read
    /// options; the caller adds the conditions.
    query_request aggregate_query(const std::string& uuid, const read_options& o) const;
    /// The events `req` (an `aggregate_query`) finds, by ascending version;
    /// the id generator observes the highest id of each page.
    generator<stored_event> aggregate_events(query_request req);

    /// All events with id >= from, by ascending id (of `o.partitions`
    /// only, when given).
    generator<stored_event> global_events(std::int64_t from, read_options o);

    /// The number of events with id >= from, of aggregate `uuid` or all.
    boost::asio::awaitable<std::int64_t> count(std::int64_t from, std::optional<std::string> uuid);

private:
    std::shared_ptr<dynamodb_store> s_;
};

} // namespace ddb::es::detail
