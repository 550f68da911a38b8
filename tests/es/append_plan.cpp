// The append plan both repositories follow (src/es/detail/append_plan.hpp):
// the checks of append and append_all, the events built at their versions,
// the transaction size and the chunks. No server.
#include "es/detail/append_plan.hpp"
#include "es/detail/event_item.hpp"

#include <ddb/es/error.hpp>
#include <ddb/es/event_error.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

using namespace ddb::es;
using ddb::es::detail::append_part;

namespace {

new_event event(std::optional<std::int64_t> id = {}, std::size_t padding = 0) {
    new_event e;
    e.event_class = "thing_happened";
    e.properties = {{"text", std::string(padding, 'x')}};
    e.id = id;
    return e;
}

std::vector<new_event> events(std::size_t n, std::int64_t first_id = 0, std::size_t padding = 0) {
    std::vector<new_event> out;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(first_id ? event(first_id + static_cast<std::int64_t>(i), padding)
                               : event({}, padding));
    return out;
}

es_errc kind_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const es_error& e) {
        return e.kind();
    }
    FAIL("no es_error");
    return es_errc::invalid_argument;
}

// Ids 1000, 1001, ... for events without one (above the floor asked for).
struct counter {
    std::int64_t next = 1000;
    detail::id_source source() {
        return [this](std::int64_t floor) {
            next = std::max(next, floor + 1);
            return next++;
        };
    }
};

const auto now = std::chrono::system_clock::now();

} // namespace

TEST_CASE("check_append: uuid, then expected version, then ids") {
    CHECK_FALSE(detail::check_append("a", expected_version::any(), events(2)));
    CHECK(detail::check_append("a", expected_version::exact(3), events(2, 7)));
    CHECK_FALSE(detail::check_append("a", expected_version::no_stream(), {}));
    CHECK(kind_of([] { detail::check_append("", expected_version::exact(-1), events(1)); }) ==
          es_errc::invalid_aggregate_uuid);
    CHECK(kind_of([] { detail::check_append("$meta", expected_version::any(), {}); }) ==
          es_errc::invalid_aggregate_uuid);
    auto some = events(2, 5);
    some[1].id.reset();
    CHECK(kind_of([&] { detail::check_append("a", expected_version::exact(-1), some); }) ==
          es_errc::invalid_argument);
    CHECK_THROWS_WITH(detail::check_append("a", expected_version::exact(-1), some),
                      "expected version is negative");
    CHECK_THROWS_WITH(detail::check_append("a", expected_version::any(), some),
                      Catch::Contains("only some events"));
    auto twice = events(2, 5);
    twice[1].id = 5;
    CHECK_THROWS_WITH(detail::check_append("a", expected_version::any(), twice),
                      Catch::Contains("given twice"));
    auto zero = events(1, 5);
    zero[0].id = 0;
    CHECK_THROWS_WITH(detail::check_append("a", expected_version::any(), zero),
                      Catch::Contains("not positive"));
}

TEST_CASE("plan_append_all: checks, and one part per request with events") {
    SECTION("parts in request order, empty requests skipped") {
        std::vector<append_request> requests;
        requests.push_back({"a", expected_version::exact(4), events(2)});
        requests.push_back({"b", expected_version::any(), {}});
        requests.push_back({"c", expected_version::any(), events(1)});
        bool given = true;
        auto parts = detail::plan_append_all(requests, given);
        CHECK_FALSE(given);
        REQUIRE(parts.size() == 2);
        CHECK(parts[0].index == 0);
        CHECK(parts[0].uuid == "a");
        CHECK_FALSE(parts[0].any);
        CHECK(parts[0].base == 4);
        CHECK(parts[0].events.size() == 2);
        CHECK(parts[1].index == 2);
        CHECK(parts[1].uuid == "c");
        CHECK(parts[1].any);
        CHECK(parts[1].base == 0);
        CHECK(requests[0].events.empty()); // moved into the part
    }
    SECTION("ids on every event of every request") {
        std::vector<append_request> requests;
        requests.push_back({"a", expected_version::any(), events(2, 10)});
        requests.push_back({"b", expected_version::any(), events(1, 20)});
        bool given = false;
        detail::plan_append_all(requests, given);
        CHECK(given);
    }
    SECTION("ids on only some requests") {
        std::vector<append_request> requests;
        requests.push_back({"a", expected_version::any(), events(2, 10)});
        requests.push_back({"b", expected_version::any(), events(1)});
        bool given = false;
        CHECK_THROWS_WITH(detail::plan_append_all(requests, given),
                          Catch::Contains("only some requests have event ids"));
    }
    SECTION("an id in two requests") {
        std::vector<append_request> requests;
        requests.push_back({"a", expected_version::any(), events(2, 10)});
        requests.push_back({"b", expected_version::any(), events(1, 11)});
        bool given = false;
        CHECK_THROWS_WITH(detail::plan_append_all(requests, given), Catch::Contains("twice"));
    }
    SECTION("an aggregate named twice") {
        std::vector<append_request> requests;
        requests.push_back({"a", expected_version::any(), events(1)});
        requests.push_back({"a", expected_version::any(), {}});
        bool given = false;
        CHECK_THROWS_WITH(detail::plan_append_all(requests, given),
                          "append_all: aggregate a is named twice");
    }
    SECTION("each request as check_append") {
        std::vector<append_request> requests;
        requests.push_back({"a", expected_version::any(), events(1)});
        requests.push_back({"b", expected_version::exact(-2), events(1)});
        bool given = false;
        CHECK_THROWS_WITH(detail::plan_append_all(requests, given), "expected version is negative");
        requests[1] = {"$x", expected_version::any(), {}};
        CHECK(kind_of([&] { detail::plan_append_all(requests, given); }) ==
              es_errc::invalid_aggregate_uuid);
    }
}

