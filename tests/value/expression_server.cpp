// Built expressions against real servers: reserved words, nested paths,
// every update clause, and a failing condition.
#include <ddb/client/client.hpp>
#include <ddb/value/expression.hpp>
#include <ddb/value/item.hpp>

#include "../support/client_setup.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

using namespace ddb;
using namespace ddb::expr;
namespace asio = boost::asio;
namespace json = boost::json;
using av = attribute_value;

TEST_CASE("expressions: conditional put and every update clause", "[expression]") {
    auto backend = GENERATE(as<std::string>{}, "moto", "dynalite");
    INFO(backend);
    asio::io_context ioc;
    client c(ioc.get_executor(), test::config_for(test::local_server::endpoint(backend)));
    auto table = test::unique_table();
    auto call = [&](const char* op, json::object req) {
        return test::run(
            ioc, [&]() -> asio::awaitable<json::value> { co_return co_await c.call(op, req); });
    };
    test::run(ioc, [&]() -> asio::awaitable<void> { co_await test::create_table(c, table); });

    // A conditional put whose attribute names are reserved words.
    item account{{"pk", av("acct-1")},
                 {"name", av("Zoë")},
                 {"status", av("open")},
                 {"size", av(number(3))},
                 {"profile", av::m({{"address", av::m({{"city", av("Oslo")}})},
                                    {"tags", av::l({av("a"), av("b")})}})},
                 {"labels", av::ss({"x", "y"})},
                 {"flags", av::ns({1, 2, 3})}};
    {
        parameters p;
        json::object req{{"TableName", table}, {"Item", to_json(account)}};
        req["ConditionExpression"] = p.render(attribute_not_exists(path("pk")));
        p.apply_to(req);
        call("PutItem", req);
        CHECK_THROWS_AS(call("PutItem", req), conditional_check_failed); // already there
    }

    // Every update clause, nested paths, and a condition on reserved words.
    {
        parameters p;
        json::object req{{"TableName", table},
                         {"Key", {{"pk", av("acct-1").to_json()}}},
                         {"ReturnValues", "ALL_NEW"}};
        req["UpdateExpression"] =
            p.render(update()
                         .set(path("size"), path("size") + value(2))
                         .set(path("profile")["address"]["city"], value("Bergen"))
                         .set(path("profile")["tags"],
                              list_append(path("profile")["tags"], value(av::l({av("c")}))))
                         .set(path("visits"), if_not_exists(path("visits"), value(0)) + value(1))
                         .remove(path("status"))
                         .add(path("labels"), av::ss({"z"}))
                         .del(path("flags"), av::ns({2})));
        req["ConditionExpression"] =
            p.render(path("name") == value("Zoë") && attribute_exists(path("status")) &&
                     size(path("profile")["tags"]) == value(2));
        p.apply_to(req);
        auto r = call("UpdateItem", req);
        auto updated = item_from_json(r.at("Attributes"));
        CHECK(updated.at("size").as_n() == number(5));
        CHECK(updated.at("profile").as_m().at("address").as_m().at("city").as_s() == "Bergen");
        CHECK(updated.at("profile").as_m().at("tags") == av::l({av("a"), av("b"), av("c")}));
        CHECK(updated.at("visits").as_n() == number(1));
        CHECK(updated.count("status") == 0);
        CHECK(updated.at("labels") == av::ss({"x", "y", "z"}));
        CHECK(updated.at("flags") == av::ns({1, 3}));

        // The same update again fails its condition: status is gone.
        CHECK_THROWS_AS(call("UpdateItem", req), conditional_check_failed);
    }
}
