// ddb::es — the stored-event repository: the framework's method set, plus
// `append`, the write with an optimistic concurrency check.
#pragma once

#include <ddb/core/diagnostics.hpp>
#include <ddb/es/detail/async.hpp>
#include <ddb/es/expected_version.hpp>
#include <ddb/es/store_config.hpp>
#include <ddb/es/stored_event.hpp>
#include <ddb/ops/generator.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ddb::es {

/// Per-call read options; unset fields take the repository's defaults.
struct read_options {
    /// Strongly consistent reads where DynamoDB offers them (per-aggregate
    /// reads on the base table). Global reads and `find` use a global
    /// secondary index, which is always eventually consistent.
    std::optional<bool> consistent_read{};
    /// Global reads only: hold back events younger than this, so a reader
    /// tailing the store does not pass events that are still propagating to
    /// the index or that a writer with a slow clock has not yet written.
    std::optional<std::chrono::milliseconds> settle{};
    /// Global reads only: only events of these index partitions
    /// (`index_partition`, <ddb/es/partition.hpp>); empty: all. A partition
    /// outside [0, partition_count()) is `es_errc::invalid_argument`.
    std::vector<int> partitions{};
};

/// DynamoDB's TransactWriteItems limits, which bound `append_all`: actions
/// (one Put per event, one ConditionCheck per aggregate at an expected
/// version > 0) and the items' total size (with a margin for framing).
inline constexpr std::size_t max_transaction_actions = 100;
inline constexpr std::size_t max_transaction_bytes = 4'000'000;

/// How far back an `expected_version::any()` append with ids looks for an
/// earlier attempt of itself: the aggregate's `events.size() + 16` latest
/// events (read in the query that finds the latest version anyway).
inline constexpr std::size_t any_retry_window = 16;

/// One aggregate's part of `append_all`: as the arguments of `append`.
struct append_request {
    std::string uuid{};
    expected_version expected{};
    std::vector<new_event> events{};
};

/// The repository. Implementations: `dynamodb_event_repository` (DynamoDB)
/// and `in_memory_event_repository` (same semantics, for tests).
///
/// Order: reads of one aggregate return its events by ascending version;
/// reads without a uuid return all events by ascending id. Generators may be
/// abandoned at any point.
///
/// Every awaitable operation has an `async_<name>(args..., token)` form
/// (non-virtual, calling the virtual one) completing with
/// `void(error_code, T)`, and an `async_<name>(args..., diagnostics&, token)`
/// form that keeps the typed exception (docs/asio.md): e.g.
/// `ec == ddb::errc::concurrency_conflict`, then
/// `diag.get<concurrency_conflict>()->actual()`. Arguments are taken by
/// value; the repository must outlive the operation. Cancellation, per
/// operation below: reads stop on terminal, partial and total (nothing
/// changed); writes stop on terminal and partial, their outcome unknown
/// (retry with the same ids, `append`), and ignore total. A cancelled
/// operation completes with `operation_aborted`.
///
/// Thread safety: distinct objects: safe. Shared objects: safe (each
/// implementation says on what terms); generators are the caller's.
class event_repository {
public:
    using executor_type = boost::asio::any_io_executor;

    virtual ~event_repository() = default;

    /// The event with this id; `event_not_found` otherwise.
    virtual boost::asio::awaitable<stored_event> find(std::int64_t id) = 0;

    /// All events of `uuid`, or all events of the store.
    virtual generator<stored_event> retrieve_all(std::optional<std::string> uuid = {},
                                                 read_options options = {}) = 0;
    /// Events with id >= `starting_from` (inclusive).
    virtual generator<stored_event> retrieve_all_starting_from(std::int64_t starting_from,
                                                               std::optional<std::string> uuid = {},
                                                               read_options options = {}) = 0;
    /// Events of `uuid` with version > `version` (exclusive).
    virtual generator<stored_event> retrieve_all_after_version(std::int64_t version,
                                                               std::string uuid,
                                                               read_options options = {}) = 0;
    /// The number of events with id >= `starting_from` (inclusive).
    virtual boost::asio::awaitable<std::int64_t>
    count_all_starting_from(std::int64_t starting_from, std::optional<std::string> uuid = {}) = 0;

