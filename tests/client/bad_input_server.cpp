// Bad input against moto and dynalite (and, for broken answers, the fault
// proxy in front of them): each case asserts the exact typed error (class
// and code) and, reading back from the server, that nothing was written.
// docs/errors.md lists them.
#include <ddb/client/client.hpp>
#include <ddb/ops/batch.hpp>
#include <ddb/ops/raw.hpp>
#include <ddb/ops/transaction.hpp>
#include <ddb/sigv4/error.hpp>

#include "../support/client_setup.hpp"
#include "../support/fault_proxy.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace ddb;
namespace asio = boost::asio;
using asio::awaitable;
using av = attribute_value;

// GCC 12 destroys an aggregate temporary built inside a co_await operand
// twice: requests are named variables here.

namespace {

const char* const kinds[] = {"moto", "dynalite"};

// The code of the `E` that `f` throws (run on `ioc`); fails the test for
// anything else.
template <class E, class F>
error_code code_of(asio::io_context& ioc, F&& make, std::string* what = nullptr) {
    try {
        test::run(ioc, std::forward<F>(make));
    } catch (const E& e) {
        if (what)
            *what = e.what();
        return e.code();
    } catch (const std::exception& e) {
        FAIL("another exception: " << e.what());
    }
    FAIL("no exception");
    return {};
}

// A client of `kind`'s server with a fresh table (string hash key `pk`).
struct fixture {
    asio::io_context ioc;
    std::string endpoint;
    client c;
    std::string table = test::unique_table("bad");

    explicit fixture(const std::string& kind, client_config cfg = {})
        : endpoint(test::local_server::endpoint(kind))
        , c(ioc.get_executor(), configured(endpoint, std::move(cfg))) {
        test::run(ioc, [&] { return test::create_table(c, table); });
    }
    ~fixture() {
        try {
            test::run(ioc, [&]() -> awaitable<void> { co_await c.delete_table(table); });
        } catch (...) {
        }
    }

    static client_config configured(const std::string& endpoint, client_config extra) {
        client_config cfg = test::config_for(endpoint);
        cfg.pool = extra.pool;
        return cfg;
    }

    // Every item of the table, read back from the server itself.
    std::vector<item> items() {
        return test::run(ioc, [&]() -> awaitable<std::vector<item>> {
            scan_request r;
            r.table_name = table;
            r.consistent_read = true;
            auto page = co_await c.scan(r);
            co_return page.items;
        });
    }
};

put_item_request put_of(const std::string& table, item it) {
    put_item_request r;
    r.table_name = table;
    r.item = std::move(it);
    return r;
}

transact_write_item put_action(const std::string& table, item it) {
    transact_write_item a;
    a.put.emplace();
    a.put->table_name = table;
    a.put->item = std::move(it);
    return a;
}

std::string nested_map_json(unsigned levels) {
    std::string s;
    for (unsigned i = 0; i < levels; ++i)
        s += R"({"M":{"a":)";
    s += R"({"S":"x"})";
    for (unsigned i = 0; i < levels; ++i)
        s += "}}";
    return s;
}

} // namespace

// ---- Values and items ---------------------------------------------------

TEST_CASE("bad input: an oversized item is refused by the server, nothing stored", "[bad_input]") {
    for (const char* kind : kinds) {
        INFO(kind);
        fixture f(kind);
        item it{{"pk", av("big")}, {"data", av(std::string(max_item_size, 'x'))}};
        REQUIRE(item_size(it) > max_item_size);
        auto put = put_of(f.table, it);
        std::string what;
        CHECK(code_of<validation_error>(
                  f.ioc, [&]() -> awaitable<void> { co_await f.c.put_item(put); }, &what) ==
              service_errc::validation);
        CHECK_THAT(what, Catch::Contains("size", Catch::CaseSensitive::No));
        CHECK(f.items().empty());
    }
}

