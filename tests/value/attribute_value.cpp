// Test that header file is self-contained.
#include <ddb/value/attribute_value.hpp>

#include <ddb/value/item.hpp>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <random>

using namespace ddb;
namespace json = boost::json;
using av = attribute_value;

namespace {
value_errc code_of(const std::function<void()>& f, std::string* what = nullptr) {
    try {
        f();
    } catch (const value_error& e) {
        if (what)
            *what = e.what();
        return static_cast<value_errc>(e.code().value());
    }
    return {};
}
} // namespace

TEST_CASE("attribute values: all ten types encode to DynamoDB JSON", "[value]") {
    CHECK(json::serialize(av("héllo").to_json()) == R"({"S":"héllo"})");
    CHECK(json::serialize(av(number("-1.50")).to_json()) == R"({"N":"-1.50"})");
    CHECK(json::serialize(av::b({0, 1, 2, 255}).to_json()) == R"({"B":"AAEC/w=="})");
    CHECK(json::serialize(av::ss({"a", "b"}).to_json()) == R"({"SS":["a","b"]})");
    CHECK(json::serialize(av::ns({1, 2}).to_json()) == R"({"NS":["1","2"]})");
    CHECK(json::serialize(av::bs({{1}, {2}}).to_json()) == R"({"BS":["AQ==","Ag=="]})");
    CHECK(json::serialize(av::m({{"k", av(true)}}).to_json()) == R"({"M":{"k":{"BOOL":true}}})");
    CHECK(json::serialize(av::l({av(), av(false)}).to_json()) ==
          R"({"L":[{"NULL":true},{"BOOL":false}]})");
    CHECK(json::serialize(av().to_json()) == R"({"NULL":true})");
    CHECK(av("x").type_name() == "S");
    CHECK(av::null().type_name() == "NULL");
}

TEST_CASE("attribute values: sets are non-empty and unique", "[value]") {
    CHECK(code_of([] { av::ss({}); }) == value_errc::empty_set);
    CHECK(code_of([] { av::ns({}); }) == value_errc::empty_set);
    CHECK(code_of([] { av::bs({}); }) == value_errc::empty_set);
    CHECK(code_of([] { av::ss({"a", "a"}); }) == value_errc::duplicate_set_member);
    CHECK(code_of([] {
              av::ns({number("1"), number("1.0")});
          }) == value_errc::duplicate_set_member);
    CHECK(code_of([] { av::bs({{1, 2}, {1, 2}}); }) == value_errc::duplicate_set_member);
    CHECK(av::ss({"b", "a"}) == av::ss({"a", "b"})); // sets compare as sets
}

TEST_CASE("attribute values: accessors are checked", "[value]") {
    av s("x");
    CHECK(s.as_s() == "x");
    CHECK(code_of([&] { (void)s.as_n(); }) == value_errc::type_mismatch);
    CHECK(code_of([&] { (void)s.as_bool(); }) == value_errc::type_mismatch);
    av m = av::m({{"n", av(number(5))}});
    m.as_m()["added"] = av("y");
    CHECK(m.as_m().size() == 2);
    CHECK(m.as_m().at("n").as_n().as<int>() == 5);
}

TEST_CASE("attribute values: decoding rejects bad JSON with the attribute path", "[value]") {
    std::string what;
    auto parse_item = [](std::string_view text) { return item_from_json(json::parse(text)); };
    CHECK(code_of([&] { parse_item(R"({"a":{"S":1}})"); }, &what) == value_errc::invalid_json);
    CHECK(what.find("Item.a.S") != std::string::npos);
    CHECK(code_of([&] { parse_item(R"({"a":{"M":{"b":{"L":[{"S":"x"},{"N":"1e999"}]}}}})"); },
                  &what) == value_errc::number_out_of_range);
    CHECK(what.find("Item.a.b[1]") != std::string::npos);
    CHECK(code_of([&] { parse_item(R"({"a":{"S":"x","N":"1"}})"); }) == value_errc::invalid_json);
    CHECK(code_of([&] { parse_item(R"({"a":{"X":"1"}})"); }) == value_errc::invalid_json);
    CHECK(code_of([&] { parse_item(R"({"a":{"B":"not base64!"}})"); }) ==
          value_errc::invalid_base64);
    CHECK(code_of([&] { parse_item(R"({"a":{"B":"AAE"}})"); }) == value_errc::invalid_base64);
    CHECK(code_of([&] { parse_item(R"({"a":{"SS":[]}})"); }) == value_errc::empty_set);
    CHECK(code_of([&] { parse_item(R"({"a":{"NS":["1","01"]}})"); }) ==
          value_errc::duplicate_set_member);
    CHECK(code_of([&] { parse_item(R"({"a":{"NULL":false}})"); }) == value_errc::invalid_json);
    CHECK(code_of([&] { parse_item(R"([1])"); }) == value_errc::invalid_json);
}

