#include "event_reader.hpp"

#include "event_item.hpp"
#include "merge.hpp"

#include <ddb/es/error.hpp>
#include <ddb/es/event_error.hpp>
#include <ddb/es/tables.hpp>
#include <ddb/model/wire.hpp>
#include <ddb/ops/paginator.hpp>
#include <ddb/value/expression.hpp>

#include <algorithm>
#include <exception>
#include <limits>
#include <vector>

namespace ddb::es::detail {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using namespace ddb::expr;
using std::chrono::system_clock;

namespace {

std::int64_t microseconds_of(system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

// One page of an aggregate query, decoded straight from its JSON into
// `batch`; an error after the events before the bad item.
void decode_page(const json::object& page, const store_config& cfg,
                 std::vector<stored_event>& batch) {
    const json::value* items = page.if_contains("Items");
    if (!items)
        return;
    if (!items->is_array())
        throw es_error(es_errc::invalid_stored_event, "Query answer: Items is not an array");
    const json::array& array = items->get_array();
    batch.reserve(array.size());
    for (const json::value& it : array) {
        if (!it.is_object())
            throw es_error(es_errc::invalid_stored_event, "Query answer: an item is not an object");
        batch.push_back(from_json_item(it.get_object(), cfg));
    }
}

// The global index queries of one bucket, one per partition of
// `partitions`: ids from..upto.
std::vector<generator<item>> partition_queries(dynamodb_store& s, std::int64_t bucket,
                                               const std::vector<int>& partitions,
                                               std::int64_t from, std::int64_t upto) {
    std::vector<generator<item>> queries;
    for (int partition : partitions) {
        query_request req{.table_name = s.cfg.events_table, .index_name = global_index};
        parameters p;
        req.key_condition_expression =
            p.render(path("g") == value(global_key(bucket, partition)) &&
                     between(path("id"), value(number(from)), value(number(upto))));
        p.apply_to(req);
        queries.push_back(query_items(s.c, req));
    }
    return queries;
}

// The merge's sink of a global read: the items decoded into events and
// handed over in batches (one hand-off per batch); a bad item ends the
// batch before it, then its error is thrown.
struct event_batches {
    static constexpr std::size_t batch_size = 100;

    generator<stored_event>::sink& out;
    const store_config& cfg;
    std::vector<stored_event> batch{};
    std::exception_ptr bad{};

    bool take(const item& it) {
        try {
            batch.push_back(from_item(it, cfg));
        } catch (...) {
            bad = std::current_exception();
        }
        return bad || batch.size() >= batch_size;
    }

    awaitable<void> flush() {
        co_await out.push_batch(std::move(batch));
        batch.clear();
        if (bad)
            std::rethrow_exception(bad);
    }
};

} // namespace

// The bucket is known from the id, the partition is not (it hashes the
// aggregate): the bucket's partitions are asked in turn, up to the first hit.
awaitable<stored_event> event_reader::find(std::int64_t id) {
    const int partitions = co_await s_->buckets.partitions();
    const std::int64_t bucket = bucket_of(id, s_->cfg);
    for (int partition = 0; partition < partitions; ++partition) {
        query_request req{.table_name = s_->cfg.events_table, .index_name = global_index};
        parameters p;
        req.key_condition_expression = p.render(path("g") == value(global_key(bucket, partition)) &&
                                                path("id") == value(number(id)));
        p.apply_to(req);
        auto r = co_await s_->c.query(req);
        if (!r.items.empty())
            co_return from_item(r.items.front(), s_->cfg);
    }
    throw event_not_found(id);
}

query_request event_reader::aggregate_query(const std::string& uuid, const read_options& o) const {
    check_uuid(uuid);
    return query_request{.table_name = s_->cfg.events_table, .consistent_read = s_->consistent(o)};
}

// Decoded straight from each page's JSON (parsed into an arena by
// client::call): no `item` maps, no page generator in between. The next page
// is fetched while the consumer works through the current one (the channel
// holds one).
generator<stored_event> event_reader::aggregate_events(query_request req) {
    json::object encoded;
    model::encode(req, encoded);
    return generator<stored_event>(
        s_->c.executor(),
        [s = s_, request = json::value(std::move(encoded))](
            generator<stored_event>::sink& out) mutable -> awaitable<void> {
            co_await s->buckets.check();
            for (;;) {
                json::value answer = co_await s->c.call("Query", request);
                json::object& page = answer.as_object();
                std::vector<stored_event> batch;
                std::exception_ptr bad;
                try {
                    decode_page(page, s->cfg, batch);
                } catch (...) {
                    bad = std::current_exception();
                }
                // Ids drawn after reading an aggregate are above its events.
                if (!batch.empty())
                    s->ids->observe(
                        std::max_element(batch.begin(), batch.end(),
                                         [](const auto& a, const auto& b) { return a.id < b.id; })
                            ->id);
                // The events before a bad item still reach the consumer
                // before its error.
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

// The buckets of the global index in order, the partitions of each merged.
// With `settle`, the walk ends at the bucket of the cut.
generator<stored_event> event_reader::global_events(std::int64_t from, read_options o) {
    return generator<stored_event>(
        s_->c.executor(),
        [s = s_, from, o](generator<stored_event>::sink& out) -> awaitable<void> {
            const store_meta meta = co_await s->buckets.read();
            const std::vector<int> partitions = partitions_to_read(o.partitions, meta.partitions);
            if (!meta.first)
                co_return;
            const auto now = system_clock::now();
            std::int64_t upto = std::numeric_limits<std::int64_t>::max();
            if (o.settle)
                upto = (microseconds_of(now - *o.settle) + 1) * 1000 - 1;
            const bucket_range range = buckets_between(*meta.first, from, now, s->cfg, upto);
            event_batches batches{out, s->cfg};
            for (std::int64_t b = range.first; b < range.first + range.count; ++b) {
                auto queries = partition_queries(*s, b, partitions, from, upto);
                co_await merge_by_id(queries, batches);
                co_await batches.flush();
            }
        },
        1);
}

awaitable<std::int64_t> event_reader::count(std::int64_t from, std::optional<std::string> uuid) {
    std::int64_t total = 0;
    if (uuid) {
        auto req = aggregate_query(*uuid, {});
        co_await s_->buckets.check();
        req.select = select::count;
        parameters p;
        req.key_condition_expression = p.render(path("pk") == value(*uuid));
        req.filter_expression = p.render(path("id") >= value(number(from)));
        p.apply_to(req);
        auto pages = query_pages(s_->c, req);
        while (auto page = co_await pages.next())
            total += page->count;
        co_return total;
    }
    const store_meta meta = co_await s_->buckets.read();
    if (!meta.first)
        co_return 0;
    const bucket_range range = buckets_between(*meta.first, from, system_clock::now(), s_->cfg);
    for (std::int64_t b = range.first; b < range.first + range.count; ++b) {
        for (int partition = 0; partition < meta.partitions; ++partition) {
            query_request req{.table_name = s_->cfg.events_table,
                              .index_name = global_index,
                              .select = select::count};
            parameters p;
            req.key_condition_expression = p.render(path("g") == value(global_key(b, partition)) &&
                                                    path("id") >= value(number(from)));
            p.apply_to(req);
            auto pages = query_pages(s_->c, req);
            while (auto page = co_await pages.next())
                total += page->count;
        }
    }
    co_return total;
}

} // namespace ddb::es::detail
