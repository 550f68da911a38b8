// The shard reader (`read_shard`) and the stream checkpoint over scripted
// Streams answers at the transport seam (tests/ops/stream_script.hpp):
// pages in order, the end of a closed shard, iterator expiry mid-shard (no
// record lost or repeated), trimmed records (a trimmed_gap, then TRIM_HORIZON),
// LimitExceeded repeated then success (back-off counted through on_wait), the
// idle request rate bound, stop_when_idle, errors that end the reader.
#include <ddb/core/config_error.hpp>
#include <ddb/ops/stream_reader.hpp>

#include "stream_script.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

using namespace ddb;
namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using std::chrono::milliseconds;

namespace {

const std::string arn =
    "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000";

shard shard_named(const std::string& id) {
    shard s;
    s.shard_id = id;
    return s;
}

stream_reader_options fast() {
    stream_reader_options o;
    o.idle_interval = milliseconds(1);
    o.max_idle_requests_per_minute = 60000;
    o.throttle_backoff = milliseconds(1);
    o.max_backoff = milliseconds(4);
    return o;
}

std::vector<stream_event> drain(test::scripted_streams& f, shard_start start,
                                stream_reader_options o, const std::string& shard_id = "s1") {
    return test::run(f.ioc, [&]() -> awaitable<std::vector<stream_event>> {
        auto g = read_shard(*f.c, arn, shard_named(shard_id), start, o);
        std::vector<stream_event> out;
        while (auto e = co_await g.next())
            out.push_back(std::move(*e));
        co_return out;
    });
}

// The sequence numbers of every record, in the order yielded.
std::vector<std::string> sequence_numbers(const std::vector<stream_event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events)
        if (const auto* b = std::get_if<stream_batch>(&e))
            for (const auto& r : b->records)
                out.push_back(r.sequence_number);
    return out;
}

using strings = std::vector<std::string>;

} // namespace

TEST_CASE("read_shard: pages in order, empty pages skipped, the end of a closed shard",
          "[stream_reader]") {
    test::scripted_streams f;
    f.script->add("GetShardIterator s1 TRIM_HORIZON", test::iterator_answer("it1"));
    f.script->add("GetRecords it1", test::records_page({"101", "102"}, "it2"));
    f.script->add("GetRecords it2", test::records_page({}, "it3"));
    f.script->add("GetRecords it3", test::records_page({"103"}, ""));
    int idle_waits = 0;
    auto o = fast();
    o.on_wait = [&](const stream_wait& w) {
        CHECK(w.reason == stream_wait_reason::idle);
        CHECK(w.shard_id == "s1");
        ++idle_waits;
    };
    auto events = drain(f, shard_start::trim_horizon(), o);
    REQUIRE(events.size() == 2);
    const auto& first = std::get<stream_batch>(events[0]);
    CHECK(first.shard_id == "s1");
    CHECK_FALSE(first.shard_end);
    const auto& last = std::get<stream_batch>(events[1]);
    CHECK(last.shard_end);
    CHECK(sequence_numbers(events) == strings{"101", "102", "103"});
    CHECK(idle_waits == 1);
}

TEST_CASE("read_shard: each start position is sent, and Limit", "[stream_reader]") {
    test::scripted_streams f;
    f.script->add("GetShardIterator s1 LATEST", test::iterator_answer("a"));
    f.script->add("GetRecords a", test::records_page({}, ""));
    CHECK(sequence_numbers(drain(f, shard_start::latest(), fast())).empty());
    f.script->add("GetShardIterator s1 AFTER_SEQUENCE_NUMBER 500", test::iterator_answer("b"));
    f.script->add("GetRecords b", test::records_page({"501"}, ""));
    auto o = fast();
    o.limit = 7;
    CHECK(sequence_numbers(drain(f, shard_start::after("500"), o)) == strings{"501"});
    // A closed shard read past its end: GetShardIterator has no iterator.
    f.script->add("GetShardIterator s1 AFTER_SEQUENCE_NUMBER 599", test::iterator_answer(""));
    auto end = drain(f, shard_start::after("599"), fast());
    REQUIRE(end.size() == 1);
    CHECK(std::get<stream_batch>(end[0]).shard_end);
    CHECK(std::get<stream_batch>(end[0]).records.empty());
}

