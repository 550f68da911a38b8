#include "event_writer.hpp"

#include "append_plan.hpp"
#include "event_item.hpp"

#include <ddb/es/error.hpp>
#include <ddb/es/event_error.hpp>
#include <ddb/ops/paginator.hpp>
#include <ddb/value/expression.hpp>

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <limits>
#include <optional>
#include <set>
#include <span>
#include <utility>

namespace ddb::es::detail {

namespace asio = boost::asio;
using asio::awaitable;
using namespace ddb::expr;
using std::chrono::system_clock;

namespace {

// How often an append draws its ids again (found below a stored id, grown
// older than max_append_age, or cut at its deadline) before giving up.
constexpr int max_redraws = 8;

// An aggregate's latest event: its version (0: none) and id.
struct latest_event {
    std::int64_t version = 0;
    std::int64_t id = 0;
};

// The aggregate's `limit` newest versions and their ids, newest first,
// strongly consistent; the generator observes the newest id (ids drawn
// next are above it).
awaitable<std::vector<latest_event>> newest(dynamodb_store& s, const std::string& uuid,
                                            std::int32_t limit) {
    query_request req{.table_name = s.cfg.events_table,
                      .limit = limit,
                      .consistent_read = true,
                      .scan_index_forward = false};
    parameters p;
    req.key_condition_expression = p.render(path("pk") == value(uuid));
    req.projection_expression = p.render(expr::projection{path("v"), path("id")});
    p.apply_to(req);
    auto r = co_await s.c.query(req);
    std::vector<latest_event> out;
    out.reserve(r.items.size());
    for (auto& it : r.items)
        out.push_back(latest_event{it.at("v").as_n().as<std::int64_t>(),
                                   it.at("id").as_n().as<std::int64_t>()});
    if (!out.empty())
        s.ids->observe(out.front().id);
    co_return out;
}

awaitable<latest_event> latest_of(dynamodb_store& s, const std::string& uuid) {
    auto latest = co_await newest(s, uuid, 1);
    co_return latest.empty() ? latest_event{} : latest.front();
}

awaitable<std::int64_t> latest_version(dynamodb_store& s, const std::string& uuid) {
    co_return (co_await latest_of(s, uuid)).version;
}

// Ids from the repository's generator, above the floor.
id_source drawn_ids(dynamodb_store& s) {
    return [&s](std::int64_t floor) { return id_above(*s.ids, floor); };
}

// A write's outcome, or the error it threw (so that a failure does not wait
// for the deadline, see `before_deadline`).
struct attempt_outcome {
    bool written = false;
    std::exception_ptr error{};
};

awaitable<attempt_outcome> caught(awaitable<bool> write) {
    // A child of `||` below: let a partial cancellation of the append
    // through too (the parent forwards only what it honours itself).
    co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation());
    try {
        co_return attempt_outcome{co_await std::move(write)};
    } catch (...) {
        co_return attempt_outcome{false, std::current_exception()};
    }
}

// The other child of `||` below: the timer, which a partial cancellation
// of the append cancels too. (Otherwise, once the parent forwarded a
// cancellation, the group would not cancel it when the write completes,
// and would wait for the deadline.)
awaitable<void> deadline(asio::steady_timer& timer) {
    co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation());
    co_await timer.async_wait(asio::use_awaitable);
}

// `write` raced against the deadline `left` (none: no deadline): whether it
// wrote, or empty when the deadline came first (the write is cancelled;
// its outcome is unknown, as after a lost answer).
awaitable<std::optional<bool>> before_deadline(awaitable<bool> write,
                                               std::optional<std::chrono::microseconds> left) {
    if (!left)
        co_return co_await std::move(write);
    using asio::experimental::awaitable_operators::operator||; // (ddb::expr has one too)
    asio::steady_timer timer(co_await asio::this_coro::executor, *left);
    auto attempt = caught(std::move(write));
    auto expiry = deadline(timer);
    auto winner = co_await (std::move(attempt) || std::move(expiry));
    if (winner.index() == 1)
        co_return std::nullopt;
    auto outcome = std::get<0>(std::move(winner));
    if (outcome.error)
        std::rethrow_exception(outcome.error);
    co_return outcome.written;
}