TEST_CASE("attribute values: decoding errors give the whole path and the reason", "[value]") {
    // The paths are built only on error; these are the exact messages.
    auto message_of = [](std::string_view text, std::string_view path = "Item") {
        std::string what;
        code_of([&] { item_from_json(json::parse(text), path); }, &what);
        return what;
    };
    CHECK(message_of(R"({"a":{"M":{"b":{"L":[{"S":"x"},{"N":"zz"}]}}}})") ==
          "Item.a.b[1].N: invalid number 'zz': no digits");
    CHECK(message_of(R"({"a":{"L":[{"M":{"c":{"SS":["x","x"]}}}]}})", "Key") ==
          "Key.a[0].c.SS: string set has a duplicate member");
    CHECK(message_of(R"({"a":{"L":[{"L":[{"X":"1"}]}]}})") ==
          "Item.a[0][0]: unknown AttributeValue type 'X'");
    CHECK(message_of(R"({"a":{"NS":["1",2]}})") == "Item.a.NS: Item.a.NS: expected a JSON string");
    CHECK(message_of(R"({"a":{"BS":["AA=="," !"]}})") ==
          "Item.a.BS: base64 length is not a multiple of 4");
    CHECK(message_of(R"({"a":{"M":[]}})") == "Item.a: expected a JSON object of attributes");
    CHECK(message_of(R"({"a":{"BOOL":1}})") == "Item.a.BOOL: expected true or false");
    CHECK(message_of(R"({"a":{}})") ==
          "Item.a: an AttributeValue is an object with exactly one type key");
    std::string what;
    code_of([] { items_from_page(R"({"Items":[{},{"pk":{"S":1}}]})"); }, &what);
    CHECK(what == "Items[1].pk.S: expected a JSON string");
}

TEST_CASE("base64 round-trips every length and byte", "[value]") {
    std::mt19937 rng(7);
    for (std::size_t len = 0; len < 70; ++len) {
        bytes b(len);
        for (auto& x : b)
            x = static_cast<std::uint8_t>(rng());
        CHECK(base64_decode(base64_encode(b)) == b);
    }
    CHECK(base64_encode(bytes{'f', 'o', 'o', 'b'}) == "Zm9vYg==");
}

TEST_CASE("item size follows DynamoDB's rules", "[value]") {
    // name + value: S = UTF-8 bytes; N = 1 + ceil(digits/2); B = raw bytes;
    // BOOL/NULL = 1; L/M = 3 + per element (1 + size), M elements + name.
    CHECK(item_size({{"s", av("héllo")}}) == 1 + 6);
    CHECK(item_size({{"n", av(number("123"))}}) == 1 + 1 + 2);
    CHECK(item_size({{"n", av(number("0012.3400"))}}) == 1 + 1 + 2);         // "1234": 4 digits
    CHECK(item_size({{"n", av(number("-12345.678900"))}}) == 1 + 1 + 5 + 1); // negative: + 1
    CHECK(item_size({{"b", av::b({1, 2, 3})}}) == 1 + 3);
    CHECK(item_size({{"t", av(true)}, {"z", av()}}) == 2 + 2);
    CHECK(item_size({{"l", av::l({})}}) == 1 + 3);
    CHECK(item_size({{"l", av::l({av("ab"), av(true)})}}) == 1 + 3 + (1 + 2) + (1 + 1));
    CHECK(item_size({{"m", av::m({{"k", av("v")}})}}) == 1 + 3 + (1 + 1 + 1));
    CHECK(item_size({{"ss", av::ss({"a", "bc"})}}) == 2 + 3);
    CHECK(item_size({{"ns", av::ns({1, 22, 333})}}) == 2 + 2 + 2 + 3);
}

