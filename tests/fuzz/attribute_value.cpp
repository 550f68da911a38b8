// AttributeValue JSON: decoding (every type, sets, numbers, base64), and the
// invariants decode -> encode -> decode gives an equal value, numbers compare
// by value through their canonical form, and base64 round-trips.
#include "fuzz.hpp"

#include <ddb/value/attribute_value.hpp>
#include <ddb/value/item.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace {

namespace json = boost::json;
using namespace ddb;

void check_number(const number& n) {
    const std::string canonical = n.canonical();
    DDB_FUZZ_CHECK(number(canonical) == n);
    DDB_FUZZ_CHECK(number(canonical).canonical() == canonical);
    DDB_FUZZ_CHECK(number(n.str()).significant_digits() == n.significant_digits());
    (void)n.as_double();
    fuzz::typed([&] { DDB_FUZZ_CHECK(number(n.as<std::int64_t>()) == n); });
    fuzz::typed([&] { DDB_FUZZ_CHECK(number(n.as<std::uint64_t>()) == n); });
    fuzz::typed([&] { (void)n.as<std::int32_t>(); });
}

// Visits every number and binary inside `v`.
void check_members(const attribute_value& v) {
    switch (v.type()) {
    case attribute_value::kind::N:
        check_number(v.as_n());
        break;
    case attribute_value::kind::NS:
        for (auto& n : v.as_ns())
            check_number(n);
        break;
    case attribute_value::kind::B:
        DDB_FUZZ_CHECK(base64_decode(base64_encode(v.as_b())) == v.as_b());
        break;
    case attribute_value::kind::M:
        for (auto& [k, m] : v.as_m())
            check_members(m);
        break;
    case attribute_value::kind::L:
        for (auto& m : v.as_l())
            check_members(m);
        break;
    default:
        break;
    }
}

} // namespace

DDB_FUZZ_TARGET {
    const auto input = fuzz::text(data, size);
    json::error_code ec;
    json::value j = json::parse(input, ec);
    if (ec)
        return 0;

    // One AttributeValue.
    fuzz::typed([&] {
        attribute_value v = attribute_value::from_json(j);
        json::value encoded = v.to_json();
        attribute_value again = attribute_value::from_json(encoded);
        DDB_FUZZ_CHECK(again == v);
        DDB_FUZZ_CHECK(json::serialize(again.to_json()) == json::serialize(encoded));
        DDB_FUZZ_CHECK(again.size() == v.size());
        check_members(v);
    });

    // An item (a map of them), as GetItem's "Item" holds.
    fuzz::typed([&] {
        item it = item_from_json(j);
        item again = item_from_json(to_json(it));
        DDB_FUZZ_CHECK(again == it);
        DDB_FUZZ_CHECK(item_size(again) == item_size(it));
    });

    // Base64 as the B decoder sees a JSON string.
    if (j.is_string())
        fuzz::typed([&] {
            bytes b = base64_decode(j.get_string());
            DDB_FUZZ_CHECK(base64_decode(base64_encode(b)) == b);
        });
    return 0;
}