TEST_CASE("build: the events at versions base+1, ..., with their items and sizes") {
    store_config config;
    counter ids;
    append_part part{0, "agg", false, 7, events(3)};
    part.events[1].id = 42; // (build does not check ids: check_append does)
    detail::build(part, now, config, ids.source(), false);
    REQUIRE(part.stored.size() == 3);
    REQUIRE(part.items.size() == 3);
    REQUIRE(part.sizes.size() == 3);
    CHECK(part.stored[0].id == 1000);
    CHECK(part.stored[1].id == 42);
    CHECK(part.stored[2].id == 1001);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(part.stored[i].aggregate_uuid == "agg");
        CHECK(part.stored[i].aggregate_version == 8 + static_cast<std::int64_t>(i));
        CHECK(part.items[i] == detail::to_item(part.stored[i], config));
        CHECK(part.sizes[i] == ddb::item_size(part.items[i]));
    }
    CHECK(part.events[0].event_class == "thing_happened"); // kept: built again below

    part.base = 9;
    detail::build(part, now, config, ids.source(), true);
    REQUIRE(part.stored.size() == 3);
    CHECK(part.stored[0].id == 1002);
    CHECK(part.stored[0].aggregate_version == 10);
    CHECK(part.events[0].event_class.empty()); // moved out
}

