// The stream worker: a lease round every `renew_interval` (heartbeat,
// renewals, shard sync, ready shards, fair share, takeovers, clean-up), and
// one task per held shard that reads it with `read_shard` from its
// checkpoint and commits after each batch the handler took. Everything runs
// on one strand, so the tasks and the round share the leases without locks.
#include <ddb/es/stream_worker.hpp>

#include <ddb/client/request_token.hpp>
#include <ddb/es/error.hpp>
#include <ddb/ops/streams.hpp>

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
#include <set>

namespace ddb::es {

namespace asio = boost::asio;
using asio::awaitable;
using detail::sleep_for;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

namespace {

// One held shard's task.
struct shard_task {
    shard_lease held;
    ddb::shard listed{}; // as DescribeStream gave it (the id alone when unknown)
    asio::cancellation_signal cancel{};
    bool waiting = false;  // in the reader's next(): safe to cancel
    bool stop = false;     // finish after the batch in hand
    bool done = false;     // the task ended
    bool lost = false;     // the lease went to another worker
    bool finished = false; // the shard was read to its end and finished
};

// The stream label of an ARN ("...:table/T/stream/<label>"); empty if none.
std::string label_of(const std::string& arn) {
    const auto at = arn.rfind("/stream/");
    return at == std::string::npos ? std::string() : arn.substr(at + 8);
}

// Whether every parent of `l` is finished, or trimmed (no lease and not
// listed any more).
bool ready(const shard_lease& l, const std::map<std::string, const shard_lease*>& by_id,
           const std::set<std::string>& listed) {
    if (l.done)
        return false;
    for (const auto& p : l.parents) {
        auto it = by_id.find(p);
        if (it != by_id.end() ? !it->second->done : listed.count(p) != 0)
            return false;
    }
    return true;
}

} // namespace

struct stream_worker::state : std::enable_shared_from_this<state> {
    state(streams_client& s, checkpoint_store& c, stream_worker_options o, handler h)
        : streams(s.share())
        , checkpoints(c)
        , opt(std::move(o))
        , handle(std::move(h))
        , strand(asio::make_strand(c.get_executor()))
        , round_timer(strand) {
        auto bad = [](const char* what) {
            throw es_error(es_errc::invalid_argument, std::string("stream_worker: ") + what);
        };
        if (opt.consumer.empty())
            bad("the consumer needs a name");
        if (opt.stream.empty())
            bad("the stream (an ARN or a table name) is missing");
        if (opt.renew_interval <= milliseconds::zero() ||
            opt.renew_interval * 2 >= opt.lease_duration)
            bad("renew_interval must be positive and below lease_duration / 2");
        if (opt.shard_sync_interval <= milliseconds::zero())
            bad("shard_sync_interval must be positive");
        if (opt.max_attempts < 1)
            bad("max_attempts must be >= 1");
        if (!handle)
            bad("the handler is empty");
        opt.reader.validate();
        if (opt.owner.empty())
            opt.owner = "w-" + random_request_token().substr(0, 12);
    }

    streams_client streams;
    checkpoint_store& checkpoints;
    stream_worker_options opt;
    handler handle;
    asio::strand<asio::any_io_executor> strand;
    asio::steady_timer round_timer;
    std::atomic<bool> stopping{false};
    std::map<std::string, std::shared_ptr<shard_task>> tasks;
    std::exception_ptr fatal;

    std::string arn, label;
    std::map<std::string, ddb::shard> listed; // the last DescribeStream
    bool synced = false, sync_due = true;
    steady_clock::time_point last_sync{};
    std::set<std::string> just_finished; // by this worker: their children first

    mutable std::mutex stats_mutex;
    stream_worker_stats counters;

    template <class F>
    void count(F f) {
        std::lock_guard lock(stats_mutex);
        f(counters);
    }

    // The stream ARN (as read_stream finds it) and its label.
    awaitable<void> resolve() {
        arn = co_await resolve_stream_arn(streams, opt.stream);
        label = label_of(arn);
        if (label.empty()) {
            describe_stream_request d;
            d.stream_arn = arn;
            d.limit = 1;
            auto r = co_await streams.describe_stream(d);
            label = r.stream_description.stream_label.value_or("");
        }
        if (label.empty() || label.find('#') != std::string::npos)
            throw es_error(es_errc::invalid_argument,
                           "stream_worker: no usable stream label in " + arn);
    }

    // --- one shard's task ---

