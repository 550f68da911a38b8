// Test that header file is self-contained.
#include <ddb/value/mapping.hpp>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace ddb;
namespace json = boost::json;

namespace app {
struct address {
    std::string city;
    std::optional<std::string> zip;
    bool operator==(const address&) const = default;
};
BOOST_DESCRIBE_STRUCT(address, (), (city, zip))

struct account {
    std::string id;
    std::int64_t balance = 0;
    std::uint8_t level = 0;
    double rate = 0;
    bool active = false;
    std::optional<std::string> note;
    std::vector<std::string> history;
    std::set<std::string> tags;
    std::set<int> lucky;
    std::map<std::string, std::int64_t> limits;
    address home;
    std::vector<address> others;
    bytes avatar;
    std::chrono::system_clock::time_point opened{};
    bool operator==(const account&) const = default;
};
BOOST_DESCRIBE_STRUCT(account, (),
                      (id, balance, level, rate, active, note, history, tags, lucky, limits, home,
                       others, avatar, opened))
} // namespace app

namespace {
app::account sample() {
    app::account a;
    a.id = "acct-é";
    a.balance = -9007199254740993; // beyond a double's exact integers
    a.level = 7;
    a.rate = 0.1;
    a.active = true;
    a.history = {"open", "deposit"};
    a.tags = {"gold", "eu"};
    a.lucky = {3, 7};
    a.limits = {{"daily", 500}, {"monthly", 5000}};
    a.home = {"Oslo", "0150"};
    a.others = {{"Bergen", std::nullopt}};
    a.avatar = {0, 1, 2, 255};
    a.opened = std::chrono::system_clock::time_point(std::chrono::nanoseconds(1795751930123456789));
    return a;
}
} // namespace

TEST_CASE("struct mapping: a described struct round-trips through an item and JSON", "[mapping]") {
    auto a = sample();
    item it = to_item(a);
    CHECK(it.at("balance").as_n().str() == "-9007199254740993");
    CHECK(it.at("tags").type() == attribute_value::kind::SS);
    CHECK(it.at("lucky").type() == attribute_value::kind::NS);
    CHECK(it.at("home").as_m().at("city").as_s() == "Oslo");
    CHECK(it.at("opened").as_n().str() == "1795751930123456789");
    CHECK(it.count("note") == 0); // empty optional: no attribute
    auto back = from_item<app::account>(item_from_json(json::parse(json::serialize(to_json(it)))));
    CHECK(back == a);
}

TEST_CASE("struct mapping: missing and mistyped attributes name their path", "[mapping]") {
    item it = to_item(sample());
    auto code_of = [](const item& x, std::string* what) {
        try {
            from_item<app::account>(x);
        } catch (const value_error& e) {
            *what = e.what();
            return static_cast<value_errc>(e.code().value());
        }
        return value_errc{};
    };
    std::string what;
    item missing = it;
    missing.erase("balance");
    CHECK(code_of(missing, &what) == value_errc::missing_attribute);
    CHECK(what == "Item.balance: missing");

    item wrong = it;
    wrong["home"].as_m()["city"] = attribute_value(number(5));
    CHECK(code_of(wrong, &what) == value_errc::type_mismatch);
    CHECK(what == "Item.home.city: expected S, found N");

    item too_big = it;
    too_big["level"] = attribute_value(number(300));
    CHECK(code_of(too_big, &what) == value_errc::number_not_representable);
    CHECK(what.starts_with("Item.level: "));

    item nested = it;
    nested["others"].as_l()[0].as_m().erase("city");
    CHECK(code_of(nested, &what) == value_errc::missing_attribute);
    CHECK(what == "Item.others[0].city: missing");

    // Optional members and empty sets may be absent; NULL reads as empty.
    item sparse = it;
    sparse.erase("tags");
    sparse["note"] = attribute_value::null();
    auto s = from_item<app::account>(sparse);
    CHECK(s.tags.empty());
    CHECK_FALSE(s.note);
}