namespace {

// Random AttributeValues of every type, nested a few levels.
av random_value(std::mt19937& rng, int depth) {
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    auto random_string = [&] {
        static const char* pieces[] = {"a",  "Z",  " ",  "é",    "中", "😀", "\"",
                                       "\\", "\n", "\t", "\x01", "ሴ",  "#", ":"};
        std::string s;
        for (int i = pick(8); i > 0; --i)
            s += pieces[pick(14)];
        return s;
    };
    auto random_number = [&] {
        std::string s = pick(2) ? "-" : "";
        int digits = 1 + pick(38);
        s += static_cast<char>('1' + pick(9));
        for (int i = 1; i < digits; ++i)
            s += static_cast<char>('0' + pick(10));
        if (pick(2))
            s.insert(s.size() - static_cast<std::size_t>(pick(digits)), ".");
        if (s.back() == '.')
            s += "0";
        if (pick(3) == 0)
            s += "E" + std::to_string(pick(120) - 60);
        return number(s);
    };
    auto random_bytes = [&] {
        bytes b(static_cast<std::size_t>(pick(20)));
        for (auto& x : b)
            x = static_cast<std::uint8_t>(rng());
        return b;
    };
    switch (pick(depth > 2 ? 7 : 10)) {
    case 0:
        return av(random_string());
    case 1:
        return av(random_number());
    case 2:
        return av::b(random_bytes());
    case 3: {
        std::vector<std::string> m;
        for (int i = 1 + pick(4); i > 0; --i)
            m.push_back(random_string() + std::to_string(i));
        return av::ss(m);
    }
    case 4: {
        std::vector<number> m;
        for (int i = 1 + pick(4); i > 0; --i)
            m.push_back(number(static_cast<std::int64_t>(i) * 1000 + pick(1000)));
        return av::ns(m);
    }
    case 5:
        return av(pick(2) == 0);
    case 6:
        return av::null();
    case 7: {
        av::list_type l;
        for (int i = pick(4); i > 0; --i)
            l.push_back(random_value(rng, depth + 1));
        return av::l(l);
    }
    case 8: {
        av::map_type m;
        for (int i = pick(4); i > 0; --i)
            m[random_string() + std::to_string(i)] = random_value(rng, depth + 1);
        return av::m(m);
    }
    default: {
        std::vector<bytes> m;
        for (int i = 1 + pick(3); i > 0; --i)
            m.push_back(bytes{static_cast<std::uint8_t>(i)});
        return av::bs(m);
    }
    }
}

} // namespace

TEST_CASE("property: 3000 random values round-trip through JSON text exactly", "[value]") {
    std::mt19937 rng(20261127);
    for (int i = 0; i < 3000; ++i) {
        av v = random_value(rng, 0);
        std::string text = json::serialize(v.to_json());
        av back = av::from_json(json::parse(text));
        INFO(text);
        REQUIRE(back == v);
        CHECK(json::serialize(back.to_json()) == text); // byte-exact, numbers keep their text
        CHECK(back.size() == v.size());
    }
}

TEST_CASE("items_from_page decodes a Query answer and names bad items", "[value]") {
    auto items =
        items_from_page(R"({"Items":[{"pk":{"S":"a"},"n":{"N":"1"}},{"pk":{"S":"b"}}],"Count":2})");
    REQUIRE(items.size() == 2);
    CHECK(items[0].at("n").as_n() == number(1));
    CHECK(items[1].at("pk").as_s() == "b");
    CHECK(items_from_page(R"({"Count":0})").empty());
    std::string what;
    CHECK(code_of([] { items_from_page(R"({"Items":[{"pk":{"S":"a"}},{"pk":{"N":"x"}}]})"); },
                  &what) == value_errc::invalid_number);
    CHECK(what.find("Items[1].pk") != std::string::npos);
    CHECK(code_of([] { items_from_page("{not json"); }) == value_errc::invalid_json);
    CHECK(code_of([] { items_from_page(R"({"Items":{}})"); }) == value_errc::invalid_json);
}
