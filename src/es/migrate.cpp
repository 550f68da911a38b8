#include <ddb/es/migrate.hpp>

#include "detail/bucket_registry.hpp"
#include "detail/event_item.hpp"

#include <ddb/es/error.hpp>
#include <ddb/es/partition.hpp>
#include <ddb/ops/paginator.hpp>
#include <ddb/value/expression.hpp>

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <atomic>
#include <limits>
#include <string>

namespace ddb::es {

namespace asio = boost::asio;
using asio::awaitable;
using namespace ddb::expr;

namespace {

std::optional<std::int64_t> number_at(const std::optional<item>& it, const char* name) {
    if (!it)
        return std::nullopt;
    auto f = it->find(name);
    if (f == it->end() || f->second.type() != attribute_value::kind::N)
        return std::nullopt;
    try {
        return f->second.as_n().as<std::int64_t>();
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

awaitable<std::optional<item>> get_meta(client& c, const std::string& table) {
    get_item_request req{.table_name = table, .key = detail::meta_key(), .consistent_read = true};
    auto r = co_await c.get_item(req);
    co_return std::move(r.item);
}

// What the scan counts, from several lanes at once.
struct counters {
    std::atomic<std::int64_t> scanned{0}, rewritten{0}, in_place{0}, vanished{0};
    std::atomic<std::int64_t> lowest_bucket{std::numeric_limits<std::int64_t>::max()};

    migrate_progress snapshot() const {
        return {scanned.load(), rewritten.load(), in_place.load(), vanished.load()};
    }
};

// Sets the index key of one scanned item, if it is an event whose key is
// not right yet.
awaitable<void> rewrite_one(client& c, const store_config& layout, const item& it, counters& n) {
    auto pk = it.find("pk");
    auto id = it.find("id");
    if (pk == it.end() || pk->second.type() != attribute_value::kind::S ||
        pk->second.as_s() == "$meta" || id == it.end() ||
        id->second.type() != attribute_value::kind::N)
        co_return; // not an event
    const std::int64_t event_id = id->second.as_n().as<std::int64_t>();
    const std::int64_t bucket = detail::bucket_of(event_id, layout);
    std::int64_t low = n.lowest_bucket.load();
    while (bucket < low && !n.lowest_bucket.compare_exchange_weak(low, bucket)) {
    }
    const std::string g =
        detail::global_key(bucket, index_partition(pk->second.as_s(), layout.partitions));
    if (auto old = it.find("g"); old != it.end() &&
                                 old->second.type() == attribute_value::kind::S &&
                                 old->second.as_s() == g) {
        ++n.in_place;
        co_return;
    }
    update_item_request req{.table_name = layout.events_table,
                            .key = {{"pk", pk->second}, {"v", it.at("v")}}};
    parameters p;
    req.update_expression = p.render(expr::update().set(path("g"), value(g)));
    req.condition_expression = p.render(attribute_exists(path("pk")));
    p.apply_to(req);
    try {
        co_await c.update_item(req);
        ++n.rewritten;
    } catch (const conditional_check_failed&) {
        ++n.vanished; // deleted since the scan read it (TTL): not recreated
    }
}

// `a` as a child of `&&`: a partial cancellation of the migration stops it
// too (the parent forwards what it honours; a child's own filter would
// let terminal only through).
awaitable<void> child(awaitable<void> a) {
    co_await asio::this_coro::reset_cancellation_state(asio::enable_partial_cancellation());
    co_await std::move(a);
}

// The items of one page, `lanes` UpdateItems in flight at once (one failure
// cancels the other lanes).
awaitable<void> rewrite_page(client& c, const store_config& layout, const std::vector<item>& items,
                             std::size_t lanes, counters& n) {
    std::function<awaitable<void>(std::size_t)> lane = [&](std::size_t first) -> awaitable<void> {
        for (std::size_t i = first; i < items.size(); i += lanes)
            co_await rewrite_one(c, layout, items[i], n);
    };
    std::function<awaitable<void>(std::size_t)> from = [&](std::size_t l) -> awaitable<void> {
        if (l + 1 >= lanes) {
            co_await lane(l);
            co_return;
        }
        // (Named: ddb::expr's operator&& would hide asio's.)
        auto mine = child(lane(l));
        auto rest = child(from(l + 1));
        auto both =
            asio::experimental::awaitable_operators::operator&&(std::move(mine), std::move(rest));
        co_await std::move(both);
    };
    co_await from(0);
}

// The new meta item: layout version 2, the partitions, the first bucket
// (the lower of the recorded one and the lowest the scan saw); the shard
// count removed. Conditioned on the layout still being the old one.
awaitable<void> write_meta(client& c, const store_config& layout, std::optional<std::int64_t> fb) {
    update_item_request req{.table_name = layout.events_table, .key = detail::meta_key()};
    parameters p;
    auto u = expr::update()
                 .set(path("lv"), value(number(detail::layout_version)))
                 .set(path("partitions"), value(number(layout.partitions)))
                 .set(path("bh"), value(number(layout.bucket.count())));
    if (fb)
        u.set(path("fb"), value(number(*fb)));
    u.remove(path("shards"));
    req.update_expression = p.render(u);
    req.condition_expression = p.render(attribute_not_exists(path("lv")));
    p.apply_to(req);
    try {
        co_await c.update_item(req);
    } catch (const conditional_check_failed&) {
        // Another run finished first (a retry whose answer was lost, or a
        // second migrate): fine if it recorded the same layout.
    }
    auto now = co_await get_meta(c, layout.events_table);
    if (number_at(now, "lv") != detail::layout_version ||
        number_at(now, "partitions") != layout.partitions)
        throw es_error(es_errc::layout_mismatch,
                       "table " + layout.events_table +
                           ": another process changed the meta item while migrating");
}

void check(const migrate_options& o) {
    if (o.partitions && (*o.partitions < 1 || *o.partitions > max_partitions))
        throw es_error(es_errc::invalid_argument,
                       "migrate_options.partitions must be 1 to " + std::to_string(max_partitions));
    if (o.concurrency < 1 || o.concurrency > 256)
        throw es_error(es_errc::invalid_argument, "migrate_options.concurrency must be 1 to 256");
}

} // namespace

awaitable<migrate_result> migrate_layout(client& c, const store_config& config, migrate_options o,
                                         std::function<void(const migrate_progress&)> progress) {
    detail::check_layout_options(config);
    check(o);
    const std::string& table = config.events_table;
    const auto meta = co_await get_meta(c, table);
    migrate_result r;
    if (auto lv = number_at(meta, "lv")) {
        if (*lv != detail::layout_version)
            throw es_error(es_errc::layout_mismatch,
                           "table " + table + " has layout version " + std::to_string(*lv) +
                               "; this version knows " + std::to_string(detail::layout_version));
        r.partitions = static_cast<int>(number_at(meta, "partitions").value_or(0));
        if (o.partitions && *o.partitions != r.partitions)
            throw es_error(es_errc::invalid_argument,
                           "table " + table + " has the current layout with " +
                               std::to_string(r.partitions) +
                               " partitions already; changing the partition count is not "
                               "supported (it would move aggregates between partitions that "
                               "consumers have checkpointed)");
        co_return r;
    }
    if (auto shards = number_at(meta, "shards");
        shards && *shards >= 1 && *shards <= max_partitions)
        r.old_shards = static_cast<int>(*shards);
    store_config layout = config;
    layout.partitions = o.partitions.value_or(r.old_shards.value_or(config.partitions));
    layout.bucket = std::chrono::hours(number_at(meta, "bh").value_or(config.bucket.count()));
    detail::check_layout_options(layout);

    counters n;
    scan_request req{.table_name = table, .limit = 200, .consistent_read = true};
    parameters p;
    req.projection_expression =
        p.render(expr::projection{path("pk"), path("v"), path("id"), path("g")});
    p.apply_to(req);
    auto pages = scan_pages(c, req);
    while (auto page = co_await pages.next()) {
        n.scanned += static_cast<std::int64_t>(page->items.size());
        co_await rewrite_page(c, layout, page->items, static_cast<std::size_t>(o.concurrency), n);
        if (progress)
            progress(n.snapshot());
    }
    std::optional<std::int64_t> fb = number_at(meta, "fb");
    if (n.lowest_bucket.load() != std::numeric_limits<std::int64_t>::max())
        fb = std::min(fb.value_or(n.lowest_bucket.load()), n.lowest_bucket.load());
    co_await write_meta(c, layout, fb);
    r.migrated = true;
    r.partitions = layout.partitions;
    r.counts = n.snapshot();
    co_return r;
}

} // namespace ddb::es
