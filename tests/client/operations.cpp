// The typed operations of ddb::client against moto and dynalite.
#include <ddb/client/client.hpp>

#include <ddb/ops/paginator.hpp>
#include <ddb/ops/table_waiter.hpp>
#include <ddb/value/expression.hpp>

#include "../support/client_setup.hpp"
#include "../support/fault_proxy.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

using namespace ddb;
using namespace ddb::expr;
namespace asio = boost::asio;
using asio::awaitable;
using av = attribute_value;

// GCC 12 destroys an aggregate temporary built inside a co_await operand
// twice (`co_await c.get_item({...})`): requests are named variables here,
// as the headers advise.

namespace {

const std::string big = "12345678901234567890123456789012345678"; // 38 digits

// pk (S) + sk (N), a GSI on g (S) and an LSI on l (S) of the same partition.
create_table_request events_table(const std::string& name) {
    create_table_request r;
    r.table_name = name;
    r.attribute_definitions = {{"pk", scalar_attribute_type::s},
                               {"sk", scalar_attribute_type::n},
                               {"g", scalar_attribute_type::s},
                               {"l", scalar_attribute_type::s}};
    r.key_schema = {{"pk", key_type::hash}, {"sk", key_type::range}};
    r.global_secondary_indexes = {
        {"by-g", {{"g", key_type::hash}, {"sk", key_type::range}}, {projection_type::all, {}}, {}}};
    r.local_secondary_indexes = {{"by-l",
                                  {{"pk", key_type::hash}, {"l", key_type::range}},
                                  {projection_type::include, {"size"}}}};
    r.billing_mode = billing_mode::pay_per_request;
    r.tags = {{"team", "ddb"}};
    return r;
}

item event(const std::string& pk, int sk) {
    return {{"pk", av(pk)},
            {"sk", av(number(sk))},
            {"g", av("group-" + std::to_string(sk % 2))},
            {"l", av("l-" + std::to_string(100 - sk))},
            {"size", av(number(sk * 10))}};
}

} // namespace

