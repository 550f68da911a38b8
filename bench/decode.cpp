//
// bench_decode — decoding a 1 MB Query page of realistic event items into
// ddb::item values, beside Boost.JSON's raw parse of the same bytes in the
// same run (the floor: a decoder must at least parse). Target: ratio >= 0.5.
// Also the encode throughput of PutItem requests.
//   {"bench":"query_page_decode","mb_per_s":..,"raw_parse_mb_per_s":..,"ratio":..}
//   {"bench":"putitem_encode","mb_per_s":..,"items_per_s":..}
//   bench_decode [--quick]    (--quick: 5 timings per median instead of 15)
//
#include <ddb/value/item.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace json = boost::json;
using av = ddb::attribute_value;
using steady = std::chrono::steady_clock;

namespace {

// An item shaped like a stored event of the event store.
ddb::item event_item(std::mt19937& rng, int i) {
    auto hex = [&](int n) {
        std::string s;
        for (int k = 0; k < n; ++k)
            s += "0123456789abcdef"[rng() % 16];
        return s;
    };
    std::string uuid = hex(8) + "-" + hex(4) + "-4" + hex(3) + "-a" + hex(3) + "-" + hex(12);
    std::string props = R"({"amount":)" + std::to_string(rng() % 100000) +
                        R"(,"currency":"EUR","reference":"inv-)" + hex(10) +
                        R"(","note":"Monthly renewal of the premium plan, card ending )" +
                        std::to_string(1000 + rng() % 9000) + R"(","tags":["billing","renewal"]})";
    return {{"aggregate_uuid", av(uuid)},
            {"id", av(ddb::number(static_cast<std::int64_t>(1795751930395000 + i)))},
            {"aggregate_version", av(ddb::number(i))},
            {"version_id", av(std::string(20 - std::to_string(i).size(), '0') + std::to_string(i))},
            {"event_version", av(ddb::number(1))},
            {"event_class", av("App\\Events\\MoneyAdded")},
            {"event_properties", av(props)},
            {"meta_data", av::m({{"created-at", av("2026-11-27T05:00:00.000000Z")},
                                 {"aggregate-root-version", av(ddb::number(i))},
                                 {"correlation-id", av(uuid)}})},
            {"created_at", av("2026-11-27T05:00:00.000000Z")}};
}

int g_rounds = 15;

double best_mb_per_s(const std::function<void()>& f, std::size_t bytes, int rounds = g_rounds) {
    std::vector<double> r;
    for (int k = 0; k < rounds; ++k) {
        auto t0 = steady::now();
        f();
        double s = std::chrono::duration<double>(steady::now() - t0).count();
        r.push_back(static_cast<double>(bytes) / s / 1e6);
    }
    std::sort(r.begin(), r.end());
    return r[r.size() / 2]; // median
}

volatile std::size_t sink;

} // namespace

int main(int argc, char** argv) {
    if (argc > 1 && std::string(argv[1]) == "--quick")
        g_rounds = 5;
    std::mt19937 rng(42);
    // A 1 MB page: DynamoDB's page limit.
    json::array items;
    std::vector<ddb::item> source;
    std::size_t size = 0;
    for (int i = 0; size < 1024 * 1024; ++i) {
        source.push_back(event_item(rng, i));
        items.push_back(ddb::to_json(source.back()));
        size = json::serialize(items).size();
    }
    json::object page{{"Items", items}, {"Count", items.size()}, {"ScannedCount", items.size()}};
    std::string text = json::serialize(page);

    auto raw = [&] {
        json::value v = json::parse(text);
        sink = v.as_object().size();
    };
    auto decode = [&] {
        auto decoded = ddb::items_from_page(text);
        sink = decoded.size();
    };
    auto decode_default_alloc = [&] { // the same without the arena, for the record
        json::value v = json::parse(text);
        std::vector<ddb::item> out;
        for (auto& x : v.at("Items").as_array())
            out.push_back(ddb::item_from_json(x));
        sink = out.size();
    };
    if (ddb::items_from_page(text).size() != source.size())
        return 1;
    std::vector<double> raws, decodes;
    for (int round = 0; round < 3; ++round) { // interleaved against drift
        raws.push_back(best_mb_per_s(raw, text.size()));
        decodes.push_back(best_mb_per_s(decode, text.size()));
    }
    std::sort(raws.begin(), raws.end());
    std::sort(decodes.begin(), decodes.end());
    double raw_mb = raws[1], decode_mb = decodes[1];
    std::printf("{\"bench\":\"query_page_decode\",\"mb_per_s\":%.1f,\"raw_parse_mb_per_s\":%.1f,"
                "\"ratio\":%.3f,"
                "\"items\":%zu,\"page_bytes\":%zu,\"no_arena_mb_per_s\":%.1f}\n",
                decode_mb, raw_mb, decode_mb / raw_mb, source.size(), text.size(),
                best_mb_per_s(decode_default_alloc, text.size()));

    // PutItem requests: item -> request JSON text.
    std::size_t encoded = 0;
    auto encode = [&] {
        encoded = 0;
        for (auto& it : source) {
            json::object req{{"TableName", "stored_events"}, {"Item", ddb::to_json(it)}};
            encoded += json::serialize(req).size();
        }
        sink = encoded;
    };
    encode();
    double enc_mb = best_mb_per_s(encode, encoded);
    std::printf("{\"bench\":\"putitem_encode\",\"mb_per_s\":%.1f,\"items_per_s\":%.0f}\n", enc_mb,
                enc_mb * 1e6 / (static_cast<double>(encoded) / static_cast<double>(source.size())));
}
