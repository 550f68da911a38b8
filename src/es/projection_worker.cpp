// The projection worker: a lease round every `renew_interval` (heartbeat,
// renewals, fair share, takeovers), and one task per owned partition that
// follows it with a subscription and commits a checkpoint after each event.
// Everything runs on one strand, so the tasks and the round share the leases
// without locks.
#include <ddb/es/projection_worker.hpp>

#include <ddb/client/request_token.hpp>
#include <ddb/es/error.hpp>

#include "detail/lease_balance.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <variant>

namespace ddb::es {

namespace asio = boost::asio;
using asio::awaitable;
using std::chrono::milliseconds;
using std::chrono::system_clock;

using detail::sleep_for;
using detail::what_of;

namespace {

// One owned partition's task.
struct partition_task {
    lease held;
    asio::cancellation_signal cancel{};
    bool waiting = false; // in the subscription's next(): safe to cancel
    bool stop = false;    // finish after the event in hand
    bool done = false;
    bool lost = false; // the lease went to another worker
};

// `a` spawned on the worker's strand: a partial cancellation of the
// caller reaches it too (a spawned coroutine lets only terminal through by
// default; the caller forwards only what it honours).
template <class T>
awaitable<T> with_partial(awaitable<T> a) {
    co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation());
    co_return co_await std::move(a);
}

} // namespace

struct projection_worker::state : std::enable_shared_from_this<state> {
    state(event_repository& e, checkpoint_store& c, projection_worker_options o)
        : events(e)
        , checkpoints(c)
        , opt(std::move(o))
        , strand(asio::make_strand(e.get_executor()))
        , round_timer(strand) {
        if (opt.projection.empty())
            throw es_error(es_errc::invalid_argument,
                           "projection_worker: the projection needs a name");
        if (opt.renew_interval <= milliseconds::zero() ||
            opt.renew_interval * 2 >= opt.lease_duration)
            throw es_error(es_errc::invalid_argument,
                           "projection_worker: renew_interval must be positive and below "
                           "lease_duration / 2");
        if (opt.max_attempts < 1)
            throw es_error(es_errc::invalid_argument,
                           "projection_worker: max_attempts must be >= 1");
        if (opt.owner.empty())
            opt.owner = "w-" + random_request_token().substr(0, 12);
    }

    event_repository& events;
    checkpoint_store& checkpoints;
    projection_worker_options opt;
    std::variant<handler, transactional_handler> handle;
    asio::strand<asio::any_io_executor> strand;
    asio::steady_timer round_timer;
    std::atomic<bool> stopping{false};
    std::map<int, std::shared_ptr<partition_task>> tasks;
    std::exception_ptr fatal;

    mutable std::mutex stats_mutex;
    projection_worker_stats counters;

    template <class F>
    void count(F f) {
        std::lock_guard lock(stats_mutex);
        f(counters);
    }

    // The handler, tried `max_attempts` times; a transactional one's
    // writes are committed with the checkpoint `next` in the same attempt
    // (a condition of its writes that fails is the handler's failure).
    // Empty error: handled (and, when transactional, committed).
    awaitable<std::exception_ptr> attempt(partition_task* t, const stored_event& e,
                                          const subscription_position& next,
                                          std::vector<transact_write_item>& writes) {
        std::exception_ptr error;
        milliseconds delay = opt.retry_delay;
        for (int i = 0; i < opt.max_attempts; ++i) {
            // A handler that failed because the worker was cancelled (`run`,
            // terminal) did not fail: the worker stops.
            if (error && (co_await asio::this_coro::cancellation_state).cancelled() !=
                             asio::cancellation_type::none)
                std::rethrow_exception(error);
            if (i > 0) {
                count([](auto& c) { ++c.retries; });
                co_await sleep_for(delay);
                delay *= 2;
            }
            try {
                if (auto* h = std::get_if<handler>(&handle)) {
                    co_await (*h)(e);
                } else {
                    writes = co_await std::get<transactional_handler>(handle)(e);
                    if (t)
                        co_await checkpoints.commit(t->held, next, writes);
                }
                co_return nullptr;
            } catch (const es_error& x) {
                // The lease or the checkpoint moved: not the handler's doing.
                if (x.code() == make_error_code(es_errc::lease_lost) ||
                    x.code() == make_error_code(es_errc::checkpoint_moved))
                    throw;
                error = std::current_exception();
            } catch (...) {
                error = std::current_exception();
            }
        }
        co_return error;
    }

