// The stream source of subscriptions on moto (dynalite has no DynamoDB
// Streams): the events of a stream batch decoded as the index gives them
// (the meta item left out), catch-up from the index then live from the
// stream without a gap or a duplicate at the switch and by ascending id,
// resuming from a position, filters, horizon 0 (every event once, each
// aggregate in order), a table without a stream and a KEYS_ONLY stream
// refused with typed errors.
#include "backend.hpp"

#include <ddb/es/error.hpp>
#include <ddb/es/stream_subscription.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

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

store_config with_stream(stream_view_type view = stream_view_type::new_image) {
    store_config c;
    c.stream = view;
    return c;
}

// A store on moto with the events table's stream, and a Streams client.
struct stream_store : store<moto_backend> {
    streams_client streams;
    explicit stream_store(stream_view_type view = stream_view_type::new_image)
        : store<moto_backend>(with_stream(view))
        , streams(ioc.get_executor(),
                  ddb::test::config_for(ddb::test::local_server::endpoint("moto"))) {}
    dynamodb_event_repository& repo() { return static_cast<dynamodb_event_repository&>(*events); }
};

new_event ev(const std::string& cls, int n) {
    new_event e;
    e.event_class = cls;
    e.properties = {{"n", n}};
    return e;
}

awaitable<void> write(event_repository& events, int from, int to, const std::string& cls = "e") {
    for (int i = from; i < to; ++i)
        co_await events.persist(ev(cls, i), "agg-" + std::to_string(i % 3));
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

// Short waits: the reader polls every 20 ms, events are released 300 ms old.
stream_subscription_options fast(std::chrono::milliseconds horizon = 300ms) {
    stream_subscription_options o;
    o.reader.idle_interval = 20ms;
    o.reader.max_idle_requests_per_minute = 6000;
    o.reader.shard_sync_interval = 500ms;
    o.horizon = horizon;
    return o;
}

// Each event once; each aggregate's versions in order; with `by_id`, ids
// never decrease.
void check_order(const std::vector<stored_event>& got, bool by_id) {
    std::map<std::string, std::int64_t> version;
    std::set<std::string> keys;
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (by_id && i > 0)
            CHECK(got[i - 1].id <= got[i].id);
        CHECK(keys.insert(event_key(got[i])).second);
        auto& v = version[got[i].aggregate_uuid.value_or("")];
        CHECK(got[i].aggregate_version == v + 1);
        v = got[i].aggregate_version;
    }
}

std::vector<std::int64_t> numbers(const std::vector<stored_event>& got) {
    std::vector<std::int64_t> n;
    for (const auto& e : got)
        n.push_back(e.event_properties.at("n").as_int64());
    return n;
}

std::vector<std::int64_t> range(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> n;
    for (auto i = from; i < to; ++i)
        n.push_back(i);
    return n;
}

// The error `call` throws, as the exception type E.
template <class E, class F>
std::optional<E> thrown(F&& call) {
    try {
        call();
    } catch (const E& e) {
        return e;
    }
    return std::nullopt;
}

} // namespace

