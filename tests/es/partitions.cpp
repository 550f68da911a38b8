// Index partitions by aggregate, on memory, moto and dynalite: a
// partition-filtered global read (as a subscription polls: from a position,
// settled) returns exactly the events of the aggregates hashing to those
// partitions, by ascending id, and the partitions together give the full
// read; find(id) asks the bucket's partitions; the recorded partition count
// wins over the reader's configuration; settle caps the buckets read. A
// store of the old layout (written here through the client: g = "<bucket>#
// <id mod shards>", a meta item with shards) is refused with a message
// naming `ddb-es migrate`, and reads and writes work after migrate_layout.
// dynalite has no transactions: only first events of aggregates there.
#include "backend.hpp"

#include <ddb/es/error.hpp>
#include <ddb/es/migrate.hpp>
#include <ddb/es/partition.hpp>
#include <ddb/value/expression.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <type_traits>

using namespace ddb;
using namespace ddb::es;
using namespace ddb::es::test;
namespace asio = boost::asio;
using asio::awaitable;

namespace {

new_event dummy(const std::string& message) {
    new_event e;
    e.event_class = "dummy";
    e.properties = {{"message", message}};
    return e;
}

// One event, named before the co_await (GCC 12: no temporary aggregate in
// a co_await operand).
template <class S>
stored_event persist(S& s, event_repository& r, const std::string& message,
                     std::optional<std::string> uuid = {}) {
    return s.run([&]() -> awaitable<stored_event> {
        new_event e = dummy(message);
        co_return co_await r.persist(std::move(e), uuid);
    });
}

std::vector<std::int64_t> ids_of(const std::vector<stored_event>& events) {
    std::vector<std::int64_t> out;
    for (const auto& e : events)
        out.push_back(e.id);
    return out;
}

bool strictly_ascending(const std::vector<std::int64_t>& ids) {
    return std::adjacent_find(ids.begin(), ids.end(), std::greater_equal<>()) == ids.end();
}

// 16 aggregates (two events each where the backend has transactions) and 3
// events without an aggregate.
template <class S>
void write_some(S& s, bool transactions) {
    for (int round = 0; round < (transactions ? 2 : 1); ++round)
        for (int a = 0; a < 16; ++a)
            persist(s, *s.events, "r" + std::to_string(round), "agg-" + std::to_string(a));
    for (int i = 0; i < 3; ++i)
        persist(s, *s.events, "loose");
}

template <class S>
std::vector<stored_event> read_partitions(S& s, std::vector<int> partitions,
                                          std::int64_t from = 0) {
    read_options o;
    o.settle = std::chrono::milliseconds(0);
    o.partitions = std::move(partitions);
    return s.all(s.events->retrieve_all_starting_from(from, std::nullopt, o));
}

template <class F>
std::string es_message(F&& f, es_errc kind) {
    try {
        f();
    } catch (const es_error& e) {
        CHECK(e.kind() == kind);
        return e.what();
    }
    FAIL("no es_error");
    return {};
}

} // namespace

#define ALL_BACKENDS memory_backend, moto_backend, dynalite_backend

TEMPLATE_TEST_CASE("partitions: a filtered global read gives whole aggregates by id, and the "
                   "partitions together the full read",
                   "[es]", ALL_BACKENDS) {
    store_config cfg;
    cfg.partitions = 5;
    store<TestType> s(cfg);
    write_some(s, !std::is_same_v<TestType, dynalite_backend>);
    CHECK(s.run([&]() -> awaitable<int> { co_return co_await s.events->partition_count(); }) == 5);
    const auto full = s.all(s.events->retrieve_all());
    REQUIRE(full.size() == (std::is_same_v<TestType, dynalite_backend> ? 19u : 35u));
    REQUIRE(strictly_ascending(ids_of(full)));

    std::vector<std::int64_t> together;
    for (int p = 0; p < 5; ++p) {
        std::vector<std::int64_t> expected;
        for (const auto& e : full)
            if (index_partition(e, 5) == p)
                expected.push_back(e.id);
        const auto part = read_partitions(s, {p});
        INFO("partition " << p);
        CHECK(ids_of(part) == expected);
        std::map<std::string, std::int64_t> version;
        for (const auto& e : part) {
            CHECK(index_partition(e, 5) == p);
            if (e.aggregate_uuid) // every version of the aggregate, in order
                CHECK(e.aggregate_version == ++version[*e.aggregate_uuid]);
        }
        together.insert(together.end(), expected.begin(), expected.end());
    }
    std::sort(together.begin(), together.end());
    CHECK(together == ids_of(full));

    // Several partitions at once (repeats ignored), and from a position.
    const auto two = read_partitions(s, {3, 1, 3});
    std::vector<std::int64_t> expected;
    for (const auto& e : full)
        if (index_partition(e, 5) == 1 || index_partition(e, 5) == 3)
            expected.push_back(e.id);
    CHECK(ids_of(two) == expected);
    const std::int64_t middle = full[full.size() / 2].id;
    std::vector<std::int64_t> later;
    for (auto id : expected)
        if (id >= middle)
            later.push_back(id);
    CHECK(ids_of(read_partitions(s, {1, 3}, middle)) == later);

    for (int bad : {-1, 5}) {
        auto message = es_message([&] { read_partitions(s, {0, bad}); }, es_errc::invalid_argument);
        CHECK(message.find("read_options.partitions: " + std::to_string(bad)) != std::string::npos);
    }
    // find(id) asks the bucket's partitions.
    for (const auto& e : full) {
        auto found =
            s.run([&]() -> awaitable<stored_event> { co_return co_await s.events->find(e.id); });
        CHECK(found.id == e.id);
        CHECK(found.aggregate_uuid == e.aggregate_uuid);
        CHECK(found.aggregate_version == e.aggregate_version);
    }
}