// Whether the ids from `id` on may still be sent: false when older than
// max_append_age; `left` receives the time they have.
bool fresh(dynamodb_store& s, std::int64_t id, std::optional<std::chrono::microseconds>& left) {
    left = time_left(*s.ids, id, s.cfg);
    return !left || left->count() > 0;
}

// `ids_expired` for an append whose write attempts never completed within
// max_append_age, however often its ids were drawn again.
[[noreturn]] void throw_no_attempt_in_time(const dynamodb_store& s, const std::string& where,
                                           std::size_t stored) {
    throw es_error(
        es_errc::ids_expired,
        "no write attempt of " + where + " completed within store_config::" + "max_append_age (" +
            std::to_string(s.cfg.max_append_age.count()) + " ms) of its ids, in " +
            std::to_string(max_redraws + 1) +
            " attempts with ids drawn again: raise max_append_age or check the "
            "connection (" +
            (stored ? "the append's first " + std::to_string(stored) + " events are stored"
                    : std::string("nothing of the append is stored")) +
            ")");
}

// The base of an `any()` append: the latest version; with caller ids,
// the version before the first event when an earlier attempt of this
// append stored it among the last `events.size() + any_retry_window`
// (the same single query, reading more than one item).
awaitable<std::int64_t> any_base(dynamodb_store& s, const std::string& uuid,
                                 const std::vector<new_event>& events, bool given_ids) {
    if (!given_ids || events.empty())
        co_return co_await latest_version(s, uuid);
    auto latest =
        co_await newest(s, uuid, static_cast<std::int32_t>(events.size() + any_retry_window));
    if (latest.empty())
        co_return 0;
    for (auto& e : latest)
        if (e.id == *events.front().id)
            co_return e.version - 1;
    co_return latest.front().version;
}

// The leading events of `events` (versions base+1, ...) that an earlier
// attempt of this append stored (answer lost, then retried by the client
// or by the caller with the same ids), as stored; see
// detail::stored_prefix. Ids first: the usual failed write is another
// writer's conflict, which needs no full items.
awaitable<std::vector<stored_event>> stored_prefix(dynamodb_store& s, const std::string& uuid,
                                                   std::int64_t base,
                                                   std::span<const stored_event> events) {
    query_request req{.table_name = s.cfg.events_table, .consistent_read = true};
    parameters p;
    req.key_condition_expression =
        p.render(path("pk") == value(uuid) &&
                 between(path("v"), value(number(base + 1)),
                         value(number(base + static_cast<std::int64_t>(events.size())))));
    query_request ids_only = req;
    parameters q = p;
    ids_only.projection_expression = q.render(expr::projection{path("v"), path("id")});
    q.apply_to(ids_only);
    p.apply_to(req);
    std::set<std::int64_t> ours;
    for (auto& e : events)
        ours.insert(e.id);
    bool any_ours = false;
    auto ids = query_items(s.c, ids_only);
    while (auto it = co_await ids.next())
        any_ours = any_ours || ours.count(it->at("id").as_n().as<std::int64_t>());
    if (!any_ours)
        co_return std::vector<stored_event>{};
    std::vector<stored_event> there;
    auto items = query_items(s.c, req);
    while (auto it = co_await items.next())
        there.push_back(from_item(*it, s.cfg));
    co_return detail::stored_prefix(events, base, std::move(there));
}

// `stored_prefix` of the events, or else of an attempt cut at its deadline
// before their ids were drawn again (`earlier`): it may have been written
// after it was given up.
awaitable<std::vector<stored_event>>
own_attempt(dynamodb_store& s, const std::string& uuid, std::int64_t base,
            std::span<const stored_event> events,
            const std::vector<std::vector<stored_event>>& earlier) {
    auto mine = co_await stored_prefix(s, uuid, base, events);
    for (std::size_t i = 0; i < earlier.size() && mine.empty(); ++i)
        mine = co_await stored_prefix(s, uuid, base, earlier[i]);
    co_return mine;
}