TEST_CASE("build: an event over the item limit is event_too_large") {
    store_config config;
    counter ids;
    append_part part{0, "agg", false, 0, events(1, 0, 500'000)};
    CHECK_THROWS_AS(detail::build(part, now, config, ids.source(), true), event_too_large);
    append_part unnamed{0, "agg", false, 0, events(1)};
    unnamed.events[0].event_class.clear();
    CHECK(kind_of([&] { detail::build(unnamed, now, config, ids.source(), true); }) ==
          es_errc::invalid_argument);
}

TEST_CASE("size_of and build_all: one action per event, one per part at a base > 0") {
    store_config config;
    counter ids;
    std::vector<append_part> parts;
    parts.push_back(append_part{0, "a", false, 0, events(3)});
    parts.push_back(append_part{1, "b", false, 5, events(2)});
    detail::build_all(parts, now, config, ids.source(), true);
    const auto size = detail::size_of(parts);
    CHECK(size.actions == 3 + 1 + 2);
    std::size_t bytes = 0;
    for (const auto& p : parts)
        for (const auto& it : p.items)
            bytes += ddb::item_size(it);
    CHECK(size.bytes == bytes);

    SECTION("over 100 actions") {
        std::vector<append_part> many;
        many.push_back(append_part{0, "a", false, 0, events(60)});
        many.push_back(append_part{1, "b", false, 1, events(40)}); // + its ConditionCheck
        try {
            detail::build_all(many, now, config, ids.source(), false);
            FAIL("no transaction_too_large");
        } catch (const transaction_too_large& e) {
            CHECK(e.actions() == 101);
        }
        many[1].base = 0;
        detail::build_all(many, now, config, ids.source(), true);
        CHECK(detail::size_of(many).actions == 100);
    }
    SECTION("over 4 MB") {
        std::vector<append_part> big;
        big.push_back(append_part{0, "a", false, 0, events(11, 0, 380'000)});
        CHECK_THROWS_AS(detail::build_all(big, now, config, ids.source(), true),
                        transaction_too_large);
    }
}

TEST_CASE("chunk_end: 100 actions (99 after a ConditionCheck) and 4 MB per chunk") {
    store_config config;
    counter ids;
    SECTION("by actions, from version 0") {
        append_part part{0, "a", false, 0, events(250)};
        detail::build(part, now, config, ids.source(), true);
        CHECK(detail::chunk_end(part, 0) == 100);   // no version to check before the first
        CHECK(detail::chunk_end(part, 100) == 199); // version 100 checked: 99 puts
        CHECK(detail::chunk_end(part, 199) == 250);
        CHECK(detail::chunk_end(part, 250) == 250);
    }
    SECTION("by actions, after version 3") {
        append_part part{0, "a", false, 3, events(120)};
        detail::build(part, now, config, ids.source(), true);
        CHECK(detail::chunk_end(part, 0) == 99);
        CHECK(detail::chunk_end(part, 99) == 120);
    }
    SECTION("by size") {
        append_part part{0, "a", false, 0, events(25, 0, 380'000)};
        detail::build(part, now, config, ids.source(), true);
        const std::size_t per_chunk = max_transaction_bytes / part.sizes[0];
        REQUIRE(per_chunk >= 2);
        const std::size_t end = detail::chunk_end(part, 0);
        CHECK(end == per_chunk);
        std::size_t bytes = 0;
        for (std::size_t i = 0; i < end; ++i)
            bytes += part.sizes[i];
        CHECK(bytes <= max_transaction_bytes);
        CHECK(bytes + part.sizes[end] > max_transaction_bytes);
        CHECK(detail::chunk_end(part, end) == 2 * per_chunk);
    }
}

TEST_CASE("build and renumber: drawn ids above the floor, each above the one before") {
    store_config config;
    counter ids;
    append_part part{0, "a", false, 4, events(3)};
    detail::build(part, now, config, ids.source(), false, 5000);
    CHECK(part.stored[0].id == 5001);
    CHECK(part.stored[2].id == 5003);
    CHECK(detail::out_of_order(part, 0) == 3);
    // Found below a stored id 9000 at version 4: the ids from event 0 on.
    detail::renumber(part, 0, 9000, ids.source(), config);
    CHECK(part.stored[0].id == 9001);
    CHECK(part.stored[1].id == 9002);
    CHECK(part.stored[2].id == 9003);
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(part.stored[i].meta_data.at(meta::stored_event_id).as_int64() == part.stored[i].id);
        CHECK(part.items[i] == detail::to_item(part.stored[i], config));
        CHECK(part.sizes[i] == ddb::item_size(part.items[i]));
        CHECK(part.stored[i].aggregate_version == 5 + static_cast<std::int64_t>(i));
    }
    // From event 2 on only (a later chunk).
    detail::renumber(part, 2, part.stored[1].id, ids.source(), config);
    CHECK(part.stored[1].id == 9002);
    CHECK(part.stored[2].id == 9004);
}

TEST_CASE("out_of_order and throw_id_order: caller ids must increase") {
    store_config config;
    counter ids;
    append_part part{0, "a", false, 0, events(3, 100)};
    part.events[2].id = 50;
    detail::build(part, now, config, ids.source(), false);
    CHECK(detail::out_of_order(part, 0) == 2);
    CHECK(detail::out_of_order(part, 2) == 3);
    CHECK(kind_of([&] { detail::throw_id_order("a", 2, 101, 50); }) == es_errc::id_order);
    CHECK_THROWS_WITH(detail::throw_id_order("a", 2, 101, 50),
                      Catch::Contains("event id 50 cannot follow id 101 of version 2 of "
                                      "aggregate a"));
}

namespace {

// A clock the test moves.
struct test_clock final : timestamp_provider {
    std::int64_t us = 1679836125000000;
    std::int64_t microseconds_since_epoch() override { return us; }
};

// A generator that ignores observe(): always the same id.
struct stuck final : id_generator {
    std::int64_t next_id() override { return 77; }
};

} // namespace

TEST_CASE("id_above: observe() then draw again; id_order for a generator that stays below") {
    auto clock = std::make_shared<test_clock>();
    timestamp_id_generator ids(clock, [] { return std::uint64_t{9}; });
    const std::int64_t ahead = (clock->us + 5'000'000) * 1000;
    CHECK(detail::id_above(ids, ahead) == (clock->us + 5'000'001) * 1000 + 9);
    stuck s;
    CHECK(detail::id_above(s, 10) == 77);
    CHECK(kind_of([&] { detail::id_above(s, 77); }) == es_errc::id_order);
}

TEST_CASE("time_left and throw_ids_expired: max_append_age by the generator's clock") {
    auto clock = std::make_shared<test_clock>();
    timestamp_id_generator ids(clock);
    store_config config;
    config.max_append_age = std::chrono::milliseconds(200);
    const std::int64_t id = ids.next_id();
    CHECK(detail::time_left(ids, id, config) == std::chrono::microseconds(200'000));
    clock->us += 250'000;
    CHECK(detail::time_left(ids, id, config) == std::chrono::microseconds(-50'000));
    CHECK(kind_of([&] { detail::throw_ids_expired(id, ids, config, 0); }) == es_errc::ids_expired);
    CHECK_THROWS_WITH(detail::throw_ids_expired(id, ids, config, 2),
                      Catch::Contains("250 ms ago") && Catch::Contains("(200 ms)") &&
                          Catch::Contains("first 2 events are stored"));
    stuck s; // no clock: no limit
    CHECK_FALSE(detail::time_left(s, 77, config).has_value());
}
