#include <ddb/es/dynamodb_event_repository.hpp>

#include <ddb/es/error.hpp>
#include <ddb/es/event_error.hpp>
#include <ddb/es/tables.hpp>
#include <ddb/model/wire.hpp>
#include <ddb/ops/paginator.hpp>
#include <ddb/value/expression.hpp>

#include "detail/event_item.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <limits>
#include <set>

namespace ddb::es {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using namespace ddb::expr;
using std::chrono::system_clock;

namespace {

// TransactWriteItems' limits (max_transaction_bytes keeps a margin below
// 4 MB for names and framing): <ddb/es/event_repository.hpp>.
constexpr std::size_t max_actions = max_transaction_actions;

} // namespace

struct dynamodb_event_repository::state : std::enable_shared_from_this<state> {
    client& c;
    store_config cfg;
    std::shared_ptr<id_generator> ids;
    // The lowest bucket this repository has recorded in the meta item.
    std::atomic<std::int64_t> registered_bucket{std::numeric_limits<std::int64_t>::max()};

    state(client& cl, store_config config, std::shared_ptr<id_generator> g)
        : c(cl)
        , cfg(std::move(config))
        , ids(g ? std::move(g) : std::make_shared<timestamp_id_generator>()) {
        if (cfg.shards < 1 || cfg.shards > 1000)
            throw es_error(es_errc::invalid_argument, "store_config.shards must be 1 to 1000");
        if (cfg.bucket.count() < 1)
            throw es_error(es_errc::invalid_argument, "store_config.bucket must be >= 1 hour");
    }

    bool consistent(const read_options& o) const {
        return o.consistent_read.value_or(cfg.consistent_read);
    }

    item meta_key() const {
        return {{"pk", attribute_value("$meta")}, {"v", attribute_value(number(0))}};
    }

    // Records in the meta item that `bucket` holds events (the lowest one
    // wins), before events of that bucket are written, so a global read
    // never starts after them.
    awaitable<void> register_bucket(std::int64_t bucket) {
        if (registered_bucket.load() <= bucket)
            co_return;
        // The layout (shards, bucket hours) is recorded by the first writer;
        // readers use the recorded one, writers must agree with it.
        update_item_request req{.table_name = cfg.events_table, .key = meta_key()};
        parameters p;
        req.update_expression = p.render(
            expr::update()
                .set(path("fb"), value(number(bucket)))
                .set(path("shards"), if_not_exists(path("shards"), value(number(cfg.shards))))
                .set(path("bh"), if_not_exists(path("bh"), value(number(cfg.bucket.count())))));
        req.condition_expression =
            p.render(attribute_not_exists(path("fb")) || path("fb") > value(number(bucket)));
        req.return_values = return_values::all_new;
        p.apply_to(req);
        std::optional<item> meta;
        try {
            meta = (co_await c.update_item(req)).attributes;
        } catch (const conditional_check_failed&) {
            // A lower bucket is already recorded.
        }
        if (!meta) {
            get_item_request get{
                .table_name = cfg.events_table, .key = meta_key(), .consistent_read = true};
            meta = (co_await c.get_item(get)).item;
        }
        if (meta)
            check_layout(*meta);
        std::int64_t cur = registered_bucket.load();
        while (bucket < cur && !registered_bucket.compare_exchange_weak(cur, bucket)) {
        }
    }

    void check_layout(const item& meta) const {
        auto recorded = [&](const char* name) -> std::optional<std::int64_t> {
            auto f = meta.find(name);
            if (f == meta.end() || f->second.type() != attribute_value::kind::N)
                return std::nullopt;
            return f->second.as_n().as<std::int64_t>();
        };
        auto shards = recorded("shards");
        auto hours = recorded("bh");
        if ((shards && *shards != cfg.shards) || (hours && *hours != cfg.bucket.count()))
            throw es_error(es_errc::layout_mismatch,
                           "table " + cfg.events_table + " was written with " +
                               std::to_string(shards.value_or(cfg.shards)) + " shards and " +
                               std::to_string(hours.value_or(cfg.bucket.count())) +
                               "-hour buckets; this store_config says " +
                               std::to_string(cfg.shards) + " and " +
                               std::to_string(cfg.bucket.count()));
    }