TEST_CASE("read_shard: an iterator expired mid-shard is re-acquired after the last record",
          "[stream_reader]") {
    test::scripted_streams f;
    f.script->add("GetShardIterator s1 TRIM_HORIZON", test::iterator_answer("it1"));
    f.script->add("GetRecords it1", test::records_page({"101", "102"}, "it2"));
    f.script->add("GetRecords it2", test::answer_error("ExpiredIteratorException"));
    f.script->add("GetShardIterator s1 AFTER_SEQUENCE_NUMBER 102", test::iterator_answer("it3"));
    f.script->add("GetRecords it3", test::records_page({"103", "104"}, "it4"));
    f.script->add("GetRecords it4", test::answer_error("ExpiredIteratorException"));
    f.script->add("GetShardIterator s1 AFTER_SEQUENCE_NUMBER 104", test::iterator_answer("it5"));
    f.script->add("GetRecords it5", test::records_page({"105"}, ""));
    auto events = drain(f, shard_start::trim_horizon(), fast());
    // No record lost or repeated.
    CHECK(sequence_numbers(events) == strings{"101", "102", "103", "104", "105"});
    CHECK(f.script->count("GetShardIterator s1 TRIM_HORIZON") == 1);

    SECTION("before any record: from the original start") {
        f.script->add("GetShardIterator s2 AFTER_SEQUENCE_NUMBER 7", test::iterator_answer("x1"));
        f.script->add("GetRecords x1", test::answer_error("ExpiredIteratorException"));
        f.script->add("GetShardIterator s2 AFTER_SEQUENCE_NUMBER 7", test::iterator_answer("x2"));
        f.script->add("GetRecords x2", test::records_page({"8"}, ""));
        CHECK(sequence_numbers(drain(f, shard_start::after("7"), fast(), "s2")) == strings{"8"});
    }
    SECTION("expiring again and again, without progress, ends the reader") {
        f.script->add("GetShardIterator s3 TRIM_HORIZON", test::iterator_answer("y"));
        f.script->always("GetShardIterator s3 TRIM_HORIZON", test::iterator_answer("y"));
        f.script->always("GetRecords y", test::answer_error("ExpiredIteratorException"));
        CHECK_THROWS_AS(drain(f, shard_start::trim_horizon(), fast(), "s3"), expired_iterator);
    }
}

TEST_CASE("read_shard: trimmed records are reported as a trimmed_gap, then TRIM_HORIZON",
          "[stream_reader]") {
    test::scripted_streams f;
    SECTION("the checkpointed position is trimmed") {
        f.script->add("GetShardIterator s1 AFTER_SEQUENCE_NUMBER 500",
                      test::answer_error("TrimmedDataAccessException"));
        f.script->add("GetShardIterator s1 TRIM_HORIZON", test::iterator_answer("t1"));
        f.script->add("GetRecords t1", test::records_page({"900", "901"}, ""));
        auto events = drain(f, shard_start::after("500"), fast());
        REQUIRE(events.size() == 2);
        const auto& gap = std::get<trimmed_gap>(events[0]);
        CHECK(gap.shard_id == "s1");
        CHECK(gap.after_sequence_number == std::optional<std::string>("500"));
        CHECK(gap.resumed_at == std::optional<std::string>("900"));
        CHECK(sequence_numbers(events) == strings{"900", "901"});
    }
    SECTION("records trimmed under the reader, after an empty page") {
        f.script->add("GetShardIterator s1 TRIM_HORIZON", test::iterator_answer("i1"));
        f.script->add("GetRecords i1", test::records_page({"101"}, "i2"));
        f.script->add("GetRecords i2", test::answer_error("TrimmedDataAccessException"));
        f.script->add("GetShardIterator s1 TRIM_HORIZON", test::iterator_answer("i3"));
        f.script->add("GetRecords i3", test::records_page({}, "i4"));
        f.script->add("GetRecords i4", test::records_page({"300"}, ""));
        auto events = drain(f, shard_start::trim_horizon(), fast());
        REQUIRE(events.size() == 3);
        const auto& gap = std::get<trimmed_gap>(events[1]);
        CHECK(gap.after_sequence_number == std::optional<std::string>("101"));
        CHECK_FALSE(gap.resumed_at); // the first page after it was empty
        CHECK(sequence_numbers(events) == strings{"101", "300"});
    }
}

