// Test that header file is self-contained.
#include <ddb/ops/paginator.hpp>

#include <ddb/ops/raw.hpp>
#include <ddb/ops/table_waiter.hpp>
#include <ddb/value/expression.hpp>

#include "../support/client_setup.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <set>

using namespace ddb;
namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using av = attribute_value;

namespace {

// A table with hash key pk (S) and range key sk (N), filled with `count`
// items of about `item_bytes` each in partition "p".
struct filled_table {
    std::string name = test::unique_table("pg");
    filled_table(asio::io_context& ioc, client& c, int count, std::size_t item_bytes) {
        test::run(ioc, [&]() -> awaitable<void> {
            json::value create = {
                {"TableName", name},
                {"BillingMode", "PAY_PER_REQUEST"},
                {"AttributeDefinitions",
                 json::array{json::object{{"AttributeName", "pk"}, {"AttributeType", "S"}},
                             json::object{{"AttributeName", "sk"}, {"AttributeType", "N"}}}},
                {"KeySchema",
                 json::array{json::object{{"AttributeName", "pk"}, {"KeyType", "HASH"}},
                             json::object{{"AttributeName", "sk"}, {"KeyType", "RANGE"}}}}};
            co_await c.call("CreateTable", create);
            co_await wait_until_table_active(c, name, std::chrono::seconds(10),
                                             std::chrono::milliseconds(10));
            for (int start = 0; start < count; start += 25) {
                json::array writes;
                for (int i = start; i < std::min(count, start + 25); ++i) {
                    item it{{"pk", av("p")},
                            {"sk", av(number(i))},
                            {"n", av(number(i))},
                            {"pad", av(std::string(item_bytes, 'x'))}};
                    writes.push_back(
                        json::object{{"PutRequest", json::object{{"Item", to_json(it)}}}});
                }
                json::value batch = {{"RequestItems", json::object{{name, writes}}}};
                auto r = co_await c.call("BatchWriteItem", batch);
                REQUIRE(r.at("UnprocessedItems").as_object().empty());
            }
        });
    }
};

// Pages, matches, and pages with matches after an empty one, of a scan
// whose pages had `sizes` items.
struct tally {
    int pages = 0, matches = 0, empty_then_full = 0;
    explicit tally(const std::vector<std::size_t>& sizes) {
        bool seen_empty = false;
        for (auto n : sizes) {
            ++pages;
            matches += static_cast<int>(n);
            if (n == 0)
                seen_empty = true;
            else if (seen_empty)
                ++empty_then_full;
        }
    }
};

} // namespace

TEST_CASE("pagination continues past empty filtered pages", "[paginator]") {
    auto backend = GENERATE(as<std::string>{}, "moto", "dynalite");
    INFO(backend);
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint(backend)));
    filled_table t(ioc, c, 40, 10);
    // The same filtered scan, typed and as DynamoDB JSON.
    scan_request typed{.table_name = t.name, .limit = 4};
    expr::parameters p;
    typed.filter_expression = p.render(expr::path("n") >= expr::value(36));
    p.apply_to(typed);
    json::object scan{{"TableName", t.name}, {"Limit", 4}};
    expr::parameters q;
    scan["FilterExpression"] = q.render(expr::path("n") >= expr::value(36));
    q.apply_to(scan);
    std::vector<std::size_t> typed_sizes, raw_sizes;
    test::run(ioc, [&]() -> awaitable<void> {
        auto gen = scan_pages(c, typed);
        while (auto page = co_await gen.next())
            typed_sizes.push_back(page->items.size());
        auto raw_gen = raw::scan_pages(c, scan);
        while (auto page = co_await raw_gen.next())
            raw_sizes.push_back(page->at("Items").as_array().size());
    });
    for (auto& sizes : {typed_sizes, raw_sizes}) {
        tally pages(sizes);
        CHECK(pages.pages >= 10);
        CHECK(pages.matches == 4);
        CHECK(pages.empty_then_full >= 1); // the PHP original stopped at the first empty page
    }
    // The item generators give the same matches.
    std::set<int> found, raw_found;
    test::run(ioc, [&]() -> awaitable<void> {
        auto items = scan_items(c, typed);
        while (auto it = co_await items.next())
            found.insert(it->at("n").as_n().as<int>());
        auto raw_items = raw::scan_items(c, scan);
        while (auto it = co_await raw_items.next())
            raw_found.insert(it->at("n").as_n().as<int>());
    });
    CHECK(found == std::set<int>{36, 37, 38, 39});
    CHECK(raw_found == found);
}

