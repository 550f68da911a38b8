// ddb::es — where projection workers keep their checkpoints, leases and
// parked events: the checkpoints table (`store_config::checkpoints_table`,
// made by `create_tables`).
//
// Leases. A projection's work is split by index partition; each partition
// has one item that holds its lease (owner, expiry, fencing counter) and
// its checkpoint (the subscription position up to which events were
// handled). A worker `acquire`s a partition that is free, expired or
// already its own, `renew`s it well before it expires, and `commit`s its
// progress. Every change of owner gives the lease a new `fence`, and every
// renew and commit is conditional on owner AND fence: a worker that lost its
// lease (it stalled past the expiry and another worker took over) cannot
// write a checkpoint any more, even when its clock still says the lease is
// valid. Expiry is judged by the clock of the worker that wants to take
// over: keep lease durations well above the clock skew between workers.
//
// Commits. At-least-once: the handler's effects are written first, then the
// checkpoint; a crash in between handles those events again. Exactly-once
// (read models in DynamoDB): the handler's writes and the checkpoint go in
// one TransactWriteItems, conditioned on the lease AND on the checkpoint
// still being where the lease last saw it, so a commit is applied at most
// once whatever is retried (a lost answer, a worker that stalled).
//
// Items (key pk = projection name, sk):
//   "p#<partition:05>"  owner (S), until (N, ms since the epoch by the
//                       owner's clock), fence (N), cp (N, position id),
//                       cpk (L of S, the position's at_id keys), at (N, ms
//                       of the last commit)
//   "s#<label>#<shard>" a stream shard's lease (<ddb/es/shard_lease.hpp>;
//                       pk = the consumer): owner, until, fence as above,
//                       par (L of S, parents), start (S, TRIM_HORIZON or
//                       LATEST), sq (S, checkpoint sequence number), hi
//                       (S, last sequence number handed to a handler), n (N,
//                       records handled), at (N, ms of the last commit),
//                       done (N, ms when finished), gap (S, see
//                       shard_lease::gap)
//   "w#<owner>"         a worker's heartbeat: until (N, ms)
//   "x#<id:020>#<key>"  a parked event: key, id, cls, err, n (attempts),
//                       at (N, ms); keys too long for a sort key are
//                       replaced by "h" and their SHA-256
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/core/diagnostics.hpp>
#include <ddb/es/detail/async.hpp>
#include <ddb/es/shard_lease.hpp>
#include <ddb/es/store_config.hpp>
#include <ddb/es/stored_event.hpp>
#include <ddb/es/subscription.hpp>
#include <ddb/ops/generator.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ddb::es {

/// One partition's lease and checkpoint. As returned by `acquire` it is the
/// holder's handle: `renew` and `commit` update `until` and `position`.
struct lease {
    std::string projection;
    int partition = 0;
    /// Empty: nobody holds it (released, or never taken; `leases` only).
    std::string owner;
    /// Changes each time the partition is taken free, released or expired.
    std::int64_t fence = 0;
    /// Expiry, by the clock of the worker that last took or renewed it.
    std::chrono::system_clock::time_point until{};
    /// The checkpoint: where the partition's subscription resumes.
    subscription_position position{};
    /// When the checkpoint was last committed (empty: never).
    std::optional<std::chrono::system_clock::time_point> committed_at{};

    friend bool operator==(const lease&, const lease&) = default;
};

/// An event a handler gave up on (see `checkpoint_store::park`).
struct parked_event {
    std::string key; ///< `event_key` of the event
    std::int64_t id = 0;
    std::string event_class;
    std::string error; ///< what the handler threw (cut at 16 KB)
    int attempts = 0;
    std::chrono::system_clock::time_point parked_at{};
    /// A re-drive was asked for (`request_redrive`): the projection's
    /// workers handle it again on their next lease round.
    bool redrive = false;

    friend bool operator==(const parked_event&, const parked_event&) = default;
};

