// item_size() against a server that enforces DynamoDB's 400 KB rule by the
// documented size formula (dynalite): an item computed at exactly 400 KB is
// accepted, one byte more is refused. (moto applies its own, smaller
// approximation, so it is not the oracle here.) dynalite departs from the
// AWS documentation in two places, so this item avoids them: it counts
// strings in UTF-16 units (ddb counts UTF-8 bytes, as documented, which is
// never less) and binaries by their base64 length (ddb counts raw bytes, as
// documented).
#include <ddb/client/client.hpp>
#include <ddb/value/item.hpp>

#include "../support/client_setup.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

using namespace ddb;
namespace asio = boost::asio;
namespace json = boost::json;
using av = attribute_value;

namespace {

// An item of every type, padded with a string attribute to `target` bytes.
item padded_item(std::size_t target) {
    item it{{"pk", av("key-1")},
            {"n", av(number("-12345.678900"))},
            {"p", av(number("0.001"))},
            {"flags", av::ss({"a", "bc", "d"})},
            {"nums", av::ns({1, -22, 333})},
            {"nested",
             av::m({{"list", av::l({av("x"), av(true), av(), av::m({{"deep", av(number(7))}})})},
                    {"empty", av::m({})}})},
            {"yes", av(true)},
            {"nothing", av()}};
    it["pad"] = av("");
    std::size_t without_pad = item_size(it);
    REQUIRE(target > without_pad);
    it["pad"] = av(std::string(target - without_pad, 'x'));
    REQUIRE(item_size(it) == target);
    return it;
}

} // namespace

TEST_CASE("item_size matches DynamoDB's 400 KB boundary, every type included", "[value]") {
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint("dynalite")));
    auto table = test::unique_table();
    test::run(ioc, [&]() -> asio::awaitable<void> { co_await test::create_table(c, table); });
    auto put = [&](const item& it) {
        json::value req = {{"TableName", table}, {"Item", to_json(it)}};
        test::run(ioc, [&]() -> asio::awaitable<void> { co_await c.call("PutItem", req); });
    };
    CHECK_NOTHROW(put(padded_item(max_item_size)));
    CHECK_THROWS_AS(put(padded_item(max_item_size + 1)), validation_error);
    CHECK_NOTHROW(put(padded_item(1000)));

    // What went in comes back equal, numbers with their text.
    auto small = padded_item(1000);
    small["b"] = av::b({0, 1, 2, 3, 4, 255});
    small["blobs"] = av::bs({{1, 2}, {3}});
    small["unicode"] = av("ሴ é 😀");
    put(small);
    json::value get = {{"TableName", table},
                       {"Key", {{"pk", small.at("pk").to_json()}}},
                       {"ConsistentRead", true}};
    auto got = test::run(
        ioc, [&]() -> asio::awaitable<json::value> { co_return co_await c.call("GetItem", get); });
    CHECK(item_from_json(got.at("Item")) == small);
}