    /** Appends `events` to aggregate `uuid` as versions expected+1, ...

        All or nothing up to DynamoDB's transaction limits (100 actions,
        4 MB); a larger append is written as consecutive atomic chunks, each
        conditioned on the previous one: if a later chunk fails, the earlier
        ones stay (the returned error says how many were stored; `any()`
        does not start over then, which would store them twice).

        Retrying after an unknown outcome (docs/errors.md lists the errors
        that leave it unknown): give the events ids (`new_event::id`, drawn
        with `new_id()`) and retry with the same uuid, expected version and
        events. Events already stored at their versions with those ids are
        recognised and returned as stored (their ids, versions and
        `created_at` from the store); the rest are appended after them. So
        the retry returns the events exactly once in the store, or a definite
        error (a conflict at `expected()` = the expected version: none
        stored, another writer was first; further on: the events before
        `expected()` are stored, the rest are not).
        - `exact(n)`: always recognised.
        - `any()`: recognised while the first event is among the aggregate's
          `events.size() + any_retry_window` latest events (later appends by
          other writers push it out); the in-memory repository always
          recognises it. Prefer `exact(n)` where a retry must be safe.
        Without ids, a retry within this call (the client's own, after a lost
        answer) is still recognised, but a new call draws new ids and cannot
        tell.

        Id order (docs/event-store.md, "Global order"): each event's id must
        be above the id of the version before it, whatever the writers'
        clocks, so that every global read yields an aggregate's versions in
        order. Ids the repository draws are drawn above the aggregate's ids
        it has read (`id_generator::observe`), and drawn again above the id
        found at the base when the write's condition finds a higher one.
        Caller ids must be increasing and above it (`id_order`).

        `store_config::max_append_age`: a write is sent only while its first
        id is younger than that by the id generator's clock, and is cut at
        that deadline (then checked like a lost answer). Ids the repository
        drew are drawn again when older; caller ids that are older and not
        stored are refused (`ids_expired`): a retry after an unknown outcome
        must come within that age, or it can only find the events stored.

        @throws concurrency_conflict when the aggregate is not at the
                expected version (with `expected()` and `actual()`).
        @throws es_error(duplicate_id) when a version holds one of the ids
                with other content (class, version, properties, metadata,
                expiry) or one of the ids at another version: a retry must
                send the same events; new events need new ids. The in-memory
                repository also refuses an id stored anywhere else; DynamoDB
                cannot see ids outside the versions it reads, so ids must be
                unique (draw them with `new_id()`).
        @throws es_error(invalid_argument) for ids that are not positive,
                repeated within the append, or given to only some events.
        @throws es_error(id_order) for caller ids at or below the id of the
                version they follow, or not increasing (nothing of the chunk
                stored; `new_id()` now draws above the stored id).
        @throws es_error(ids_expired) for caller ids older than
                `max_append_age` and not stored (nothing of the chunk
                stored), or when no write attempt completed within it in 9
                tries with ids drawn again. */
    virtual boost::asio::awaitable<std::vector<stored_event>>
    append(std::string uuid, expected_version expected, std::vector<new_event> events) = 0;

    /** Appends to several aggregates at once, all or nothing: one
        TransactWriteItems (the events of every request, each at its expected
        version). Returns the stored events per request, in request order.

        Requests without events are skipped (they neither write nor check).
        An `expected_version::any()` request is conditioned on the latest
        version read just before (retried when that moved).

        @throws concurrency_conflict for the first request whose aggregate
                is not at its expected version (nothing is written).
        @throws transaction_too_large (<ddb/es/event_error.hpp>) beyond
                `max_transaction_actions` or `max_transaction_bytes`, before
                sending anything; split such work yourself.
        @throws es_error(invalid_argument) when two requests name the same
                aggregate.
        @throws es_error(id_order, ids_expired) as `append`, for any part.
        Retries: as `append`, with ids on every event of every request (or
        on none); a retry whose first attempt was stored returns the events
        as stored. */
    virtual boost::asio::awaitable<std::vector<std::vector<stored_event>>>
    append_all(std::vector<append_request> requests) = 0;

    /// One event: appended to `uuid` after its latest version (as
    /// `append(*uuid, any(), {event})`), or stored without an aggregate when
    /// `uuid` is `std::nullopt` (an empty string is an invalid uuid). With
    /// an id, a retry is recognised: always without an aggregate (the id is
    /// the key; other content there is `duplicate_id`), within the `any()`
    /// window of `append` with one.
    virtual boost::asio::awaitable<stored_event> persist(new_event event,
                                                         std::optional<std::string> uuid = {}) = 0;
    /// Several events, atomically (as `append(uuid, any(), events)`);
    /// without a uuid (`std::nullopt`) each is stored on its own, one after
    /// the other (on DynamoDB a failure leaves the earlier ones stored:
    /// retry with ids).
    virtual boost::asio::awaitable<std::vector<stored_event>>
    persist_many(std::vector<new_event> events, std::optional<std::string> uuid = {}) = 0;
    /// Replaces a stored event (same id, uuid and version) with `event`'s
    /// class, properties and metadata; `update_target_missing` when absent.
    virtual boost::asio::awaitable<stored_event> update(stored_event event) = 0;
    /// The aggregate's highest version, 0 without events.
    virtual boost::asio::awaitable<std::int64_t> latest_aggregate_version(std::string uuid) = 0;

