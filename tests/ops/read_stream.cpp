// The stream reader (`read_stream`) over scripted Streams answers at the
// transport seam (tests/ops/stream_script.hpp): a split (parent, two
// children, DescribeStream listing the children first), a rollover found by
// the CHILD_SHARDS listing after the parent ended, a trimmed parent, the
// start positions (latest skips closed shards; a checkpoint restart), table
// name resolution, a shard's error ending the reader, a shard trimmed away
// before it was read (a gap).
#include <ddb/core/config_error.hpp>
#include <ddb/ops/stream_reader.hpp>

#include "stream_script.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace ddb;
namespace json = boost::json;
using boost::asio::awaitable;
using std::chrono::milliseconds;
using strings = std::vector<std::string>;

namespace {

const std::string arn =
    "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000";

stream_reader_options idle_stop() {
    stream_reader_options o;
    o.idle_interval = milliseconds(1);
    o.max_idle_requests_per_minute = 60000;
    o.throttle_backoff = milliseconds(1);
    o.max_backoff = milliseconds(4);
    o.shard_sync_interval = milliseconds(50);
    o.stop_when_idle = true;
    return o;
}

std::vector<stream_event> drain(test::scripted_streams& f, stream_start start,
                                stream_reader_options o = idle_stop(),
                                const std::string& from = arn) {
    return test::run(f.ioc, [&]() -> awaitable<std::vector<stream_event>> {
        auto g = read_stream(*f.c, from, start, o);
        std::vector<stream_event> out;
        while (auto e = co_await g.next())
            out.push_back(std::move(*e));
        co_return out;
    });
}

// "shard:sequence" of every record, in the order yielded.
strings records_of(const std::vector<stream_event>& events) {
    strings out;
    for (const auto& e : events)
        if (const auto* b = std::get_if<stream_batch>(&e))
            for (const auto& r : b->records)
                out.push_back(b->shard_id + ":" + r.sequence_number);
    return out;
}

// The records of one shard, in order.
strings of_shard(const strings& all, const std::string& shard) {
    strings out;
    for (const auto& r : all)
        if (r.starts_with(shard + ":"))
            out.push_back(r);
    return out;
}

std::ptrdiff_t position(const strings& all, const std::string& item) {
    auto it = std::find(all.begin(), all.end(), item);
    REQUIRE(it != all.end());
    return it - all.begin();
}

// A shard answered from `start_key` with the pages given (the last one
// without a next iterator when `closed`, else followed by an empty page).
void script_shard(test::stream_script& s, const std::string& id, const std::string& start_key,
                  const std::vector<strings>& pages, bool closed) {
    s.add("GetShardIterator " + id + " " + start_key, test::iterator_answer(id + "-0"));
    for (std::size_t i = 0; i < pages.size(); ++i) {
        const bool last = i + 1 == pages.size();
        const std::string next = last && closed ? "" : id + "-" + std::to_string(i + 1);
        s.add("GetRecords " + id + "-" + std::to_string(i), test::records_page(pages[i], next));
    }
    if (!closed)
        s.always("GetRecords " + id + "-" + std::to_string(pages.size()),
                 test::records_page({}, id + "-" + std::to_string(pages.size())));
}

} // namespace

TEST_CASE("read_stream: a split: the parent is read to its end before its two children",
          "[read_stream]") {
    test::scripted_streams f;
    // DescribeStream lists the children before their parent.
    f.script->always(
        "DescribeStream " + arn,
        test::describe_answer(arn, json::array{test::shard_json("c1", "p", "300", ""),
                                               test::shard_json("c2", "p", "310", ""),
                                               test::shard_json("p", "", "100", "299")}));
    f.script->always(
        "DescribeStream " + arn + " children p",
        test::describe_answer(arn, json::array{test::shard_json("c1", "p", "300", ""),
                                               test::shard_json("c2", "p", "310", "")}));
    script_shard(*f.script, "p", "TRIM_HORIZON", {{"101", "102"}, {}, {"103"}}, true);
    script_shard(*f.script, "c1", "TRIM_HORIZON", {{"301", "302"}, {"303"}}, false);
    script_shard(*f.script, "c2", "TRIM_HORIZON", {{"311"}}, false);
    auto events = drain(f, stream_start::trim_horizon());
    const auto all = records_of(events);
    CHECK(of_shard(all, "p") == strings{"p:101", "p:102", "p:103"});
    CHECK(of_shard(all, "c1") == strings{"c1:301", "c1:302", "c1:303"});
    CHECK(of_shard(all, "c2") == strings{"c2:311"});
    // No child record before the parent's last, no child request before the
    // parent's last page was answered.
    CHECK(position(all, "p:103") == 2);
    const auto sent = f.script->sent();
    const auto parent_end = position(sent, "GetRecords p-2");
    CHECK(position(sent, "GetShardIterator c1 TRIM_HORIZON") > parent_end);
    CHECK(position(sent, "GetShardIterator c2 TRIM_HORIZON") > parent_end);
    CHECK(f.script->count("DescribeStream " + arn + " children p") == 1);
    // The parent's end is reported once, as a batch with shard_end.
    int ends = 0;
    for (const auto& e : events)
        ends += std::get<stream_batch>(e).shard_end ? 1 : 0;
    CHECK(ends == 1);
}