TEST_CASE("typed operations: tables, items, queries and batches", "[operations]") {
    auto backend = GENERATE(as<std::string>{}, "moto", "dynalite");
    INFO(backend);
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint(backend)));
    const auto table = test::unique_table("ops");

    // CreateTable with a GSI, an LSI, on-demand billing and a tag.
    auto created = test::run(ioc, [&]() -> awaitable<create_table_response> {
        auto req = events_table(table);
        auto r = co_await c.create_table(req);
        co_await wait_until_table_active(c, table, std::chrono::seconds(10),
                                         std::chrono::milliseconds(10));
        co_return r;
    });
    CHECK(created.table_description.table_name == table);

    auto described = test::run(ioc, [&]() -> awaitable<describe_table_response> {
                         co_return co_await c.describe_table(table);
                     }).table;
    CHECK(described.table_name == table);
    CHECK(described.table_status == table_status::active);
    REQUIRE(described.key_schema.size() == 2);
    CHECK(described.key_schema[0].attribute_name == "pk");
    CHECK(described.key_schema[0].key_type == key_type::hash);
    CHECK(described.key_schema[1].key_type == key_type::range);
    REQUIRE(described.global_secondary_indexes.size() == 1);
    CHECK(described.global_secondary_indexes[0].index_name == "by-g");
    REQUIRE(described.local_secondary_indexes.size() == 1);
    CHECK(described.local_secondary_indexes[0].index_name == "by-l");
    REQUIRE(described.billing_mode_summary);
    CHECK(described.billing_mode_summary->billing_mode == billing_mode::pay_per_request);
    CHECK(described.item_count.value_or(-1) == 0);

    // ListTables, one page and through the typed generator.
    auto names = test::run(ioc, [&]() -> awaitable<std::vector<std::string>> {
        std::vector<std::string> out;
        auto gen = table_names(c, list_tables_request{{}, 1});
        while (auto n = co_await gen.next())
            out.push_back(*n);
        co_return out;
    });
    CHECK(std::count(names.begin(), names.end(), table) == 1);

    // PutItem: conditional, with unicode, binary and a 38-digit number, and
    // attribute names that are reserved words.
    item first = event("p", 1);
    first["name"] = av("Zoë ✓ 𝄞");
    first["data"] = av::b(bytes{0, 1, 2, 255});
    first["count"] = av(number(big));
    auto put_new = [&](item it) {
        return test::run(ioc, [&]() -> awaitable<put_item_response> {
            parameters p;
            put_item_request req{.table_name = table, .item = it};
            req.condition_expression = p.render(attribute_not_exists(path("pk")));
            req.return_values_on_condition_check_failure =
                return_values_on_condition_check_failure::all_old;
            p.apply_to(req);
            co_return co_await c.put_item(req);
        });
    };
    CHECK_FALSE(put_new(first).attributes);
    CHECK_THROWS_AS(put_new(first), conditional_check_failed);
    for (int i = 2; i <= 30; ++i)
        put_new(event("p", i));

    // PutItem returning the old item.
    auto replaced = test::run(ioc, [&]() -> awaitable<put_item_response> {
        put_item_request req{.table_name = table, .item = event("p", 30)};
        req.return_values = return_values::all_old;
        req.return_consumed_capacity = return_consumed_capacity::total;
        co_return co_await c.put_item(req);
    });
    REQUIRE(replaced.attributes);
    CHECK(replaced.attributes->at("size").as_n() == number(300));

    // GetItem: found (every value back exactly), projected, not found.
    item key1{{"pk", av("p")}, {"sk", av(number(1))}};
    auto got = test::run(ioc, [&]() -> awaitable<get_item_response> {
        get_item_request req{.table_name = table, .key = key1, .consistent_read = true};
        co_return co_await c.get_item(req);
    });
    REQUIRE(got.item);
    CHECK(*got.item == first);
    auto projected = test::run(ioc, [&]() -> awaitable<get_item_response> {
        get_item_request req{.table_name = table, .key = key1};
        parameters p;
        req.projection_expression = p.render(expr::projection{path("count"), path("name")});
        p.apply_to(req);
        co_return co_await c.get_item(req);
    });
    REQUIRE(projected.item);
    CHECK(projected.item->size() == 2);
    CHECK(projected.item->at("count").as_n().str() == big);
    auto missing = test::run(ioc, [&]() -> awaitable<get_item_response> {
        item nope{{"pk", av("nope")}, {"sk", av(number(1))}};
        get_item_request req{.table_name = table, .key = nope};
        co_return co_await c.get_item(req);
    });
    CHECK_FALSE(missing.item);

    // UpdateItem with the builder, returning the new item.
    auto updated = test::run(ioc, [&]() -> awaitable<update_item_response> {
        update_item_request req{.table_name = table, .key = key1};
        parameters p;
        req.update_expression = p.render(update().set(path("size"), path("size") + value(5)));
        req.condition_expression = p.render(path("count") == value(number(big)));
        req.return_values = return_values::all_new;
        p.apply_to(req);
        co_return co_await c.update_item(req);
    });
    REQUIRE(updated.attributes);
    CHECK(updated.attributes->at("size").as_n() == number(15));

    // Query: key condition, descending, small pages, through the generator.
    auto desc = test::run(ioc, [&]() -> awaitable<std::vector<std::int64_t>> {
        query_request req{.table_name = table, .limit = 7, .scan_index_forward = false};
        parameters p;
        req.key_condition_expression =
            p.render(path("pk") == value("p") && path("sk") > value(number(10)));
        p.apply_to(req);
        std::vector<std::int64_t> sks;
        int pages = 0;
        auto gen = query_pages(c, req);
        while (auto page = co_await gen.next()) {
            ++pages;
            for (auto& it : page->items)
                sks.push_back(it.at("sk").as_n().as<std::int64_t>());
        }
        CHECK(pages >= 3);
        co_return sks;
    });
    REQUIRE(desc.size() == 20);
    CHECK(desc.front() == 30);
    CHECK(desc.back() == 11);
    CHECK(std::is_sorted(desc.rbegin(), desc.rend()));

    // Query COUNT, on the GSI and on the LSI.
    auto count = test::run(ioc, [&]() -> awaitable<query_response> {
        query_request req{.table_name = table, .select = select::count};
        parameters p;
        req.key_condition_expression = p.render(path("pk") == value("p"));
        p.apply_to(req);
        co_return co_await c.query(req);
    });
    CHECK(count.count == 30);
    CHECK(count.items.empty());
    auto on_gsi = test::run(ioc, [&]() -> awaitable<std::size_t> {
        query_request req{.table_name = table, .index_name = "by-g"};
        parameters p;
        req.key_condition_expression = p.render(path("g") == value("group-0"));
        p.apply_to(req);
        std::size_t n = 0;
        auto gen = query_items(c, req);
        while (auto it = co_await gen.next()) {
            CHECK(it->at("g").as_s() == "group-0");
            ++n;
        }
        co_return n;
    });
    CHECK(on_gsi == 15);
    auto on_lsi = test::run(ioc, [&]() -> awaitable<query_response> {
        query_request req{.table_name = table, .index_name = "by-l", .limit = 1};
        parameters p;
        req.key_condition_expression = p.render(path("pk") == value("p"));
        p.apply_to(req);
        co_return co_await c.query(req);
    });
    REQUIRE(on_lsi.items.size() == 1);
    CHECK(on_lsi.items[0].at("l").as_s() == "l-70"); // smallest l: sk 30
    CHECK_FALSE(on_lsi.last_evaluated_key.empty());

    // Scan with a filter, and a parallel scan of 3 segments.
    auto filtered = test::run(ioc, [&]() -> awaitable<std::size_t> {
        scan_request req{.table_name = table, .limit = 4};
        parameters p;
        req.filter_expression = p.render(path("size") >= value(number(200)));
        p.apply_to(req);
        std::size_t n = 0;
        auto gen = scan_items(c, req);
        while (co_await gen.next())
            ++n;
        co_return n;
    });
    CHECK(filtered == 11); // sk 20..30
    auto parallel = test::run(ioc, [&]() -> awaitable<std::set<std::int64_t>> {
        std::set<std::int64_t> sks;
        auto gen = parallel_scan_pages(c, scan_request{.table_name = table}, 3);
        while (auto page = co_await gen.next())
            for (auto& it : page->items)
                sks.insert(it.at("sk").as_n().as<std::int64_t>());
        co_return sks;
    });
    CHECK(parallel.size() == 30);

    // BatchWriteItem and BatchGetItem as single calls.
    auto written = test::run(ioc, [&]() -> awaitable<batch_write_item_response> {
        batch_write_item_request req;
        auto& writes = req.request_items[table];
        for (int i = 31; i <= 40; ++i)
            writes.push_back({put_request{event("q", i)}, {}});
        writes.push_back({{}, delete_request{key1}});
        co_return co_await c.batch_write_item(req);
    });
    CHECK(written.unprocessed_items.empty());
    auto read = test::run(ioc, [&]() -> awaitable<batch_get_item_response> {
        batch_get_item_request req;
        auto& keys = req.request_items[table];
        for (int i = 31; i <= 40; ++i)
            keys.keys.push_back({{"pk", av("q")}, {"sk", av(number(i))}});
        keys.keys.push_back(key1); // deleted just now
        keys.consistent_read = true;
        co_return co_await c.batch_get_item(req);
    });
    CHECK(read.unprocessed_keys.empty());
    REQUIRE(read.responses.count(table) == 1);
    CHECK(read.responses.at(table).size() == 10);

    // DeleteItem returning the old item, then again (nothing there).
    item key31{{"pk", av("q")}, {"sk", av(number(31))}};
    auto deleted = test::run(ioc, [&]() -> awaitable<delete_item_response> {
        delete_item_request req{
            .table_name = table, .key = key31, .return_values = return_values::all_old};
        co_return co_await c.delete_item(req);
    });
    REQUIRE(deleted.attributes);
    CHECK(deleted.attributes->at("size").as_n() == number(310));
    auto deleted_again = test::run(ioc, [&]() -> awaitable<delete_item_response> {
        delete_item_request req{
            .table_name = table, .key = key31, .return_values = return_values::all_old};
        co_return co_await c.delete_item(req);
    });
    CHECK_FALSE(deleted_again.attributes);

    // UpdateTable: on-demand to provisioned.
    auto changed = test::run(ioc, [&]() -> awaitable<table_description> {
        update_table_request req{.table_name = table,
                                 .billing_mode = billing_mode::provisioned,
                                 .provisioned_throughput = provisioned_throughput{5, 7}};
        // Provisioned tables need capacity on every GSI too.
        global_secondary_index_update gsi;
        gsi.update = update_global_secondary_index_action{"by-g", {5, 7}};
        req.global_secondary_index_updates.push_back(gsi);
        co_await c.update_table(req);
        co_await wait_until_table_active(c, table, std::chrono::seconds(10),
                                         std::chrono::milliseconds(10));
        co_return (co_await c.describe_table(table)).table;
    });
    REQUIRE(changed.provisioned_throughput);
    CHECK(changed.provisioned_throughput->read_capacity_units == 5);
    CHECK(changed.provisioned_throughput->write_capacity_units == 7);

    // DeleteTable, then the table is gone: typed resource_not_found.
    auto dropped = test::run(ioc, [&]() -> awaitable<delete_table_response> {
        auto r = co_await c.delete_table(table);
        co_await wait_until_table_gone(c, table, std::chrono::seconds(10),
                                       std::chrono::milliseconds(10));
        co_return r;
    });
    CHECK(dropped.table_description.table_name == table);
    CHECK_THROWS_AS(test::run(ioc, [&]() -> awaitable<void> { co_await c.describe_table(table); }),
                    resource_not_found);
}

