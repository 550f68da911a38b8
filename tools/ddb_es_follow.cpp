// ddb-es's commands around subscriptions (docs/subscriptions.md):
//   tail         follows the store and prints its events as JSON lines
//   checkpoints  the projections, their leases, checkpoints, lag and workers
//   parked       a projection's parked events; asks for their re-drive
// Their options and help are in ddb_es.cpp's tables, with the others.
#include "ddb_es.hpp"

#include <ddb/client/errors.hpp>
#include <ddb/es/checkpoint_store.hpp>
#include <ddb/es/dynamodb_event_repository.hpp>
#include <ddb/es/event_metadata.hpp>
#include <ddb/es/id_generator.hpp>
#include <ddb/es/stream_subscription.hpp>
#include <ddb/es/subscription.hpp>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <csignal>
#include <memory>
#include <stdexcept>

namespace ddb::es_tool {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using cli::out;
using std::chrono::milliseconds;
using std::chrono::system_clock;

// ---------------------------------------------------------------------------
// Durations and times, as people read them.

// "3.2 s", "40 ms", "5 min 3 s", "2 h 5 min", "3 d 4 h" (d >= 0).
std::string span(milliseconds d) {
    const std::int64_t s = d.count() / 1000;
    if (s < 60)
        return seconds(d);
    auto two = [](std::int64_t a, const char* ua, std::int64_t b, const char* ub) {
        return std::to_string(a) + " " + ua + (b ? " " + std::to_string(b) + " " + ub : "");
    };
    if (s < 3600)
        return two(s / 60, "min", s % 60, "s");
    if (s < 86400)
        return two(s / 3600, "h", s / 60 % 60, "min");
    return two(s / 86400, "d", s / 3600 % 24, "h");
}

// "in 3.2 s" or "10 s ago": `t` seen from `now`.
std::string relative(system_clock::time_point t, system_clock::time_point now) {
    auto d = std::chrono::duration_cast<milliseconds>(t - now);
    return d.count() >= 0 ? "in " + span(d) : span(-d) + " ago";
}

// The time an id was drawn (<ddb/es/id_generator.hpp>).
system_clock::time_point time_of_id(std::int64_t id) {
    return system_clock::time_point(std::chrono::microseconds(ddb::es::microseconds_of_id(id)));
}

/// A table that is not there, named with the option that names it.
[[noreturn]] void missing_table(const std::string& role, const std::string& table,
                                const ddb::resource_not_found& e) {
    throw std::runtime_error("the " + role + " table " + table +
                             " does not exist ('ddb-es create-tables' makes it; --" + role +
                             "-table names another): " + e.what());
}

// ---------------------------------------------------------------------------
// tail

/// What tail has printed, for its status line and summary.
struct tail_state {
    std::int64_t events = 0, last_id = -1;
    system_clock::time_point last_created_at{};
};

// "40 queries" (index source) or "40 requests" (Queries and GetRecords).
std::string requests(std::int64_t n, const options& o) {
    return o.stream_source ? plural(n, "request", "requests") : plural(n, "query", "queries");
}

// "tail: 12 events, last id 1767225600000000123 (2026-01-01T00:00:00.000000Z), 40 queries"
std::string tail_status(const tail_state& s, std::int64_t queries, const options& o) {
    std::string text = "tail: " + plural(s.events, "event", "events");
    if (s.last_id >= 0)
        text += ", last id " + std::to_string(s.last_id) + " (" +
                ddb::es::format_timestamp(s.last_created_at) + ")";
    return text + ", " + requests(queries, o);
}

ddb::es::subscription_options tail_options(const options& o) {
    ddb::es::subscription_options so;
    so.aggregate = o.aggregate;
    so.event_classes = o.classes;
    so.horizon = o.horizon;
    if (o.poll) {
        so.poll_interval = *o.poll;
        so.max_poll_interval = std::max(*o.poll, so.max_poll_interval);
    }
    so.stop_when_idle = o.until_idle;
    return so;
}

ddb::es::stream_subscription_options stream_tail_options(const options& o) {
    ddb::es::stream_subscription_options so;
    so.aggregate = o.aggregate;
    so.event_classes = o.classes;
    so.horizon = o.horizon;
    if (o.poll) {
        so.reader.idle_interval = *o.poll;
        so.reader.max_idle_requests_per_minute =
            static_cast<int>(std::max<std::int64_t>(60, 60'000 / o.poll->count()));
    }
    so.stop_when_idle = o.until_idle;
    return so;
}

/// The subscription tail prints, from the index or the events table's
/// stream (`streams` then holds its client); `horizon` gets its horizon.
ddb::generator<ddb::es::stored_event> open_tail(ddb::es::dynamodb_event_repository& repo,
                                                std::optional<ddb::streams_client>& streams,
                                                const options& o, tool& t, milliseconds& horizon) {
    const ddb::es::subscription_position from{o.from, {}};
    if (!o.stream_source) {
        const auto so = tail_options(o);
        horizon = so.aggregate ? milliseconds{0} : safe_horizon(repo.config(), so);
        return ddb::es::subscribe(repo, from, so);
    }
    const auto so = stream_tail_options(o);
    horizon = ddb::es::stream_horizon(repo.config(), so);
    streams.emplace(repo.get_executor(), t.config);
    return ddb::es::subscribe_stream(repo, *streams, from, so);
}

/// What a signal does to a tail: closes its subscription while it runs.
/// Shared with the signal's handler, which may run after tail returned.
struct stopper {
    bool interrupted = false;
    ddb::generator<ddb::es::stored_event>* sub = nullptr; ///< null once tail is over

    /// Clears `sub` when tail's scope ends, normally or not.
    struct scope {
        std::shared_ptr<stopper> s;
        ~scope() { s->sub = nullptr; }
    };
};

} // namespace

// Prints each event of the subscription as a line, flushed. SIGINT and
// SIGTERM close the subscription: the loop ends as at the end of the
// events, and the command succeeds.
awaitable<int> tail(ddb::client& c, const options& o, tool& t) {
    ddb::es::dynamodb_event_repository repo(c, o.config);
    std::optional<ddb::streams_client> streams;
    milliseconds horizon{0};
    auto sub = open_tail(repo, streams, o, t, horizon);
    auto stop = std::make_shared<stopper>();
    stop->sub = &sub;
    const stopper::scope stop_scope{stop};
    asio::signal_set signals(co_await asio::this_coro::executor, SIGINT, SIGTERM);
    signals.async_wait([stop](const boost::system::error_code& ec, int) {
        if (ec || !stop->sub)
            return; // cancelled, or tail is over
        stop->interrupted = true;
        stop->sub->close();
    });
    tail_state s;
    const std::int64_t queries_before = t.log.queries;
    auto queries = [&] { return t.log.queries - queries_before; };
    status_scope scope{t.r};
    t.r.status = [&] { return tail_status(s, queries(), o) + ", " + seconds_since(t.r.started); };
    t.r.note("tail: following " + o.config.events_table +
             (o.aggregate ? " (aggregate " + *o.aggregate + ")" : "") + " from id " +
             std::to_string(o.from) + (o.stream_source ? " (its stream)" : "") +
             (o.aggregate && !o.stream_source
                  ? ""
                  : "; events show once " + seconds(horizon) + " old (the horizon)"));
    while (!o.limit || s.events < *o.limit) {
        auto e = co_await sub.next();
        if (!e)
            break;
        t.r.clear();
        out(json_line(*e));
        cli::flush_stdout();
        ++s.events;
        s.last_id = e->id;
        s.last_created_at = e->created_at;
    }
    signals.cancel();
    const char* why = stop->interrupted                 ? "interrupted"
                      : o.limit && s.events >= *o.limit ? "--limit reached"
                                                        : "caught up";
    t.r.note("tail: " + plural(s.events, "event", "events") + ", " + why + " (" +
             requests(queries(), o) + ", " + seconds_since(t.r.started) + ")");
    t.r.clear();
    co_return 0;
}

namespace {

// ---------------------------------------------------------------------------
// checkpoints

struct partition_counts {
    std::int64_t held = 0, expired = 0, free = 0;
};

partition_counts count_leases(const std::vector<ddb::es::lease>& leases,
                              system_clock::time_point now) {
    partition_counts n;
    for (const auto& l : leases)
        ++(l.owner.empty() ? n.free : l.until < now ? n.expired : n.held);
    return n;
}

awaitable<std::int64_t> count_parked(ddb::es::checkpoint_store& store,
                                     const std::string& projection) {
    std::int64_t n = 0;
    auto parked = store.parked(projection);
    while (co_await parked.next())
        ++n;
    co_return n;
}

// One line per projection: "balances: 4 partitions (3 held, 1 expired, 0
// free), 2 live workers, 1 parked event".
awaitable<int> list_projections(ddb::es::checkpoint_store& store, const options& o, tool& t) {
    auto names = co_await store.projections();
    for (const auto& name : names) {
        auto leases = co_await store.leases(name);
        auto workers = co_await store.live_workers(name);
        auto parked = co_await count_parked(store, name);
        auto n = count_leases(leases, system_clock::now());
        out(name + ": " +
            plural(static_cast<std::int64_t>(leases.size()), "partition", "partitions") + " (" +
            std::to_string(n.held) + " held, " + std::to_string(n.expired) + " expired, " +
            std::to_string(n.free) + " free), " +
            plural(static_cast<std::int64_t>(workers.size()), "live worker", "live workers") +
            ", " + plural(parked, "parked event", "parked events") + "\n");
    }
    if (names.empty())
        t.r.step("no projection has items in the checkpoints table " + o.config.checkpoints_table);
    co_return 0;
}

/// A partition's lag: its events after the checkpoint, and the oldest's time.
struct lag {
    std::int64_t events = 0;
    std::optional<system_clock::time_point> oldest{};
};

/// What checkpoints has read so far, for its status line.
struct lag_state {
    std::size_t partition = 0, partitions = 0; ///< the one being counted (1-based)
    std::int64_t events = 0;                   ///< read in it so far
};

// The events of `partition` after `pos`: read from the global index, not
// counted by DynamoDB, since the events at the position's id that it covers
// are not lag.
awaitable<lag> count_lag(ddb::es::event_repository& repo, int partition,
                         const ddb::es::subscription_position& pos, lag_state& s) {
    ddb::es::read_options ro;
    ro.partitions = {partition};
    lag result;
    auto events = repo.retrieve_all_starting_from(pos.id, std::nullopt, ro);
    for (;;) {
        auto batch = co_await events.next_batch();
        if (batch.empty())
            break;
        for (const auto& e : batch) {
            ++s.events;
            if (pos.covers(e))
                continue;
            if (!result.oldest)
                result.oldest = e.created_at;
            ++result.events;
        }
    }
    co_return result;
}

// "owner w1, fence 3, lease expires in 3.2 s", "free, fence 2", ...
std::string lease_text(const ddb::es::lease& l, system_clock::time_point now) {
    if (l.owner.empty())
        return "free, fence " + std::to_string(l.fence);
    return "owner " + l.owner + ", fence " + std::to_string(l.fence) + ", lease " +
           (l.until < now ? "expired " + relative(l.until, now) + " (free to take)"
                          : "expires " + relative(l.until, now));
}

// "checkpoint: id 17672... [agg#2] of 2026-01-01T00:00:00.000123Z (5.0 s
// old), committed 2.1 s ago"
std::string checkpoint_text(const ddb::es::lease& l, system_clock::time_point now) {
    const auto& p = l.position;
    if (p.id == 0 && p.at_id.empty())
        return "checkpoint: none (from the first event)";
    std::string text = "checkpoint: id " + std::to_string(p.id);
    if (!p.at_id.empty()) {
        text += " [";
        for (std::size_t i = 0; i < p.at_id.size(); ++i)
            text += (i ? ", " : "") + p.at_id[i];
        text += "]";
    }
    const auto at = time_of_id(p.id);
    text += " of " + ddb::es::format_timestamp(at) + " (" +
            span(std::chrono::duration_cast<milliseconds>(
                std::max(now - at, system_clock::duration::zero()))) +
            " old), ";
    text += l.committed_at ? "committed " + relative(*l.committed_at, now) : "never committed";
    return text;
}

std::string lag_text(const lag& n, system_clock::time_point now) {
    if (n.events == 0)
        return "lag: none (no event after the checkpoint)";
    std::string text = "lag: " + plural(n.events, "event", "events") + " after the checkpoint";
    if (n.oldest)
        text += ", the oldest " +
                span(std::chrono::duration_cast<milliseconds>(
                    std::max(now - *n.oldest, system_clock::duration::zero()))) +
                " old";
    return text;
}

// "live workers: w1 (partitions 0, 1), w2 (no partition)"
std::string workers_text(const std::vector<std::string>& workers,
                         const std::vector<ddb::es::lease>& leases, system_clock::time_point now) {
    if (workers.empty())
        return "live workers: none\n";
    std::string text = "live workers: ";
    for (std::size_t i = 0; i < workers.size(); ++i) {
        std::string held;
        for (const auto& l : leases)
            if (l.owner == workers[i] && l.until >= now)
                held += (held.empty() ? "" : ", ") + std::to_string(l.partition);
        text +=
            (i ? ", " : "") + workers[i] + " (" +
            (held.empty()
                 ? "no partition"
                 : (held.find(',') == std::string::npos ? "partition " : "partitions ") + held) +
            ")";
    }
    return text + "\n";
}

// The partitions to show: the store's, and any other that has an item.
std::vector<int> partitions_shown(int store_partitions, const std::vector<ddb::es::lease>& leases) {
    std::vector<int> out;
    for (int p = 0; p < store_partitions; ++p)
        out.push_back(p);
    for (const auto& l : leases)
        if (l.partition >= store_partitions)
            out.push_back(l.partition);
    return out;
}

// One projection: each partition's lease, checkpoint and lag, then its
// workers and parked events.
awaitable<int> show_projection(ddb::client& c, ddb::es::checkpoint_store& store, const options& o,
                               tool& t) {
    const std::string& projection = *o.projection;
    auto leases = co_await store.leases(projection);
    auto workers = co_await store.live_workers(projection);
    auto parked = co_await count_parked(store, projection);
    if (leases.empty() && workers.empty() && parked == 0)
        // Not a projection (a typo?): its lag would be the whole store.
        throw std::runtime_error("projection " + projection +
                                 " has no items in the "
                                 "checkpoints table " +
                                 o.config.checkpoints_table +
                                 " ('ddb-es checkpoints' lists the projections)");
    ddb::es::dynamodb_event_repository repo(c, o.config);
    int store_partitions = 0;
    try {
        store_partitions = co_await repo.partition_count();
    } catch (const ddb::resource_not_found& e) {
        missing_table("events", o.config.events_table, e);
    }
    const auto shown = partitions_shown(store_partitions, leases);
    lag_state s{0, shown.size(), 0};
    status_scope scope{t.r};
    t.r.status = [&] {
        return "checkpoints: counting the lag of partition " + std::to_string(s.partition) +
               " of " + std::to_string(s.partitions) + ", " + plural(s.events, "event", "events") +
               " read, " + seconds_since(t.r.started);
    };
    std::string text = "projection " + projection + " (checkpoints table " +
                       o.config.checkpoints_table + "; events table " + o.config.events_table +
                       ", " + plural(store_partitions, "index partition", "index partitions") +
                       ")\n";
    for (int p : shown) {
        ++s.partition;
        s.events = 0;
        auto l = std::find_if(leases.begin(), leases.end(),
                              [p](const ddb::es::lease& x) { return x.partition == p; });
        const auto position = l == leases.end() ? ddb::es::subscription_position{} : l->position;
        const auto n = co_await count_lag(repo, p, position, s);
        const auto now = system_clock::now();
        text += "partition " + std::to_string(p) + ": ";
        if (l == leases.end())
            text += "no item yet (never taken)\n";
        else
            text += lease_text(*l, now) + "\n  " + checkpoint_text(*l, now) + "\n";
        text += "  " + lag_text(n, now) + "\n";
    }
    t.r.clear();
    text += workers_text(workers, leases, system_clock::now());
    text += "parked events: " +
            (parked ? std::to_string(parked) + " ('ddb-es parked --projection " + projection +
                          "' lists them)"
                    : std::string("none")) +
            "\n";
    out(text);
    co_return 0;
}

} // namespace

awaitable<int> checkpoints(ddb::client& c, const options& o, tool& t) {
    ddb::es::checkpoint_store store(c, o.config);
    try {
        if (!o.projection)
            co_return co_await list_projections(store, o, t);
        co_return co_await show_projection(c, store, o, t);
    } catch (const ddb::resource_not_found& e) {
        missing_table("checkpoints", o.config.checkpoints_table, e);
    }
}

namespace {

// ---------------------------------------------------------------------------
// parked

std::string parked_json(const ddb::es::parked_event& p) {
    json::object line;
    line["id"] = p.id;
    line["key"] = p.key;
    line["event_class"] = p.event_class;
    line["attempts"] = p.attempts;
    line["parked_at"] = ddb::es::format_timestamp(p.parked_at);
    line["redrive"] = p.redrive;
    line["error"] = p.error;
    return json::serialize(line) + "\n";
}

// "1767... agg#2 money_withdrawn: 3 attempts, parked 2026-...Z (5 min ago),
// re-drive requested", then the error, indented.
std::string parked_text(const ddb::es::parked_event& p, system_clock::time_point now) {
    std::string text = std::to_string(p.id) + " " + p.key + " " + p.event_class + ": " +
                       plural(p.attempts, "attempt", "attempts") + ", parked " +
                       ddb::es::format_timestamp(p.parked_at) + " (" + relative(p.parked_at, now) +
                       ")" + (p.redrive ? ", re-drive requested" : "") + "\n  error: ";
    for (char ch : p.error)
        text += ch == '\n' ? std::string("\n    ") : std::string(1, ch);
    return text + "\n";
}

// What happens next, after re-drives were requested.
awaitable<std::string> redrive_note(ddb::es::checkpoint_store& store,
                                    const std::string& projection) {
    auto workers = co_await store.live_workers(projection);
    co_return "the workers of projection " + projection +
        " handle them on their next lease round (every renew interval, 3 s by default) and "
        "remove each that succeeds" +
        (workers.empty() ? std::string("; no worker of it is live now: nothing happens until one "
                                       "runs")
                         : "");
}

// --redrive ID KEY...: each asked for; those not parked are an error.
awaitable<int> redrive_given(ddb::es::checkpoint_store& store, const options& o, tool& t) {
    const std::string& projection = *o.projection;
    std::string missing;
    std::int64_t requested = 0;
    for (const auto& [id, key] : o.redrive) {
        const bool parked = co_await store.request_redrive(projection, id, key);
        if (o.json) {
            json::object line{{"id", id}, {"key", key}, {"parked", parked}};
            out(json::serialize(line) + "\n");
        } else if (parked)
            out("re-drive requested: " + std::to_string(id) + " " + key + "\n");
        if (!parked)
            missing += (missing.empty() ? "" : ", ") + std::to_string(id) + " " + key;
        requested += parked ? 1 : 0;
    }
    if (requested) {
        std::string note = co_await redrive_note(store, projection);
        if (o.json)
            t.r.step(note);
        else
            out(note + "\n");
    }
    if (!missing.empty())
        throw std::runtime_error("not parked in projection " + projection + ": " + missing +
                                 " ('ddb-es parked --projection " + projection +
                                 "' lists the parked events)");
    co_return 0;
}

// The listing, with --redrive-all a re-drive asked for each.
awaitable<int> list_parked(ddb::es::checkpoint_store& store, const options& o, tool& t) {
    const std::string& projection = *o.projection;
    std::int64_t n = 0, requested = 0, asked = 0;
    auto parked = store.parked(projection);
    while (auto p = co_await parked.next()) {
        if (o.redrive_all && !p->redrive) {
            if (!co_await store.request_redrive(projection, p->id, p->key))
                continue; // handled and removed meanwhile
            p->redrive = true;
            ++asked;
        }
        ++n;
        requested += p->redrive ? 1 : 0;
        out(o.json ? parked_json(*p) : parked_text(*p, system_clock::now()));
    }
    std::string summary =
        n == 0
            ? "no parked events for projection " + projection
            : plural(n, "parked event", "parked events") + " of projection " + projection +
                  (requested
                       ? " (" + std::to_string(requested) + " with a re-drive requested" +
                             (o.redrive_all ? ", " + std::to_string(asked) + " just now" : "") + ")"
                       : "");
    if (requested && o.redrive_all)
        summary += ": " + co_await redrive_note(store, projection);
    if (o.json)
        t.r.step(summary);
    else
        out(summary + "\n");
    co_return 0;
}

} // namespace

awaitable<int> parked(ddb::client& c, const options& o, tool& t) {
    ddb::es::checkpoint_store store(c, o.config);
    try {
        if (!o.redrive.empty())
            co_return co_await redrive_given(store, o, t);
        co_return co_await list_parked(store, o, t);
    } catch (const ddb::resource_not_found& e) {
        missing_table("checkpoints", o.config.checkpoints_table, e);
    }
}

} // namespace ddb::es_tool