// Sends a transaction whose ClientRequestToken is derived from `ids`
// (the same writes, retried, are the same transaction). False when a
// condition failed or a concurrent transaction was in the way.
// `attempt` > 0 (a retry after a cancellation): a new token, since
// DynamoDB may answer a reused token with the first call's outcome.
awaitable<bool> try_transaction(dynamodb_store& s, transact_write_items_request& req,
                                const std::string& ids, int attempt) {
    req.client_request_token =
        sha256_hex(attempt ? ids + "#attempt" + std::to_string(attempt) : ids).substr(0, 36);
    try {
        co_await s.c.transact_write_items(req);
        co_return true;
    } catch (const transaction_canceled& e) {
        for (auto& r : e.reasons())
            if (r.code != "None" && r.code != "ConditionalCheckFailed" &&
                r.code != "TransactionConflict")
                throw;
        co_return false;
    } catch (const idempotent_parameter_mismatch&) {
        co_return false;
    }
}

// The ConditionCheck that version `base` of `uuid` exists with an id below
// `first` (the id of the first event written after it): ids increase per
// aggregate whatever the writers' clocks.
transact_write_item version_exists(const store_config& cfg, const std::string& uuid,
                                   std::int64_t base, std::int64_t first) {
    parameters q;
    transact_write_item check;
    check.condition_check = condition_check{
        .table_name = cfg.events_table,
        .key = {{"pk", attribute_value(uuid)}, {"v", attribute_value(number(base))}},
        .condition_expression =
            q.render(attribute_exists(path("pk")) && path("id") < value(number(first)))};
    q.apply_to(*check.condition_check);
    return check;
}

// One atomic write of versions base+1..base+k. Returns false on a
// condition failure (someone else's events, or a conflicting
// transaction), true when written.
awaitable<bool> write_chunk(dynamodb_store& s, int attempt, const std::string& uuid,
                            std::int64_t base, std::span<const stored_event> chunk,
                            std::span<const item> items) {
    parameters p;
    std::string not_there = p.render(attribute_not_exists(path("pk")));
    if (base == 0 && chunk.size() == 1) {
        put_item_request req{
            .table_name = s.cfg.events_table, .item = items[0], .condition_expression = not_there};
        p.apply_to(req);
        try {
            co_await s.c.put_item(req);
            co_return true;
        } catch (const conditional_check_failed&) {
            co_return false;
        }
    }
    transact_write_items_request req;
    if (base > 0)
        req.transact_items.push_back(version_exists(s.cfg, uuid, base, chunk.front().id));
    std::string ids = uuid + "#" + std::to_string(base);
    for (std::size_t i = 0; i < chunk.size(); ++i) {
        transact_write_item put;
        put.put = transact_put{
            .table_name = s.cfg.events_table, .item = items[i], .condition_expression = not_there};
        p.apply_to(*put.put);
        req.transact_items.push_back(std::move(put));
        ids += "#" + std::to_string(chunk[i].id);
    }
    // Deterministic: the same append retried is the same transaction.
    co_return co_await try_transaction(s, req, ids, attempt);
}

// A PutItem of an event without an aggregate, conditioned on its key being
// free: false when it is taken.
awaitable<bool> put_new(dynamodb_store& s, const item& it) {
    parameters p;
    put_item_request req{.table_name = s.cfg.events_table, .item = it};
    req.condition_expression = p.render(attribute_not_exists(path("pk")));
    p.apply_to(req);
    try {
        co_await s.c.put_item(req);
        co_return true;
    } catch (const conditional_check_failed&) {
        co_return false;
    }
}