TEST_CASE("bad input: empty key attributes are refused by the server, nothing stored",
          "[bad_input]") {
    for (const char* kind : kinds) {
        INFO(kind);
        fixture f(kind);
        auto put = put_of(f.table, {{"pk", av("")}, {"v", av("x")}});
        CHECK(code_of<validation_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await f.c.put_item(put);
              }) == service_errc::validation);
        get_item_request get;
        get.table_name = f.table;
        get.key = {{"pk", av("")}};
        CHECK(code_of<validation_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await f.c.get_item(get);
              }) == service_errc::validation);
        CHECK(f.items().empty());
        // An empty string that is not a key attribute is a valid value.
        auto ok = put_of(f.table, {{"pk", av("k")}, {"v", av("")}});
        test::run(f.ioc, [&]() -> awaitable<void> { co_await f.c.put_item(ok); });
        CHECK(f.items().size() == 1);
    }
}

TEST_CASE("bad input: strings that are not UTF-8 are refused before sending", "[bad_input]") {
    fixture f("moto");
    const std::string bad[] = {"a\xff", "\xc3", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80"};
    for (const auto& s : bad) {
        INFO(s.size());
        // In a value, a set member, a key, an attribute name, a raw call.
        std::vector<put_item_request> puts{
            put_of(f.table, {{"pk", av("k")}, {"v", av(s)}}),
            put_of(f.table, {{"pk", av("k")}, {"v", av::ss({"ok", s})}}),
            put_of(f.table, {{"pk", av(s)}}), put_of(f.table, {{"pk", av("k")}, {s, av("v")}}),
            put_of(f.table, {{"pk", av("k")}, {"m", av::m({{"n", av::l({av(s)})}})}})};
        for (auto& put : puts) {
            std::string what;
            CHECK(code_of<value_error>(
                      f.ioc, [&]() -> awaitable<void> { co_await f.c.put_item(put); }, &what) ==
                  value_errc::invalid_utf8);
            CHECK_THAT(what, Catch::StartsWith("PutItem request"));
        }
        update_item_request up;
        up.table_name = f.table;
        up.key = {{"pk", av("k")}};
        up.update_expression = "SET v = :v";
        up.expression_attribute_values = {{":v", av(s)}};
        CHECK(code_of<value_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await f.c.update_item(up);
              }) == value_errc::invalid_utf8);
        boost::json::value raw = {{"TableName", f.table},
                                  {"Item", {{"pk", {{"S", "k"}}}, {"v", {{"S", s}}}}}};
        CHECK(code_of<value_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await f.c.call("PutItem", raw);
              }) == value_errc::invalid_utf8);
    }
    CHECK(f.items().empty());
    // Valid multi-byte UTF-8 goes through unchanged.
    auto ok = put_of(f.table, {{"pk", av("k")}, {"v", av("é中😀")}});
    test::run(f.ioc, [&]() -> awaitable<void> { co_await f.c.put_item(ok); });
    auto back = f.items();
    REQUIRE(back.size() == 1);
    CHECK(back[0].at("v").as_s() == "é中😀");
}

// ---- Requests -----------------------------------------------------------

