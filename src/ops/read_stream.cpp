// The stream reader: shard discovery (DescribeStream at the start, every
// shard_sync_interval, and for the children of a shard that ended), parents
// read to their end before their children, one `read_shard` per ready shard,
// their events merged into one generator (each shard's in order).
//
// Everything runs on the generator's producer strand: the producer, one
// pump coroutine per shard reader that forwards its events into a channel the
// producer takes them from, and a ticker asking for the periodic sync
// through the same channel.
#include <ddb/core/config_error.hpp>
#include <ddb/ops/stream_reader.hpp>
#include <ddb/ops/streams.hpp>

#include "detail/stream_wait.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace ddb {

namespace asio = boost::asio;

namespace {

// What a pump hands the producer: an event of its shard, or the end of its
// reader (`ended`, with the error that ended it, if any).
struct shard_message {
    std::string shard_id;
    std::optional<stream_event> event;
    bool ended = false;
    std::exception_ptr error;
    bool sync = false; // from the ticker: list the shards again
};

using message_channel = asio::experimental::channel<void(boost::system::error_code, shard_message)>;

enum class shard_status {
    waiting, // not started: its parent is being read, or it is not ready yet
    reading,
    idle, // its reader stopped on an empty page (stop_when_idle)
    done, // read to its end, or not to be read (before the start position)
};

struct shard_entry {
    shard s;
    shard_status status = shard_status::waiting;
    bool at_first_sync = false;      // listed by the first DescribeStream
    std::optional<std::string> last; // the last sequence number handed on (or started after)
    bool skipped = false;            // done without being read (start rules)
};

struct stream_run {
    std::shared_ptr<streams_client> c;
    std::string table_or_arn;
    std::string arn;
    stream_start start;
    stream_reader_options o;

    std::map<std::string, shard_entry> shards;
    std::set<std::string> listed; // the last full listing
    bool synced = false;          // the first full listing was absorbed
    int active = 0;               // readers running
    bool sync_pending = false;    // a tick is in the channel
    std::optional<message_channel> events;
    std::vector<std::shared_ptr<asio::cancellation_signal>> stops;

    bool in_checkpoint(const std::string& id) const {
        return start.checkpoint && (start.checkpoint->sequence_numbers.contains(id) ||
                                    start.checkpoint->finished_shards.contains(id));
    }

    void skip(shard_entry& e) {
        e.status = shard_status::done;
        e.skipped = true;
    }

    // The first listing: what the start position leaves out.
    void apply_start_rules() {
        if (start.checkpoint) {
            for (auto& [id, e] : shards) {
                if (start.checkpoint->finished_shards.contains(id))
                    skip(e);
                if (!in_checkpoint(id))
                    continue;
                // Ancestors of a checkpointed shard were read to their end.
                auto parent = e.s.parent_shard_id;
                for (int depth = 0; parent && depth < 10000; ++depth) {
                    auto p = shards.find(*parent);
                    if (p == shards.end())
                        break;
                    if (!in_checkpoint(p->first))
                        skip(p->second);
                    parent = p->second.s.parent_shard_id;
                }
            }
        }
        if (start.otherwise == shard_iterator_type::latest)
            for (auto& [id, e] : shards)
                if (e.s.sequence_number_range.ending_sequence_number && !in_checkpoint(id))
                    skip(e); // closed before reading starts: the past is not wanted
    }

    void absorb(std::vector<shard> found, bool full) {
        if (full)
            listed.clear();
        for (auto& s : found) {
            if (full)
                listed.insert(s.shard_id);
            auto [it, added] = shards.try_emplace(s.shard_id);
            if (added) {
                it->second.s = std::move(s);
                it->second.at_first_sync = !synced;
            }
        }
        if (!synced) {
            apply_start_rules();
            synced = true;
        }
        if (full) // finished and trimmed: forgotten (a child then finds its parent unlisted)
            std::erase_if(shards, [&](const auto& kv) {
                return kv.second.status == shard_status::done && !listed.contains(kv.first);
            });
    }

    bool ready(const shard_entry& e) const {
        if (e.status != shard_status::waiting)
            return false;
        if (!e.s.parent_shard_id)
            return true;
        auto p = shards.find(*e.s.parent_shard_id);
        if (p == shards.end()) // not listed: trimmed, nothing left to read
            return !listed.contains(*e.s.parent_shard_id);
        return p->second.status == shard_status::done;
    }