// After a write that nobody else's events stopped (a transaction conflict
// with a concurrent writer that then failed): a short pause before the
// next attempt.
awaitable<void> pause_before_retry(int attempt) {
    asio::steady_timer t(co_await asio::this_coro::executor,
                         std::chrono::milliseconds(5 << attempt));
    co_await t.async_wait(asio::use_awaitable);
}

// Writes the chunk of a built part that starts at event `begin` (at version
// base+begin), retrying a transaction conflict. Before each attempt its ids
// must be younger than max_append_age, and the attempt is cut at that
// deadline; ids the repository drew are drawn again when they grew older or
// lie at or below the id at the base, caller ids are refused then
// (`ids_expired`, `id_order`). Returns where the next chunk starts: after
// the chunk, or after the events our own earlier attempt stored (then
// returned as stored).
awaitable<std::size_t> write_chunk_of(dynamodb_store& s, append_part& part, bool given_ids,
                                      std::size_t begin) {
    const std::int64_t base = part.base + static_cast<std::int64_t>(begin);
    std::vector<std::vector<stored_event>> earlier; // attempts cut at their deadline
    int conflicts = 0, redraws = 0;
    for (int attempt = 0;; ++attempt) {
        const std::size_t end = chunk_end(part, begin);
        const std::span<const stored_event> chunk(part.stored.data() + begin, end - begin);
        const std::span<const item> items(part.items.data() + begin, end - begin);
        std::optional<std::chrono::microseconds> left;
        const bool expired = !fresh(s, chunk.front().id, left);
        const bool unordered = given_ids && out_of_order(part, begin) < end;
        std::optional<bool> written = false;
        if (!expired && !unordered)
            written = co_await before_deadline(
                write_chunk(s, attempt, part.uuid, base, chunk, items), left);
        if (written && *written)
            co_return end;
        // Our own earlier attempt (answer lost, or cut at its deadline)?
        // Its events are returned as stored; any rest follows them.
        auto mine = co_await own_attempt(s, part.uuid, base, chunk, earlier);
        if (!mine.empty()) {
            for (auto& e : mine)
                part.stored[begin++] = std::move(e);
            co_return begin;
        }
        if (expired || !written) {
            if (given_ids)
                throw_ids_expired(chunk.front().id, *s.ids, s.cfg, begin);
            if (++redraws > max_redraws)
                throw_no_attempt_in_time(s, "aggregate " + part.uuid + "'s events", begin);
            if (!written)
                earlier.emplace_back(chunk.begin(), chunk.end());
            renumber(part, begin, begin ? part.stored[begin - 1].id : 0, drawn_ids(s), s.wcfg());
            continue;
        }
        if (unordered) {
            const std::size_t i = out_of_order(part, begin);
            throw_id_order(part.uuid, base + static_cast<std::int64_t>(i - begin),
                           part.stored[i - 1].id, part.stored[i].id);
        }
        const latest_event latest = co_await latest_of(s, part.uuid);
        if (latest.version != base)
            throw concurrency_conflict(part.uuid, base, latest.version);
        if (base > 0 && latest.id >= chunk.front().id) {
            // Another writer's clock is ahead: ids above its event's.
            if (given_ids)
                throw_id_order(part.uuid, base, latest.id, chunk.front().id);
            if (++redraws > max_redraws)
                throw_no_attempt_in_time(s, "aggregate " + part.uuid + "'s events", begin);
            renumber(part, begin, latest.id, drawn_ids(s), s.wcfg());
            continue;
        }
        if (++conflicts > 4)
            throw concurrency_conflict(part.uuid, base, latest.version);
        co_await pause_before_retry(conflicts - 1);
    }
}