    // The handler on `batch`, tried `max_attempts` times; empty: handled.
    awaitable<std::exception_ptr> attempt(const stream_batch& batch) {
        std::exception_ptr error;
        milliseconds delay = opt.retry_delay;
        for (int i = 0; i < opt.max_attempts; ++i) {
            // A handler that failed because the worker was cancelled did not
            // fail: the worker stops.
            if (error && (co_await asio::this_coro::cancellation_state).cancelled() !=
                             asio::cancellation_type::none)
                std::rethrow_exception(error);
            if (i > 0) {
                count([](auto& c) { ++c.retries; });
                co_await sleep_for(delay);
                delay *= 2;
            }
            try {
                co_await handle(batch);
                co_return nullptr;
            } catch (...) {
                error = std::current_exception();
            }
        }
        co_return error;
    }

    // One batch with records: handed to the handler, then checkpointed.
    awaitable<void> process(shard_task& t, const stream_batch& batch) {
        const std::string& last = batch.records.back().sequence_number;
        std::uint64_t again = 0;
        if (t.held.delivering)
            for (const auto& r : batch.records)
                if (!sequence_before(*t.held.delivering, r.sequence_number) &&
                    (!t.held.sequence_number ||
                     sequence_before(*t.held.sequence_number, r.sequence_number)))
                    ++again;
        if (opt.count_redeliveries &&
            (!t.held.delivering || sequence_before(*t.held.delivering, last)))
            co_await checkpoints.record_delivery(t.held, last);
        std::exception_ptr error = co_await attempt(batch);
        if (error) {
            // The worker stops with the handler's error (its next round
            // throws it); this shard stops before the checkpoint.
            if (!fatal)
                fatal = error;
            t.stop = true;
            round_timer.cancel();
            co_return;
        }
        co_await checkpoints.commit(t.held, last, static_cast<std::int64_t>(batch.records.size()));
        count([&](auto& c) {
            c.records += batch.records.size();
            c.redelivered += again;
            ++c.batches;
        });
    }

    shard_start start_of(const shard_lease& l) const {
        if (l.sequence_number)
            return shard_start::after(*l.sequence_number);
        return l.start == shard_lease_start::latest ? shard_start::latest()
                                                    : shard_start::trim_horizon();
    }

    // Reads the shard from its checkpoint until it ends (then finished), the
    // task is told to stop, or the lease is lost. Returns whether to stop.
    awaitable<bool> read(shard_task& t, std::optional<std::string>& gap) {
        auto events = read_shard(streams, arn, t.listed, start_of(t.held), opt.reader);
        for (;;) {
            t.waiting = true;
            auto e = co_await events.next();
            t.waiting = false;
            if (!e || t.stop)
                co_return true;
            if (system_clock::now() >= t.held.until) {
                t.lost = true; // not renewed in time: another may own it
                count([](auto& c) { ++c.lost; });
                co_return true;
            }
            if (auto* g = std::get_if<trimmed_gap>(&*e)) {
                count([](auto& c) { ++c.trimmed_gaps; });
                if (!gap)
                    gap = g->after_sequence_number.value_or("TRIM_HORIZON");
                if (opt.on_gap)
                    co_await opt.on_gap(*g);
                continue;
            }
            auto& batch = std::get<stream_batch>(*e);
            if (!batch.records.empty())
                co_await process(t, batch);
            if (t.stop)
                co_return true;
            if (batch.shard_end) {
                co_await checkpoints.finish(t.held, std::nullopt, gap);
                t.finished = true;
                count([](auto& c) { ++c.finished; });
                co_return true;
            }
        }
    }

    awaitable<void> follow(std::shared_ptr<shard_task> t) {
        std::optional<std::string> gap;
        while (!t->stop) {
            try {
                if (co_await read(*t, gap))
                    co_return;
            } catch (const es_error& x) {
                t->waiting = false;
                if (x.code() != make_error_code(es_errc::lease_lost))
                    throw;
                t->lost = true; // taken over: the new owner goes on from the checkpoint
                count([](auto& c) { ++c.lost; });
                co_return;
            } catch (const ddb::error&) {
                // A read failed after the client's retries (and the reader's
                // own): start again from the checkpoint after a pause.
                t->waiting = false;
                if (t->stop)
                    co_return;
            }
            co_await sleep_for(opt.retry_delay);
        }
    }

    void start(shard_lease l) {
        auto t = std::make_shared<shard_task>();
        t->held = std::move(l);
        auto known = listed.find(t->held.shard_id);
        if (known != listed.end())
            t->listed = known->second;
        else
            t->listed.shard_id = t->held.shard_id;
        tasks[t->held.shard_id] = t;
        count([](auto& c) { ++c.takeovers; });
        asio::co_spawn(strand, follow(t),
                       asio::bind_cancellation_slot(
                           t->cancel.slot(), [self = shared_from_this(), t](std::exception_ptr e) {
                               t->done = true;
                               if (e && !self->fatal && !t->stop)
                                   self->fatal = e;
                           }));
    }