    // One event of an owned partition: handled (or parked), and the
    // checkpoint moved past it.
    awaitable<void> process(partition_task& t, const stored_event& e) {
        subscription_position next = t.held.position;
        next.advance(e);
        std::vector<transact_write_item> writes;
        std::exception_ptr error = co_await attempt(&t, e, next, writes);
        if (error) {
            if (opt.failure == on_handler_failure::stop) {
                // The worker stops with the handler's error (its next round
                // throws it); this partition stops before the checkpoint.
                if (!fatal)
                    fatal = error;
                t.stop = true;
                round_timer.cancel();
                co_return;
            }
            co_await checkpoints.park(opt.projection, e, what_of(error), opt.max_attempts);
            count([](auto& c) { ++c.parked; });
            co_await checkpoints.commit(t.held, next);
            co_return;
        }
        if (std::holds_alternative<handler>(handle))
            co_await checkpoints.commit(t.held, next);
        count([](auto& c) { ++c.handled; });
    }

    // Follows one owned partition until told to stop or the lease is lost.
    awaitable<void> follow(std::shared_ptr<partition_task> t) {
        subscription_options o = opt.subscription;
        o.aggregate.reset();
        o.partitions = {t->held.partition};
        while (!t->stop) {
            try {
                auto sub = subscribe(events, t->held.position, o);
                for (;;) {
                    t->waiting = true;
                    auto e = co_await sub.next();
                    t->waiting = false;
                    if (!e || t->stop)
                        co_return;
                    if (system_clock::now() >= t->held.until) {
                        t->lost = true; // not renewed in time: another may own it
                        co_return;
                    }
                    co_await process(*t, *e);
                }
            } catch (const es_error& x) {
                t->waiting = false;
                if (x.code() != make_error_code(es_errc::lease_lost) &&
                    x.code() != make_error_code(es_errc::checkpoint_moved))
                    throw;
                t->lost = true; // taken over: the new owner goes on from its checkpoint
                co_return;
            } catch (const ddb::error&) {
                // A read failed after the client's retries: start again from
                // the checkpoint after a pause.
                t->waiting = false;
                if (t->stop)
                    co_return;
            }
            co_await sleep_for(opt.retry_delay);
        }
    }

    void start(lease l) {
        auto t = std::make_shared<partition_task>();
        t->held = std::move(l);
        const int p = t->held.partition;
        tasks[p] = t;
        count([](auto& c) { ++c.takeovers; });
        asio::co_spawn(strand, follow(t),
                       asio::bind_cancellation_slot(
                           t->cancel.slot(), [self = shared_from_this(), t](std::exception_ptr e) {
                               t->done = true;
                               if (e && !self->fatal && !t->stop)
                                   self->fatal = e;
                           }));
    }

    // Renews the owned leases; a lease that cannot be renewed is lost.
    awaitable<void> renew_all() {
        for (auto& [p, t] : tasks) {
            if (t->done || t->stop)
                continue;
            if (!co_await checkpoints.renew(t->held, opt.lease_duration)) {
                t->lost = true;
                count([](auto& c) { ++c.lost; });
                detail::stop_task(*t);
            }
        }
    }

    // Ends finished tasks: a stopped one hands its lease back.
    awaitable<void> reap() {
        for (auto it = tasks.begin(); it != tasks.end();) {
            auto t = it->second;
            if (!t->done) {
                ++it;
                continue;
            }
            if (!t->lost) {
                try {
                    co_await checkpoints.release(t->held);
                } catch (const es_error&) {
                    // Already taken over: nothing to hand back.
                }
            }
            it = tasks.erase(it);
        }
    }