TEST_CASE("bad input: invalid table names, CR/LF included, are refused before sending",
          "[bad_input]") {
    fixture f("moto");
    const std::string bad[] = {"",
                               "ab",
                               std::string(256, 't'),
                               "has space",
                               "t\r\nx-amz-target: DynamoDB_20120810.DeleteTable",
                               "line\nfeed",
                               "t\xc3\xa4st",
                               "a/b",
                               "arn:aws:dynamodb:us-east-1:123456789012:table/x y",
                               "arn:aws:dynamodb:us-east-1:123456789012:stream/t"};
    for (const auto& name : bad) {
        INFO(name);
        auto put = put_of(name, {{"pk", av("k")}});
        CHECK(code_of<value_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await f.c.put_item(put);
              }) == value_errc::invalid_table_name);
        get_item_request get;
        get.table_name = name;
        get.key = {{"pk", av("k")}};
        CHECK(code_of<value_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await f.c.get_item(get);
              }) == value_errc::invalid_table_name);
        batch_write_item_request bw;
        bw.request_items[name].push_back({put_request{{{"pk", av("k")}}}, {}});
        CHECK(code_of<value_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await f.c.batch_write_item(bw);
              }) == value_errc::invalid_table_name);
        // One bad table name among a transaction's actions refuses all of it.
        transact_write_items_request tx;
        tx.transact_items.push_back(put_action(f.table, {{"pk", av("k")}}));
        tx.transact_items.push_back(put_action(name, {{"pk", av("k")}}));
        CHECK(code_of<value_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await f.c.transact_write_items(tx);
              }) == value_errc::invalid_table_name);
        create_table_request ct;
        ct.table_name = name;
        ct.attribute_definitions = {{"pk", scalar_attribute_type::s}};
        ct.key_schema = {{"pk", key_type::hash}};
        ct.billing_mode = billing_mode::pay_per_request;
        std::string what;
        CHECK(code_of<value_error>(
                  f.ioc, [&]() -> awaitable<void> { co_await f.c.create_table(ct); }, &what) ==
              value_errc::invalid_table_name);
        // The message shows no raw control character.
        CHECK(what.find_first_of("\r\n") == std::string::npos);
    }
    CHECK(f.items().empty());
    // Nothing was created either.
    auto names = test::run(f.ioc, [&]() -> awaitable<std::vector<std::string>> {
        list_tables_request r;
        r.limit = 100;
        auto page = co_await f.c.list_tables(r);
        co_return page.table_names;
    });
    for (const auto& n : names)
        CHECK(n.find_first_of(" \r\n/") == std::string::npos);
}

// ---- Transactions and batches -------------------------------------------

TEST_CASE("bad input: transactions over 100 actions or 4 MB are refused before sending",
          "[bad_input]") {
    // Refused client-side, so dynalite (without transactions) proves it too.
    for (const char* kind : kinds) {
        INFO(kind);
        fixture f(kind);
        transact_write_items_request many;
        for (int i = 0; i < 101; ++i)
            many.transact_items.push_back(
                put_action(f.table, {{"pk", av("k" + std::to_string(i))}}));
        CHECK(code_of<value_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await f.c.transact_write_items(many);
              }) == value_errc::request_too_large);
        transact_write_items_request none;
        CHECK(code_of<value_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await f.c.transact_write_items(none);
              }) == value_errc::request_too_large);
        // 11 items of 390,000 bytes: 4.29 MB, over 4 MB (4,194,304).
        transact_write_items_request big;
        for (int i = 0; i < 11; ++i)
            big.transact_items.push_back(
                put_action(f.table, {{"pk", av("b" + std::to_string(i))},
                                     {"d", av(std::string(390'000, 'x'))}}));
        std::string what;
        CHECK(code_of<value_error>(
                  f.ioc, [&]() -> awaitable<void> { co_await f.c.transact_write_items(big); },
                  &what) == value_errc::request_too_large);
        CHECK_THAT(what, Catch::Contains("4 MB"));
        // The JSON-level raw::transact_write and TransactGetItems count too.
        boost::json::array actions;
        for (int i = 0; i < 101; ++i)
            actions.push_back(boost::json::value{
                {"Put",
                 {{"TableName", f.table}, {"Item", {{"pk", {{"S", "j" + std::to_string(i)}}}}}}}});
        CHECK(code_of<value_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await raw::transact_write(f.c, actions);
              }) == value_errc::request_too_large);
        transact_get_items_request gets;
        for (int i = 0; i < 101; ++i)
            gets.transact_items.push_back({{f.table, {{"pk", av("k")}}, {}, {}}});
        CHECK(code_of<value_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await f.c.transact_get_items(gets);
              }) == value_errc::request_too_large);
        CHECK(f.items().empty());
    }
}

