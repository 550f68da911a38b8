#include "bucket_registry.hpp"

#include "event_item.hpp"

#include <ddb/es/error.hpp>
#include <ddb/es/partition.hpp>
#include <ddb/value/expression.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ddb::es::detail {

using boost::asio::awaitable;
using namespace ddb::expr;
using std::chrono::system_clock;

bucket_range buckets_between(std::int64_t first, std::int64_t from, system_clock::time_point now,
                             const store_config& config, std::int64_t upto) {
    const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                            (now + config.max_clock_skew).time_since_epoch())
                            .count();
    const std::int64_t last = std::min(bucket_of(now_us * 1000, config),
                                       bucket_of(std::max<std::int64_t>(upto, 0), config));
    bucket_range r;
    r.width = bucket_width(config);
    r.first = std::max(first, bucket_of(std::max<std::int64_t>(from, 0), config));
    r.count = std::max<std::int64_t>(0, last - r.first + 1);
    return r;
}

item meta_key() {
    return {{"pk", attribute_value("$meta")}, {"v", attribute_value(number(0))}};
}

namespace {

std::optional<std::int64_t> number_at(const item& meta, const char* name) {
    auto f = meta.find(name);
    if (f == meta.end() || f->second.type() != attribute_value::kind::N)
        return std::nullopt;
    try {
        return f->second.as_n().as<std::int64_t>();
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

} // namespace

store_meta inspect_meta(const item& meta, const store_config& config) {
    const std::string& table = config.events_table;
    const auto lv = number_at(meta, "lv");
    if (!lv)
        throw es_error(es_errc::old_layout,
                       "table " + table +
                           " has the old global-index layout (events spread over shards by id), "
                           "which this version no longer reads or writes: stop every writer, "
                           "then run 'ddb-es migrate --events-table " +
                           table + "' to rewrite it in place");
    if (*lv != layout_version)
        throw es_error(es_errc::layout_mismatch,
                       "table " + table + " has layout version " + std::to_string(*lv) +
                           "; this version of the event store knows version " +
                           std::to_string(layout_version));
    const auto hours = number_at(meta, "bh");
    if (hours && *hours != config.bucket.count())
        throw es_error(es_errc::layout_mismatch,
                       "table " + table + " was written with " + std::to_string(*hours) +
                           "-hour buckets; this store_config says " +
                           std::to_string(config.bucket.count()) +
                           " (store_config::bucket must be the recorded one)");
    const auto partitions = number_at(meta, "partitions");
    if (!partitions || *partitions < 1 || *partitions > max_partitions)
        throw es_error(es_errc::layout_mismatch,
                       "table " + table + ": the meta item records no valid partition count");
    store_meta m;
    m.first = number_at(meta, "fb");
    m.partitions = static_cast<int>(*partitions);
    return m;
}

awaitable<std::optional<item>> bucket_registry::get_meta() {
    get_item_request req{
        .table_name = cfg_.events_table, .key = meta_key(), .consistent_read = true};
    auto r = co_await c_.get_item(req);
    co_return std::move(r.item);
}

awaitable<store_meta> bucket_registry::read() {
    auto meta = co_await get_meta();
    store_meta m;
    if (!meta) {
        m.partitions = partitions_.load();
        if (m.partitions == 0)
            m.partitions = cfg_.partitions;
        co_return m;
    }
    m = inspect_meta(*meta, cfg_);
    partitions_.store(m.partitions);
    checked_.store(true);
    co_return m;
}

awaitable<int> bucket_registry::partitions() {
    if (const int known = partitions_.load())
        co_return known;
    co_return (co_await read()).partitions;
}

awaitable<void> bucket_registry::check() {
    if (checked_.load())
        co_return;
    // (Without a meta item the store holds no event yet: nothing to refuse.)
    co_await read();
    checked_.store(true);
}

const store_config& bucket_registry::cached_for_writes(int partitions) {
    std::lock_guard lock(write_mutex_);
    if (!write_cfg_) {
        write_cfg_ = std::make_unique<store_config>(cfg_);
        write_cfg_->partitions = partitions;
        write_ptr_.store(write_cfg_.get());
    }
    return *write_cfg_;
}

awaitable<const store_config*> bucket_registry::for_writes() {
    if (const store_config* known = write_ptr_.load())
        co_return known;
    auto meta = co_await get_meta();
    if (!meta) {
        // The first writer records the layout (unless another one just did:
        // then its layout is kept and used).
        update_item_request req{.table_name = cfg_.events_table, .key = meta_key()};
        parameters p;
        req.update_expression = p.render(
            expr::update()
                .set(path("lv"), if_not_exists(path("lv"), value(number(layout_version))))
                .set(path("partitions"),
                     if_not_exists(path("partitions"), value(number(cfg_.partitions))))
                .set(path("bh"), if_not_exists(path("bh"), value(number(cfg_.bucket.count())))));
        req.condition_expression =
            p.render(attribute_not_exists(path("pk")) || attribute_exists(path("lv")));
        req.return_values = return_values::all_new;
        p.apply_to(req);
        try {
            meta = (co_await c_.update_item(req)).attributes;
        } catch (const conditional_check_failed&) {
            // An old-layout meta item appeared meanwhile.
        }
        if (!meta)
            meta = co_await get_meta();
        if (!meta)
            throw es_error(es_errc::layout_mismatch,
                           "table " + cfg_.events_table + ": the meta item vanished");
    }
    const store_meta m = inspect_meta(*meta, cfg_);
    partitions_.store(m.partitions);
    checked_.store(true);
    co_return &cached_for_writes(m.partitions);
}

const store_config& bucket_registry::write_config() const {
    const store_config* known = write_ptr_.load();
    if (!known)
        throw std::logic_error("bucket_registry::write_config before for_writes");
    return *known;
}

awaitable<void> bucket_registry::record(std::int64_t bucket) {
    if (recorded_.load() <= bucket)
        co_return;
    const store_config& wcfg = *co_await for_writes();
    update_item_request req{.table_name = cfg_.events_table, .key = meta_key()};
    parameters p;
    // The layout again, should the meta item have been deleted meanwhile.
    req.update_expression = p.render(
        expr::update()
            .set(path("fb"), value(number(bucket)))
            .set(path("lv"), if_not_exists(path("lv"), value(number(layout_version))))
            .set(path("partitions"),
                 if_not_exists(path("partitions"), value(number(wcfg.partitions))))
            .set(path("bh"), if_not_exists(path("bh"), value(number(cfg_.bucket.count())))));
    req.condition_expression =
        p.render((attribute_not_exists(path("fb")) || path("fb") > value(number(bucket))) &&
                 (attribute_not_exists(path("pk")) || attribute_exists(path("lv"))));
    req.return_values = return_values::all_new;
    p.apply_to(req);
    std::optional<item> meta;
    try {
        meta = (co_await c_.update_item(req)).attributes;
    } catch (const conditional_check_failed&) {
        // A lower bucket is already recorded (or the layout is old: below).
    }
    if (!meta)
        meta = co_await get_meta();
    if (meta) {
        const store_meta m = inspect_meta(*meta, cfg_);
        if (m.partitions != wcfg.partitions)
            throw es_error(es_errc::layout_mismatch,
                           "table " + cfg_.events_table + " now records " +
                               std::to_string(m.partitions) + " partitions, not " +
                               std::to_string(wcfg.partitions) +
                               " as when this repository first wrote: was it migrated while "
                               "writers ran?");
    }
    std::int64_t cur = recorded_.load();
    while (bucket < cur && !recorded_.compare_exchange_weak(cur, bucket)) {
    }
}

awaitable<bucket_range> bucket_registry::range(std::int64_t from) {
    const store_meta m = co_await read();
    if (!m.first) {
        bucket_range none;
        none.width = bucket_width(cfg_);
        co_return none;
    }
    co_return buckets_between(*m.first, from, system_clock::now(), cfg_);
}

} // namespace ddb::es::detail