TEST_CASE("read_stream: a rollover: the child found after the parent ended starts at "
          "TRIM_HORIZON even from LATEST",
          "[read_stream]") {
    test::scripted_streams f;
    f.script->add("DescribeStream " + arn,
                  test::describe_answer(arn, json::array{test::shard_json("p", "", "100", "")}));
    f.script->always(
        "DescribeStream " + arn,
        test::describe_answer(arn, json::array{test::shard_json("p", "", "100", "199"),
                                               test::shard_json("c", "p", "200", "")}));
    f.script->always(
        "DescribeStream " + arn + " children p",
        test::describe_answer(arn, json::array{test::shard_json("c", "p", "200", "")}));
    // The parent is open when reading starts (LATEST), then closes.
    script_shard(*f.script, "p", "LATEST", {{"150"}, {"151"}}, true);
    script_shard(*f.script, "c", "TRIM_HORIZON", {{"201"}}, false);
    const auto all = records_of(drain(f, stream_start::latest()));
    CHECK(all == strings{"p:150", "p:151", "c:201"});
}

TEST_CASE("read_stream: a parent that is not listed (trimmed) does not hold back its child",
          "[read_stream]") {
    test::scripted_streams f;
    f.script->always(
        "DescribeStream " + arn,
        test::describe_answer(arn, json::array{test::shard_json("c", "gone", "200", "")}));
    script_shard(*f.script, "c", "TRIM_HORIZON", {{"201", "202"}}, false);
    CHECK(records_of(drain(f, stream_start::trim_horizon())) == strings{"c:201", "c:202"});
}

TEST_CASE("read_stream: LATEST skips the shards closed before reading starts", "[read_stream]") {
    test::scripted_streams f;
    f.script->always(
        "DescribeStream " + arn,
        test::describe_answer(arn, json::array{test::shard_json("p", "", "100", "199"),
                                               test::shard_json("c", "p", "200", "")}));
    script_shard(*f.script, "c", "LATEST", {{"250"}}, false);
    CHECK(records_of(drain(f, stream_start::latest())) == strings{"c:250"});
    CHECK(f.script->count("GetShardIterator p LATEST") == 0);
}

TEST_CASE("read_stream: a checkpoint restart reads exactly the rest", "[read_stream]") {
    test::scripted_streams f;
    // p split into c1 and c2; c1 split again into g. The checkpoint finished
    // p and read c1 up to 302.
    f.script->always(
        "DescribeStream " + arn,
        test::describe_answer(arn, json::array{test::shard_json("p", "", "100", "199"),
                                               test::shard_json("c1", "p", "300", "399"),
                                               test::shard_json("c2", "p", "310", ""),
                                               test::shard_json("g", "c1", "400", "")}));
    f.script->always(
        "DescribeStream " + arn + " children c1",
        test::describe_answer(arn, json::array{test::shard_json("g", "c1", "400", "")}));
    script_shard(*f.script, "c1", "AFTER_SEQUENCE_NUMBER 302", {{"303"}}, true);
    script_shard(*f.script, "c2", "TRIM_HORIZON", {{"311"}}, false);
    script_shard(*f.script, "g", "TRIM_HORIZON", {{"401"}}, false);
    stream_checkpoint cp;
    cp.finished_shards.insert("p");
    cp.sequence_numbers["c1"] = "302";
    // `otherwise` is LATEST, yet c2 (a child of the checkpointed p) starts at
    // TRIM_HORIZON.
    auto events = drain(f, stream_start::from(cp, shard_iterator_type::latest));
    const auto all = records_of(events);
    CHECK(of_shard(all, "c1") == strings{"c1:303"});
    CHECK(of_shard(all, "c2") == strings{"c2:311"});
    CHECK(of_shard(all, "g") == strings{"g:401"});
    CHECK(position(all, "g:401") > position(all, "c1:303"));
    CHECK(f.script->count("GetShardIterator p TRIM_HORIZON") == 0);
    // The checkpoint follows the events.
    for (const auto& e : events)
        cp.advance(e);
    CHECK(cp.sequence_numbers ==
          std::map<std::string, std::string>{{"c1", "303"}, {"c2", "311"}, {"g", "401"}});
    CHECK(cp.finished_shards == std::set<std::string>{"p", "c1"});
}