    std::size_t active() const {
        return static_cast<std::size_t>(std::count_if(
            tasks.begin(), tasks.end(), [](const auto& kv) { return !kv.second->stop; }));
    }

    // --- the lease round ---

    awaitable<void> renew_all() {
        for (auto& [id, t] : tasks) {
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
            if (t->finished) {
                just_finished.insert(t->held.shard_id);
                sync_due = true; // its children
            } else if (!t->lost) {
                try {
                    co_await checkpoints.release(t->held);
                } catch (const es_error&) {
                }
            }
            it = tasks.erase(it);
        }
    }

    // DescribeStream, and a lease item for each shard that needs one,
    // parents first (see docs/streams.md, "Shard sync").
    awaitable<void> sync(const std::vector<shard_lease>& leases) {
        describe_stream_request d;
        d.stream_arn = arn;
        std::vector<ddb::shard> shards;
        auto all = stream_shards(streams, d);
        while (auto s = co_await all.next())
            shards.push_back(std::move(*s));
        listed.clear();
        for (const auto& s : shards)
            listed[s.shard_id] = s;
        std::set<std::string> leased;
        for (const auto& l : leases)
            leased.insert(l.shard_id);
        const bool first = leases.empty();
        for (const auto& s : order_parents_first(shards)) {
            if (leased.count(s->shard_id))
                continue;
            const bool open = !s->sequence_number_range.ending_sequence_number;
            const bool parent_leased = s->parent_shard_id && leased.count(*s->parent_shard_id);
            auto start = shard_lease_start::trim_horizon;
            if (first && opt.start == shard_lease_start::latest) {
                if (!open)
                    continue; // the past is not wanted
                start = shard_lease_start::latest;
            } else if (!first && !open && !parent_leased) {
                continue; // an ancestor skipped at the start (or trimmed meanwhile)
            }
            std::vector<std::string> parents;
            if (parent_leased && !(first && opt.start == shard_lease_start::latest))
                parents.push_back(*s->parent_shard_id);
            co_await checkpoints.create_shard_lease(opt.consumer, label, s->shard_id, parents,
                                                    start);
            leased.insert(s->shard_id);
        }
        synced = true;
        sync_due = false;
        last_sync = steady_clock::now();
    }

    // `shards` with each parent (when listed) before its children.
    static std::vector<const ddb::shard*>
    order_parents_first(const std::vector<ddb::shard>& shards) {
        std::map<std::string, const ddb::shard*> by_id;
        for (const auto& s : shards)
            by_id[s.shard_id] = &s;
        std::vector<const ddb::shard*> out;
        std::set<std::string> placed;
        std::function<void(const ddb::shard&, int)> place = [&](const ddb::shard& s, int depth) {
            if (placed.count(s.shard_id) || depth > 1000)
                return;
            if (s.parent_shard_id)
                if (auto p = by_id.find(*s.parent_shard_id); p != by_id.end())
                    place(*p->second, depth + 1);
            if (placed.insert(s.shard_id).second)
                out.push_back(&s);
        };
        for (const auto& s : shards)
            place(s, 0);
        return out;
    }

    // Finished leases no child needs any more: every child has a lease with
    // a checkpoint or finished, or the shard is no longer listed.
    awaitable<void> clean_up(const std::vector<shard_lease>& leases) {
        for (const auto& l : leases) {
            if (!l.done)
                continue;
            bool needed = listed.count(l.shard_id) != 0;
            if (needed) {
                bool children = false, all_started = true;
                for (const auto& c : leases)
                    if (std::count(c.parents.begin(), c.parents.end(), l.shard_id)) {
                        children = true;
                        all_started = all_started && (c.sequence_number || c.done);
                    }
                needed = !children || !all_started;
            }
            if (!needed)
                co_await checkpoints.remove_finished(l);
        }
    }

    // Takes free or expired ready shards up to the fair share, or gives back
    // those above it.
    awaitable<bool> balance(const std::vector<shard_lease>& leases) {
        std::map<std::string, const shard_lease*> by_id;
        for (const auto& l : leases)
            by_id[l.shard_id] = &l;
        std::set<std::string> ids;
        for (const auto& [id, s] : listed)
            ids.insert(id);
        std::vector<const shard_lease*> candidates;
        const auto now = system_clock::now();
        std::vector<std::string> holders;
        for (const auto& l : leases)
            if (ready(l, by_id, ids)) {
                candidates.push_back(&l);
                if (!l.owner.empty() && l.until > now)
                    holders.push_back(l.owner);
            }
        auto live = co_await checkpoints.live_workers(opt.consumer);
        const auto share = detail::share_of(candidates.size(), live, opt.owner);
        const bool starved = active() > share.least &&
                             detail::someone_starved(live, opt.owner, share.least, holders);
        const std::size_t keep = detail::leases_to_keep(active(), share, starved);
        for (auto it = tasks.rbegin(); it != tasks.rend() && active() > keep; ++it)
            if (!it->second->stop)
                detail::stop_task(*it->second);
        if (active() < share.fair && keep >= share.fair)
            co_await take(candidates, share.fair);
        co_return !candidates.empty();
    }