    /// The number of partitions of the global index (a table setting the
    /// store records; <ddb/es/partition.hpp>): a consumer that owns a set of
    /// them sees whole aggregates.
    virtual boost::asio::awaitable<int> partition_count() = 0;

    /// The executor the repository's operations and generators run on.
    virtual boost::asio::any_io_executor get_executor() const = 0;

    /// The store's configuration (tables, `max_append_age`, ...).
    virtual const store_config& config() const noexcept = 0;

    /// A fresh id from the repository's id generator, for `new_event::id`
    /// (draw them just before the first attempt of an append: the global
    /// index orders events by id, which follows the time, and ids older
    /// than `max_append_age` are refused). Above the ids of the aggregates
    /// this repository has read. Thread-safe.
    virtual std::int64_t new_id() = 0;

    /// \name Asynchronous forms (see the class comment)
    /// @{

    /// `find`. Cancellation: terminal, partial, total (a read).
    template <detail::token Token = default_token>
    auto async_find(std::int64_t id, Token&& token = default_token()) {
        return async_find_(id, nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_find(std::int64_t id, diagnostics& diag, Token&& token = default_token()) {
        return async_find_(id, &diag, std::forward<Token>(token));
    }

    /// `count_all_starting_from`. Cancellation: terminal, partial, total (a read).
    template <detail::token Token = default_token>
    auto async_count_all_starting_from(std::int64_t starting_from, std::optional<std::string> uuid,
                                       Token&& token = default_token()) {
        return async_count_(starting_from, std::move(uuid), nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_count_all_starting_from(std::int64_t starting_from, std::optional<std::string> uuid,
                                       diagnostics& diag, Token&& token = default_token()) {
        return async_count_(starting_from, std::move(uuid), &diag, std::forward<Token>(token));
    }

    /// `append`. Cancellation: terminal, partial: `operation_aborted`, the
    /// outcome unknown (each chunk stored whole or not at all: reload, or
    /// retry with the same ids); total: ignored (it completes).
    template <detail::token Token = default_token>
    auto async_append(std::string uuid, expected_version expected, std::vector<new_event> events,
                      Token&& token = default_token()) {
        return async_append_(std::move(uuid), expected, std::move(events), nullptr,
                             std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_append(std::string uuid, expected_version expected, std::vector<new_event> events,
                      diagnostics& diag, Token&& token = default_token()) {
        return async_append_(std::move(uuid), expected, std::move(events), &diag,
                             std::forward<Token>(token));
    }

    /// `append_all`. Cancellation: terminal, partial: `operation_aborted`,
    /// the outcome unknown (all or nothing); total: ignored.
    template <detail::token Token = default_token>
    auto async_append_all(std::vector<append_request> requests, Token&& token = default_token()) {
        return async_append_all_(std::move(requests), nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_append_all(std::vector<append_request> requests, diagnostics& diag,
                          Token&& token = default_token()) {
        return async_append_all_(std::move(requests), &diag, std::forward<Token>(token));
    }

    /// `persist`. Cancellation: terminal, partial: `operation_aborted`, the
    /// outcome unknown (stored or not); total: ignored.
    template <detail::token Token = default_token>
    auto async_persist(new_event event, std::optional<std::string> uuid,
                       Token&& token = default_token()) {
        return async_persist_(std::move(event), std::move(uuid), nullptr,
                              std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_persist(new_event event, std::optional<std::string> uuid, diagnostics& diag,
                       Token&& token = default_token()) {
        return async_persist_(std::move(event), std::move(uuid), &diag, std::forward<Token>(token));
    }

    /// `persist_many`. Cancellation: terminal, partial: `operation_aborted`,
    /// the outcome unknown (with a uuid as `append`; without, any prefix of
    /// the events may be stored); total: ignored.
    template <detail::token Token = default_token>
    auto async_persist_many(std::vector<new_event> events, std::optional<std::string> uuid,
                            Token&& token = default_token()) {
        return async_persist_many_(std::move(events), std::move(uuid), nullptr,
                                   std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_persist_many(std::vector<new_event> events, std::optional<std::string> uuid,
                            diagnostics& diag, Token&& token = default_token()) {
        return async_persist_many_(std::move(events), std::move(uuid), &diag,
                                   std::forward<Token>(token));
    }

    /// `update`. Cancellation: terminal, partial: `operation_aborted`, the
    /// event replaced or not; total: ignored.
    template <detail::token Token = default_token>
    auto async_update(stored_event event, Token&& token = default_token()) {
        return async_update_(std::move(event), nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_update(stored_event event, diagnostics& diag, Token&& token = default_token()) {
        return async_update_(std::move(event), &diag, std::forward<Token>(token));
    }

    /// `latest_aggregate_version`. Cancellation: terminal, partial, total (a read).
    template <detail::token Token = default_token>
    auto async_latest_aggregate_version(std::string uuid, Token&& token = default_token()) {
        return async_latest_(std::move(uuid), nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_latest_aggregate_version(std::string uuid, diagnostics& diag,
                                        Token&& token = default_token()) {
        return async_latest_(std::move(uuid), &diag, std::forward<Token>(token));
    }

    /// `partition_count`. Cancellation: terminal, partial, total (a read).
    template <detail::token Token = default_token>
    auto async_partition_count(Token&& token = default_token()) {
        return async_partition_count_(nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_partition_count(diagnostics& diag, Token&& token = default_token()) {
        return async_partition_count_(&diag, std::forward<Token>(token));
    }
    /// @}

    // The generators (`retrieve_all...`) are consumed with `next()` or the
    // generator's own asynchronous form.

private:
    using support = cancellation_support;

    template <class Token>
    auto async_find_(std::int64_t id, diagnostics* diag, Token&& token) {
        return detail::async_op<stored_event>(
            get_executor(), [this, id] { return find(id); }, diag, support::all,
            std::forward<Token>(token));
    }
    template <class Token>
    auto async_count_(std::int64_t from, std::optional<std::string> uuid, diagnostics* diag,
                      Token&& token) {
        return detail::async_op<std::int64_t>(
            get_executor(),
            [this, from, uuid = std::move(uuid)]() mutable {
                return count_all_starting_from(from, std::move(uuid));
            },
            diag, support::all, std::forward<Token>(token));
    }
    template <class Token>
    auto async_append_(std::string uuid, expected_version expected, std::vector<new_event> events,
                       diagnostics* diag, Token&& token) {
        return detail::async_op<std::vector<stored_event>>(
            get_executor(),
            [this, uuid = std::move(uuid), expected, events = std::move(events)]() mutable {
                return append(std::move(uuid), expected, std::move(events));
            },
            diag, support::terminal_partial, std::forward<Token>(token));
    }
    template <class Token>
    auto async_append_all_(std::vector<append_request> requests, diagnostics* diag, Token&& token) {
        return detail::async_op<std::vector<std::vector<stored_event>>>(
            get_executor(),
            [this, requests = std::move(requests)]() mutable {
                return append_all(std::move(requests));
            },
            diag, support::terminal_partial, std::forward<Token>(token));
    }
    template <class Token>
    auto async_persist_(new_event event, std::optional<std::string> uuid, diagnostics* diag,
                        Token&& token) {
        return detail::async_op<stored_event>(
            get_executor(),
            [this, event = std::move(event), uuid = std::move(uuid)]() mutable {
                return persist(std::move(event), std::move(uuid));
            },
            diag, support::terminal_partial, std::forward<Token>(token));
    }
    template <class Token>
    auto async_persist_many_(std::vector<new_event> events, std::optional<std::string> uuid,
                             diagnostics* diag, Token&& token) {
        return detail::async_op<std::vector<stored_event>>(
            get_executor(),
            [this, events = std::move(events), uuid = std::move(uuid)]() mutable {
                return persist_many(std::move(events), std::move(uuid));
            },
            diag, support::terminal_partial, std::forward<Token>(token));
    }
    template <class Token>
    auto async_update_(stored_event event, diagnostics* diag, Token&& token) {
        return detail::async_op<stored_event>(
            get_executor(),
            [this, event = std::move(event)]() mutable { return update(std::move(event)); }, diag,
            support::terminal_partial, std::forward<Token>(token));
    }
    template <class Token>
    auto async_latest_(std::string uuid, diagnostics* diag, Token&& token) {
        return detail::async_op<std::int64_t>(
            get_executor(),
            [this, uuid = std::move(uuid)]() mutable {
                return latest_aggregate_version(std::move(uuid));
            },
            diag, support::all, std::forward<Token>(token));
    }
    template <class Token>
    auto async_partition_count_(diagnostics* diag, Token&& token) {
        return detail::async_op<int>(
            get_executor(), [this] { return partition_count(); }, diag, support::all,
            std::forward<Token>(token));
    }
};

} // namespace ddb::es