TEST_CASE("read_stream: a table name resolves to its newest enabled stream", "[read_stream]") {
    test::scripted_streams f;
    const std::string old_arn = arn;
    const std::string new_arn = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-02-01";
    f.script->add(
        "ListStreams t", test::answer_ok(json::parse(
                             R"({"Streams":[
        {"StreamArn":")" + old_arn +
                             R"(","TableName":"t","StreamLabel":"2026-01-01T00:00:00.000"},
        {"StreamArn":")" + new_arn +
                             R"(","TableName":"t","StreamLabel":"2026-02-01T00:00:00.000"}]})")));
    // The newest is being disabled: the older, enabled one is read.
    f.script->add("DescribeStream " + new_arn, test::describe_answer(new_arn, {}, "DISABLING"));
    f.script->add("DescribeStream " + old_arn, test::describe_answer(old_arn, {}, "ENABLED"));
    f.script->always(
        "DescribeStream " + old_arn,
        test::describe_answer(old_arn, json::array{test::shard_json("s", "", "1", "")}));
    script_shard(*f.script, "s", "TRIM_HORIZON", {{"5"}}, false);
    CHECK(records_of(drain(f, stream_start::trim_horizon(), idle_stop(), "t")) == strings{"s:5"});

    SECTION("a table without a stream") {
        f.script->add("ListStreams plain", test::answer_ok(json::parse(R"({"Streams":[]})")));
        try {
            drain(f, stream_start::trim_horizon(), idle_stop(), "plain");
            FAIL("no error");
        } catch (const stream_not_found& e) {
            CHECK(e.table() == "plain");
            CHECK(e.code() == errc::not_found);
            CHECK_THAT(e.what(), Catch::Matchers::Contains("'plain' has no stream"));
        }
    }
}

TEST_CASE("read_stream: shards are read at once, each in order, and an error ends the reader",
          "[read_stream]") {
    test::scripted_streams f;
    f.script->always("DescribeStream " + arn,
                     test::describe_answer(arn, json::array{test::shard_json("a", "", "1", ""),
                                                            test::shard_json("b", "", "2", "")}));
    script_shard(*f.script, "a", "TRIM_HORIZON", {{"11"}, {"12"}, {"13"}}, false);
    SECTION("both read") {
        script_shard(*f.script, "b", "TRIM_HORIZON", {{"21"}, {"22"}}, false);
        const auto all = records_of(drain(f, stream_start::trim_horizon()));
        CHECK(of_shard(all, "a") == strings{"a:11", "a:12", "a:13"});
        CHECK(of_shard(all, "b") == strings{"b:21", "b:22"});
    }
    SECTION("one fails") {
        f.script->add("GetShardIterator b TRIM_HORIZON",
                      test::answer_error("ResourceNotFoundException", "shard gone"));
        CHECK_THROWS_AS(drain(f, stream_start::trim_horizon()), resource_not_found);
    }
    SECTION("one was trimmed away before it was read: a gap, and the others go on") {
        f.script->add("DescribeStream " + arn,
                      test::describe_answer(arn, json::array{test::shard_json("a", "", "1", ""),
                                                             test::shard_json("b", "", "2", "")}));
        f.script->always(
            "DescribeStream " + arn,
            test::describe_answer(arn, json::array{test::shard_json("a", "", "1", "")}));
        f.script->add("GetShardIterator b TRIM_HORIZON",
                      test::answer_error("ResourceNotFoundException", "shard gone"));
        auto events = drain(f, stream_start::trim_horizon());
        CHECK(of_shard(records_of(events), "a") == strings{"a:11", "a:12", "a:13"});
        int gaps = 0;
        for (const auto& e : events)
            if (const auto* g = std::get_if<trimmed_gap>(&e)) {
                ++gaps;
                CHECK(g->shard_id == "b");
                CHECK_FALSE(g->after_sequence_number);
                CHECK_FALSE(g->resumed_at);
            }
        CHECK(gaps == 1);
    }
    SECTION("bad arguments") {
        CHECK_THROWS_AS(read_stream(*f.c, "", {}, idle_stop()), config_error);
        CHECK_THROWS_AS(
            read_stream(*f.c, arn, stream_start{shard_iterator_type::after_sequence_number, {}}),
            config_error);
    }
}