TEST_CASE("bad input: duplicate keys in a batch", "[bad_input]") {
    for (const char* kind : kinds) {
        INFO(kind);
        fixture f(kind);
        // batch_write / batch_get: refused before sending.
        std::vector<write_request> writes{
            write_request::put_item(f.table, {{"pk", av("a")}, {"v", av("1")}}),
            write_request::put_item(f.table, {{"pk", av("b")}}),
            write_request::delete_item(f.table, {{"pk", av("a")}})};
        CHECK(code_of<value_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await batch_write(f.c, writes);
              }) == value_errc::duplicate_set_member);
        std::vector<get_request> gets{{f.table, {{"pk", av("a")}}}, {f.table, {{"pk", av("a")}}}};
        CHECK(code_of<value_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await batch_get(f.c, gets);
              }) == value_errc::duplicate_set_member);
        CHECK(f.items().empty());
        // One BatchWriteItem / BatchGetItem call: the server refuses it.
        auto refused = [&](batch_write_item_request bw) {
            return code_of<validation_error>(
                f.ioc, [&]() -> awaitable<void> { co_await f.c.batch_write_item(bw); });
        };
        batch_write_item_request same_put;
        for (int i = 0; i < 2; ++i)
            same_put.request_items[f.table].push_back(
                {put_request{{{"pk", av("a")}, {"v", av("1")}}}, {}});
        CHECK(refused(same_put) == service_errc::validation);
        batch_write_item_request same_delete;
        for (int i = 0; i < 2; ++i)
            same_delete.request_items[f.table].push_back({{}, delete_request{{{"pk", av("a")}}}});
        CHECK(refused(same_delete) == service_errc::validation);
        // Two different items with one key: dynalite (as DynamoDB) refuses
        // them; moto compares whole items only, and would store the second.
        if (std::string(kind) == "dynalite") {
            batch_write_item_request two_puts;
            two_puts.request_items[f.table].push_back(
                {put_request{{{"pk", av("a")}, {"v", av("1")}}}, {}});
            two_puts.request_items[f.table].push_back(
                {put_request{{{"pk", av("a")}, {"v", av("2")}}}, {}});
            CHECK(refused(two_puts) == service_errc::validation);
        }
        batch_get_item_request bg;
        bg.request_items[f.table].keys = {{{"pk", av("a")}}, {{"pk", av("a")}}};
        CHECK(code_of<validation_error>(f.ioc, [&]() -> awaitable<void> {
                  co_await f.c.batch_get_item(bg);
              }) == service_errc::validation);
        CHECK(f.items().empty());
    }
}

// ---- Credentials ----------------------------------------------------------

TEST_CASE("bad input: CR or LF in credentials never reach a header", "[bad_input]") {
    fixture f("moto");
    for (auto creds : {credentials{"AKID\r\nX-Injected: 1", "secret", {}, {}, {}, {}},
                       credentials{"AKID", "secret", "token\nX-Injected: 1", {}, {}, {}}}) {
        client_config cfg = test::config_for(f.endpoint);
        cfg.credentials = std::make_shared<static_provider>(creds);
        client c(f.ioc.get_executor(), cfg);
        auto put = put_of(f.table, {{"pk", av("k")}});
        std::string what;
        CHECK(code_of<sigv4::signing_error>(
                  f.ioc, [&]() -> awaitable<void> { co_await c.put_item(put); }, &what) ==
              sigv4::errc::invalid_header_value);
        CHECK(what.find("X-Injected") == std::string::npos);
    }
    CHECK(f.items().empty());
}

// ---- Responses (through the fault proxy) --------------------------------