    // Takes candidates until `fair` are held: children of the shards this
    // worker just finished first, then from an offset of our own.
    awaitable<void> take(std::vector<const shard_lease*> candidates, std::size_t fair) {
        const auto offset = detail::start_offset(opt.owner, candidates.size());
        std::rotate(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(offset),
                    candidates.end());
        std::stable_partition(candidates.begin(), candidates.end(), [&](const shard_lease* l) {
            return std::any_of(l->parents.begin(), l->parents.end(),
                               [&](const std::string& p) { return just_finished.count(p) != 0; });
        });
        just_finished.clear();
        const auto now = system_clock::now();
        for (const shard_lease* c : candidates) {
            if (active() >= fair || stopping)
                break;
            if (tasks.count(c->shard_id) ||
                (!c->owner.empty() && c->owner != opt.owner && c->until > now))
                continue;
            auto l = co_await checkpoints.acquire_shard(opt.consumer, label, c->shard_id, opt.owner,
                                                        opt.lease_duration);
            if (l && !stopping)
                start(std::move(*l));
        }
    }

    awaitable<void> round() {
        co_await checkpoints.heartbeat(opt.consumer, opt.owner, opt.lease_duration);
        co_await renew_all();
        co_await reap();
        if (fatal)
            std::rethrow_exception(fatal);
        auto leases = co_await checkpoints.shard_leases(opt.consumer, label);
        if (!synced || sync_due || steady_clock::now() - last_sync >= opt.shard_sync_interval) {
            co_await sync(leases);
            leases = co_await checkpoints.shard_leases(opt.consumer, label);
            co_await clean_up(leases);
        }
        if (!co_await balance(leases))
            sync_due = true; // nothing ready: look for new shards next round
        std::vector<std::string> owned;
        for (auto& [id, t] : tasks)
            if (!t->stop)
                owned.push_back(id);
        count([&](auto& c) { c.owned = owned; });
    }

    // --- run, stop, cancellation (as projection_worker) ---

    awaitable<void> abandon() {
        co_await detail::abandon_tasks(tasks);
        count([](auto& c) { c.owned.clear(); });
    }

    awaitable<void> shutdown() {
        co_await detail::stop_tasks(tasks);
        co_await reap();
        count([](auto& c) { c.owned.clear(); });
        try {
            co_await checkpoints.leave(opt.consumer, opt.owner);
        } catch (const std::exception&) {
            // Its heartbeat expires by itself.
        }
    }

    awaitable<void> run() {
        co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation());
        std::exception_ptr error;
        try {
            co_await resolve();
            co_await rounds();
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
        co_await abandon();
        if (how != asio::cancellation_type::none)
            throw boost::system::system_error(asio::error::operation_aborted);
        if (error)
            std::rethrow_exception(error);
    }

    awaitable<void> rounds() {
        while (!stopping) {
            try {
                co_await round();
            } catch (const ddb::error&) {
                // DynamoDB or Streams unreachable for now: next round.
                if (fatal)
                    throw;
            }
            round_timer.expires_after(opt.renew_interval);
            auto [ec] = co_await round_timer.async_wait(asio::as_tuple(asio::use_awaitable));
            (void)ec;
            if ((co_await asio::this_coro::cancellation_state).cancelled() !=
                asio::cancellation_type::none)
                co_return;
        }
    }
};

stream_worker::stream_worker(streams_client& streams, checkpoint_store& checkpoints,
                             stream_worker_options options, handler h)
    : state_(std::make_shared<state>(streams, checkpoints, std::move(options), std::move(h))) {}

stream_worker::~stream_worker() = default;

awaitable<void> stream_worker::run() {
    return run_shared(state_);
}

awaitable<void> stream_worker::run_shared(std::shared_ptr<state> st) {
    co_await asio::co_spawn(st->strand, st->run(), asio::use_awaitable);
}

void stream_worker::stop() {
    state_->stopping = true;
    asio::post(state_->strand, [st = state_] { st->round_timer.cancel(); });
}

asio::any_io_executor stream_worker::get_executor() const {
    return state_->checkpoints.get_executor();
}

const std::string& stream_worker::owner() const noexcept {
    return state_->opt.owner;
}

stream_worker_stats stream_worker::stats() const {
    std::lock_guard lock(state_->stats_mutex);
    return state_->counters;
}

} // namespace ddb::es
