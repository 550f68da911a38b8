// Subscriptions: catch-up then live without a gap or a duplicate at the
// switch, resuming from a position (equal ids included), filters, the
// bounded cost of an idle subscription, and stop_when_idle; on memory, moto
// and dynalite.
// dynalite has no transactions, so there every aggregate gets one event
// (version 1 is a plain conditional PutItem).
#include "backend.hpp"

#include "../support/fault_proxy.hpp"

#include <ddb/es/error.hpp>
#include <ddb/es/subscription.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace ddb;
using namespace ddb::es;
using namespace ddb::es::test;
namespace asio = boost::asio;
using asio::awaitable;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

namespace {

new_event ev(const std::string& cls, int n) {
    new_event e;
    e.event_class = cls;
    e.properties = {{"n", n}};
    return e;
}

// The aggregate of event i: three aggregates where appends at version > 0
// work, one aggregate per event on dynalite.
template <class B>
std::string uuid_for(int i) {
    if constexpr (std::string_view(B::name) == "dynalite")
        return "agg-" + std::to_string(i);
    else
        return "agg-" + std::to_string(i % 3);
}

template <class B>
awaitable<void> write(event_repository& events, int from, int to, const std::string& cls = "e") {
    for (int i = from; i < to; ++i)
        co_await events.persist(ev(cls, i), uuid_for<B>(i));
}

awaitable<std::vector<stored_event>> take(generator<stored_event>& g, std::size_t n) {
    std::vector<stored_event> out;
    while (out.size() < n) {
        auto e = co_await g.next();
        REQUIRE(e);
        out.push_back(std::move(*e));
    }
    co_return out;
}

awaitable<void> pause(std::chrono::milliseconds d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

subscription_options fast() {
    subscription_options o;
    o.poll_interval = 20ms;
    o.max_poll_interval = 100ms;
    o.horizon = 150ms;
    return o;
}

// Ids strictly increase over the whole stream, and each aggregate's
// versions follow one another.
void check_order(const std::vector<stored_event>& got) {
    std::map<std::string, std::int64_t> version;
    std::set<std::string> keys;
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (i > 0)
            CHECK(got[i - 1].id <= got[i].id);
        CHECK(keys.insert(event_key(got[i])).second);
        if (got[i].aggregate_uuid) {
            auto& v = version[*got[i].aggregate_uuid];
            CHECK(got[i].aggregate_version == v + 1);
            v = got[i].aggregate_version;
        }
    }
}

} // namespace

#define ALL_BACKENDS memory_backend, moto_backend, dynalite_backend

TEMPLATE_TEST_CASE("subscription: catch-up, then live, no gap or duplicate at the switch", "[es]",
                   ALL_BACKENDS) {
    store<TestType> s;
    auto& events = *s.events;
    s.run([&]() -> awaitable<void> {
        co_await write<TestType>(events, 0, 6);
        auto sub = subscribe(events, {}, fast());
        auto got = co_await take(sub, 6); // the history
        // Live: written while the subscription waits, delivered once each.
        co_await (write<TestType>(events, 6, 12) && [&]() -> awaitable<void> {
            auto more = co_await take(sub, 6);
            got.insert(got.end(), more.begin(), more.end());
        }());
        // Nothing more before an event written last (ids follow the time).
        co_await events.persist(ev("last", 0), std::string("agg-last"));
        auto last = co_await take(sub, 1);
        CHECK(last[0].event_class == "last");
        REQUIRE(got.size() == 12);
        for (int i = 0; i < 12; ++i)
            CHECK(got[static_cast<std::size_t>(i)].event_properties.at("n").as_int64() == i);
        check_order(got);
    });
}

TEMPLATE_TEST_CASE("subscription: resumes after its position, nothing twice", "[es]",
                   ALL_BACKENDS) {
    store<TestType> s;
    auto& events = *s.events;
    s.run([&]() -> awaitable<void> {
        co_await write<TestType>(events, 0, 8);
        subscription_position pos;
        {
            auto sub = subscribe(events, {}, fast());
            for (auto& e : co_await take(sub, 3))
                pos.advance(e);
        } // abandoned mid-stream
        CHECK(pos.at_id.size() == 1);
        auto sub = subscribe(events, pos, fast());
        auto rest = co_await take(sub, 5);
        CHECK(rest.front().event_properties.at("n").as_int64() == 3);
        CHECK(rest.back().event_properties.at("n").as_int64() == 7);
        CHECK_FALSE(pos.covers(rest.front()));
        pos.advance(rest.front());
        CHECK(pos.covers(rest.front()));
    });
}

