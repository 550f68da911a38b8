// Test that header file is self-contained.
#include <ddb/ops/batch.hpp>

#include <ddb/ops/paginator.hpp>

#include "../support/client_setup.hpp"
#include "../support/fault_proxy.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

using namespace ddb;
namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using av = attribute_value;

namespace {

struct fixture {
    explicit fixture(const std::string& backend)
        : proxy(test::local_server::endpoint(backend)) {
        c.emplace(ioc.get_executor(), test::config_for(proxy.endpoint()));
        test::run(ioc, [&]() -> awaitable<void> { co_await test::create_table(*c, table); });
    }
    std::size_t count() {
        std::size_t n = 0;
        test::run(ioc, [&]() -> awaitable<void> {
            scan_request count_all{.table_name = table, .select = select::count};
            auto pages = scan_pages(*c, count_all);
            while (auto p = co_await pages.next())
                n += static_cast<std::size_t>(p->count);
        });
        return n;
    }
    asio::io_context ioc;
    test::fault_proxy proxy;
    std::optional<client> c;
    std::string table = test::unique_table("batch");
};

batch_options fast() {
    batch_options o;
    o.base_delay = std::chrono::milliseconds(1);
    o.max_delay = std::chrono::milliseconds(5);
    o.random = [] { return 0.5; };
    return o;
}

} // namespace

TEST_CASE("batch_write: 1,000 items with forced partial processing are all written", "[batch]") {
    auto backend = GENERATE(as<std::string>{}, "moto", "dynalite");
    INFO(backend);
    fixture f(backend);
    std::vector<write_request> writes;
    for (int i = 0; i < 1000; ++i)
        writes.push_back(write_request::put_item(
            f.table, {{"pk", av("item-" + std::to_string(i))}, {"n", av(number(i))}}));
    // Skip the DescribeTable, then answer 12 batch calls with half unprocessed.
    f.proxy.push({test::fault::forward});
    for (int i = 0; i < 12; ++i)
        f.proxy.push({test::fault::partial_batch});
    auto r = test::run(f.ioc, [&]() -> awaitable<batch_write_result> {
        co_return co_await batch_write(*f.c, writes, fast());
    });
    CHECK(r.ok());
    CHECK(r.written == 1000);
    // 12 calls each sent back 13 of their 25: 1000 + 156 sends, 25 a call.
    CHECK(r.redrives == 12);
    CHECK(r.calls == (1000 + 12 * 13 + 24) / 25);
    CHECK(f.count() == 1000);

    // Deletes re-driven the same way.
    std::vector<write_request> deletes;
    for (int i = 0; i < 100; ++i)
        deletes.push_back(
            write_request::delete_item(f.table, {{"pk", av("item-" + std::to_string(i))}}));
    f.proxy.push({test::fault::forward});
    f.proxy.push({test::fault::partial_batch});
    auto d = test::run(f.ioc, [&]() -> awaitable<batch_write_result> {
        co_return co_await batch_write(*f.c, deletes, fast());
    });
    CHECK(d.ok());
    CHECK(f.count() == 900);
}

TEST_CASE("batch_write: what the deadline cuts off is reported precisely", "[batch]") {
    fixture f("dynalite");
    std::vector<write_request> writes;
    for (int i = 0; i < 30; ++i)
        writes.push_back(write_request::put_item(f.table, {{"pk", av("k" + std::to_string(i))}}));
    f.proxy.push({test::fault::forward});
    f.proxy.push({test::fault::partial_batch}); // first call: 25 sent, 12 written, 13 unprocessed
    auto o = fast();
    o.deadline = std::chrono::milliseconds(0); // no time to re-drive
    auto r = test::run(f.ioc, [&]() -> awaitable<batch_write_result> {
        co_return co_await batch_write(*f.c, writes, o);
    });
    CHECK_FALSE(r.ok());
    CHECK(r.written == 12);
    CHECK(r.failed.size() == 18); // 13 unprocessed + 5 never sent
    CHECK(r.written + r.failed.size() == 30);
    CHECK(f.count() == 12);
    std::size_t unprocessed = 0;
    for (auto& x : r.failed)
        unprocessed += x.reason == "unprocessed at the deadline";
    CHECK(unprocessed == 13);
}

TEST_CASE("batch_write: a random source above 1 cannot stretch the backoff past max_delay",
          "[batch]") {
    fixture f("dynalite");
    std::vector<write_request> writes;
    for (int i = 0; i < 25; ++i)
        writes.push_back(write_request::put_item(f.table, {{"pk", av("r" + std::to_string(i))}}));
    f.proxy.push({test::fault::forward});
    f.proxy.push({test::fault::partial_batch}); // 13 of 25 come back unprocessed
    auto o = fast();
    o.random = [] { return 1e9; }; // unclamped: a wait of 1e9 * base_delay
    o.deadline = std::chrono::seconds(30);
    auto r = test::run(f.ioc, [&]() -> awaitable<batch_write_result> {
        co_return co_await batch_write(*f.c, writes, o);
    });
    CHECK(r.ok()); // the re-drive waited at most max_delay, well inside the deadline
    CHECK(r.written == 25);
    CHECK(r.redrives == 1);
    CHECK(f.count() == 25);
}

TEST_CASE("batch_write and batch_get refuse duplicate keys before sending", "[batch]") {
    fixture f("moto");
    auto before = f.proxy.requests();
    std::vector<write_request> dup{
        write_request::put_item(f.table, {{"pk", av("same")}, {"v", av("1")}}),
        write_request::put_item(f.table, {{"pk", av("same")}, {"v", av("2")}})};
    CHECK_THROWS_AS(
        test::run(f.ioc, [&]() -> awaitable<void> { co_await batch_write(*f.c, dup, fast()); }),
        value_error);
    CHECK(f.proxy.requests() - before == 1); // only the DescribeTable for the key schema
    std::vector<get_request> keys{{f.table, {{"pk", av("a")}}}, {f.table, {{"pk", av("a")}}}};
    before = f.proxy.requests();
    CHECK_THROWS_AS(
        test::run(f.ioc, [&]() -> awaitable<void> { co_await batch_get(*f.c, keys, fast()); }),
        value_error);
    CHECK(f.proxy.requests() == before);
}

TEST_CASE("batch_get: 250 keys with forced partial processing all come back", "[batch]") {
    auto backend = GENERATE(as<std::string>{}, "moto", "dynalite");
    INFO(backend);
    fixture f(backend);
    std::vector<write_request> writes;
    std::vector<get_request> keys;
    for (int i = 0; i < 250; ++i) {
        writes.push_back(write_request::put_item(
            f.table, {{"pk", av("g" + std::to_string(i))}, {"n", av(number(i))}}));
        keys.push_back({f.table, {{"pk", av("g" + std::to_string(i))}}});
    }
    REQUIRE(test::run(f.ioc, [&]() -> awaitable<batch_write_result> {
                co_return co_await batch_write(*f.c, writes, fast());
            }).ok());
    for (int i = 0; i < 4; ++i)
        f.proxy.push({test::fault::partial_batch});
    auto o = fast();
    o.consistent_read = true;
    auto r = test::run(f.ioc, [&]() -> awaitable<batch_get_result> {
        co_return co_await batch_get(*f.c, keys, o);
    });
    CHECK(r.ok());
    CHECK(r.redrives >= 1);
    REQUIRE(r.items[f.table].size() == 250);
    long sum = 0;
    for (auto& it : r.items[f.table])
        sum += it.at("n").as_n().as<long>();
    CHECK(sum == 249 * 250 / 2);
}
