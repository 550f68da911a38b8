// ddb::es — a leased, checkpointed DynamoDB Streams consumer: several
// workers (threads, processes, hosts) share the shards of one stream, each
// shard read by one worker at a time, with its checkpoint in the checkpoints
// table (<ddb/es/checkpoint_store.hpp>, shard leases; docs/streams.md,
// "Leases and checkpoints").
//
// Each worker runs a lease round every `renew_interval`: heartbeat,
// renewals, a shard sync (DescribeStream: a lease item per shard, parents
// first), then it takes the ready shards (not finished; every parent
// finished or trimmed) up to its fair share among the live workers and hands
// back those above it (the balancing of `projection_worker`). Each held
// shard is read with `ddb::read_shard` from its checkpoint; after the
// handler returns for a batch, the batch's last sequence number is
// committed (at least once). A shard read to its end is finished; its
// children become ready. Every write is fenced by owner and fencing
// counter: a worker that stalled past its lease cannot move a checkpoint.
//
// Delivery: at least once, per-key order kept (one reader per shard, a child
// after its parents). After a failure (a worker killed, a stalled worker, a
// lost lease) the records after the last checkpoint are handled again; they
// are counted in `stream_worker_stats::redelivered`.
#pragma once

#include <ddb/client/streams_client.hpp>
#include <ddb/es/checkpoint_store.hpp>
#include <ddb/es/detail/async.hpp>
#include <ddb/ops/stream_reader.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ddb::es {

struct stream_worker_options {
    /// The consumer's name (the key of its leases and heartbeats; rules of
    /// a projection name). Workers of one consumer share the shards; other
    /// consumers read the stream on their own.
    std::string consumer;
    /// This worker's name, unique among the consumer's workers; empty: a
    /// random one.
    std::string owner{};
    /// A stream ARN ("arn:..."), or a table name: its newest ENABLED
    /// stream, else its newest (`ddb::resolve_stream_arn`).
    std::string stream;
    /// Where shards start when the consumer has no lease of this stream
    /// yet: every shard from its oldest record, or only the open shards,
    /// from now. Shards seen later start at their oldest record.
    shard_lease_start start = shard_lease_start::trim_horizon;

    /// A lease is valid this long after each renewal; a dead worker's
    /// shards are taken over after it expires.
    std::chrono::milliseconds lease_duration{10000};
    /// How often the worker renews its leases and balances. Below
    /// `lease_duration / 2`.
    std::chrono::milliseconds renew_interval{3000};
    /// DescribeStream at most this often (also after a shard ended, and
    /// when no shard is ready).
    std::chrono::milliseconds shard_sync_interval{60000};
    /// How each shard is read (page size, idle interval, back-off).
    stream_reader_options reader{};

    /// A failing handler is tried this many times, with a back-off of
    /// `retry_delay` doubling each time; then the worker stops (`run`
    /// throws the handler's error; the batch is not committed).
    int max_attempts = 3;
    std::chrono::milliseconds retry_delay{100};
    /// Record the last sequence number handed to the handler before each
    /// batch (one more UpdateItem per batch), so that a later owner counts
    /// redeliveries; off: `redelivered` stays 0.
    bool count_redeliveries = true;

    /// Called for records lost to the stream's 24-hour retention (the
    /// shard goes on after the gap; its lease records it). Optional.
    std::function<boost::asio::awaitable<void>(const trimmed_gap&)> on_gap{};
};

/// What a worker has done so far.
struct stream_worker_stats {
    std::uint64_t records = 0;      ///< records handled and checkpointed
    std::uint64_t redelivered = 0;  ///< of them, read again after a failure
    std::uint64_t batches = 0;      ///< batches handled and checkpointed
    std::uint64_t retries = 0;      ///< handler attempts that failed
    std::uint64_t takeovers = 0;    ///< leases acquired
    std::uint64_t lost = 0;         ///< leases lost to another worker
    std::uint64_t finished = 0;     ///< shards read to their end
    std::uint64_t trimmed_gaps = 0; ///< trimmed_gap events met
    /// Shards held now.
    std::vector<std::string> owned{};
};

/// Thread safety: distinct objects: safe. Shared objects: `stop`, `stats`
/// and `owner` are safe from any thread; one `run` at a time (its work runs
/// on a strand of the store's executor).
class stream_worker {
public:
    using executor_type = boost::asio::any_io_executor;
    /// Called for each batch (one GetRecords page of one shard, in order);
    /// its checkpoint follows when it returns.
    using handler = std::function<boost::asio::awaitable<void>(const stream_batch&)>;

    /// Keeps a handle on `streams` (`share()`); `checkpoints` must outlive
    /// the worker.
    /// @throws es_error(invalid_argument) for an empty consumer or stream,
    ///         durations out of order, max_attempts < 1.
    stream_worker(streams_client& streams, checkpoint_store& checkpoints,
                  stream_worker_options options, handler h);
    ~stream_worker();
    stream_worker(const stream_worker&) = delete;
    stream_worker& operator=(const stream_worker&) = delete;

    /// Runs until `stop()` (then returns after handing back its leases) or
    /// until cancelled; throws the handler's error after `max_attempts`,
    /// and errors it cannot retry (a table without a stream:
    /// `ddb::stream_not_found`; an unknown stream ARN: `resource_not_found`).
    ///
    /// Cancellation (as `projection_worker::run`; this form: what the
    /// awaiting coroutine lets through; `async_run`: terminal and partial):
    /// - partial: as `stop()`: each shard finishes the batch in hand and
    ///   commits it, the leases are released, the heartbeat removed; then
    ///   `operation_aborted`.
    /// - terminal: stops now: a handler or commit in flight is cancelled
    ///   (its batch is handled again by the shard's next owner), no
    ///   further request; leases and heartbeat expire; `operation_aborted`.
    /// - total: ignored.
    boost::asio::awaitable<void> run();

    /// `run`, asynchronous: `void(error_code)`. The operation shares the
    /// worker's state; `checkpoints` must outlive it.
    template <detail::token Token = default_token>
    auto async_run(Token&& token = default_token()) {
        return detail::async_op<void>(
            get_executor(), [st = state_] { return run_shared(st); }, nullptr,
            cancellation_support::terminal_partial, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_run(diagnostics& diag, Token&& token = default_token()) {
        return detail::async_op<void>(
            get_executor(), [st = state_] { return run_shared(st); }, &diag,
            cancellation_support::terminal_partial, std::forward<Token>(token));
    }

    /// Asks `run` to finish: each shard stops after the batch in hand and
    /// its lease is released. Thread-safe.
    void stop();

    /// The checkpoint store's executor (the worker runs on a strand of it).
    executor_type get_executor() const;
    const std::string& owner() const noexcept;
    stream_worker_stats stats() const;

    struct state;

private:
    static boost::asio::awaitable<void> run_shared(std::shared_ptr<state> st);

    std::shared_ptr<state> state_;
};

} // namespace ddb::es