    awaitable<std::optional<std::int64_t>> first_bucket() {
        get_item_request req{
            .table_name = cfg.events_table, .key = meta_key(), .consistent_read = true};
        auto r = co_await c.get_item(req);
        if (!r.item)
            co_return std::nullopt;
        auto f = r.item->find("fb");
        if (f == r.item->end() || f->second.type() != attribute_value::kind::N)
            co_return std::nullopt;
        // Reading with another layout than the writers' would miss events.
        check_layout(*r.item);
        co_return f->second.as_n().as<std::int64_t>();
    }

    // The caller's id, or a fresh one.
    stored_event make(const std::optional<std::string>& uuid, std::int64_t version, new_event e,
                      system_clock::time_point now) {
        const std::int64_t id = e.id ? *e.id : ids->next_id();
        return detail::make_stored_event(id, uuid, version, std::move(e), now);
    }

    item checked_item(const stored_event& s) const { return detail::checked_item(s, cfg); }

    awaitable<std::int64_t> latest(const std::string& uuid) {
        query_request req{.table_name = cfg.events_table,
                          .limit = 1,
                          .consistent_read = true,
                          .scan_index_forward = false};
        parameters p;
        req.key_condition_expression = p.render(path("pk") == value(uuid));
        req.projection_expression = p.render(expr::projection{path("v")});
        p.apply_to(req);
        auto r = co_await c.query(req);
        if (r.items.empty())
            co_return 0;
        co_return r.items[0].at("v").as_n().as<std::int64_t>();
    }

    // The base of an `any()` append: the latest version; with caller ids,
    // the version before the first event when an earlier attempt of this
    // append stored it among the last `events.size() + any_retry_window`
    // (the same single query, reading more than one item).
    awaitable<std::int64_t> any_base(const std::string& uuid, const std::vector<new_event>& events,
                                     bool given_ids) {
        if (!given_ids || events.empty())
            co_return co_await latest(uuid);
        query_request req{.table_name = cfg.events_table,
                          .limit = static_cast<std::int32_t>(events.size() + any_retry_window),
                          .consistent_read = true,
                          .scan_index_forward = false};
        parameters p;
        req.key_condition_expression = p.render(path("pk") == value(uuid));
        req.projection_expression = p.render(expr::projection{path("v"), path("id")});
        p.apply_to(req);
        auto r = co_await c.query(req);
        if (r.items.empty())
            co_return 0;
        for (auto& it : r.items)
            if (it.at("id").as_n().as<std::int64_t>() == *events.front().id)
                co_return it.at("v").as_n().as<std::int64_t>() - 1;
        co_return r.items[0].at("v").as_n().as<std::int64_t>();
    }

    // The leading events of `events` (versions base+1, ...) that an earlier
    // attempt of this append stored (answer lost, then retried by the client
    // or by the caller with the same ids), as stored; see
    // detail::stored_prefix. Ids first: the usual failed write is another
    // writer's conflict, which needs no full items.
    awaitable<std::vector<stored_event>> stored_prefix(const std::string& uuid, std::int64_t base,
                                                       const std::vector<stored_event>& events) {
        query_request req{.table_name = cfg.events_table, .consistent_read = true};
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
        auto ids = query_items(c, ids_only);
        while (auto it = co_await ids.next())
            any_ours = any_ours || ours.count(it->at("id").as_n().as<std::int64_t>());
        if (!any_ours)
            co_return std::vector<stored_event>{};
        std::vector<stored_event> there;
        auto items = query_items(c, req);
        while (auto it = co_await items.next())
            there.push_back(detail::from_item(*it, cfg));
        co_return detail::stored_prefix(events, base, std::move(there));
    }

