// ddb::es — the stored-event repository on DynamoDB.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/es/event_repository.hpp>
#include <ddb/es/id_generator.hpp>
#include <ddb/es/store_config.hpp>

#include <cstdint>
#include <memory>

namespace ddb::es {

/// The time buckets of the global index that a global read walks: `count`
/// buckets from `first`. Ids are microseconds x 1000
/// (<ddb/es/id_generator.hpp>): the bucket of an id is `id / width`.
struct bucket_range {
    std::int64_t width = 1; ///< ids per bucket (`store_config::bucket`)
    std::int64_t first = 0; ///< the first bucket read
    std::int64_t count = 0; ///< 0 while the store holds no event
};

/** Events in DynamoDB (layout: <ddb/es/tables.hpp>).

    Writes: an append of k events at expected version n > 0 is one
    TransactWriteItems of a ConditionCheck (version n exists) and k Puts
    (versions n+1..n+k must not exist); at n = 0 with one event it is a
    single conditional PutItem. Its ClientRequestToken is derived from the
    events' ids, and a failed write is first checked against what is stored
    (by id, then the full events only when ids match), so an append retried
    after a lost answer, by the client or by the caller with the same event
    ids, returns the events as stored. Giving ids adds no request to a
    successful append; an `any()` append with ids reads the last
    `events.size() + any_retry_window` versions instead of the last one.

    Global reads walk the time buckets of the "global" index in order and
    merge its partitions (by aggregate, <ddb/es/partition.hpp>), so they
    return events by ascending id without Scan, holding one page per
    partition. The index is eventually consistent. `find(id)` asks the
    partitions of the id's bucket in turn.

    Layout: the partition count and bucket the store recorded in its meta
    item (`create_tables`, else the first writer) are used, read once per
    repository. A store of the old layout (shards by id) is refused by
    every read and write with `es_errc::old_layout` until `ddb-es migrate`
    (<ddb/es/migrate.hpp>) has rewritten it.

    The repository keeps a handle on the client (`client::share()`): the
    caller's client object may be moved or destroyed. The repository must
    outlive its operations (its generators keep what they need).

    Thread safety: distinct objects: safe. Shared objects: safe: every
    member may be called concurrently from coroutines on several threads of
    the client's io_context (as the client's members). */
class dynamodb_event_repository final : public event_repository {
public:
    dynamodb_event_repository(client& c, store_config config = {},
                              std::shared_ptr<id_generator> ids = {});
    ~dynamodb_event_repository() override;

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

    /// The buckets a global read from `starting_from` walks now: from the
    /// first bucket holding events (or starting_from's, if later) to the
    /// bucket of now + `store_config::max_clock_skew`; one GetItem. For
    /// progress reports (a global read queries each partition of each
    /// bucket).
    /// @throws es_error(layout_mismatch, old_layout) as the reads do.
    boost::asio::awaitable<bucket_range> global_buckets(std::int64_t starting_from = 0);

    /// `global_buckets`, asynchronous (`void(error_code, bucket_range)`).
    /// Cancellation: terminal, partial, total (a read).
    template <detail::token Token = default_token>
    auto async_global_buckets(std::int64_t starting_from, Token&& token = default_token()) {
        return async_global_buckets_(starting_from, nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_global_buckets(std::int64_t starting_from, diagnostics& diag,
                              Token&& token = default_token()) {
        return async_global_buckets_(starting_from, &diag, std::forward<Token>(token));
    }

    struct state;

private:
    template <class Token>
    auto async_global_buckets_(std::int64_t from, diagnostics* diag, Token&& token) {
        return detail::async_op<bucket_range>(
            get_executor(), [this, from] { return global_buckets(from); }, diag,
            cancellation_support::all, std::forward<Token>(token));
    }

    std::shared_ptr<state> state_;
};

} // namespace ddb::es