    shard_start start_of(const shard_entry& e) const {
        if (start.checkpoint)
            if (auto cp = start.checkpoint->start_of(e.s.shard_id))
                return *cp;
        if (e.at_first_sync) {
            const shard_entry* parent = nullptr;
            if (e.s.parent_shard_id)
                if (auto p = shards.find(*e.s.parent_shard_id); p != shards.end())
                    parent = &p->second;
            // A root of what is read: neither its parent nor the checkpoint
            // says where it starts.
            if (!parent || (parent->skipped && !in_checkpoint(parent->s.shard_id)))
                return {start.otherwise, std::nullopt};
        }
        return shard_start::trim_horizon(); // a child of a shard read or checkpointed
    }
};

// Forwards the events of one shard reader to the producer.
asio::awaitable<void> pump(std::shared_ptr<stream_run> run, std::string id,
                           generator<stream_event> g) {
    shard_message last{id, std::nullopt, true, nullptr};
    try {
        while (auto e = co_await g.next()) {
            shard_message m{id, std::move(*e), false, nullptr};
            co_await run->events->async_send(boost::system::error_code{}, std::move(m),
                                             asio::use_awaitable);
        }
    } catch (...) {
        last.error = std::current_exception();
    }
    if (run->events->is_open())
        co_await run->events->async_send(boost::system::error_code{}, std::move(last),
                                         asio::use_awaitable);
}

void start_ready(const std::shared_ptr<stream_run>& run, const asio::any_io_executor& ex) {
    for (auto& [id, e] : run->shards) {
        if (!run->ready(e))
            continue;
        e.status = shard_status::reading;
        ++run->active;
        auto from = run->start_of(e);
        if (from.type == shard_iterator_type::after_sequence_number)
            e.last = from.sequence_number;
        auto g = read_shard(*run->c, run->arn, e.s, std::move(from), run->o);
        auto stop = std::make_shared<asio::cancellation_signal>();
        run->stops.push_back(stop);
        asio::co_spawn(ex, pump(run, id, std::move(g)),
                       asio::bind_cancellation_slot(stop->slot(), [](std::exception_ptr) {}));
    }
}

asio::awaitable<void> sync_all(stream_run& run) {
    describe_stream_request d;
    d.stream_arn = run.arn;
    std::vector<shard> found;
    auto g = stream_shards(*run.c, d);
    while (auto s = co_await g.next())
        found.push_back(std::move(*s));
    run.absorb(std::move(found), true);
}

// The children of a shard that ended (ShardFilter CHILD_SHARDS).
asio::awaitable<void> sync_children(stream_run& run, const std::string& parent) {
    describe_stream_request d;
    d.stream_arn = run.arn;
    d.shard_filter = shard_filter{shard_filter_type::child_shards, parent};
    std::vector<shard> found;
    auto g = stream_shards(*run.c, d);
    while (auto s = co_await g.next())
        found.push_back(std::move(*s));
    run.absorb(std::move(found), false);
}

// A listing after the first: throttled (after the client's retries), it is
// left to the next one.
asio::awaitable<void> unless_throttled(asio::awaitable<void> sync) {
    try {
        co_await std::move(sync);
    } catch (const throttling_error&) {
    }
}

bool is_not_found(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const resource_not_found&) {
        return true;
    } catch (...) {
        return false;
    }
}

// A shard reader that failed with resource_not_found: when the shard is no
// longer listed, it was trimmed away before it was read to its end: its
// records after `last` are lost (a trimmed_gap) and it counts as finished.
// Otherwise the error ends the stream reader.
asio::awaitable<void> lost_shard(const std::shared_ptr<stream_run>& run, const std::string& id,
                                 std::exception_ptr error, generator<stream_event>::sink& out,
                                 const asio::any_io_executor& ex) {
    if (!is_not_found(error))
        std::rethrow_exception(error);
    co_await sync_all(*run);
    auto found = run->shards.find(id);
    if (run->listed.contains(id) || found == run->shards.end())
        std::rethrow_exception(error);
    trimmed_gap gap{id, found->second.last, std::nullopt};
    found->second.status = shard_status::done;
    co_await out.push(std::move(gap));
    start_ready(run, ex);
}