TEMPLATE_TEST_CASE("subscription: events with equal ids are each delivered once across a resume",
                   "[es]", moto_backend, dynalite_backend) {
    // Two writers may draw the same id (ids are unique per generator); the
    // position lists the events delivered at its id.
    store<TestType> s;
    auto& events = *s.events;
    s.run([&]() -> awaitable<void> {
        const std::int64_t id = events.new_id();
        for (const char* agg : {"eq-a", "eq-b"}) {
            auto e = ev("same", 0);
            e.id = id;
            std::vector<new_event> one;
            one.push_back(std::move(e));
            co_await events.append(agg, expected_version::exact(0), std::move(one));
        }
        co_await events.persist(ev("after", 0), std::string("eq-c"));
        subscription_position pos;
        std::vector<stored_event> got;
        {
            auto sub = subscribe(events, {}, fast());
            got = co_await take(sub, 1);
            pos.advance(got[0]);
        }
        auto sub = subscribe(events, pos, fast());
        auto rest = co_await take(sub, 2);
        got.insert(got.end(), rest.begin(), rest.end());
        CHECK(got[0].id == id);
        CHECK(got[1].id == id);
        CHECK(got[0].aggregate_uuid != got[1].aggregate_uuid);
        CHECK(got[2].event_class == "after");
    });
}

TEMPLATE_TEST_CASE("subscription: filters by event class and by aggregate", "[es]", ALL_BACKENDS) {
    store<TestType> s;
    auto& events = *s.events;
    s.run([&]() -> awaitable<void> {
        co_await write<TestType>(events, 0, 3, "kept");
        co_await write<TestType>(events, 3, 6, "dropped");
        co_await write<TestType>(events, 6, 9, "kept");
        auto o = fast();
        o.event_classes = {"kept"};
        auto sub = subscribe(events, {}, o);
        auto got = co_await take(sub, 6);
        for (auto& e : got)
            CHECK(e.event_class == "kept");
        CHECK(got.back().event_properties.at("n").as_int64() == 8);

        // One aggregate: its events only, history then live.
        const std::string agg = uuid_for<TestType>(1);
        auto a = fast();
        a.aggregate = agg;
        auto mine = subscribe(events, {}, a);
        auto history = co_await take(mine, std::string_view(TestType::name) == "dynalite" ? 1 : 3);
        for (auto& e : history)
            CHECK(e.aggregate_uuid == agg);
        if constexpr (std::string_view(TestType::name) != "dynalite") {
            co_await events.persist(ev("other", 0), std::string("someone-else"));
            co_await events.persist(ev("live", 0), agg);
            auto live = co_await take(mine, 1);
            CHECK(live[0].event_class == "live");
            CHECK(live[0].aggregate_version == 4);
        }
    });
}

TEMPLATE_TEST_CASE("subscription: an idle subscription backs off (bounded requests)", "[es]",
                   moto_backend, dynalite_backend) {
    store<TestType> s;
    auto& events = *s.events;
    s.run([&]() -> awaitable<void> {
        co_await write<TestType>(events, 0, 2);
        auto o = fast();
        o.poll_interval = 50ms;
        o.max_poll_interval = 200ms;
        auto sub = subscribe(events, {}, o);
        co_await take(sub, 2);
        const int partitions = co_await events.partition_count();
        std::uint64_t before = 0, after = 0;
        co_await ([&]() -> awaitable<void> {
            before = s.c->pool_stats().requests;
            co_await pause(2000ms);
            after = s.c->pool_stats().requests;
            co_await events.persist(ev("wake", 0), std::string("agg-wake"));
        }() && [&]() -> awaitable<void> {
            auto e = co_await take(sub, 1);
            CHECK(e[0].event_class == "wake");
        }());
        // At most 2000/200 + 4 polls (the back-off's first steps), each a
        // GetItem of the meta item and a Query per partition of at most two
        // time buckets.
        const auto bound = static_cast<std::uint64_t>(14 * (1 + 2 * partitions));
        INFO("requests while idle for 2 s: " << after - before << ", bound " << bound);
        CHECK(after - before <= bound);
        CHECK(after - before >= 5); // it does poll
    });
}