/// The checkpoints table of a store, through a handle on the client.
///
/// Names: a projection is 1 to 255 bytes, an owner 1 to 255 bytes, neither
/// with control characters; partitions are 0 to 99999; durations are
/// positive. Anything else: `es_errc::invalid_argument`, before any request.
///
/// Each awaitable operation has `async_<name>(args..., [diagnostics&,]
/// token)` forms (`void(error_code, T)`, docs/asio.md; e.g. `ec ==
/// ddb::errc::lease_lost`). Arguments are taken by value, except the
/// `lease&` that `renew` and `commit` update: it and the store must outlive
/// the operation. Cancellation, per operation: reads stop on
/// terminal, partial and total; writes stop on terminal and partial (the
/// write applied or not: each says what to do) and ignore total.
///
/// Thread safety: distinct objects: safe. Shared objects: safe (as the
/// client's members); a `lease` is its holder's: one operation at a time
/// on it.
class checkpoint_store {
public:
    using executor_type = boost::asio::any_io_executor;

    /// Keeps a handle on `c` (`client::share()`): the caller's client
    /// object may be moved or destroyed afterwards.
    checkpoint_store(client& c, store_config config);
    /// Another store on the same client and table.
    checkpoint_store(const checkpoint_store& other);
    checkpoint_store(checkpoint_store&&) noexcept = default;

    /// The client's executor.
    executor_type get_executor() const noexcept { return c_.get_executor(); }

    /// Takes `partition` of `projection` for `owner` until now + `duration`,
    /// when it has no owner, its lease expired (by this host's clock) or it
    /// is `owner`'s already (then it is renewed and keeps its fence). A
    /// partition taken free or expired gets the next fence. Returns the lease
    /// with the stored checkpoint, or nothing when another owner holds it.
    boost::asio::awaitable<std::optional<lease>> acquire(std::string projection, int partition,
                                                         std::string owner,
                                                         std::chrono::milliseconds duration);

    /// Extends the lease to now + `duration`, when it is still `l`'s (owner
    /// and fence); false when it was lost (taken over, or released).
    boost::asio::awaitable<bool> renew(lease& l, std::chrono::milliseconds duration);

    /// Gives the partition up (the checkpoint stays); nothing happens when
    /// the lease was lost already.
    boost::asio::awaitable<void> release(const lease& l);

    /// At-least-once commit: records `next` as the partition's checkpoint,
    /// when the lease is still `l`'s; else `es_errc::lease_lost` and nothing
    /// is written. One UpdateItem; `l.position` becomes `next`. `next` may
    /// not be before `l.position` (`invalid_argument`).
    boost::asio::awaitable<void> commit(lease& l, subscription_position next);

    /// Exactly-once commit: `writes` (Put, Update, Delete or ConditionCheck
    /// on any table, at most 99, none on this partition's item) and the
    /// checkpoint `next` in one TransactWriteItems, conditioned on the lease
    /// being `l`'s and on the checkpoint being at `l.position`. Its
    /// ClientRequestToken is derived from the projection, partition, owner,
    /// fence and both positions, so that DynamoDB applies a resent commit
    /// once. When the transaction is cancelled and the checkpoint is found
    /// at `next` with `l`'s fence, it was this commit's own earlier attempt
    /// (an answer that was lost): success, nothing applied again. Otherwise:
    /// the lease moved: `es_errc::lease_lost`; the checkpoint is elsewhere:
    /// `es_errc::checkpoint_moved`; a condition of `writes` failed: the
    /// `transaction_canceled` as DynamoDB sent it. `next` must be after
    /// `l.position` (`invalid_argument`: a commit that does not move the
    /// position could not be told from its own resend). Needs transactions
    /// (DynamoDB, moto; not dynalite).
    boost::asio::awaitable<void> commit(lease& l, subscription_position next,
                                        std::vector<transact_write_item> writes);

    /// Every partition item of `projection` (held, expired or free), by
    /// partition: for tools and monitoring. One strongly consistent Query.
    boost::asio::awaitable<std::vector<lease>> leases(std::string projection);

    /// The projections that have items in the table, sorted. A Scan of the
    /// whole table (keys only): for tools, not for a worker's loop.
    boost::asio::awaitable<std::vector<std::string>> projections();