// One message from a pump: the event handed on, the shard's state updated.
asio::awaitable<void> handle(const std::shared_ptr<stream_run>& run, shard_message m,
                             generator<stream_event>::sink& out, const asio::any_io_executor& ex) {
    auto found = run->shards.find(m.shard_id);
    if (m.ended) {
        --run->active;
        if (m.error)
            co_await lost_shard(run, m.shard_id, m.error, out, ex);
        // (A finished shard may be forgotten already: no longer listed.)
        else if (found != run->shards.end() && found->second.status == shard_status::reading)
            found->second.status = shard_status::idle;
        co_return;
    }
    auto& e = found->second; // read, not finished: still known
    const auto* batch = std::get_if<stream_batch>(&*m.event);
    const bool ended = batch && batch->shard_end;
    if (batch && !batch->records.empty())
        e.last = batch->records.back().sequence_number;
    co_await out.push(std::move(*m.event));
    if (ended) {
        e.status = shard_status::done;
        co_await unless_throttled(sync_children(*run, m.shard_id));
        start_ready(run, ex);
    }
}

// The stream resolved and its shards listed, backing off while throttled
// (after the client's retries) as a shard reader does.
asio::awaitable<void> first_sync(stream_run& run) {
    for (int throttles = 1;; ++throttles) {
        try {
            if (run.arn.empty())
                run.arn = co_await resolve_stream_arn(*run.c, run.table_or_arn);
            co_await sync_all(run);
            co_return;
        } catch (const throttling_error&) {
        }
        co_await detail::stream_wait_for(run.o, "", stream_wait_reason::throttled,
                                         detail::throttle_delay(run.o, throttles), throttles);
    }
}

// Asks the producer for a shard sync every shard_sync_interval (one request
// pending at most). A message in the producer's one channel, not a timer
// raced against the channel: a receive cancelled by a timer that won the
// race may have taken a message already, which would be lost.
asio::awaitable<void> ticker(std::shared_ptr<stream_run> run) {
    asio::steady_timer t(co_await asio::this_coro::executor);
    for (;;) {
        t.expires_after(run->o.shard_sync_interval);
        co_await t.async_wait(asio::use_awaitable);
        if (run->sync_pending)
            continue;
        run->sync_pending = true;
        shard_message tick;
        tick.sync = true;
        co_await run->events->async_send(boost::system::error_code{}, std::move(tick),
                                         asio::use_awaitable);
    }
}

asio::awaitable<void> merge(std::shared_ptr<stream_run> run, generator<stream_event>::sink& out) {
    auto ex = co_await asio::this_coro::executor;
    run->events.emplace(ex, 16);
    co_await first_sync(*run);
    start_ready(run, ex);
    auto stop = std::make_shared<asio::cancellation_signal>();
    run->stops.push_back(stop);
    asio::co_spawn(ex, ticker(run),
                   asio::bind_cancellation_slot(stop->slot(), [](std::exception_ptr) {}));
    for (;;) {
        if (run->o.stop_when_idle && run->active == 0) {
            co_await unless_throttled(sync_all(*run)); // a last look for shards left
            start_ready(run, ex);
            if (run->active == 0)
                co_return;
        }
        auto m = co_await run->events->async_receive(asio::use_awaitable);
        if (!m.sync) {
            co_await handle(run, std::move(m), out, ex);
            continue;
        }
        run->sync_pending = false;
        co_await unless_throttled(sync_all(*run));
        start_ready(run, ex);
    }
}

// Stops every shard reader (on the producer's strand).
void stop_all(stream_run& run) {
    if (run.events)
        run.events->close();
    // The signals stay with `run` (which the pumps hold): a pump clears its
    // slot when it completes.
    for (auto& s : run.stops)
        s->emit(asio::cancellation_type::terminal);
}

} // namespace

generator<stream_event> read_stream(streams_client& c, std::string table_or_arn, stream_start start,
                                    stream_reader_options options) {
    options.validate();
    if (table_or_arn.empty())
        throw config_error(config_errc::invalid_setting,
                           "read_stream: no table name or stream ARN");
    if (start.otherwise != shard_iterator_type::trim_horizon &&
        start.otherwise != shard_iterator_type::latest)
        throw config_error(config_errc::invalid_setting,
                           "stream_start::otherwise: trim_horizon or latest");
    auto run = std::make_shared<stream_run>();
    run->c = std::make_shared<streams_client>(c.share());
    run->table_or_arn = std::move(table_or_arn);
    run->start = std::move(start);
    run->o = std::move(options);
    return generator<stream_event>(
        c.get_executor(), [run](generator<stream_event>::sink& out) -> asio::awaitable<void> {
            std::exception_ptr failed;
            try {
                co_await merge(run, out);
            } catch (...) {
                failed = std::current_exception();
            }
            stop_all(*run);
            if (failed)
                std::rethrow_exception(failed);
        });
}

} // namespace ddb
