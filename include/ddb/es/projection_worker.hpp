// ddb::es — projection workers: run a projector or reactor from
// subscriptions, with durable checkpoints and partitions shared among
// workers through leases (<ddb/es/checkpoint_store.hpp>).
//
// Several workers (threads, processes, hosts) may run the same projection:
// each index partition is leased to one worker at a time, and a worker that
// owns a partition sees its aggregates' whole histories in order. A worker
// takes a fair share (partitions / live workers), renews its leases, takes
// over the partitions of a worker whose lease expired, and hands back the
// partitions above its share when another worker joins. A worker that lost
// a lease cannot write: every checkpoint write is conditioned on the
// lease's owner and fencing counter.
//
// Delivery (docs/subscriptions.md has the argument for each):
// - at least once (a `handler`): the checkpoint is written after the
//   handler returns; a crash between the two hands the event again to the
//   next owner.
// - exactly once (a `transactional_handler`, read model in DynamoDB): the
//   handler returns the writes it wants and the worker commits them with
//   the checkpoint in one TransactWriteItems, conditioned on the previous
//   checkpoint: applied once whatever crashes or lost answers happen.
#pragma once

#include <ddb/core/diagnostics.hpp>
#include <ddb/es/checkpoint_store.hpp>
#include <ddb/es/detail/async.hpp>
#include <ddb/es/event_repository.hpp>
#include <ddb/es/projector.hpp>
#include <ddb/es/subscription.hpp>
#include <ddb/model/transact_items.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ddb::es {

/// What a worker does with an event whose handler keeps failing.
enum class on_handler_failure {
    park, ///< record it as parked (checkpoint store) and go on
    stop, ///< stop the worker (`run` throws the handler's error)
};

struct projection_worker_options {
    /// The projection's name: the key of its checkpoints and leases.
    std::string projection;
    /// This worker's name, unique among the projection's workers; empty: a
    /// random one.
    std::string owner{};

    /// A lease is valid this long after each renewal; a dead worker's
    /// partitions are taken over after it expires.
    std::chrono::milliseconds lease_duration{10000};
    /// How often the worker renews its leases, and looks for partitions to
    /// take or give back. Must be below `lease_duration / 2`.
    std::chrono::milliseconds renew_interval{3000};

    /// A failing handler is tried this many times, with a back-off of
    /// `retry_delay` doubling each time, then `failure` applies.
    int max_attempts = 3;
    std::chrono::milliseconds retry_delay{100};
    on_handler_failure failure = on_handler_failure::park;

    /// How the partitions are followed (poll intervals, horizon, event
    /// classes); `partitions` and `aggregate` are set by the worker.
    subscription_options subscription{};
};

/// What a worker has done so far.
struct projection_worker_stats {
    std::uint64_t handled = 0;   ///< events handled and checkpointed
    std::uint64_t parked = 0;    ///< events parked after failing
    std::uint64_t retries = 0;   ///< handler attempts that failed
    std::uint64_t takeovers = 0; ///< leases acquired
    std::uint64_t lost = 0;      ///< leases lost to another worker
    std::vector<int> owned{};    ///< partitions owned now
};

/// Thread safety: distinct objects: safe. Shared objects: `stop`, `stats`
/// and `owner` are safe from any thread; one `run` at a time (its work runs
/// on a strand of the repository's executor), `redrive_parked` alongside.
class projection_worker {
public:
    using executor_type = boost::asio::any_io_executor;
    /// At least once: `handler` runs for each event; the checkpoint follows.
    using handler = std::function<boost::asio::awaitable<void>(const stored_event&)>;
    /// Exactly once: the writes to commit with the checkpoint (at most 99;
    /// an empty vector commits the checkpoint alone).
    using transactional_handler =
        std::function<boost::asio::awaitable<std::vector<transact_write_item>>(
            const stored_event&)>;