TEMPLATE_TEST_CASE("partitions: the recorded partition count wins over a reader's and a writer's "
                   "configuration, another bucket is refused",
                   "[es]", moto_backend, dynalite_backend) {
    store<TestType> s; // create_tables recorded the default 4
    persist(s, *s.events, "a", "agg-x");
    store_config other = s.cfg;
    other.partitions = 8;
    dynamodb_event_repository eight(*s.c, other);
    CHECK(s.run([&]() -> awaitable<int> { co_return co_await eight.partition_count(); }) == 4);
    persist(s, eight, "b");
    auto all = s.all(eight.retrieve_all());
    REQUIRE(all.size() == 2);
    CHECK(s.all(s.events->retrieve_all()).size() == 2);
    for (const auto& e : all)
        CHECK(s.run([&]() -> awaitable<stored_event> { co_return co_await eight.find(e.id); }).id ==
              e.id);
    CHECK(es_message([&] { s.all(eight.retrieve_all({}, {.partitions = {4}})); },
                     es_errc::invalid_argument)
              .find("it has 4") != std::string::npos);

    store_config hours = s.cfg;
    hours.bucket = std::chrono::hours(48);
    dynamodb_event_repository reader(*s.c, hours);
    auto message = es_message([&] { s.all(reader.retrieve_all()); }, es_errc::layout_mismatch);
    CHECK(message.find("24-hour buckets") != std::string::npos);
    es_message([&] { persist(s, reader, "y"); }, es_errc::layout_mismatch);
}

TEMPLATE_TEST_CASE("partitions: the first writer records the layout when create_tables did not",
                   "[es]", moto_backend, dynalite_backend) {
    store<TestType> s;
    // As tables made by other means: no meta item.
    delete_item_request del{
        .table_name = s.cfg.events_table,
        .key = {{"pk", attribute_value("$meta")}, {"v", attribute_value(number(0))}}};
    s.run([&]() -> awaitable<void> { co_await s.c->delete_item(del); });
    store_config six = s.cfg;
    six.partitions = 6;
    dynamodb_event_repository writer(*s.c, six);
    CHECK(s.run([&]() -> awaitable<int> { co_return co_await writer.partition_count(); }) == 6);
    CHECK(s.all(writer.retrieve_all()).empty());
    persist(s, writer, "first");
    // A reader configured with 4 reads the 6 recorded.
    dynamodb_event_repository reader(*s.c, s.cfg);
    CHECK(s.run([&]() -> awaitable<int> { co_return co_await reader.partition_count(); }) == 6);
    CHECK(s.all(reader.retrieve_all()).size() == 1);
}

TEMPLATE_TEST_CASE("partitions: settle ends the walk at the bucket of its cut", "[es]",
                   moto_backend, dynalite_backend) {
    store<TestType> s;
    persist(s, *s.events, "a");
    std::atomic<int> queries{0};
    auto config = ddb::test::config_for(ddb::test::local_server::endpoint(TestType::name));
    config.hooks.on_call = [&](const call_metrics& m) {
        if (m.operation == "Query")
            ++queries;
    };
    client counted(s.ioc.get_executor(), config);
    dynamodb_event_repository repo(counted, s.cfg);
    read_options day;
    day.settle = std::chrono::hours(25); // before the first bucket holding events
    CHECK(s.all(repo.retrieve_all({}, day)).empty());
    CHECK(queries == 0);
    CHECK(s.all(repo.retrieve_all()).size() == 1);
    CHECK((queries == 4 || queries == 8)); // 4 partitions of 1 or 2 buckets
}