TEST_CASE("bad input: response bodies that are HTML", "[bad_input]") {
    fixture f("moto");
    test::fault_proxy proxy(f.endpoint);
    client c(f.ioc.get_executor(), test::config_for(proxy.endpoint()));
    const std::string html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    auto put = put_of(f.table, {{"pk", av("k")}});

    // A 200 with HTML: a protocol error, not retried, the put never reached the server.
    proxy.push(test::fault{test::fault::respond, 200, html});
    try {
        test::run(f.ioc, [&]() -> awaitable<void> { co_await c.put_item(put); });
        FAIL("no error");
    } catch (const http::protocol_error& e) {
        CHECK(e.code() == http::errc::unparsable_body);
        CHECK(e.status() == 200);
        CHECK(e.body_excerpt() == html);
    }
    CHECK(proxy.requests() == 1);

    // A 500 or 502 with HTML: retried as a server error (3 attempts), then typed.
    for (unsigned status : {500u, 502u}) {
        for (int i = 0; i < 3; ++i)
            proxy.push(test::fault{test::fault::respond, status, html});
        auto before = proxy.requests();
        try {
            test::run(f.ioc, [&]() -> awaitable<void> { co_await c.put_item(put); });
            FAIL("no error");
        } catch (const unexpected_response& e) {
            CHECK(e.kind() == service_errc::unexpected_response);
            CHECK(e.status() == status);
            CHECK(e.body_excerpt() == html);
        }
        CHECK(proxy.requests() - before == 3);
    }
    CHECK(f.items().empty());
}