    /// `events` and `checkpoints` must outlive the worker.
    /// @throws es_error(invalid_argument) for an empty projection name or
    ///         durations out of order.
    projection_worker(event_repository& events, checkpoint_store& checkpoints,
                      projection_worker_options options, handler h);
    projection_worker(event_repository& events, checkpoint_store& checkpoints,
                      projection_worker_options options, transactional_handler h);
    ~projection_worker();
    projection_worker(const projection_worker&) = delete;
    projection_worker& operator=(const projection_worker&) = delete;

    /// Runs until `stop()` (then returns after handing back its leases) or
    /// until cancelled; throws the handler's error under
    /// `on_handler_failure::stop`, and errors of the store it cannot retry.
    ///
    /// Cancellation (this form: what the awaiting coroutine lets through,
    /// terminal by default; `async_run`: terminal and partial):
    /// - partial: as `stop()`: each partition finishes the event in hand
    ///   and commits its checkpoint, the leases are released and the
    ///   heartbeat removed; then `operation_aborted`.
    /// - terminal: stops now: a handler or commit in flight is cancelled
    ///   (that event is handled again by the partition's next owner: at
    ///   least once; a transactional commit is applied once or not at all),
    ///   no further request is made, the leases and heartbeat are left to
    ///   expire (`lease_duration`); then `operation_aborted`. Also ends a
    ///   shutdown that `stop()` or a partial cancellation began.
    /// - total: ignored (a worker has side effects).
    /// Either way every partition task has ended when it completes, and
    /// the worker may run again.
    boost::asio::awaitable<void> run();

    /// `run`, asynchronous: `void(error_code)` (a lost lease is no error:
    /// it stops its partition only). The operation shares the worker's
    /// state (the worker object may go), but `events` and `checkpoints`
    /// must outlive it. Cancellation: as `run`.
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

    /// Asks `run` to finish: each partition stops after the event in hand
    /// and its lease is released. Thread-safe.
    void stop();

    /// Runs the handler again on the projection's parked events that a
    /// re-drive was asked for (`checkpoint_store::request_redrive`), or on
    /// all of them when `all`; each that succeeds is removed. Returns how
    /// many succeeded. (The worker also does this on each lease round.)
    boost::asio::awaitable<std::size_t> redrive_parked(bool all = false);

    /// `redrive_parked`, asynchronous: `void(error_code, std::size_t)`.
    /// Cancellation: terminal, partial: `operation_aborted`, the events
    /// before it re-driven and removed, the one in hand handled or not
    /// (still parked: re-driven again later); total: ignored.
    template <detail::token Token = default_token>
    auto async_redrive_parked(bool all, Token&& token = default_token()) {
        return detail::async_op<std::size_t>(
            get_executor(), [st = state_, all] { return redrive_shared(st, all); }, nullptr,
            cancellation_support::terminal_partial, std::forward<Token>(token));
    }
    template <detail::token Token = default_token>
    auto async_redrive_parked(bool all, diagnostics& diag, Token&& token = default_token()) {
        return detail::async_op<std::size_t>(
            get_executor(), [st = state_, all] { return redrive_shared(st, all); }, &diag,
            cancellation_support::terminal_partial, std::forward<Token>(token));
    }

    /// The event repository's executor (the worker runs on a strand of it).
    executor_type get_executor() const;

    const std::string& owner() const noexcept;
    projection_worker_stats stats() const;

    struct state;

private:
    static boost::asio::awaitable<void> run_shared(std::shared_ptr<state> st);
    static boost::asio::awaitable<std::size_t> redrive_shared(std::shared_ptr<state> st, bool all);

    std::shared_ptr<state> state_;
};

/// An at-least-once handler that runs a projector (or reactor) on each
/// event; the handlers' failures are thrown (as the first failure's
/// error), so that the worker retries and parks. `p` must outlive it.
projection_worker::handler handler_for(event_handlers& p);

} // namespace ddb::es