// ---- The old layout --------------------------------------------------------

namespace {

// An event item of the old layout: g = "<bucket>#<id mod shards>".
item old_item(const std::optional<std::string>& uuid, std::int64_t version, std::int64_t id,
              int shards) {
    const std::int64_t width = std::int64_t{86400} * 1000000 * 1000; // 24 h of ids
    const std::int64_t at = id / 1000;
    return {{"pk", attribute_value(uuid ? *uuid : "$e#" + std::to_string(id))},
            {"v", attribute_value(number(version))},
            {"id", attribute_value(number(id))},
            {"g", attribute_value(std::to_string(id / width) + "#" + std::to_string(id % shards))},
            {"cls", attribute_value(std::string("old_event"))},
            {"ev", attribute_value(number(1))},
            {"p", attribute_value(std::string(R"({"n":)") + std::to_string(version) + "}")},
            {"m", attribute_value(std::string("{}"))},
            {"at", attribute_value(number(at))}};
}

// Writes a store of the old layout with 3 shards: agg-a v1..3, agg-b v1..2,
// one event without an aggregate, at consecutive ids; returns the ids.
template <class S>
std::vector<std::int64_t> write_old_store(S& s) {
    const std::int64_t base = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count() *
                              1000;
    const std::int64_t width = std::int64_t{86400} * 1000000 * 1000;
    struct row {
        std::optional<std::string> uuid;
        std::int64_t version;
    };
    const std::vector<row> rows = {{"agg-a", 1},      {"agg-b", 1}, {"agg-a", 2},
                                   {std::nullopt, 0}, {"agg-b", 2}, {"agg-a", 3}};
    std::vector<std::int64_t> ids;
    s.run([&]() -> awaitable<void> {
        put_item_request meta{.table_name = s.cfg.events_table,
                              .item = {{"pk", attribute_value("$meta")},
                                       {"v", attribute_value(number(0))},
                                       {"fb", attribute_value(number(base / width))},
                                       {"shards", attribute_value(number(3))},
                                       {"bh", attribute_value(number(24))}}};
        co_await s.c->put_item(meta);
        for (std::size_t k = 0; k < rows.size(); ++k) {
            const std::int64_t id = base + static_cast<std::int64_t>(k) * 1000;
            put_item_request put{.table_name = s.cfg.events_table,
                                 .item = old_item(rows[k].uuid, rows[k].version, id, 3)};
            co_await s.c->put_item(put);
            ids.push_back(id);
        }
    });
    return ids;
}

template <class S>
item meta_of(S& s) {
    get_item_request get{
        .table_name = s.cfg.events_table,
        .key = {{"pk", attribute_value("$meta")}, {"v", attribute_value(number(0))}},
        .consistent_read = true};
    return s.run([&]() -> awaitable<item> {
        auto r = co_await s.c->get_item(get);
        co_return r.item.value();
    });
}

} // namespace