TEST_CASE("typed transactions and time to live (moto)", "[operations]") {
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint("moto")));
    const auto table = test::unique_table("optx");
    test::run(ioc, [&]() -> awaitable<void> { co_await test::create_table(c, table); });

    auto write = [&](transact_write_items_request req) {
        return test::run(ioc, [&]() -> awaitable<transact_write_items_response> {
            co_return co_await c.transact_write_items(req);
        });
    };
    auto put_if_new = [&](const std::string& pk, int v) {
        transact_write_item a;
        a.put = transact_put{.table_name = table, .item = {{"pk", av(pk)}, {"v", av(number(v))}}};
        parameters p;
        a.put->condition_expression = p.render(attribute_not_exists(path("pk")));
        a.put->return_values_on_condition_check_failure =
            return_values_on_condition_check_failure::all_old;
        p.apply_to(*a.put);
        return a;
    };

    write({.transact_items = {put_if_new("a", 1), put_if_new("b", 2)}});

    // Every action kind in one transaction.
    {
        transact_write_items_request req;
        transact_write_item upd;
        upd.update = transact_update{.table_name = table, .key = {{"pk", av("a")}}};
        parameters p;
        upd.update->update_expression = p.render(update().set(path("v"), path("v") + value(10)));
        p.apply_to(*upd.update);
        transact_write_item del;
        del.delete_ = transact_delete{.table_name = table, .key = {{"pk", av("b")}}};
        transact_write_item check;
        parameters q;
        check.condition_check =
            condition_check{.table_name = table,
                            .key = {{"pk", av("a")}},
                            .condition_expression = q.render(attribute_exists(path("pk")))};
        q.apply_to(*check.condition_check);
        req.transact_items = {upd, del, put_if_new("c", 3)};
        write(req);
        // A condition check on another item of the same transaction is refused
        // by DynamoDB; check it alone.
        write({.transact_items = {check}, .client_request_token = "my-token-1"});
    }

    auto got = test::run(ioc, [&]() -> awaitable<transact_get_items_response> {
        transact_get_items_request req;
        for (const char* pk : {"a", "b", "c"})
            req.transact_items.push_back({transact_get{table, {{"pk", av(pk)}}}});
        co_return co_await c.transact_get_items(req);
    });
    REQUIRE(got.responses.size() == 3);
    REQUIRE(got.responses[0].item);
    CHECK(got.responses[0].item->at("v").as_n() == number(11));
    CHECK_FALSE(got.responses[1].item); // deleted
    REQUIRE(got.responses[2].item);
    CHECK(got.responses[2].item->at("v").as_n() == number(3));

    // A failing condition: nothing written, one reason per action, with the
    // conflicting item.
    try {
        write({.transact_items = {put_if_new("d", 4), put_if_new("a", 5)}});
        FAIL("no TransactionCanceled");
    } catch (const transaction_canceled& e) {
        REQUIRE(e.reasons().size() == 2);
        CHECK(e.reasons()[0].code == "None");
        CHECK(e.reasons()[1].code == "ConditionalCheckFailed");
        REQUIRE(e.reasons()[1].item);
        CHECK(*e.reasons()[1].item == item{{"pk", av("a")}, {"v", av(number(11))}});
    }
    item key_d{{"pk", av("d")}};
    auto d = test::run(ioc, [&]() -> awaitable<get_item_response> {
        get_item_request req{.table_name = table, .key = key_d};
        co_return co_await c.get_item(req);
    });
    CHECK_FALSE(d.item);

    // Bad transactions are refused before sending.
    CHECK_THROWS_AS(write({}), value_error);
    CHECK_THROWS_AS(
        write({.transact_items = std::vector<transact_write_item>(101, put_if_new("x", 1))}),
        value_error);
    CHECK_THROWS_AS(write({.transact_items = {transact_write_item{}}}), value_error);

    // TTL: enable, then describe.
    auto ttl = test::run(ioc, [&]() -> awaitable<describe_time_to_live_response> {
        update_time_to_live_request req{table, {true, "expires"}};
        auto r = co_await c.update_time_to_live(req);
        CHECK(r.time_to_live_specification.enabled);
        CHECK(r.time_to_live_specification.attribute_name == "expires");
        co_return co_await c.describe_time_to_live(table);
    });
    REQUIRE(ttl.time_to_live_description);
    CHECK(ttl.time_to_live_description->attribute_name == "expires");
    CHECK((ttl.time_to_live_description->time_to_live_status == time_to_live_status::enabled ||
           ttl.time_to_live_description->time_to_live_status == time_to_live_status::enabling));
}