// An append at exactly version n: its chunks in order, each conditioned on
// the one before.
awaitable<std::vector<stored_event>> append_at(dynamodb_store& s, const std::string& uuid,
                                               std::int64_t n, std::vector<new_event> events) {
    if (events.empty()) {
        auto actual = co_await latest_version(s, uuid);
        if (actual != n)
            throw concurrency_conflict(uuid, n, actual);
        co_return std::vector<stored_event>{};
    }
    const bool given_ids = events.front().id.has_value();
    append_part part{0, uuid, false, n, std::move(events)};
    build(part, system_clock::now(), s.wcfg(), drawn_ids(s), true);
    // (Ids drawn again are later: never in a lower bucket.)
    co_await s.buckets.record(bucket_of(part.stored.front().id, s.cfg));
    std::size_t begin = 0;
    while (begin < part.stored.size())
        begin = co_await write_chunk_of(s, part, given_ids, begin);
    co_return std::move(part.stored);
}

// One TransactWriteItems of every part (built). Returns false on a
// condition failure or a transaction conflict, true when written.
awaitable<bool> write_parts(dynamodb_store& s, const std::vector<append_part>& parts, int attempt) {
    if (parts.size() == 1) {
        const std::span<const stored_event> events(parts[0].stored);
        const std::span<const item> items(parts[0].items);
        co_return co_await write_chunk(s, attempt, parts[0].uuid, parts[0].base, events, items);
    }
    transact_write_items_request req;
    std::string ids;
    for (auto& part : parts) {
        if (part.base > 0)
            req.transact_items.push_back(
                version_exists(s.cfg, part.uuid, part.base, part.stored.front().id));
        ids += "|" + part.uuid + "#" + std::to_string(part.base);
        for (std::size_t i = 0; i < part.stored.size(); ++i) {
            parameters p;
            transact_write_item put;
            put.put =
                transact_put{.table_name = s.cfg.events_table,
                             .item = part.items[i],
                             .condition_expression = p.render(attribute_not_exists(path("pk")))};
            p.apply_to(*put.put);
            req.transact_items.push_back(std::move(put));
            ids += "#" + std::to_string(part.stored[i].id);
        }
    }
    // Deterministic: the same append_all retried is the same transaction.
    co_return co_await try_transaction(s, req, ids, attempt);
}

// Our own earlier attempt (answer lost, then retried)? A transaction is
// all or nothing: true (the parts' events as stored) when every part is
// there, false when not.
awaitable<bool> found_own_attempt(dynamodb_store& s, std::vector<append_part>& parts) {
    std::vector<std::vector<stored_event>> mine;
    for (auto& part : parts) {
        const std::span<const stored_event> events(part.stored);
        mine.push_back(co_await stored_prefix(s, part.uuid, part.base, events));
        if (mine.back().size() != part.stored.size())
            co_return false;
    }
    for (std::size_t i = 0; i < parts.size(); ++i)
        parts[i].stored = std::move(mine[i]);
    co_return true;
}

// The same for the parts as sent now or as sent by an attempt cut at its
// deadline (`earlier`, before the ids were drawn again).
awaitable<bool> found_own_attempt(dynamodb_store& s, std::vector<append_part>& parts,
                                  std::vector<std::vector<append_part>>& earlier) {
    if (co_await found_own_attempt(s, parts))
        co_return true;
    for (auto& then : earlier)
        if (co_await found_own_attempt(s, then)) {
            for (std::size_t i = 0; i < parts.size(); ++i)
                parts[i].stored = std::move(then[i].stored);
            co_return true;
        }
    co_return false;
}

// Builds the parts at their bases (the events kept, to build again at
// other bases); checks the transaction limits.
void build_parts(dynamodb_store& s, std::vector<append_part>& parts) {
    build_all(parts, system_clock::now(), s.wcfg(), drawn_ids(s), false);
}