TEMPLATE_TEST_CASE("partitions: an old-layout store is refused naming ddb-es migrate, and works "
                   "after migrate_layout",
                   "[es]", moto_backend, dynalite_backend) {
    store<TestType> s;
    const auto ids = write_old_store(s);
    auto& repo = *s.events;

    const std::string message =
        es_message([&] { s.all(repo.retrieve_all()); }, es_errc::old_layout);
    INFO(message);
    CHECK(message.find("ddb-es migrate --events-table " + s.cfg.events_table) != std::string::npos);
    CHECK(message.find("stop every writer") != std::string::npos);
    es_message([&] { s.all(repo.retrieve_all(std::string("agg-a"))); }, es_errc::old_layout);
    es_message(
        [&] { s.run([&]() -> awaitable<stored_event> { co_return co_await repo.find(ids[0]); }); },
        es_errc::old_layout);
    es_message(
        [&] {
            s.run([&]() -> awaitable<std::int64_t> {
                co_return co_await repo.count_all_starting_from(0);
            });
        },
        es_errc::old_layout);
    es_message([&] { persist(s, repo, "new"); }, es_errc::old_layout);
    es_message(
        [&] {
            s.run([&]() -> awaitable<std::int64_t> {
                co_return co_await repo.latest_aggregate_version("agg-a");
            });
        },
        es_errc::old_layout);

    std::vector<migrate_progress> seen;
    migrate_options small_pages;
    small_pages.concurrency = 4;
    std::function<void(const migrate_progress&)> progress = [&](const migrate_progress& p) {
        seen.push_back(p);
    };
    auto r = s.run([&]() -> awaitable<migrate_result> {
        co_return co_await migrate_layout(*s.c, s.cfg, small_pages, progress);
    });
    CHECK(r.migrated);
    CHECK(r.partitions == 3);
    CHECK(r.old_shards == 3);
    CHECK(r.counts.scanned == 7); // 6 events and the meta item
    CHECK(r.counts.rewritten + r.counts.in_place == 6);
    CHECK(r.counts.vanished == 0);
    REQUIRE_FALSE(seen.empty());
    CHECK(seen.back().scanned == 7);
    const item meta = meta_of(s);
    CHECK(meta.at("lv").as_n().as<int>() == 2);
    CHECK(meta.at("partitions").as_n().as<int>() == 3);
    CHECK(meta.count("shards") == 0);

    // The same repository reads now (the refusal was not kept).
    const auto all = s.all(repo.retrieve_all());
    CHECK(ids_of(all) == ids);
    CHECK(s.run([&]() -> awaitable<int> { co_return co_await repo.partition_count(); }) == 3);
    CHECK(s.run([&]() -> awaitable<std::int64_t> {
        co_return co_await repo.count_all_starting_from(0);
    }) == 6);
    for (auto id : ids)
        CHECK(s.run([&]() -> awaitable<stored_event> { co_return co_await repo.find(id); }).id ==
              id);
    const auto a = s.all(repo.retrieve_all(std::string("agg-a")));
    REQUIRE(a.size() == 3);
    CHECK(a[2].aggregate_version == 3);
    std::vector<std::int64_t> together;
    for (int p = 0; p < 3; ++p)
        for (const auto& e : read_partitions(s, {p})) {
            CHECK(index_partition(e, 3) == p);
            together.push_back(e.id);
        }
    std::sort(together.begin(), together.end());
    CHECK(together == ids);
    auto fresh = persist(s, repo, "new");
    CHECK(s.all(repo.retrieve_all()).back().id == fresh.id);

    // Again: nothing to do.
    const migrate_options defaults;
    auto again = s.run([&]() -> awaitable<migrate_result> {
        co_return co_await migrate_layout(*s.c, s.cfg, defaults, progress);
    });
    CHECK_FALSE(again.migrated);
    CHECK(again.partitions == 3);
    migrate_options other;
    other.partitions = 4;
    es_message(
        [&] {
            s.run([&]() -> awaitable<migrate_result> {
                co_return co_await migrate_layout(*s.c, s.cfg, other);
            });
        },
        es_errc::invalid_argument);
}

TEMPLATE_TEST_CASE("partitions: migrate_layout resumes a run cut short, with another partition "
                   "count",
                   "[es]", moto_backend, dynalite_backend) {
    store<TestType> s;
    const auto ids = write_old_store(s);
    // A run cut short: some items rewritten (for 5 partitions), meta still old.
    s.run([&]() -> awaitable<void> {
        update_item_request up{
            .table_name = s.cfg.events_table,
            .key = {{"pk", attribute_value("agg-a")}, {"v", attribute_value(number(1))}}};
        expr::parameters p;
        const std::int64_t width = std::int64_t{86400} * 1000000 * 1000;
        up.update_expression = p.render(expr::update().set(
            expr::path("g"), expr::value(std::to_string(ids[0] / width) + "#" +
                                         std::to_string(index_partition("agg-a", 5)))));
        p.apply_to(up);
        co_await s.c->update_item(up);
    });
    migrate_options five;
    five.partitions = 5;
    auto r = s.run([&]() -> awaitable<migrate_result> {
        co_return co_await migrate_layout(*s.c, s.cfg, five);
    });
    CHECK(r.migrated);
    CHECK(r.partitions == 5);
    CHECK(r.counts.in_place >= 1);
    CHECK(r.counts.rewritten + r.counts.in_place == 6);
    CHECK(ids_of(s.all(s.events->retrieve_all())) == ids);
    for (int p = 0; p < 5; ++p)
        for (const auto& e : read_partitions(s, {p}))
            CHECK(index_partition(e, 5) == p);
}