    /// Records that `owner` works on `projection` until now + `duration`.
    boost::asio::awaitable<void> heartbeat(std::string projection, std::string owner,
                                           std::chrono::milliseconds duration);
    /// Removes `owner`'s heartbeat (a worker that stops cleanly).
    boost::asio::awaitable<void> leave(std::string projection, std::string owner);
    /// The owners whose heartbeat has not expired (by this host's clock), sorted.
    boost::asio::awaitable<std::vector<std::string>> live_workers(std::string projection);

    /// Parks `e` for `projection`: the handler failed `attempts` times with
    /// `error`. Parking it again replaces the item (new error and attempts).
    boost::asio::awaitable<void> park(std::string projection, const stored_event& e,
                                      std::string error, int attempts);
    /// The parked events of `projection`, by id.
    generator<parked_event> parked(std::string projection);
    /// Removes a parked event (after it was handled again); false when it
    /// was not parked.
    boost::asio::awaitable<bool> unpark(std::string projection, std::int64_t id, std::string key);
    /// Removes a parked event together with `writes` (the effects of
    /// handling it again, exactly once: one TransactWriteItems, conditioned
    /// on the event still being parked); false when it was not parked (and
    /// nothing is written). With no writes, as `unpark` above.
    boost::asio::awaitable<bool> unpark(std::string projection, std::int64_t id, std::string key,
                                        std::vector<transact_write_item> writes);
    /// Asks the projection's workers to handle a parked event again (see
    /// `projection_worker`); false when it is not parked.
    boost::asio::awaitable<bool> request_redrive(std::string projection, std::int64_t id,
                                                 std::string key);

    /// \name Stream shard leases (<ddb/es/shard_lease.hpp>)
    /// Consumer names follow the rules of projection names (and share their
    /// heartbeats: `heartbeat(consumer, ...)`); labels, shard ids and
    /// sequence numbers are checked as `invalid_argument`.
    /// @{

    /// Creates the lease item of `shard_id` (free, no checkpoint) unless it
    /// exists. True when this call created it; false when it existed
    /// (created by another worker, or by an earlier attempt of this call
    /// whose answer was lost): either way it exists afterwards.
    boost::asio::awaitable<bool> create_shard_lease(std::string consumer, std::string label,
                                                    std::string shard_id,
                                                    std::vector<std::string> parents,
                                                    shard_lease_start start);

    /// Takes the shard for `owner` until now + `duration` when its item
    /// exists, is not finished, and has no owner, an expired lease (by this
    /// host's clock), or is `owner`'s already (then renewed, keeping its
    /// fence). Taken free or expired: the next fence. Nothing when another
    /// owner holds it, it is finished, or it has no item.
    boost::asio::awaitable<std::optional<shard_lease>>
    acquire_shard(std::string consumer, std::string label, std::string shard_id, std::string owner,
                  std::chrono::milliseconds duration);

    /// Extends the lease to now + `duration` when it is still `l`'s (owner
    /// and fence); false when it was lost.
    boost::asio::awaitable<bool> renew(shard_lease& l, std::chrono::milliseconds duration);

    /// Gives the shard up (the checkpoint stays); nothing happens when the
    /// lease was lost already, or `l` was finished.
    boost::asio::awaitable<void> release(const shard_lease& l);

    /// At-least-once commit: `sequence_number` (the last record handled)
    /// becomes the checkpoint and `records` are added to the handled count,
    /// when the lease is still `l`'s; else `es_errc::lease_lost` and
    /// nothing is written. One UpdateItem (its values are absolute: a
    /// resent commit writes the same). `sequence_number` may not be before
    /// `l.sequence_number` (`invalid_argument`).
    boost::asio::awaitable<void> commit(shard_lease& l, std::string sequence_number,
                                        std::int64_t records);

    /// Records up to `last_sequence_number` are being handed to the handler
    /// (before the commit that follows): a later owner that reads them
    /// again counts them as redelivered. One UpdateItem conditioned on the
    /// lease (else `es_errc::lease_lost`); sets `l.delivering`.
    boost::asio::awaitable<void> record_delivery(shard_lease& l, std::string last_sequence_number);

