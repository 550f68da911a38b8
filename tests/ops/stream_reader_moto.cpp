// The stream reader against moto (one shard per table, iterators that never
// expire, no lineage: those are covered by tests/ops/stream_reader.cpp and
// read_stream.cpp over scripted answers): a NEW_AND_OLD_IMAGES table written
// while it is read, every record in order from TRIM_HORIZON and from LATEST,
// a restart from a stream_checkpoint reading exactly the rest, the table name
// and ARN forms, a table without a stream.
#include "stream_moto_table.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

using namespace ddb;
using namespace ddb::test;
namespace asio = boost::asio;

TEST_CASE("read_stream on moto: writes made while reading come in order, from TRIM_HORIZON",
          "[stream_reader_moto]") {
    moto_table t;
    t.put_all(0, 5); // before reading starts
    auto records = ddb::test::run(t.ioc, [&]() -> awaitable<std::vector<stream_record>> {
        auto g = read_stream(t.streams, t.name, stream_start::trim_horizon(), quick());
        asio::co_spawn(
            t.ioc,
            [&]() -> awaitable<void> {
                asio::steady_timer pause(t.ioc);
                for (int i = 5; i < 30; ++i) {
                    co_await t.put(i);
                    pause.expires_after(milliseconds(i % 5 == 0 ? 30 : 1));
                    co_await pause.async_wait(asio::use_awaitable);
                }
            },
            rethrow_failure);
        co_return co_await take(g, 30);
    });
    CHECK(numbers_of(records) == range(0, 30));
    for (const auto& r : records) {
        CHECK(r.event_name == stream_event_name::insert);
        CHECK_FALSE(r.old_image);
    }
}

TEST_CASE("read_stream on moto: LATEST reads only what is written after it started",
          "[stream_reader_moto]") {
    moto_table t;
    t.put_all(0, 3);
    auto records = ddb::test::run(t.ioc, [&]() -> awaitable<std::vector<stream_record>> {
        auto o = quick();
        // The first idle wait: the LATEST iterator is held and read once.
        // (The hook may run after the generator is gone, until its
        // producer stopped: it holds what it uses.)
        auto writing = std::make_shared<bool>(false);
        o.on_wait = [&t, writing](const stream_wait& w) {
            if (w.reason != stream_wait_reason::idle || *writing)
                return;
            *writing = true;
            asio::co_spawn(
                t.ioc,
                [&]() -> awaitable<void> {
                    for (int i = 3; i < 8; ++i)
                        co_await t.put(i);
                },
                rethrow_failure);
        };
        auto g = read_stream(t.streams, t.stream_arn, stream_start::latest(), o);
        co_return co_await take(g, 5);
    });
    CHECK(numbers_of(records) == range(3, 8));
}

TEST_CASE("read_stream on moto: a restart from a checkpoint reads exactly the rest",
          "[stream_reader_moto]") {
    moto_table t;
    t.put_all(0, 10);
    auto o = quick();
    o.limit = 3;
    o.stop_when_idle = true;
    // The first run handles two batches (six records), then stops.
    stream_checkpoint cp;
    auto first = ddb::test::run(t.ioc, [&]() -> awaitable<std::vector<stream_record>> {
        auto g = read_stream(t.streams, t.name, stream_start::trim_horizon(), o);
        std::vector<stream_record> out;
        for (int batches = 0; batches < 2;) {
            auto e = co_await g.next();
            REQUIRE(e);
            cp.advance(*e);
            if (auto* b = std::get_if<stream_batch>(&*e)) {
                for (auto& r : b->records)
                    out.push_back(std::move(r));
                ++batches;
            }
        }
        co_return out;
    });
    CHECK(numbers_of(first) == range(0, 6));
    // Persisted and read back, as a program would between runs.
    const auto saved = boost::json::serialize(cp.to_json());
    const auto restored = stream_checkpoint::from_json(boost::json::parse(saved));
    t.put_all(10, 12);
    auto rest = ddb::test::run(t.ioc, [&]() -> awaitable<std::vector<stream_record>> {
        auto g = read_stream(t.streams, t.stream_arn, stream_start::from(restored), o);
        co_return co_await take(g, 1000); // to the end (stop_when_idle)
    });
    CHECK(numbers_of(rest) == range(6, 12));
}

TEST_CASE("read_stream on moto: the table name and the stream ARN read the same",
          "[stream_reader_moto]") {
    moto_table t;
    t.put_all(0, 4);
    auto o = quick();
    o.stop_when_idle = true;
    auto read = [&](const std::string& which) {
        return ddb::test::run(t.ioc, [&]() -> awaitable<std::vector<stream_record>> {
            auto g = read_stream(t.streams, which, stream_start::trim_horizon(), o);
            co_return co_await take(g, 1000);
        });
    };
    CHECK(numbers_of(read(t.name)) == range(0, 4));
    CHECK(numbers_of(read(t.stream_arn)) == range(0, 4));
    const auto arn = ddb::test::run(t.ioc, [&]() -> awaitable<std::string> {
        co_return co_await resolve_stream_arn(t.streams, t.name);
    });
    CHECK(arn == t.stream_arn);
}

TEST_CASE("read_stream on moto: a table without a stream is stream_not_found",
          "[stream_reader_moto]") {
    moto_table t(false);
    try {
        ddb::test::run(t.ioc, [&]() -> awaitable<void> {
            auto g = read_stream(t.streams, t.name, stream_start::trim_horizon(), quick());
            co_await g.next();
        });
        FAIL("no error");
    } catch (const stream_not_found& e) {
        CHECK(e.table() == t.name);
        CHECK(e.code() == errc::not_found);
    }
}