TEST_CASE("read_shard: limit_exceeded repeated, then success: capped back-off, nothing lost",
          "[stream_reader]") {
    test::scripted_streams f;
    f.script->add("GetShardIterator s1 TRIM_HORIZON", test::answer_error("LimitExceededException"));
    f.script->add("GetShardIterator s1 TRIM_HORIZON", test::iterator_answer("it1"));
    for (int i = 0; i < 5; ++i)
        f.script->add("GetRecords it1", test::answer_error("LimitExceededException"));
    f.script->add("GetRecords it1", test::records_page({"101"}, "it2"));
    f.script->add("GetRecords it2", test::answer_error("ThrottlingException"));
    f.script->add("GetRecords it2", test::records_page({"102"}, ""));
    std::vector<std::pair<int, long>> waits; // count, ms
    auto o = fast();
    o.throttle_backoff = milliseconds(1);
    o.max_backoff = milliseconds(4);
    o.on_wait = [&](const stream_wait& w) {
        CHECK(w.reason == stream_wait_reason::throttled);
        waits.emplace_back(w.count, static_cast<long>(w.delay.count()));
    };
    auto events = drain(f, shard_start::trim_horizon(), o);
    CHECK(sequence_numbers(events) == strings{"101", "102"});
    // One after GetShardIterator, five doubling up to the cap, one after
    // the throttling error (the count starts again after a success).
    CHECK(waits == std::vector<std::pair<int, long>>{
                       {1, 1}, {1, 1}, {2, 2}, {3, 4}, {4, 4}, {5, 4}, {1, 1}});
    CHECK(f.script->count("GetRecords it1") == 6);
}

TEST_CASE("read_shard: idle reading stays under max_idle_requests_per_minute", "[stream_reader]") {
    test::scripted_streams f;
    f.script->add("GetShardIterator s1 LATEST", test::iterator_answer("idle"));
    f.script->always("GetRecords idle", test::records_page({}, "idle"));
    auto o = fast();
    o.idle_interval = milliseconds(0);
    o.max_idle_requests_per_minute = 6000; // at most one request per 10 ms
    long waited = 0;
    int waits = 0;
    o.on_wait = [&](const stream_wait& w) {
        CHECK(w.reason == stream_wait_reason::idle);
        waited += static_cast<long>(w.delay.count());
        ++waits;
    };
    const auto began = std::chrono::steady_clock::now();
    test::run(f.ioc, [&]() -> awaitable<void> {
        auto g = read_shard(*f.c, arn, shard_named("s1"), shard_start::latest(), o);
        asio::cancellation_signal stop;
        asio::steady_timer t(co_await asio::this_coro::executor, milliseconds(200));
        t.async_wait(
            [&](boost::system::error_code) { stop.emit(asio::cancellation_type::terminal); });
        auto [ec, e] = co_await g.async_next(
            asio::bind_cancellation_slot(stop.slot(), asio::as_tuple(asio::use_awaitable)));
        CHECK(ec == asio::error::operation_aborted);
        CHECK_FALSE(e);
    });
    const auto elapsed =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - began);
    const auto requests = static_cast<long>(f.script->count("GetRecords idle"));
    // Each idle wait is the floor (60 s / 6000); over the (real) period no
    // more requests than one per 10 ms, plus the first.
    CHECK(waited == 10L * waits);
    CHECK(requests >= 2);
    CHECK(requests <= elapsed.count() / 10 + 1);

    SECTION("a longer idle interval wins over the floor") {
        test::scripted_streams g;
        g.script->add("GetShardIterator s1 LATEST", test::iterator_answer("i"));
        g.script->add("GetRecords i", test::records_page({}, "j"));
        g.script->add("GetRecords j", test::records_page({}, ""));
        auto o2 = fast();
        o2.idle_interval = milliseconds(3);
        o2.max_idle_requests_per_minute = 60000; // 1 ms
        std::vector<long> delays;
        o2.on_wait = [&](const stream_wait& w) {
            delays.push_back(static_cast<long>(w.delay.count()));
        };
        drain(g, shard_start::latest(), o2);
        CHECK(delays == std::vector<long>{3});
    }
}