// After a failed transaction: the first part whose aggregate is not at its
// base is the conflict, unless it is an `any` one, which moves on to the
// version now there (the parts are built again); a part whose base holds an
// id at or above its first id has its ids drawn again above it (caller
// ids: `id_order`). Whether a part changed.
awaitable<bool> check_bases(dynamodb_store& s, std::vector<append_part>& parts, int attempt,
                            bool given_ids) {
    bool moved = false, renumbered = false;
    for (auto& part : parts) {
        const latest_event latest = co_await latest_of(s, part.uuid);
        if (latest.version != part.base) {
            if (!part.any || attempt >= 20)
                throw concurrency_conflict(part.uuid, part.base, latest.version);
            part.base = latest.version;
            moved = true;
        } else if (part.base > 0 && latest.id >= part.stored.front().id) {
            if (given_ids)
                throw_id_order(part.uuid, part.base, latest.id, part.stored.front().id);
            renumber(part, 0, latest.id, drawn_ids(s), s.wcfg());
            renumbered = true;
        }
    }
    if (moved)
        build_parts(s, parts);
    co_return moved || renumbered;
}

// The first part with caller ids out of order: `id_order`.
void check_order(const std::vector<append_part>& parts) {
    for (auto& part : parts)
        if (auto i = out_of_order(part, 0); i < part.stored.size())
            throw_id_order(part.uuid, part.stored[i - 1].aggregate_version, part.stored[i - 1].id,
                           part.stored[i].id);
}

// Writes the built parts in one transaction, retrying conflicts, with the
// rules of `write_chunk_of` on ids (the oldest first id counts).
awaitable<void> write_all(dynamodb_store& s, std::vector<append_part>& parts, bool given_ids) {
    std::vector<std::vector<append_part>> earlier; // attempts cut at their deadline
    int conflicts = 0, redraws = 0;
    for (int attempt = 0;; ++attempt) {
        std::int64_t lowest = std::numeric_limits<std::int64_t>::max();
        bool unordered = false;
        for (auto& part : parts) {
            lowest = std::min(lowest, part.stored.front().id);
            unordered = unordered || (given_ids && out_of_order(part, 0) < part.stored.size());
        }
        co_await s.buckets.record(bucket_of(lowest, s.cfg));
        std::optional<std::chrono::microseconds> left;
        const bool expired = !fresh(s, lowest, left);
        std::optional<bool> written = false;
        if (!expired && !unordered)
            written = co_await before_deadline(write_parts(s, parts, attempt), left);
        if (written && *written)
            co_return;
        if (co_await found_own_attempt(s, parts, earlier))
            co_return;
        if (expired || !written) {
            if (given_ids)
                throw_ids_expired(lowest, *s.ids, s.cfg, 0);
            if (++redraws > max_redraws)
                throw_no_attempt_in_time(s, "append_all's events", 0);
            if (!written)
                earlier.push_back(parts);
            build_parts(s, parts);
            continue;
        }
        if (unordered)
            check_order(parts);
        if (co_await check_bases(s, parts, attempt, given_ids)) {
            if (++redraws > max_redraws)
                throw_no_attempt_in_time(s, "append_all's events", 0);
            continue;
        }
        if (++conflicts > 4)
            throw concurrency_conflict(parts.front().uuid, parts.front().base, parts.front().base);
        // Nobody wrote: try again shortly (the same transaction).
        co_await pause_before_retry(conflicts - 1);
    }
}

} // namespace

awaitable<std::vector<stored_event>>
event_writer::append(std::string uuid, expected_version expected, std::vector<new_event> events) {
    const bool given_ids = check_append(uuid, expected, events);
    if (expected.mode == expected_version::kind::exact)
        co_return co_await append_at(s_, uuid, expected.version, std::move(events));
    // any: after whatever is there (or before our own earlier attempt),
    // retrying our own conflicts.
    std::int64_t n = co_await any_base(s_, uuid, events, given_ids);
    for (int attempt = 0;; ++attempt) {
        try {
            co_return co_await append_at(s_, uuid, n, events);
        } catch (const concurrency_conflict& c) {
            // A conflict after some of the events were stored (an earlier
            // chunk, or an earlier attempt of a retry with more events): the
            // rest cannot follow them, and starting over would store them
            // twice. The conflict says where it stopped.
            if (attempt >= 20 || c.expected() != n)
                throw;
            n = c.actual();
        }
    }
}