TEST_CASE("bad input: truncated JSON responses", "[bad_input]") {
    fixture f("moto");
    auto seed = put_of(f.table, {{"pk", av("k")}, {"v", av("stored")}});
    test::run(f.ioc, [&]() -> awaitable<void> { co_await f.c.put_item(seed); });
    test::fault_proxy proxy(f.endpoint);
    client_config cfg = test::config_for(proxy.endpoint());
    cfg.retry->max_attempts = 1;
    client c(f.ioc.get_executor(), cfg);
    get_item_request get;
    get.table_name = f.table;
    get.key = {{"pk", av("k")}};

    // A complete HTTP answer whose JSON stops short.
    proxy.push(test::fault{test::fault::respond, 200, R"({"Item":{"pk":{"S":"k"},"v":{"S":"sto)"});
    std::string what;
    CHECK(code_of<http::protocol_error>(
              f.ioc, [&]() -> awaitable<void> { co_await c.get_item(get); }, &what) ==
          http::errc::unparsable_body);
    CHECK_THAT(what, Catch::Contains("not JSON"));
    // An error answer whose JSON stops short.
    proxy.push(test::fault{test::fault::respond, 400,
                           R"({"__type":"com.amazonaws.dynamodb.v20120810#ValidationExc)"});
    CHECK(code_of<unexpected_response>(f.ioc, [&]() -> awaitable<void> {
              co_await c.get_item(get);
          }) == service_errc::unexpected_response);
    // The server's real answer cut off mid-body (the connection closes).
    proxy.push(test::fault{test::fault::truncate_body});
    CHECK(code_of<http::transport_error>(f.ioc, [&]() -> awaitable<void> {
              co_await c.get_item(get);
          }) == http::errc::connection_closed);
    // With retries (the default) the same cut is retried and the item comes back.
    proxy.push(test::fault{test::fault::truncate_body});
    client retrying(f.ioc.get_executor(), test::config_for(proxy.endpoint()));
    auto got = test::run(f.ioc, [&]() -> awaitable<get_item_response> {
        co_return co_await retrying.get_item(get);
    });
    REQUIRE(got.item);
    CHECK(got.item->at("v").as_s() == "stored");
}

TEST_CASE("bad input: gigantic responses over max_response_bytes", "[bad_input]") {
    fixture f("moto");
    test::fault_proxy proxy(f.endpoint);
    client_config cfg = test::config_for(proxy.endpoint());
    cfg.pool.max_response_bytes = 64 * 1024;
    client c(f.ioc.get_executor(), cfg);
    get_item_request get;
    get.table_name = f.table;
    get.key = {{"pk", av("k")}};

    // A made-up answer of 1 MB: refused as it arrives, not retried.
    std::string huge =
        R"({"Item":{"pk":{"S":"k"},"v":{"S":")" + std::string(1 << 20, 'x') + "\"}}}";
    proxy.push(test::fault{test::fault::respond, 200, huge});
    auto before = proxy.requests();
    CHECK(code_of<http::transport_error>(f.ioc, [&]() -> awaitable<void> {
              co_await c.get_item(get);
          }) == http::errc::response_too_large);
    CHECK(proxy.requests() - before == 1);

    // A real answer over the limit: the item stays stored and readable with
    // a client whose limit fits it.
    auto put = put_of(f.table, {{"pk", av("k")}, {"v", av(std::string(100'000, 'y'))}});
    test::run(f.ioc, [&]() -> awaitable<void> { co_await f.c.put_item(put); });
    CHECK(code_of<http::transport_error>(f.ioc, [&]() -> awaitable<void> {
              co_await c.get_item(get);
          }) == http::errc::response_too_large);
    auto back = f.items();
    REQUIRE(back.size() == 1);
    CHECK(back[0].at("v").as_s().size() == 100'000);
}

TEST_CASE("bad input: deeply nested JSON responses", "[bad_input]") {
    fixture f("moto");
    test::fault_proxy proxy(f.endpoint);
    client_config cfg = test::config_for(proxy.endpoint());
    cfg.retry->max_attempts = 1;
    client c(f.ioc.get_executor(), cfg);
    get_item_request get;
    get.table_name = f.table;
    get.key = {{"pk", av("k")}};

    // 200 with an item nested far beyond DynamoDB's 32 levels.
    proxy.push(test::fault{test::fault::respond, 200,
                           R"({"Item":{"pk":{"S":"k"},"v":)" + nested_map_json(5000) + "}}"});
    std::string what;
    CHECK(code_of<http::protocol_error>(
              f.ioc, [&]() -> awaitable<void> { co_await c.get_item(get); }, &what) ==
          http::errc::unparsable_body);
    CHECK_THAT(what, Catch::Contains("deeper than"));
    // An error answer nested deeply: typed, not parsed.
    std::string deep(100'000, '[');
    proxy.push(
        test::fault{test::fault::respond, 400, R"({"__type":"ValidationException","x":)" + deep});
    CHECK(code_of<unexpected_response>(f.ioc, [&]() -> awaitable<void> {
              co_await c.get_item(get);
          }) == service_errc::unexpected_response);

    // An item at DynamoDB's own limit (32 levels) still round-trips.
    av v("leaf");
    for (int i = 0; i < 31; ++i)
        v = av::m({{"a", v}});
    auto put = put_of(f.table, {{"pk", av("k")}, {"v", v}});
    test::run(f.ioc, [&]() -> awaitable<void> { co_await c.put_item(put); });
    auto got = test::run(
        f.ioc, [&]() -> awaitable<get_item_response> { co_return co_await c.get_item(get); });
    REQUIRE(got.item);
    CHECK(got.item->at("v") == v);
}

TEST_CASE("bad input: a 200 answer with an invalid attribute value is malformed_response",
          "[bad_input]") {
    fixture f("moto");
    test::fault_proxy proxy(f.endpoint);
    client c(f.ioc.get_executor(), test::config_for(proxy.endpoint()));
    get_item_request get;
    get.table_name = f.table;
    get.key = {{"pk", av("k")}};
    for (const char* body :
         {R"({"Item":{"n":{"N":"not-a-number"}}})", R"({"Item":{"s":{"SS":["a","a"]}}})",
          R"({"Item":{"b":{"B":"@@"}}})", R"({"Item":"x"})"}) {
        INFO(body);
        proxy.push(test::fault{test::fault::respond, 200, body});
        std::string what;
        CHECK(code_of<malformed_response>(
                  f.ioc, [&]() -> awaitable<void> { co_await c.get_item(get); }, &what) ==
              service_errc::malformed_response);
        CHECK_THAT(what, Catch::Contains("GetItem answer: Item"));
    }
}
