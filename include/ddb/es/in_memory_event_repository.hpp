// ddb::es — the stored-event repository in memory: the same semantics as the
// DynamoDB one (versions, conflicts, order, size limit, errors), for users'
// unit tests and for running without a server. Nothing is persisted.
#pragma once

#include <ddb/es/event_repository.hpp>
#include <ddb/es/id_generator.hpp>
#include <ddb/es/store_config.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <memory>

namespace ddb::es {

/// Thread safety: distinct objects: safe. Shared objects: safe (one mutex
/// over the events, shared with the repositories made from it); the
/// repository must outlive its operations. Its operations (not its
/// generators) never suspend: a cancellation the operation honours that is
/// emitted before it starts aborts it (nothing stored); once started, it
/// finishes.
///
/// Appends are atomic whatever their size (DynamoDB's are
/// atomic per chunk of 100 events / 4 MB). Global reads see every event at
/// once (no index propagation delay). Appends retried with caller ids (see
/// `event_repository::append`) are recognised at any depth (DynamoDB's
/// `any()` only within `any_retry_window`), and an id of any stored event
/// is refused (`duplicate_id`; DynamoDB sees only the versions it writes).
class in_memory_event_repository final : public event_repository {
public:
    explicit in_memory_event_repository(boost::asio::any_io_executor ex,
                                        std::shared_ptr<id_generator> ids = {},
                                        store_config config = {});
    /// Another writer on `other`'s events (as two processes on one table),
    /// with an id generator of its own (null: a `timestamp_id_generator`):
    /// for tests of several writers, e.g. with clocks apart.
    in_memory_event_repository(const in_memory_event_repository& other,
                               std::shared_ptr<id_generator> ids);
    ~in_memory_event_repository() override;

    boost::asio::awaitable<stored_event> find(std::int64_t id) override;
    generator<stored_event> retrieve_all(std::optional<std::string> uuid = {},
                                         read_options options = {}) override;
    generator<stored_event> retrieve_all_starting_from(std::int64_t starting_from,
                                                       std::optional<std::string> uuid = {},
                                                       read_options options = {}) override;
    generator<stored_event> retrieve_all_after_version(std::int64_t version, std::string uuid,
                                                       read_options options = {}) override;
    boost::asio::awaitable<std::int64_t>
    count_all_starting_from(std::int64_t starting_from,
                            std::optional<std::string> uuid = {}) override;
    boost::asio::awaitable<std::vector<stored_event>>
    append(std::string uuid, expected_version expected, std::vector<new_event> events) override;
    boost::asio::awaitable<std::vector<std::vector<stored_event>>>
    append_all(std::vector<append_request> requests) override;
    boost::asio::awaitable<stored_event> persist(new_event event,
                                                 std::optional<std::string> uuid = {}) override;
    boost::asio::awaitable<std::vector<stored_event>>
    persist_many(std::vector<new_event> events, std::optional<std::string> uuid = {}) override;
    boost::asio::awaitable<stored_event> update(stored_event event) override;
    boost::asio::awaitable<std::int64_t> latest_aggregate_version(std::string uuid) override;
    std::int64_t new_id() override;
    boost::asio::awaitable<int> partition_count() override;
    boost::asio::any_io_executor get_executor() const override;
    const store_config& config() const noexcept override;

    struct state;

private:
    std::shared_ptr<state> state_;
    std::shared_ptr<id_generator> ids_;
};

} // namespace ddb::es
