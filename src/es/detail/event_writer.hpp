// Internal: the writer of the DynamoDB repository: appends (one aggregate,
// in chunks of one transaction each; several aggregates, in one
// transaction), events without an aggregate, updates. Every write of events
// records their bucket first (bucket_registry); a failed write is checked
// against what is stored, so a retried append finds its own earlier attempt.
#pragma once

#include "dynamodb_store.hpp"

#include <ddb/es/event_repository.hpp>

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ddb::es::detail {

class event_writer {
public:
    /// `store` must outlive the writer.
    explicit event_writer(dynamodb_store& store)
        : s_(store) {}

    /// As `event_repository::append` (the arguments checked here).
    boost::asio::awaitable<std::vector<stored_event>>
    append(std::string uuid, expected_version expected, std::vector<new_event> events);
    /// As `event_repository::append_all`.
    boost::asio::awaitable<std::vector<std::vector<stored_event>>>
    append_all(std::vector<append_request> requests);
    /// One event without an aggregate (its ids checked by the caller): a
    /// conditional PutItem, retried with a fresh id when another event has
    /// the generated one.
    boost::asio::awaitable<stored_event> store_without_aggregate(new_event e);
    /// Several, their ids checked (`check_ids`), each on its own in turn.
    boost::asio::awaitable<std::vector<stored_event>>
    store_without_aggregate(std::vector<new_event> events);
    /// As `event_repository::update`.
    boost::asio::awaitable<stored_event> update(stored_event event);
    /// The aggregate's latest version (0 without events), strongly
    /// consistent; the uuid is not checked.
    boost::asio::awaitable<std::int64_t> latest(const std::string& uuid);

private:
    dynamodb_store& s_;
};

} // namespace ddb::es::detail