    /// The shard was read to its end and every record handled: marks it
    /// finished (`done`, and the checkpoint `last_sequence_number` when
    /// given, and `gap` when records were lost), and frees it. Conditioned
    /// on the lease being `l`'s; a resend whose first answer was lost finds
    /// it finished with `l`'s fence: success. Otherwise
    /// `es_errc::lease_lost`.
    boost::asio::awaitable<void> finish(shard_lease& l,
                                        std::optional<std::string> last_sequence_number = {},
                                        std::optional<std::string> gap = {});

    /// Every shard lease of `consumer` on the stream `label` (held, free or
    /// finished), by shard id. One strongly consistent Query.
    boost::asio::awaitable<std::vector<shard_lease>> shard_leases(std::string consumer,
                                                                  std::string label);

    /// Deletes a finished lease item (its children no longer need it);
    /// false when it is not finished or absent (then nothing is deleted).
    boost::asio::awaitable<bool> remove_finished(const shard_lease& l);
    /// @}

    const store_config& config() const noexcept { return cfg_; }

    /// \name Asynchronous forms (see the class comment)
    /// @{

    /// `acquire`. Cancellation: terminal, partial: `operation_aborted`, the
    /// partition taken or not (acquire again: a lease of its own is
    /// renewed); total: ignored.
    template <detail::token Token = default_token>
    auto async_acquire(std::string projection, int partition, std::string owner,
                       std::chrono::milliseconds duration, Token&& token = default_token()) {
        return async_acquire_(std::move(projection), partition, std::move(owner), duration, nullptr,
                              std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_acquire(std::string projection, int partition, std::string owner,
                       std::chrono::milliseconds duration, diagnostics& diag,
                       Token&& token = default_token()) {
        return async_acquire_(std::move(projection), partition, std::move(owner), duration, &diag,
                              std::forward<Token>(token));
    }

    /// `renew`. Cancellation: terminal, partial: `operation_aborted`, the
    /// lease extended or not (`l` unchanged: renew again); total: ignored.
    template <detail::token Token = default_token>
    auto async_renew(lease& l, std::chrono::milliseconds duration,
                     Token&& token = default_token()) {
        return async_renew_(l, duration, nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_renew(lease& l, std::chrono::milliseconds duration, diagnostics& diag,
                     Token&& token = default_token()) {
        return async_renew_(l, duration, &diag, std::forward<Token>(token));
    }

    /// `release`. Cancellation: terminal, partial: `operation_aborted`, the
    /// partition released or not (release again, or let it expire); total:
    /// ignored.
    template <detail::token Token = default_token>
    auto async_release(lease l, Token&& token = default_token()) {
        return async_release_(std::move(l), nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_release(lease l, diagnostics& diag, Token&& token = default_token()) {
        return async_release_(std::move(l), &diag, std::forward<Token>(token));
    }

    /// `commit` (at least once). Cancellation: terminal, partial:
    /// `operation_aborted`, the checkpoint at `next` or not (`l.position`
    /// unchanged: commit again); total: ignored.
    template <detail::token Token = default_token>
    auto async_commit(lease& l, subscription_position next, Token&& token = default_token()) {
        return async_commit_(l, std::move(next), std::nullopt, nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_commit(lease& l, subscription_position next, diagnostics& diag,
                      Token&& token = default_token()) {
        return async_commit_(l, std::move(next), std::nullopt, &diag, std::forward<Token>(token));
    }

    /// `commit` (exactly once). Cancellation: terminal, partial:
    /// `operation_aborted`, the transaction applied or not (`l.position`
    /// unchanged; committing the same `next` and writes again is
    /// recognised as the same commit); total: ignored.
    template <detail::token Token = default_token>
    auto async_commit(lease& l, subscription_position next, std::vector<transact_write_item> writes,
                      Token&& token = default_token()) {
        return async_commit_(l, std::move(next), std::move(writes), nullptr,
                             std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_commit(lease& l, subscription_position next, std::vector<transact_write_item> writes,
                      diagnostics& diag, Token&& token = default_token()) {
        return async_commit_(l, std::move(next), std::move(writes), &diag,
                             std::forward<Token>(token));
    }

    /// `leases`. Cancellation: terminal, partial, total (a read).
    template <detail::token Token = default_token>
    auto async_leases(std::string projection, Token&& token = default_token()) {
        return async_read_<std::vector<lease>>(
            [this, projection = std::move(projection)]() mutable {
                return leases(std::move(projection));
            },
            nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_leases(std::string projection, diagnostics& diag, Token&& token = default_token()) {
        return async_read_<std::vector<lease>>(
            [this, projection = std::move(projection)]() mutable {
                return leases(std::move(projection));
            },
            &diag, std::forward<Token>(token));
    }

    /// `projections`. Cancellation: terminal, partial, total (a read).
    template <detail::token Token = default_token>
    auto async_projections(Token&& token = default_token()) {
        return async_read_<std::vector<std::string>>([this] { return projections(); }, nullptr,
                                                     std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_projections(diagnostics& diag, Token&& token = default_token()) {
        return async_read_<std::vector<std::string>>([this] { return projections(); }, &diag,
                                                     std::forward<Token>(token));
    }

    /// `heartbeat`. Cancellation: terminal, partial: `operation_aborted`,
    /// recorded or not; total: ignored.
    template <detail::token Token = default_token>
    auto async_heartbeat(std::string projection, std::string owner,
                         std::chrono::milliseconds duration, Token&& token = default_token()) {
        return async_write_<void>(
            [this, projection = std::move(projection), owner = std::move(owner),
             duration]() mutable {
                return heartbeat(std::move(projection), std::move(owner), duration);
            },
            nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_heartbeat(std::string projection, std::string owner,
                         std::chrono::milliseconds duration, diagnostics& diag,
                         Token&& token = default_token()) {
        return async_write_<void>(
            [this, projection = std::move(projection), owner = std::move(owner),
             duration]() mutable {
                return heartbeat(std::move(projection), std::move(owner), duration);
            },
            &diag, std::forward<Token>(token));
    }

    /// `leave`. Cancellation: terminal, partial: `operation_aborted`, the
    /// heartbeat removed or not (it expires); total: ignored.
    template <detail::token Token = default_token>
    auto async_leave(std::string projection, std::string owner, Token&& token = default_token()) {
        return async_write_<void>(
            [this, projection = std::move(projection), owner = std::move(owner)]() mutable {
                return leave(std::move(projection), std::move(owner));
            },
            nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_leave(std::string projection, std::string owner, diagnostics& diag,
                     Token&& token = default_token()) {
        return async_write_<void>(
            [this, projection = std::move(projection), owner = std::move(owner)]() mutable {
                return leave(std::move(projection), std::move(owner));
            },
            &diag, std::forward<Token>(token));
    }

    /// `live_workers`. Cancellation: terminal, partial, total (a read).
    template <detail::token Token = default_token>
    auto async_live_workers(std::string projection, Token&& token = default_token()) {
        return async_read_<std::vector<std::string>>(
            [this, projection = std::move(projection)]() mutable {
                return live_workers(std::move(projection));
            },
            nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_live_workers(std::string projection, diagnostics& diag,
                            Token&& token = default_token()) {
        return async_read_<std::vector<std::string>>(
            [this, projection = std::move(projection)]() mutable {
                return live_workers(std::move(projection));
            },
            &diag, std::forward<Token>(token));
    }

    /// `park`. Cancellation: terminal, partial: `operation_aborted`, parked
    /// or not (park again: it replaces); total: ignored.
    template <detail::token Token = default_token>
    auto async_park(std::string projection, stored_event e, std::string error, int attempts,
                    Token&& token = default_token()) {
        return async_park_(std::move(projection), std::move(e), std::move(error), attempts, nullptr,
                           std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_park(std::string projection, stored_event e, std::string error, int attempts,
                    diagnostics& diag, Token&& token = default_token()) {
        return async_park_(std::move(projection), std::move(e), std::move(error), attempts, &diag,
                           std::forward<Token>(token));
    }

    /// `unpark` (with or without writes). Cancellation: terminal, partial:
    /// `operation_aborted`, removed (with its writes) or not; total: ignored.
    template <detail::token Token = default_token>
    auto async_unpark(std::string projection, std::int64_t id, std::string key,
                      std::vector<transact_write_item> writes, Token&& token = default_token()) {
        return async_unpark_(std::move(projection), id, std::move(key), std::move(writes), nullptr,
                             std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_unpark(std::string projection, std::int64_t id, std::string key,
                      std::vector<transact_write_item> writes, diagnostics& diag,
                      Token&& token = default_token()) {
        return async_unpark_(std::move(projection), id, std::move(key), std::move(writes), &diag,
                             std::forward<Token>(token));
    }

    /// `request_redrive`. Cancellation: terminal, partial:
    /// `operation_aborted`, asked or not; total: ignored.
    template <detail::token Token = default_token>
    auto async_request_redrive(std::string projection, std::int64_t id, std::string key,
                               Token&& token = default_token()) {
        return async_write_<bool>(
            [this, projection = std::move(projection), id, key = std::move(key)]() mutable {
                return request_redrive(std::move(projection), id, std::move(key));
            },
            nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_request_redrive(std::string projection, std::int64_t id, std::string key,
                               diagnostics& diag, Token&& token = default_token()) {
        return async_write_<bool>(
            [this, projection = std::move(projection), id, key = std::move(key)]() mutable {
                return request_redrive(std::move(projection), id, std::move(key));
            },
            &diag, std::forward<Token>(token));
    }

    /// `create_shard_lease`. Cancellation: terminal, partial:
    /// `operation_aborted`, created or not (create again); total: ignored.
    template <detail::token Token = default_token>
    auto async_create_shard_lease(std::string consumer, std::string label, std::string shard_id,
                                  std::vector<std::string> parents, shard_lease_start start,
                                  Token&& token = default_token()) {
        return async_write_<bool>(
            [this, a = shard_args{std::move(consumer), std::move(label), std::move(shard_id)},
             parents = std::move(parents), start]() mutable {
                return create_shard_lease(std::move(a.consumer), std::move(a.label),
                                          std::move(a.shard_id), std::move(parents), start);
            },
            nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_create_shard_lease(std::string consumer, std::string label, std::string shard_id,
                                  std::vector<std::string> parents, shard_lease_start start,
                                  diagnostics& diag, Token&& token = default_token()) {
        return async_write_<bool>(
            [this, a = shard_args{std::move(consumer), std::move(label), std::move(shard_id)},
             parents = std::move(parents), start]() mutable {
                return create_shard_lease(std::move(a.consumer), std::move(a.label),
                                          std::move(a.shard_id), std::move(parents), start);
            },
            &diag, std::forward<Token>(token));
    }

    /// `acquire_shard`. Cancellation: terminal, partial:
    /// `operation_aborted`, taken or not (acquire again: a lease of its own
    /// is renewed); total: ignored.
    template <detail::token Token = default_token>
    auto async_acquire_shard(std::string consumer, std::string label, std::string shard_id,
                             std::string owner, std::chrono::milliseconds duration,
                             Token&& token = default_token()) {
        return async_acquire_shard_(
            shard_args{std::move(consumer), std::move(label), std::move(shard_id)},
            std::move(owner), duration, nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_acquire_shard(std::string consumer, std::string label, std::string shard_id,
                             std::string owner, std::chrono::milliseconds duration,
                             diagnostics& diag, Token&& token = default_token()) {
        return async_acquire_shard_(
            shard_args{std::move(consumer), std::move(label), std::move(shard_id)},
            std::move(owner), duration, &diag, std::forward<Token>(token));
    }

    /// `renew` of a shard lease. Cancellation: terminal, partial:
    /// `operation_aborted`, extended or not (`l` unchanged); total: ignored.
    template <detail::token Token = default_token>
    auto async_renew(shard_lease& l, std::chrono::milliseconds duration,
                     Token&& token = default_token()) {
        return async_write_<bool>([this, l = &l, duration] { return renew(*l, duration); }, nullptr,
                                  std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_renew(shard_lease& l, std::chrono::milliseconds duration, diagnostics& diag,
                     Token&& token = default_token()) {
        return async_write_<bool>([this, l = &l, duration] { return renew(*l, duration); }, &diag,
                                  std::forward<Token>(token));
    }

    /// `release` of a shard lease. Cancellation: terminal, partial:
    /// `operation_aborted`, released or not; total: ignored.
    template <detail::token Token = default_token>
    auto async_release(shard_lease l, Token&& token = default_token()) {
        return async_write_<void>([this, l = std::move(l)] { return release(l); }, nullptr,
                                  std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_release(shard_lease l, diagnostics& diag, Token&& token = default_token()) {
        return async_write_<void>([this, l = std::move(l)] { return release(l); }, &diag,
                                  std::forward<Token>(token));
    }

    /// `commit` of a shard lease. Cancellation: terminal, partial:
    /// `operation_aborted`, committed or not (`l` unchanged: commit again);
    /// total: ignored.
    template <detail::token Token = default_token>
    auto async_commit(shard_lease& l, std::string sequence_number, std::int64_t records,
                      Token&& token = default_token()) {
        return async_write_<void>(
            [this, l = &l, sq = std::move(sequence_number), records]() mutable {
                return commit(*l, std::move(sq), records);
            },
            nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_commit(shard_lease& l, std::string sequence_number, std::int64_t records,
                      diagnostics& diag, Token&& token = default_token()) {
        return async_write_<void>(
            [this, l = &l, sq = std::move(sequence_number), records]() mutable {
                return commit(*l, std::move(sq), records);
            },
            &diag, std::forward<Token>(token));
    }

    /// `record_delivery`. Cancellation: terminal, partial:
    /// `operation_aborted`, recorded or not; total: ignored.
    template <detail::token Token = default_token>
    auto async_record_delivery(shard_lease& l, std::string last_sequence_number,
                               Token&& token = default_token()) {
        return async_write_<void>(
            [this, l = &l, sq = std::move(last_sequence_number)]() mutable {
                return record_delivery(*l, std::move(sq));
            },
            nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_record_delivery(shard_lease& l, std::string last_sequence_number, diagnostics& diag,
                               Token&& token = default_token()) {
        return async_write_<void>(
            [this, l = &l, sq = std::move(last_sequence_number)]() mutable {
                return record_delivery(*l, std::move(sq));
            },
            &diag, std::forward<Token>(token));
    }

    /// `finish`. Cancellation: terminal, partial: `operation_aborted`,
    /// finished or not (`l` unchanged: finish again); total: ignored.
    template <detail::token Token = default_token>
    auto async_finish(shard_lease& l, std::optional<std::string> last_sequence_number,
                      std::optional<std::string> gap, Token&& token = default_token()) {
        return async_write_<void>(
            [this, l = &l, last = std::move(last_sequence_number), gap = std::move(gap)]() mutable {
                return finish(*l, std::move(last), std::move(gap));
            },
            nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_finish(shard_lease& l, std::optional<std::string> last_sequence_number,
                      std::optional<std::string> gap, diagnostics& diag,
                      Token&& token = default_token()) {
        return async_write_<void>(
            [this, l = &l, last = std::move(last_sequence_number), gap = std::move(gap)]() mutable {
                return finish(*l, std::move(last), std::move(gap));
            },
            &diag, std::forward<Token>(token));
    }

    /// `shard_leases`. Cancellation: terminal, partial, total (a read).
    template <detail::token Token = default_token>
    auto async_shard_leases(std::string consumer, std::string label,
                            Token&& token = default_token()) {
        return async_read_<std::vector<shard_lease>>(
            [this, consumer = std::move(consumer), label = std::move(label)]() mutable {
                return shard_leases(std::move(consumer), std::move(label));
            },
            nullptr, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_shard_leases(std::string consumer, std::string label, diagnostics& diag,
                            Token&& token = default_token()) {
        return async_read_<std::vector<shard_lease>>(
            [this, consumer = std::move(consumer), label = std::move(label)]() mutable {
                return shard_leases(std::move(consumer), std::move(label));
            },
            &diag, std::forward<Token>(token));
    }

    /// `remove_finished`. Cancellation: terminal, partial:
    /// `operation_aborted`, removed or not; total: ignored.
    template <detail::token Token = default_token>
    auto async_remove_finished(shard_lease l, Token&& token = default_token()) {
        return async_write_<bool>([this, l = std::move(l)] { return remove_finished(l); }, nullptr,
                                  std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_remove_finished(shard_lease l, diagnostics& diag, Token&& token = default_token()) {
        return async_write_<bool>([this, l = std::move(l)] { return remove_finished(l); }, &diag,
                                  std::forward<Token>(token));
    }
    /// @}

private:
    struct shard_args {
        std::string consumer, label, shard_id;
    };
    template <class Token>
    auto async_acquire_shard_(shard_args a, std::string owner, std::chrono::milliseconds duration,
                              diagnostics* diag, Token&& token) {
        return async_write_<std::optional<shard_lease>>(
            [this, a = std::move(a), owner = std::move(owner), duration]() mutable {
                return acquire_shard(std::move(a.consumer), std::move(a.label),
                                     std::move(a.shard_id), std::move(owner), duration);
            },
            diag, std::forward<Token>(token));
    }
    template <class T, class F, class Token>
    auto async_read_(F f, diagnostics* diag, Token&& token) {
        return detail::async_op<T>(get_executor(), std::move(f), diag, cancellation_support::all,
                                   std::forward<Token>(token));
    }
    template <class T, class F, class Token>
    auto async_write_(F f, diagnostics* diag, Token&& token) {
        return detail::async_op<T>(get_executor(), std::move(f), diag,
                                   cancellation_support::terminal_partial,
                                   std::forward<Token>(token));
    }
    template <class Token>
    auto async_acquire_(std::string projection, int partition, std::string owner,
                        std::chrono::milliseconds duration, diagnostics* diag, Token&& token) {
        return async_write_<std::optional<lease>>(
            [this, projection = std::move(projection), partition, owner = std::move(owner),
             duration]() mutable {
                return acquire(std::move(projection), partition, std::move(owner), duration);
            },
            diag, std::forward<Token>(token));
    }
    template <class Token>
    auto async_renew_(lease& l, std::chrono::milliseconds duration, diagnostics* diag,
                      Token&& token) {
        return async_write_<bool>([this, l = &l, duration] { return renew(*l, duration); }, diag,
                                  std::forward<Token>(token));
    }
    template <class Token>
    auto async_release_(lease l, diagnostics* diag, Token&& token) {
        return async_write_<void>([this, l = std::move(l)] { return release(l); }, diag,
                                  std::forward<Token>(token));
    }
    template <class Token>
    auto async_commit_(lease& l, subscription_position next,
                       std::optional<std::vector<transact_write_item>> writes, diagnostics* diag,
                       Token&& token) {
        return async_write_<void>(
            [this, l = &l, next = std::move(next), writes = std::move(writes)]() mutable {
                return writes ? commit(*l, std::move(next), std::move(*writes))
                              : commit(*l, std::move(next));
            },
            diag, std::forward<Token>(token));
    }
    template <class Token>
    auto async_park_(std::string projection, stored_event e, std::string error, int attempts,
                     diagnostics* diag, Token&& token) {
        return async_write_<void>(
            [this, projection = std::move(projection), e = std::move(e), error = std::move(error),
             attempts]() mutable {
                return park(std::move(projection), e, std::move(error), attempts);
            },
            diag, std::forward<Token>(token));
    }
    template <class Token>
    auto async_unpark_(std::string projection, std::int64_t id, std::string key,
                       std::vector<transact_write_item> writes, diagnostics* diag, Token&& token) {
        return async_write_<bool>(
            [this, projection = std::move(projection), id, key = std::move(key),
             writes = std::move(writes)]() mutable {
                return unpark(std::move(projection), id, std::move(key), std::move(writes));
            },
            diag, std::forward<Token>(token));
    }

    client c_; // a handle on the caller's client (share())
    store_config cfg_;
};

} // namespace ddb::es