awaitable<std::vector<std::vector<stored_event>>>
event_writer::append_all(std::vector<append_request> requests) {
    bool given_ids = false;
    auto parts = plan_append_all(requests, given_ids);
    std::vector<std::vector<stored_event>> out(requests.size());
    if (parts.empty())
        co_return out;
    for (auto& part : parts)
        if (part.any)
            part.base = co_await any_base(s_, part.uuid, part.events, given_ids);
    build_parts(s_, parts);
    co_await write_all(s_, parts, given_ids);
    for (auto& part : parts)
        out[part.index] = std::move(part.stored);
    co_return out;
}

awaitable<stored_event> event_writer::store_without_aggregate(new_event e) {
    const auto now = system_clock::now();
    int redraws = 0;
    for (int attempt = 0;; ++attempt) {
        stored_event s =
            make_stored_event(e.id ? *e.id : s_.ids->next_id(), std::nullopt, 0, e, now);
        item it = checked_item(s, s_.wcfg());
        co_await s_.buckets.record(bucket_of(s.id, s_.cfg));
        std::optional<std::chrono::microseconds> left;
        const bool expired = !fresh(s_, s.id, left);
        std::optional<bool> written = false;
        if (!expired)
            written = co_await before_deadline(put_new(s_, it), left);
        if (written && *written)
            co_return s;
        // Ours (a retry after a lost answer, or cut at its deadline), or
        // another writer's event with the same id (another process, same
        // microsecond)?
        get_item_request get{.table_name = s_.cfg.events_table,
                             .key = {{"pk", it.at("pk")}, {"v", it.at("v")}},
                             .consistent_read = true};
        auto there = co_await s_.c.get_item(get);
        if (there.item && *there.item == it)
            co_return s;
        if (there.item && e.id) {
            // The caller's id: its event as stored, or a typed refusal.
            auto stored = from_item(*there.item, s_.cfg);
            if (!same_event(s, stored))
                throw_id_taken(stored);
            co_return stored;
        }
        if (!there.item && (expired || !written)) {
            // Too old, or cut at its deadline and not stored: a caller's id
            // is refused, the repository's is drawn again. (A cut attempt
            // that DynamoDB still applies later stays stored too: an event
            // without an aggregate has no version to guard it.)
            if (e.id)
                throw_ids_expired(s.id, *s_.ids, s_.cfg, 0);
            if (++redraws > max_redraws)
                throw_no_attempt_in_time(s_, "an event without an aggregate", 0);
            continue;
        }
        if (attempt - redraws >= 4)
            throw es_error(es_errc::duplicate_id,
                           "5 fresh event ids in a row were taken: is the id generator broken?");
    }
}

awaitable<std::vector<stored_event>>
event_writer::store_without_aggregate(std::vector<new_event> events) {
    check_ids(events);
    std::vector<stored_event> out;
    for (auto& e : events)
        out.push_back(co_await store_without_aggregate(std::move(e)));
    co_return out;
}

awaitable<stored_event> event_writer::update(stored_event event) {
    if (event.aggregate_uuid)
        check_uuid(*event.aggregate_uuid);
    item it = checked_item(event, s_.wcfg());
    put_item_request req{.table_name = s_.cfg.events_table, .item = it};
    parameters p;
    req.condition_expression =
        p.render(attribute_exists(path("pk")) && path("id") == value(number(event.id)));
    p.apply_to(req);
    try {
        co_await s_.c.put_item(req);
    } catch (const conditional_check_failed&) {
        throw es_error(es_errc::update_target_missing,
                       "update: no stored event " + std::to_string(event.id) + " at version " +
                           std::to_string(event.aggregate_version) + " of its aggregate");
    }
    co_return event;
}

awaitable<std::int64_t> event_writer::latest(const std::string& uuid) {
    co_return co_await latest_version(s_, uuid);
}

} // namespace ddb::es::detail