TEST_CASE("a Query over more than 1 MB comes in several pages, in key order", "[paginator]") {
    auto backend = GENERATE(as<std::string>{}, "moto", "dynalite");
    INFO(backend);
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint(backend)));
    filled_table t(ioc, c, 150, 9000); // ~1.35 MB
    query_request typed{.table_name = t.name, .consistent_read = true};
    expr::parameters p;
    typed.key_condition_expression = p.render(expr::path("pk") == expr::value("p"));
    p.apply_to(typed);
    json::object query{{"TableName", t.name}, {"ConsistentRead", true}};
    expr::parameters q;
    query["KeyConditionExpression"] = q.render(expr::path("pk") == expr::value("p"));
    q.apply_to(query);
    int pages = 0, raw_pages = 0;
    test::run(ioc, [&]() -> awaitable<void> {
        auto gen = query_pages(c, typed, 2);
        while (auto page = co_await gen.next())
            ++pages;
        auto raw_gen = raw::query_pages(c, query, 2);
        while (auto page = co_await raw_gen.next())
            ++raw_pages;
    });
    CHECK(raw_pages == pages);
    if (backend == "dynalite")
        CHECK(pages >= 2); // dynalite applies the 1 MB page limit
    std::vector<int> keys, raw_keys;
    test::run(ioc, [&]() -> awaitable<void> {
        auto items = query_items(c, typed, 2);
        while (auto it = co_await items.next())
            keys.push_back(it->at("sk").as_n().as<int>());
        auto raw_items = raw::query_items(c, query, 2);
        while (auto it = co_await raw_items.next())
            raw_keys.push_back(it->at("sk").as_n().as<int>());
    });
    REQUIRE(keys.size() == 150);
    for (int i = 0; i < 150; ++i)
        CHECK(keys[static_cast<std::size_t>(i)] == i);
    CHECK(raw_keys == keys);

    // Parallel scan, 4 segments merged: every item once.
    std::multiset<int> scanned, raw_scanned;
    test::run(ioc, [&]() -> awaitable<void> {
        scan_request scan{.table_name = t.name};
        auto gen = parallel_scan_pages(c, scan, 4);
        while (auto page = co_await gen.next())
            for (auto& it : page->items)
                scanned.insert(it.at("sk").as_n().as<int>());
        json::object raw_scan{{"TableName", t.name}};
        auto raw_gen = raw::parallel_scan_pages(c, raw_scan, 4);
        while (auto page = co_await raw_gen.next())
            for (auto& v : page->at("Items").as_array())
                raw_scanned.insert(item_from_json(v).at("sk").as_n().as<int>());
    });
    CHECK(scanned.size() == 150);
    CHECK(std::set<int>(scanned.begin(), scanned.end()).size() == 150);
    CHECK(raw_scanned == scanned);
}

TEST_CASE("abandoning a generator midway stops its producer and leaks nothing", "[paginator]") {
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint("dynalite")));
    filled_table t(ioc, c, 60, 20000); // several pages
    scan_request typed{.table_name = t.name, .limit = 5};
    json::object scan{{"TableName", t.name}, {"Limit", 5}};
    for (bool raw_form : {false, true}) {
        INFO("raw: " << raw_form);
        auto before = c.pool_stats().requests;
        test::run(ioc, [&]() -> awaitable<void> {
            auto items = raw_form ? raw::scan_items(c, scan, 3) : scan_items(c, typed, 3);
            auto first = co_await items.next();
            REQUIRE(first);
            // `items` goes out of scope here with requests prefetched or in flight.
        });
        // run() returned: no producer is left waiting. Few requests went out.
        auto used = c.pool_stats().requests - before;
        CHECK(used >= 1);
        CHECK(used <= 6);
    }
    // The client is fine afterwards.
    int names = 0, raw_names = 0;
    test::run(ioc, [&]() -> awaitable<void> {
        list_tables_request one_per_page{.limit = 1};
        auto gen = table_names(c, one_per_page);
        while (auto n = co_await gen.next())
            ++names;
        auto raw_gen = raw::table_names(c, json::object{{"Limit", 1}});
        while (auto n = co_await raw_gen.next())
            ++raw_names;
    });
    CHECK(names >= 1);
    CHECK(raw_names >= 1);
}

TEST_CASE("an error ends the generator after the pages before it", "[paginator]") {
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint("moto")));
    std::string missing = "no-such-table-" + test::unique_table();
    scan_request typed{.table_name = missing};
    CHECK_THROWS_AS(test::run(ioc,
                              [&]() -> awaitable<void> {
                                  auto gen = scan_pages(c, typed);
                                  while (co_await gen.next()) {
                                  }
                              }),
                    resource_not_found);
    json::object scan{{"TableName", missing}};
    CHECK_THROWS_AS(test::run(ioc,
                              [&]() -> awaitable<void> {
                                  auto gen = raw::scan_pages(c, scan);
                                  while (co_await gen.next()) {
                                  }
                              }),
                    resource_not_found);
}
