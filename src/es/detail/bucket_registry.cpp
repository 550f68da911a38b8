#include "bucket_registry.hpp"

#include "event_item.hpp"

#include <ddb/es/error.hpp>
#include <ddb/value/expression.hpp>

#include <algorithm>
#include <string>

namespace ddb::es::detail {

using boost::asio::awaitable;
using namespace ddb::expr;
using std::chrono::system_clock;

bucket_range buckets_between(std::int64_t first, std::int64_t from, system_clock::time_point now,
                             const store_config& config) {
    const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                            (now + config.max_clock_skew).time_since_epoch())
                            .count();
    const std::int64_t last = bucket_of(now_us * 1000, config);
    bucket_range r;
    r.width = bucket_width(config);
    r.first = std::max(first, bucket_of(std::max<std::int64_t>(from, 0), config));
    r.count = std::max<std::int64_t>(0, last - r.first + 1);
    return r;
}

item bucket_registry::meta_key() const {
    return {{"pk", attribute_value("$meta")}, {"v", attribute_value(number(0))}};
}

awaitable<void> bucket_registry::record(std::int64_t bucket) {
    if (recorded_.load() <= bucket)
        co_return;
    // The layout (shards, bucket hours) is recorded by the first writer;
    // readers use the recorded one, writers must agree with it.
    update_item_request req{.table_name = cfg_.events_table, .key = meta_key()};
    parameters p;
    req.update_expression = p.render(
        expr::update()
            .set(path("fb"), value(number(bucket)))
            .set(path("shards"), if_not_exists(path("shards"), value(number(cfg_.shards))))
            .set(path("bh"), if_not_exists(path("bh"), value(number(cfg_.bucket.count())))));
    req.condition_expression =
        p.render(attribute_not_exists(path("fb")) || path("fb") > value(number(bucket)));
    req.return_values = return_values::all_new;
    p.apply_to(req);
    std::optional<item> meta;
    try {
        meta = (co_await c_.update_item(req)).attributes;
    } catch (const conditional_check_failed&) {
        // A lower bucket is already recorded.
    }
    if (!meta) {
        get_item_request get{
            .table_name = cfg_.events_table, .key = meta_key(), .consistent_read = true};
        meta = (co_await c_.get_item(get)).item;
    }
    if (meta)
        check_layout(*meta);
    std::int64_t cur = recorded_.load();
    while (bucket < cur && !recorded_.compare_exchange_weak(cur, bucket)) {
    }
}

void bucket_registry::check_layout(const item& meta) const {
    auto recorded = [&](const char* name) -> std::optional<std::int64_t> {
        auto f = meta.find(name);
        if (f == meta.end() || f->second.type() != attribute_value::kind::N)
            return std::nullopt;
        return f->second.as_n().as<std::int64_t>();
    };
    auto shards = recorded("shards");
    auto hours = recorded("bh");
    if ((shards && *shards != cfg_.shards) || (hours && *hours != cfg_.bucket.count()))
        throw es_error(es_errc::layout_mismatch,
                       "table " + cfg_.events_table + " was written with " +
                           std::to_string(shards.value_or(cfg_.shards)) + " shards and " +
                           std::to_string(hours.value_or(cfg_.bucket.count())) +
                           "-hour buckets; this store_config says " + std::to_string(cfg_.shards) +
                           " and " + std::to_string(cfg_.bucket.count()));
}

awaitable<std::optional<std::int64_t>> bucket_registry::first() {
    get_item_request req{
        .table_name = cfg_.events_table, .key = meta_key(), .consistent_read = true};
    auto r = co_await c_.get_item(req);
    if (!r.item)
        co_return std::nullopt;
    auto f = r.item->find("fb");
    if (f == r.item->end() || f->second.type() != attribute_value::kind::N)
        co_return std::nullopt;
    // Reading with another layout than the writers' would miss events.
    check_layout(*r.item);
    co_return f->second.as_n().as<std::int64_t>();
}

awaitable<bucket_range> bucket_registry::range(std::int64_t from) {
    auto fb = co_await first();
    if (!fb) {
        bucket_range none;
        none.width = bucket_width(cfg_);
        co_return none;
    }
    co_return buckets_between(*fb, from, system_clock::now(), cfg_);
}

} // namespace ddb::es::detail