    std::size_t active() const {
        return static_cast<std::size_t>(std::count_if(
            tasks.begin(), tasks.end(), [](const auto& kv) { return !kv.second->stop; }));
    }

    // Whether another live worker holds fewer than `least` valid leases.
    awaitable<bool> someone_starved(const std::vector<std::string>& live, std::size_t least) {
        const auto now = system_clock::now();
        const std::vector<lease> leases = co_await checkpoints.leases(opt.projection);
        std::vector<std::string> holders;
        for (const auto& l : leases)
            if (!l.owner.empty() && l.until > now)
                holders.push_back(l.owner);
        co_return detail::someone_starved(live, opt.owner, least, holders);
    }

    // Takes free or expired partitions up to the fair share, or gives back
    // those above it.
    awaitable<void> balance(int partitions) {
        auto live = co_await checkpoints.live_workers(opt.projection);
        const auto share = detail::share_of(static_cast<std::size_t>(partitions), live, opt.owner);
        // Above the fair share: hand the extra back. At it, while a live
        // worker has less than the least share: hand one back for it.
        const bool starved = active() > share.least && co_await someone_starved(live, share.least);
        const std::size_t keep = detail::leases_to_keep(active(), share, starved);
        for (auto it = tasks.rbegin(); it != tasks.rend() && active() > keep; ++it)
            if (!it->second->stop)
                detail::stop_task(*it->second);
        if (active() >= share.fair || keep < share.fair)
            co_return;
        // Start at a place of our own, so that workers do not all contend for
        // partition 0.
        const auto offset =
            static_cast<int>(detail::start_offset(opt.owner, static_cast<std::size_t>(partitions)));
        for (int i = 0; i < partitions && active() < share.fair && !stopping; ++i) {
            const int p = (offset + i) % partitions;
            if (tasks.count(p))
                continue;
            auto l = co_await checkpoints.acquire(opt.projection, p, opt.owner, opt.lease_duration);
            if (l && !stopping)
                start(std::move(*l));
        }
    }

    awaitable<void> round(int partitions) {
        co_await checkpoints.heartbeat(opt.projection, opt.owner, opt.lease_duration);
        co_await renew_all();
        co_await reap();
        if (fatal)
            std::rethrow_exception(fatal);
        co_await balance(partitions);
        co_await redrive(false);
        std::vector<int> owned;
        for (auto& [p, t] : tasks)
            if (!t->stop)
                owned.push_back(p);
        count([&](auto& c) { c.owned = owned; });
    }

    // `run` cancelled (terminal): stops every task at once (a handler or
    // commit in flight is cancelled: its event is handled again by the
    // partition's next owner) and waits for them; the leases and the
    // heartbeat are left to expire. No request is made. Not cancellable.
    awaitable<void> abandon() {
        co_await detail::abandon_tasks(tasks);
        count([](auto& c) { c.owned.clear(); });
    }

    // Stops every task, waits for them, hands the leases back.
    awaitable<void> shutdown() {
        co_await detail::stop_tasks(tasks);
        co_await reap();
        count([](auto& c) { c.owned.clear(); });
        try {
            co_await checkpoints.leave(opt.projection, opt.owner);
        } catch (const std::exception&) {
            // Its heartbeat expires by itself.
        }
    }