TEST_CASE("a 200 answer without a required field is a typed error naming it", "[operations]") {
    asio::io_context ioc;
    test::fault_proxy proxy(test::local_server::endpoint("dynalite"));
    client c(ioc.get_executor(), test::config_for(proxy.endpoint()));
    auto describe = [&] {
        test::run(ioc, [&]() -> awaitable<void> { co_await c.describe_table("whatever"); });
    };
    auto message_of = [&](std::string body) -> std::string {
        proxy.push({test::fault::respond, 200, std::move(body), {}});
        try {
            describe();
        } catch (const malformed_response& e) {
            CHECK(e.kind() == service_errc::malformed_response);
            CHECK(e.operation() == "DescribeTable");
            return e.message();
        }
        return "no error";
    };
    CHECK(message_of(R"({"Table":{"TableName":"t"}})") ==
          "DescribeTable answer: Table.TableStatus: missing");
    CHECK(message_of(R"({})") == "DescribeTable answer: Table: missing");
    CHECK(message_of(R"({"Table":{"TableName":"t","TableStatus":"ACTIVE",)"
                     R"("KeySchema":[{"AttributeName":"pk","KeyType":7}]}})") ==
          "DescribeTable answer: Table.KeySchema[0].KeyType: not a string");
    // Unknown fields are ignored, unknown enumeration values kept as unknown.
    proxy.push({test::fault::respond,
                200,
                R"({"Table":{"TableName":"t","TableStatus":"HIBERNATING","Shiny":[1,2]}})",
                {}});
    auto d = test::run(ioc, [&]() -> awaitable<describe_table_response> {
        co_return co_await c.describe_table("whatever");
    });
    CHECK(d.table.table_status == table_status::unknown);
}