TEST_CASE("stream subscription: a stream batch holds the events the index holds, the meta item "
          "left out",
          "[es][streams]") {
    stream_store s;
    std::size_t records = 0, meta = 0;
    auto from_stream = s.run([&]() -> awaitable<std::vector<stored_event>> {
        co_await write(*s.events, 0, 5);
        stream_reader_options ro;
        ro.stop_when_idle = true;
        ro.idle_interval = 0ms;
        auto raw = read_stream(s.streams, s.cfg.events_table, stream_start::trim_horizon(), ro);
        std::vector<stored_event> got;
        while (auto e = co_await raw.next())
            if (auto* b = std::get_if<stream_batch>(&*e)) {
                records += b->records.size();
                for (const auto& r : b->records)
                    meta += r.keys.at("pk").as_s() == "$meta";
                auto decoded = events_of(*b, s.cfg);
                got.insert(got.end(), decoded.begin(), decoded.end());
            }
        co_return got;
    });
    // Five events; the others are the meta item's (its INSERT by
    // create_tables, its first bucket's updates by the first append).
    CHECK(meta >= 1);
    CHECK(records == meta + 5);
    auto indexed = s.all(s.events->retrieve_all());
    REQUIRE(indexed.size() == 5);
    REQUIRE(from_stream.size() == 5);
    std::sort(from_stream.begin(), from_stream.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    CHECK(from_stream == indexed);
}

TEST_CASE("stream subscription: catch-up from the index, then live from the stream, by id, "
          "without a gap or a duplicate",
          "[es][streams]") {
    // The history from the index (index horizon 0: all of it), or from the
    // stream (the default index horizon, 4.5 s: none of it).
    const bool history_from_index = GENERATE(true, false);
    INFO("history from the index: " << history_from_index);
    stream_store s;
    auto o = fast();
    if (history_from_index)
        o.index_horizon = 0ms;
    auto got = s.run([&]() -> awaitable<std::vector<stored_event>> {
        co_await write(*s.events, 0, 6);
        auto sub = subscribe_stream(s.repo(), s.streams, {}, o);
        auto all = co_await take(sub, 6); // the history
        co_await (write(*s.events, 6, 14) && [&]() -> awaitable<void> {
            auto more = co_await take(sub, 8);
            all.insert(all.end(), more.begin(), more.end());
        }());
        co_await s.events->persist(ev("last", 14), std::string("agg-last"));
        auto last = co_await take(sub, 1);
        CHECK(last[0].event_class == "last");
        co_return all;
    });
    CHECK(numbers(got) == range(0, 14));
    check_order(got, true);
}

TEST_CASE("stream subscription: resuming from a position delivers exactly the rest",
          "[es][streams]") {
    stream_store s;
    s.run([&]() -> awaitable<void> {
        co_await write(*s.events, 0, 8);
        subscription_position pos;
        {
            auto sub = subscribe_stream(s.repo(), s.streams, {}, fast());
            for (const auto& e : co_await take(sub, 3))
                pos.advance(e);
        }
        auto o = fast();
        o.stop_when_idle = true;
        auto sub = subscribe_stream(s.repo(), s.streams, pos, o);
        std::vector<stored_event> rest;
        while (auto e = co_await sub.next())
            rest.push_back(std::move(*e));
        CHECK(numbers(rest) == range(3, 8));
        // And from a position the stream reached, after live events.
        co_await write(*s.events, 8, 12);
        auto sub2 = subscribe_stream(s.repo(), s.streams, pos, o);
        std::vector<stored_event> all;
        while (auto e = co_await sub2.next())
            all.push_back(std::move(*e));
        CHECK(numbers(all) == range(3, 12));
    });
}

TEST_CASE("stream subscription: filters by class and aggregate, and horizon 0 delivers every "
          "event once with each aggregate in order",
          "[es][streams]") {
    stream_store s;
    s.run([&]() -> awaitable<void> {
        co_await write(*s.events, 0, 4, "a");
        auto o = fast(0ms);
        o.event_classes = {"b"};
        auto by_class = subscribe_stream(s.repo(), s.streams, {}, o);
        auto o2 = fast(0ms);
        o2.aggregate = "agg-1";
        auto by_aggregate = subscribe_stream(s.repo(), s.streams, {}, o2);
        auto o3 = fast(0ms);
        auto everything = subscribe_stream(s.repo(), s.streams, {}, o3);
        co_await write(*s.events, 4, 10, "b");
        auto bs = co_await take(by_class, 6);
        CHECK(numbers(bs) == range(4, 10));
        auto one = co_await take(by_aggregate, 3); // 1, 4, 7 of agg-1 (i % 3 == 1)
        CHECK(numbers(one) == std::vector<std::int64_t>{1, 4, 7});
        auto all = co_await take(everything, 10);
        check_order(all, false);
        auto n = numbers(all);
        std::sort(n.begin(), n.end());
        CHECK(n == range(0, 10));
    });
}

TEST_CASE("stream subscription: a table without a stream, and a KEYS_ONLY stream, are refused "
          "with typed errors",
          "[es][streams]") {
    {
        store<moto_backend> plain; // no stream
        streams_client streams(plain.ioc.get_executor(),
                               ddb::test::config_for(ddb::test::local_server::endpoint("moto")));
        auto& repo = static_cast<dynamodb_event_repository&>(*plain.events);
        auto e = thrown<ddb::error>([&] {
            plain.run([&]() -> awaitable<void> {
                auto sub = subscribe_stream(repo, streams, {}, fast());
                co_await sub.next();
            });
        });
        REQUIRE(e);
        CHECK(e->code() == ddb::errc::not_found);
        CHECK(std::string(e->what()).find(plain.cfg.events_table) != std::string::npos);
    }
    stream_store keys(stream_view_type::keys_only);
    auto e = thrown<es_error>([&] {
        keys.run([&]() -> awaitable<void> {
            co_await write(*keys.events, 0, 1);
            auto o = fast();
            o.stop_when_idle = true;
            auto sub = subscribe_stream(keys.repo(), keys.streams, {}, o);
            while (co_await sub.next()) {
            }
        });
    });
    REQUIRE(e);
    CHECK(e->code() == es_errc::stream_unavailable);
    CHECK(std::string(e->what()).find("KEYS_ONLY") != std::string::npos);
}

TEST_CASE("stream subscription: bad options are refused before any request", "[es][streams]") {
    stream_store s;
    auto o = fast();
    o.clock_skew = -1ms;
    auto e = thrown<es_error>([&] { subscribe_stream(s.repo(), s.streams, {}, o); });
    REQUIRE(e);
    CHECK(e->code() == es_errc::invalid_argument);
    auto bad_reader = fast();
    bad_reader.reader.max_idle_requests_per_minute = 0;
    CHECK(
        thrown<ddb::config_error>([&] { subscribe_stream(s.repo(), s.streams, {}, bad_reader); }));
}