    // Cancellation (the header has the contract): partial: as `stop()`;
    // terminal: `abandon()`, also during the shutdown a partial
    // cancellation or `stop()` began. Completes with operation_aborted
    // after either.
    awaitable<void> run() {
        co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation());
        const int partitions = co_await events.partition_count();
        std::exception_ptr error;
        try {
            co_await rounds(partitions);
        } catch (...) {
            error = std::current_exception();
        }
        const auto how = (co_await asio::this_coro::cancellation_state).cancelled();
        if ((how & asio::cancellation_type::terminal) == asio::cancellation_type::none) {
            co_await asio::this_coro::reset_cancellation_state(); // terminal only
            try {
                co_await shutdown();
            } catch (...) {
                if (!error)
                    error = std::current_exception();
            }
        }
        co_await asio::this_coro::reset_cancellation_state(
            [](asio::cancellation_type) { return asio::cancellation_type::none; });
        co_await abandon(); // (nothing left to do after a shutdown)
        if (how != asio::cancellation_type::none)
            throw boost::system::system_error(asio::error::operation_aborted);
        if (error)
            std::rethrow_exception(error);
    }

    // Lease rounds until `stop()` or a cancellation.
    awaitable<void> rounds(int partitions) {
        while (!stopping) {
            try {
                co_await round(partitions);
            } catch (const ddb::error&) {
                // DynamoDB unreachable for now (after the client's own
                // retries): try again next round; leases not renewed in
                // time are lost, and their tasks stop writing.
                if (fatal)
                    throw;
            }
            round_timer.expires_after(opt.renew_interval);
            auto [ec] = co_await round_timer.async_wait(asio::as_tuple(asio::use_awaitable));
            (void)ec; // cancelled by stop() (or by a cancellation of run: seen below)
            if ((co_await asio::this_coro::cancellation_state).cancelled() !=
                asio::cancellation_type::none)
                co_return;
        }
    }

    // The parked events asked for (or all), handled again; each that
    // succeeds is removed (with its writes, exactly once).
    awaitable<std::size_t> redrive(bool all) {
        std::vector<parked_event> todo;
        auto parked = checkpoints.parked(opt.projection);
        while (auto p = co_await parked.next())
            if (all || p->redrive)
                todo.push_back(std::move(*p));
        std::size_t ok = 0;
        for (auto& p : todo) {
            stored_event e = co_await events.find(p.id);
            if (event_key(e) != p.key)
                continue; // another event with that id: left parked
            std::vector<transact_write_item> writes;
            std::exception_ptr error = co_await attempt(nullptr, e, {}, writes);
            if (error) {
                co_await checkpoints.park(opt.projection, e, "re-drive: " + what_of(error),
                                          p.attempts + opt.max_attempts);
                continue;
            }
            co_await checkpoints.unpark(opt.projection, p.id, p.key, std::move(writes));
            ++ok;
        }
        co_return ok;
    }
};

projection_worker::projection_worker(event_repository& events, checkpoint_store& checkpoints,
                                     projection_worker_options options, handler h)
    : state_(std::make_shared<state>(events, checkpoints, std::move(options))) {
    state_->handle = std::move(h);
}

projection_worker::projection_worker(event_repository& events, checkpoint_store& checkpoints,
                                     projection_worker_options options, transactional_handler h)
    : state_(std::make_shared<state>(events, checkpoints, std::move(options))) {
    state_->handle = std::move(h);
}

projection_worker::~projection_worker() = default;

awaitable<void> projection_worker::run() {
    return run_shared(state_);
}

awaitable<void> projection_worker::run_shared(std::shared_ptr<state> st) {
    co_await asio::co_spawn(st->strand, st->run(), asio::use_awaitable);
}

awaitable<std::size_t> projection_worker::redrive_shared(std::shared_ptr<state> st, bool all) {
    co_return co_await asio::co_spawn(st->strand, with_partial(st->redrive(all)),
                                      asio::use_awaitable);
}

void projection_worker::stop() {
    state_->stopping = true;
    asio::post(state_->strand, [st = state_] { st->round_timer.cancel(); });
}

awaitable<std::size_t> projection_worker::redrive_parked(bool all) {
    return redrive_shared(state_, all);
}

asio::any_io_executor projection_worker::get_executor() const {
    return state_->events.get_executor();
}

const std::string& projection_worker::owner() const noexcept {
    return state_->opt.owner;
}

projection_worker_stats projection_worker::stats() const {
    std::lock_guard lock(state_->stats_mutex);
    return state_->counters;
}

projection_worker::handler handler_for(event_handlers& p) {
    return [&p](const stored_event& e) -> awaitable<void> {
        std::vector<handler_failure> failures;
        co_await p.handle(e, failures);
        if (!failures.empty()) {
            if (failures.front().error)
                std::rethrow_exception(failures.front().error);
            throw es_error(es_errc::invalid_argument, failures.front().message);
        }
    };
}

} // namespace ddb::es