TEST_CASE("read_shard: stop_when_idle ends after the first empty page", "[stream_reader]") {
    test::scripted_streams f;
    f.script->add("GetShardIterator s1 TRIM_HORIZON", test::iterator_answer("i1"));
    f.script->add("GetRecords i1", test::records_page({"1"}, "i2"));
    f.script->add("GetRecords i2", test::records_page({}, "i3"));
    auto o = fast();
    o.stop_when_idle = true;
    auto events = drain(f, shard_start::trim_horizon(), o);
    REQUIRE(events.size() == 1);
    CHECK_FALSE(std::get<stream_batch>(events[0]).shard_end);
    CHECK(f.script->count("GetRecords i3") == 0);
}

TEST_CASE("read_shard: other errors end the reader with their type, after the records before",
          "[stream_reader]") {
    test::scripted_streams f;
    f.script->add("GetShardIterator s1 TRIM_HORIZON", test::iterator_answer("i1"));
    f.script->add("GetRecords i1", test::records_page({"1"}, "i2"));
    f.script->add("GetRecords i2", test::answer_error("ResourceNotFoundException", "gone"));
    std::vector<std::string> seen;
    auto run = [&]() {
        test::run(f.ioc, [&]() -> awaitable<void> {
            auto g = read_shard(*f.c, arn, shard_named("s1"), shard_start::trim_horizon(), fast());
            while (auto e = co_await g.next())
                for (const auto& r : std::get<stream_batch>(*e).records)
                    seen.push_back(r.sequence_number);
        });
    };
    CHECK_THROWS_AS(run(), resource_not_found);
    CHECK(seen == strings{"1"});
}

TEST_CASE("read_shard: bad options are refused before anything is sent", "[stream_reader]") {
    test::scripted_streams f;
    auto refused = [&](stream_reader_options o, shard_start s = shard_start::trim_horizon()) {
        CHECK_THROWS_AS(read_shard(*f.c, arn, shard_named("s1"), s, o), config_error);
    };
    auto o = fast();
    o.limit = 0;
    refused(o);
    o = fast();
    o.max_idle_requests_per_minute = 0;
    refused(o);
    o = fast();
    o.max_backoff = milliseconds(0);
    refused(o);
    refused(fast(), shard_start{shard_iterator_type::after_sequence_number, std::nullopt});
    CHECK(f.script->sent().empty());
}

TEST_CASE("stream_checkpoint: advances per batch and reads back from JSON", "[stream_reader]") {
    stream_checkpoint cp;
    stream_batch b;
    b.shard_id = "s1";
    b.records.resize(2);
    b.records[0].sequence_number = "10";
    b.records[1].sequence_number = "11";
    cp.advance(stream_event(b));
    cp.advance(stream_event(trimmed_gap{"s1", std::string("11"), std::nullopt}));
    CHECK(cp.sequence_numbers.at("s1") == "11");
    stream_batch end;
    end.shard_id = "s0";
    end.shard_end = true;
    cp.advance(end);
    CHECK(cp.finished_shards == std::set<std::string>{"s0"});
    CHECK(cp.start_of("s1")->sequence_number == std::optional<std::string>("11"));
    CHECK(cp.start_of("s1")->type == shard_iterator_type::after_sequence_number);
    CHECK_FALSE(cp.start_of("s2"));
    const auto again = stream_checkpoint::from_json(json::parse(json::serialize(cp.to_json())));
    CHECK(again.sequence_numbers == cp.sequence_numbers);
    CHECK(again.finished_shards == cp.finished_shards);
    CHECK_THROWS_AS(stream_checkpoint::from_json(json::parse(R"({"sequence_numbers":[1]})")),
                    config_error);
}