    // Sends a transaction whose ClientRequestToken is derived from `ids`
    // (the same writes, retried, are the same transaction). False when a
    // condition failed or a concurrent transaction was in the way.
    // `attempt` > 0 (a retry after a cancellation): a new token, since
    // DynamoDB may answer a reused token with the first call's outcome.
    awaitable<bool> try_transaction(transact_write_items_request& req, const std::string& ids,
                                    int attempt = 0) {
        req.client_request_token =
            detail::sha256_hex(attempt ? ids + "#attempt" + std::to_string(attempt) : ids)
                .substr(0, 36);
        try {
            co_await c.transact_write_items(req);
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

    // One atomic write of versions base+1..base+k. Returns false on a
    // condition failure (someone else's events, or a conflicting
    // transaction), true when written.
    awaitable<bool> write_chunk(int attempt, const std::string& uuid, std::int64_t base,
                                const std::vector<stored_event>& chunk,
                                const std::vector<item>& items) {
        parameters p;
        std::string not_there = p.render(attribute_not_exists(path("pk")));
        if (base == 0 && chunk.size() == 1) {
            put_item_request req{.table_name = cfg.events_table,
                                 .item = items[0],
                                 .condition_expression = not_there};
            p.apply_to(req);
            try {
                co_await c.put_item(req);
                co_return true;
            } catch (const conditional_check_failed&) {
                co_return false;
            }
        }
        transact_write_items_request req;
        if (base > 0) {
            parameters q;
            transact_write_item check;
            check.condition_check = condition_check{
                .table_name = cfg.events_table,
                .key = {{"pk", attribute_value(uuid)}, {"v", attribute_value(number(base))}},
                .condition_expression = q.render(attribute_exists(path("pk")))};
            q.apply_to(*check.condition_check);
            req.transact_items.push_back(std::move(check));
        }
        std::string ids = uuid + "#" + std::to_string(base);
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            transact_write_item put;
            put.put = transact_put{.table_name = cfg.events_table,
                                   .item = items[i],
                                   .condition_expression = not_there};
            p.apply_to(*put.put);
            req.transact_items.push_back(std::move(put));
            ids += "#" + std::to_string(chunk[i].id);
        }
        // Deterministic: the same append retried is the same transaction.
        co_return co_await try_transaction(req, ids, attempt);
    }

    awaitable<std::vector<stored_event>> append_exact(const std::string& uuid, std::int64_t n,
                                                      std::vector<new_event> events) {
        if (n < 0)
            throw es_error(es_errc::invalid_argument, "expected version is negative");
        if (events.empty()) {
            auto actual = co_await latest(uuid);
            if (actual != n)
                throw concurrency_conflict(uuid, n, actual);
            co_return std::vector<stored_event>{};
        }
        const auto now = system_clock::now();
        std::vector<stored_event> stored;
        std::vector<item> items;
        stored.reserve(events.size());
        for (std::size_t i = 0; i < events.size(); ++i) {
            stored.push_back(
                make(uuid, n + 1 + static_cast<std::int64_t>(i), std::move(events[i]), now));
            items.push_back(checked_item(stored.back()));
        }
        co_await register_bucket(detail::bucket_of(stored.front().id, cfg));

        std::size_t begin = 0;
        while (begin < stored.size()) {
            const std::int64_t base = n + static_cast<std::int64_t>(begin);
            std::size_t limit = max_actions - (base > 0 ? 1 : 0);
            std::size_t end = begin, bytes = 0;
            while (end < stored.size() && end - begin < limit) {
                std::size_t size = item_size(items[end]);
                if (end > begin && bytes + size > max_transaction_bytes)
                    break;
                bytes += size;
                ++end;
            }
            std::vector<stored_event> chunk(stored.begin() + static_cast<std::ptrdiff_t>(begin),
                                            stored.begin() + static_cast<std::ptrdiff_t>(end));
            std::vector<item> chunk_items(items.begin() + static_cast<std::ptrdiff_t>(begin),
                                          items.begin() + static_cast<std::ptrdiff_t>(end));
            for (int attempt = 0;; ++attempt) {
                if (co_await write_chunk(attempt, uuid, base, chunk, chunk_items)) {
                    begin = end;
                    break;
                }
                // Our own earlier attempt (answer lost, then retried)? Its
                // events are returned as stored; any rest follows them.
                auto mine = co_await stored_prefix(uuid, base, chunk);
                if (!mine.empty()) {
                    for (auto& e : mine)
                        stored[begin++] = std::move(e);
                    break;
                }
                auto actual = co_await latest(uuid);
                if (actual != base || attempt >= 4)
                    throw concurrency_conflict(uuid, base, actual);
                // Nobody wrote: a transaction conflict with a concurrent
                // writer that then failed. Try again shortly.
                asio::steady_timer t(co_await asio::this_coro::executor,
                                     std::chrono::milliseconds(5 << attempt));
                co_await t.async_wait(asio::use_awaitable);
            }
        }
        co_return stored;
    }

    // One aggregate's part of an append_all.
    struct plan {
        std::size_t index; // in the requests
        std::string uuid;
        bool any;          // expected_version::any(): base is the latest read
        std::int64_t base; // the version the events follow
        std::vector<new_event> events;
        std::vector<stored_event> stored{};
        std::vector<item> items{};
    };

    // One TransactWriteItems of every plan (built). Returns false on a
    // condition failure or a transaction conflict, true when written.
    awaitable<bool> write_plans(const std::vector<plan>& plans, int attempt) {
        if (plans.size() == 1)
            co_return co_await write_chunk(attempt, plans[0].uuid, plans[0].base, plans[0].stored,
                                           plans[0].items);
        transact_write_items_request req;
        std::string ids;
        for (auto& pl : plans) {
            if (pl.base > 0) {
                parameters q;
                transact_write_item check;
                check.condition_check =
                    condition_check{.table_name = cfg.events_table,
                                    .key = {{"pk", attribute_value(pl.uuid)},
                                            {"v", attribute_value(number(pl.base))}},
                                    .condition_expression = q.render(attribute_exists(path("pk")))};
                q.apply_to(*check.condition_check);
                req.transact_items.push_back(std::move(check));
            }
            ids += "|" + pl.uuid + "#" + std::to_string(pl.base);
            for (std::size_t i = 0; i < pl.stored.size(); ++i) {
                parameters p;
                transact_write_item put;
                put.put = transact_put{.table_name = cfg.events_table,
                                       .item = pl.items[i],
                                       .condition_expression =
                                           p.render(attribute_not_exists(path("pk")))};
                p.apply_to(*put.put);
                req.transact_items.push_back(std::move(put));
                ids += "#" + std::to_string(pl.stored[i].id);
            }
        }
        // Deterministic: the same append_all retried is the same transaction.
        co_return co_await try_transaction(req, ids, attempt);
    }

    // Builds the plans' stored events and items at their bases; checks the
    // transaction limits.
    void build(std::vector<plan>& plans) {
        const auto now = system_clock::now();
        std::size_t actions = 0, bytes = 0;
        for (auto& pl : plans) {
            pl.stored.clear();
            pl.items.clear();
            if (pl.base > 0)
                ++actions;
            for (std::size_t i = 0; i < pl.events.size(); ++i) {
                pl.stored.push_back(
                    make(pl.uuid, pl.base + 1 + static_cast<std::int64_t>(i), pl.events[i], now));
                pl.items.push_back(checked_item(pl.stored.back()));
                bytes += item_size(pl.items.back());
                ++actions;
            }
        }
        if (actions > max_transaction_actions || bytes > max_transaction_bytes)
            throw transaction_too_large(actions, bytes);
    }

    awaitable<std::vector<std::vector<stored_event>>>
    append_all(std::vector<append_request> requests) {
        std::set<std::string_view> seen;
        std::set<std::int64_t> seen_ids;
        std::size_t with_ids = 0, events = 0;
        for (auto& r : requests) {
            detail::check_uuid(r.uuid);
            if (r.expected.mode == expected_version::kind::exact && r.expected.version < 0)
                throw es_error(es_errc::invalid_argument, "expected version is negative");
            if (!seen.insert(r.uuid).second)
                throw es_error(es_errc::invalid_argument,
                               "append_all: aggregate " + r.uuid + " is named twice");
            with_ids += detail::given_ids(r.events, seen_ids) ? r.events.size() : 0;
            events += r.events.size();
        }
        std::vector<plan> plans;
        for (std::size_t i = 0; i < requests.size(); ++i) {
            auto& r = requests[i];
            if (r.events.empty())
                continue;
            const bool any = r.expected.mode == expected_version::kind::any;
            plans.push_back(
                plan{i, r.uuid, any, any ? 0 : r.expected.version, std::move(r.events)});
        }
        std::vector<std::vector<stored_event>> out(requests.size());
        if (plans.empty())
            co_return out;
        if (with_ids != 0 && with_ids != events)
            throw es_error(es_errc::invalid_argument,
                           "append_all: only some requests have event ids: give every event an "
                           "id, or none");
        for (auto& pl : plans)
            if (pl.any)
                pl.base = co_await any_base(pl.uuid, pl.events, with_ids != 0);
        build(plans);
        for (int attempt = 0;; ++attempt) {
            std::int64_t lowest = std::numeric_limits<std::int64_t>::max();
            for (auto& pl : plans)
                lowest = std::min(lowest, pl.stored.front().id);
            co_await register_bucket(detail::bucket_of(lowest, cfg));
            if (co_await write_plans(plans, attempt))
                break;
            // Our own earlier attempt (answer lost, then retried)? A
            // transaction is all or nothing: every plan is there, or none.
            std::vector<std::vector<stored_event>> mine;
            for (auto& pl : plans) {
                mine.push_back(co_await stored_prefix(pl.uuid, pl.base, pl.stored));
                if (mine.back().size() != pl.stored.size())
                    break;
            }
            if (mine.size() == plans.size() && mine.back().size() == plans.back().stored.size()) {
                for (std::size_t i = 0; i < plans.size(); ++i)
                    plans[i].stored = std::move(mine[i]);
                break;
            }
            // The first aggregate that is not at its expected version is the
            // conflict; `any` ones move on to the version now there.
            bool moved = false;
            for (auto& pl : plans) {
                auto actual = co_await latest(pl.uuid);
                if (actual == pl.base)
                    continue;
                if (!pl.any || attempt >= 20)
                    throw concurrency_conflict(pl.uuid, pl.base, actual);
                pl.base = actual;
                moved = true;
            }
            if (moved) {
                build(plans);
                continue;
            }
            if (attempt >= 4)
                throw concurrency_conflict(plans.front().uuid, plans.front().base,
                                           plans.front().base);
            // Nobody wrote: a transaction conflict with a concurrent writer
            // that then failed. Try again shortly (the same transaction).
            asio::steady_timer t(co_await asio::this_coro::executor,
                                 std::chrono::milliseconds(5 << attempt));
            co_await t.async_wait(asio::use_awaitable);
        }
        for (auto& pl : plans)
            out[pl.index] = std::move(pl.stored);
        co_return out;
    }

    awaitable<stored_event> store_without_aggregate(new_event e) {
        const auto now = system_clock::now();
        for (int attempt = 0;; ++attempt) {
            stored_event s = make(std::nullopt, 0, e, now);
            item it = checked_item(s);
            co_await register_bucket(detail::bucket_of(s.id, cfg));
            parameters p;
            put_item_request req{.table_name = cfg.events_table, .item = it};
            req.condition_expression = p.render(attribute_not_exists(path("pk")));
            p.apply_to(req);
            try {
                co_await c.put_item(req);
                co_return s;
            } catch (const conditional_check_failed&) {
            }
            // Ours (a retry after a lost answer), or another writer's event
            // with the same id (another process, same microsecond)?
            get_item_request get{.table_name = cfg.events_table,
                                 .key = {{"pk", it.at("pk")}, {"v", it.at("v")}},
                                 .consistent_read = true};
            auto there = co_await c.get_item(get);
            if (there.item && *there.item == it)
                co_return s;
            if (there.item && e.id) {
                // The caller's id: its event as stored, or a typed refusal.
                auto stored = detail::from_item(*there.item, cfg);
                if (!detail::same_event(s, stored))
                    detail::throw_id_taken(stored);
                co_return stored;
            }
            if (attempt >= 4)
                throw es_error(
                    es_errc::duplicate_id,
                    "5 fresh event ids in a row were taken: is the id generator broken?");
        }
    }

    // Events of one aggregate from a base-table query, decoded straight from
    // each page's JSON (parsed into an arena by client::call): no `item`
    // maps, no page generator in between. The next page is fetched while
    // the consumer works through the current one (the channel holds one).
    generator<stored_event> aggregate_events(query_request req) {
        json::object encoded;
        model::encode(req, encoded);
        return generator<stored_event>(
            c.executor(),
            [self = shared_from_this(), request = json::value(std::move(encoded))](
                generator<stored_event>::sink& out) mutable -> awaitable<void> {
                for (;;) {
                    json::value answer = co_await self->c.call("Query", request);
                    json::object& page = answer.as_object();
                    std::vector<stored_event> batch;
                    std::exception_ptr bad;
                    try {
                        if (const json::value* items = page.if_contains("Items")) {
                            if (!items->is_array())
                                throw es_error(es_errc::invalid_stored_event,
                                               "Query answer: Items is not an array");
                            const json::array& array = items->get_array();
                            batch.reserve(array.size());
                            // The events before a bad item still reach the
                            // consumer before its error.
                            for (const json::value& it : array) {
                                if (!it.is_object())
                                    throw es_error(es_errc::invalid_stored_event,
                                                   "Query answer: an item is not an object");
                                batch.push_back(detail::from_json_item(it.get_object(), self->cfg));
                            }
                        }
                    } catch (...) {
                        bad = std::current_exception();
                    }
                    co_await out.push_batch(std::move(batch));
                    if (bad)
                        std::rethrow_exception(bad);
                    const json::value* next = page.if_contains("LastEvaluatedKey");
                    if (!next || next->is_null())
                        co_return;
                    request.as_object()["ExclusiveStartKey"] = *next; // copied out of the arena
                }
            },
            1);
    }

    query_request aggregate_query(const std::string& uuid, const read_options& o) {
        detail::check_uuid(uuid);
        return query_request{.table_name = cfg.events_table, .consistent_read = consistent(o)};
    }

    // All events with id >= from, by ascending id: the buckets of the global
    // index in order, the shards of each merged.
    generator<stored_event> global_events(std::int64_t from, read_options o) {
        return generator<stored_event>(
            c.executor(),
            [self = shared_from_this(), from,
             o](generator<stored_event>::sink& out) -> awaitable<void> {
                auto& c = self->c;
                auto& cfg = self->cfg;
                auto first = co_await self->first_bucket();
                if (!first)
                    co_return;
                const auto now = system_clock::now();
                auto us = [](system_clock::time_point t) {
                    return std::chrono::duration_cast<std::chrono::microseconds>(
                               t.time_since_epoch())
                        .count();
                };
                std::int64_t upto = std::numeric_limits<std::int64_t>::max();
                if (o.settle)
                    upto = (us(now - *o.settle) + 1) * 1000 - 1;
                const std::int64_t last_bucket =
                    detail::bucket_of(us(now + cfg.max_clock_skew) * 1000, cfg);
                constexpr std::size_t batch_size = 100;
                std::vector<stored_event> batch;
                for (std::int64_t b =
                         std::max(*first, detail::bucket_of(std::max<std::int64_t>(from, 0), cfg));
                     b <= last_bucket; ++b) {
                    std::vector<generator<item>> shards;
                    for (int s = 0; s < cfg.shards; ++s) {
                        query_request req{.table_name = cfg.events_table,
                                          .index_name = global_index};
                        parameters p;
                        req.key_condition_expression =
                            p.render(path("g") == value(detail::global_key(b, s)) &&
                                     between(path("id"), value(number(from)), value(number(upto))));
                        p.apply_to(req);
                        shards.push_back(query_items(c, req));
                    }
                    std::vector<std::optional<item>> heads(shards.size());
                    for (std::size_t s = 0; s < shards.size(); ++s)
                        heads[s] = co_await shards[s].next();
                    for (;;) {
                        std::size_t best = shards.size();
                        std::int64_t best_id = 0;
                        for (std::size_t s = 0; s < shards.size(); ++s) {
                            if (!heads[s])
                                continue;
                            auto id = heads[s]->at("id").as_n().as<std::int64_t>();
                            if (best == shards.size() || id < best_id) {
                                best = s;
                                best_id = id;
                            }
                        }
                        if (best == shards.size())
                            break;
                        // Handed over in batches (one hand-off per batch);
                        // a bad item ends the batch before it.
                        std::exception_ptr bad;
                        try {
                            batch.push_back(detail::from_item(*heads[best], cfg));
                        } catch (...) {
                            bad = std::current_exception();
                        }
                        if (bad || batch.size() >= batch_size) {
                            co_await out.push_batch(std::move(batch));
                            batch.clear();
                        }
                        if (bad)
                            std::rethrow_exception(bad);
                        heads[best] = co_await shards[best].next();
                    }
                    co_await out.push_batch(std::move(batch));
                    batch.clear();
                }
            },
            1);
    }
};

dynamodb_event_repository::dynamodb_event_repository(client& c, store_config config,
                                                     std::shared_ptr<id_generator> ids)
    : state_(std::make_shared<state>(c, std::move(config), std::move(ids))) {}

dynamodb_event_repository::~dynamodb_event_repository() = default;

const store_config& dynamodb_event_repository::config() const noexcept {
    return state_->cfg;
}

awaitable<stored_event> dynamodb_event_repository::find(std::int64_t id) {
    auto& st = *state_;
    query_request req{.table_name = st.cfg.events_table, .index_name = global_index};
    parameters p;
    req.key_condition_expression = p.render(path("g") == value(detail::global_key(id, st.cfg)) &&
                                            path("id") == value(number(id)));
    p.apply_to(req);
    auto r = co_await st.c.query(req);
    if (r.items.empty())
        throw event_not_found(id);
    co_return detail::from_item(r.items.front(), st.cfg);
}

generator<stored_event> dynamodb_event_repository::retrieve_all(std::optional<std::string> uuid,
                                                                read_options o) {
    if (!uuid)
        return state_->global_events(0, o);
    auto req = state_->aggregate_query(*uuid, o);
    parameters p;
    req.key_condition_expression = p.render(path("pk") == value(*uuid));
    p.apply_to(req);
    return state_->aggregate_events(std::move(req));
}

generator<stored_event> dynamodb_event_repository::retrieve_all_starting_from(
    std::int64_t from, std::optional<std::string> uuid, read_options o) {
    if (!uuid)
        return state_->global_events(from, o);
    auto req = state_->aggregate_query(*uuid, o);
    parameters p;
    req.key_condition_expression = p.render(path("pk") == value(*uuid));
    req.filter_expression = p.render(path("id") >= value(number(from)));
    p.apply_to(req);
    return state_->aggregate_events(std::move(req));
}

generator<stored_event> dynamodb_event_repository::retrieve_all_after_version(std::int64_t version,
                                                                              std::string uuid,
                                                                              read_options o) {
    auto req = state_->aggregate_query(uuid, o);
    parameters p;
    req.key_condition_expression =
        p.render(path("pk") == value(uuid) && path("v") > value(number(version)));
    p.apply_to(req);
    return state_->aggregate_events(std::move(req));
}

awaitable<std::int64_t>
dynamodb_event_repository::count_all_starting_from(std::int64_t from,
                                                   std::optional<std::string> uuid) {
    auto& st = *state_;
    std::int64_t total = 0;
    if (uuid) {
        auto req = st.aggregate_query(*uuid, {});
        req.select = select::count;
        parameters p;
        req.key_condition_expression = p.render(path("pk") == value(*uuid));
        req.filter_expression = p.render(path("id") >= value(number(from)));
        p.apply_to(req);
        auto pages = query_pages(st.c, req);
        while (auto page = co_await pages.next())
            total += page->count;
        co_return total;
    }
    auto first = co_await st.first_bucket();
    if (!first)
        co_return 0;
    auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                      (system_clock::now() + st.cfg.max_clock_skew).time_since_epoch())
                      .count();
    const std::int64_t last_bucket = detail::bucket_of(now_us * 1000, st.cfg);
    for (std::int64_t b =
             std::max(*first, detail::bucket_of(std::max<std::int64_t>(from, 0), st.cfg));
         b <= last_bucket; ++b) {
        for (int s = 0; s < st.cfg.shards; ++s) {
            query_request req{.table_name = st.cfg.events_table,
                              .index_name = global_index,
                              .select = select::count};
            parameters p;
            req.key_condition_expression = p.render(path("g") == value(detail::global_key(b, s)) &&
                                                    path("id") >= value(number(from)));
            p.apply_to(req);
            auto pages = query_pages(st.c, req);
            while (auto page = co_await pages.next())
                total += page->count;
        }
    }
    co_return total;
}

awaitable<std::vector<stored_event>>
dynamodb_event_repository::append(std::string uuid, expected_version expected,
                                  std::vector<new_event> events) {
    auto& st = *state_;
    detail::check_uuid(uuid);
    std::set<std::int64_t> seen;
    const bool given_ids = detail::given_ids(events, seen);
    if (expected.mode == expected_version::kind::exact)
        co_return co_await st.append_exact(uuid, expected.version, std::move(events));
    // any: after whatever is there (or before our own earlier attempt),
    // retrying our own conflicts.
    std::int64_t n = co_await st.any_base(uuid, events, given_ids);
    for (int attempt = 0;; ++attempt) {
        try {
            co_return co_await st.append_exact(uuid, n, events);
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
dynamodb_event_repository::append_all(std::vector<append_request> requests) {
    co_return co_await state_->append_all(std::move(requests));
}

awaitable<stored_event> dynamodb_event_repository::persist(new_event event,
                                                           std::optional<std::string> uuid) {
    if (!uuid) {
        if (event.id && *event.id <= 0)
            throw es_error(es_errc::invalid_argument,
                           "event id " + std::to_string(*event.id) + " is not positive");
        co_return co_await state_->store_without_aggregate(std::move(event));
    }
    std::vector<new_event> one;
    one.push_back(std::move(event));
    auto stored = co_await append(std::move(*uuid), expected_version::any(), std::move(one));
    co_return std::move(stored.front());
}

awaitable<std::vector<stored_event>>
dynamodb_event_repository::persist_many(std::vector<new_event> events,
                                        std::optional<std::string> uuid) {
    if (uuid)
        co_return co_await append(std::move(*uuid), expected_version::any(), std::move(events));
    std::set<std::int64_t> seen;
    detail::given_ids(events, seen);
    std::vector<stored_event> out;
    for (auto& e : events)
        out.push_back(co_await state_->store_without_aggregate(std::move(e)));
    co_return out;
}

awaitable<stored_event> dynamodb_event_repository::update(stored_event event) {
    auto& st = *state_;
    if (event.aggregate_uuid)
        detail::check_uuid(*event.aggregate_uuid);
    item it = st.checked_item(event);
    put_item_request req{.table_name = st.cfg.events_table, .item = it};
    parameters p;
    req.condition_expression =
        p.render(attribute_exists(path("pk")) && path("id") == value(number(event.id)));
    p.apply_to(req);
    try {
        co_await st.c.put_item(req);
    } catch (const conditional_check_failed&) {
        throw es_error(es_errc::update_target_missing,
                       "update: no stored event " + std::to_string(event.id) + " at version " +
                           std::to_string(event.aggregate_version) + " of its aggregate");
    }
    co_return event;
}

awaitable<std::int64_t> dynamodb_event_repository::latest_aggregate_version(std::string uuid) {
    detail::check_uuid(uuid);
    co_return co_await state_->latest(uuid);
}

std::int64_t dynamodb_event_repository::new_id() {
    return state_->ids->next_id();
}

} // namespace ddb::es