TEMPLATE_TEST_CASE("subscription: stop_when_idle ends the generator once caught up", "[es]",
                   ALL_BACKENDS) {
    store<TestType> s;
    auto& events = *s.events;
    s.run([&]() -> awaitable<void> {
        co_await write<TestType>(events, 0, 4);
        auto o = fast();
        o.horizon = 0ms;
        o.stop_when_idle = true;
        auto sub = subscribe(events, {}, o);
        std::vector<stored_event> got;
        while (auto e = co_await sub.next())
            got.push_back(std::move(*e));
        CHECK(got.size() == 4);
        check_order(got);
        // Caught up already: ends at once.
        subscription_position pos;
        for (const auto& e : got)
            pos.advance(e);
        auto rest = subscribe(events, pos, o);
        CHECK_FALSE(co_await rest.next());
        // Events read but filtered out: still ends after them.
        o.event_classes = {"none"};
        auto none = subscribe(events, {}, o);
        CHECK_FALSE(co_await none.next());
    });
}

TEST_CASE("subscription: bad options are refused", "[es]") {
    store<memory_backend> s;
    subscription_options o;
    o.poll_interval = 0ms;
    CHECK_THROWS_AS(subscribe(*s.events, {}, o), es_error);
    o = {};
    o.max_poll_interval = 1ms;
    CHECK_THROWS_AS(subscribe(*s.events, {}, o), es_error);
    o = {};
    o.aggregate = "";
    CHECK_THROWS_AS(subscribe(*s.events, {}, o), es_error);
    o = {};
    o.aggregate = "a";
    o.partitions = {0};
    CHECK_THROWS_AS(subscribe(*s.events, {}, o), es_error);
    store_config cfg;
    cfg.max_append_age = 2000ms;
    CHECK(safe_horizon(cfg, {}) == 3500ms);
}

TEST_CASE("subscription: an append delayed to just below max_append_age is still delivered in "
          "order, and a horizon below the bound misses it",
          "[es]") {
    // The writer's PutItem is held 1.3 s by the fault proxy (max_append_age
    // 1.5 s) while another writer's later event lands at once. A subscriber
    // at the safe horizon (1.5 + 0.5 + 1 s) delivers both, in id order; one
    // at 200 ms passes the later event first and never sees the delayed one.
    store_config cfg;
    cfg.max_append_age = 1500ms;
    store<moto_backend> s(cfg);
    ddb::test::fault_proxy proxy(ddb::test::local_server::endpoint("moto"));
    client slow_client(s.ioc.get_executor(), ddb::test::config_for(proxy.endpoint()));
    dynamodb_event_repository slow(slow_client, s.cfg);
    auto& events = *s.events;
    s.run([&]() -> awaitable<void> {
        co_await slow.persist(ev("warm-up", 0), std::string("slow-0")); // records the bucket
        auto safe_options = fast();
        safe_options.horizon.reset();
        CHECK(safe_horizon(s.cfg, safe_options) == 3000ms);
        auto unsafe_options = fast();
        unsafe_options.horizon = 200ms;
        auto safe = subscribe(events, {}, safe_options);
        auto unsafe = subscribe(events, {}, unsafe_options);
        co_await take(safe, 1);
        co_await take(unsafe, 1);
        using clock = std::chrono::steady_clock;
        clock::time_point delayed_done, after_done;
        // persist() reads the latest version (a Query), then draws the id
        // and writes (a PutItem): the write is the one held.
        proxy.push(ddb::test::fault(ddb::test::fault::forward));
        proxy.push(ddb::test::fault(ddb::test::fault::delay, 200, {}, 1300ms));
        co_await ([&]() -> awaitable<void> {
            co_await slow.persist(ev("delayed", 0), std::string("slow-1"));
            delayed_done = clock::now();
        }() && [&]() -> awaitable<void> {
            co_await pause(100ms);
            co_await events.persist(ev("after", 0), std::string("fast-1"));
            after_done = clock::now();
        }());
        auto got = co_await take(safe, 2);
        const auto received = clock::now();
        CHECK(got[0].event_class == "delayed");
        CHECK(got[1].event_class == "after");
        CHECK(got[0].id < got[1].id);
        auto ms = [](clock::duration d) {
            return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
        };
        std::cout << "safe horizon 3000 ms: the delayed event (held 1300 ms) reached the "
                     "subscriber "
                  << ms(received - delayed_done) << " ms after its append returned; the later one "
                  << ms(received - after_done) << " ms after its append\n";
        // The unsafe subscriber: "after", then straight to the next event.
        co_await events.persist(ev("last", 0), std::string("fast-2"));
        auto missed = co_await take(unsafe, 2);
        CHECK(missed[0].event_class == "after");
        CHECK(missed[1].event_class == "last");
    });
}
