// Stream workers over scripted DynamoDB Streams answers at the Streams
// client's transport seam (tests/ops/stream_script.hpp: lineage, closed
// shards, trimmed records, which moto cannot produce), with the real
// checkpoint store on moto (the lease conditions are what is tested): a
// parent read to its end and finished before its children (listed before it)
// start, its finished lease cleaned up once they are checkpointed; a child of
// a trimmed parent (not listed, never leased) starts at once; a checkpoint
// older than the stream keeps: trimmed_gap reported, the lease finished with
// the gap; six open shards balanced among two, then three workers.
#include "../ops/stream_script.hpp"
#include "backend.hpp"
#include "stream_fixture.hpp"

#include <ddb/es/stream_worker.hpp>

#include <catch2/catch.hpp>

using namespace ddb;
using namespace ddb::es;
using namespace ddb::es::test;
namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using std::chrono::milliseconds;

namespace {

const std::string arn =
    "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000";
const std::string label = "2026-01-01T00:00:00.000";

// The checkpoint store on moto, and a Streams client answered by a script.
struct lineage_fixture : store<moto_backend> {
    std::shared_ptr<ddb::test::stream_script> script = std::make_shared<ddb::test::stream_script>();
    std::optional<streams_client> streams;
    checkpoint_store cps;

    lineage_fixture()
        : cps(*c, cfg) {
        client_config sc =
            ddb::test::config_for("https://streams.dynamodb.us-east-1.amazonaws.com");
        sc.transport = script;
        retry_config r = *sc.retry;
        r.max_attempts = 1;
        sc.retry = r;
        streams.emplace(ioc.get_executor(), sc);
    }

    stream_worker_options options(const std::string& owner) {
        stream_worker_options o;
        o.consumer = "indexer";
        o.owner = owner;
        o.stream = arn;
        o.lease_duration = milliseconds(1500);
        o.renew_interval = milliseconds(200);
        o.shard_sync_interval = milliseconds(200);
        o.reader.idle_interval = milliseconds(20);
        o.reader.max_idle_requests_per_minute = 60000;
        o.reader.throttle_backoff = milliseconds(1);
        o.reader.max_backoff = milliseconds(4);
        o.retry_delay = milliseconds(10);
        return o;
    }

    // An open shard with no records: its reads always come back empty.
    void idle_shard(const std::string& id) {
        script->always("GetShardIterator " + id + " TRIM_HORIZON",
                       ddb::test::iterator_answer("it-" + id));
        script->always("GetRecords it-" + id, ddb::test::records_page({}, "it-" + id));
    }

    std::vector<shard_lease> leases() {
        return run([&]() -> awaitable<std::vector<shard_lease>> {
            co_return co_await cps.shard_leases("indexer", label);
        });
    }
};

std::vector<std::string> sequence_numbers(const handled_log& log) {
    std::vector<std::string> out;
    for (const auto& e : log.entries())
        out.push_back(e.sequence_number);
    return out;
}

} // namespace

TEST_CASE("stream lineage: a parent is read to its end and finished before its children start, "
          "even when they are listed first, and its lease is removed once they checkpointed",
          "[es][stream_worker]") {
    using namespace ddb::test;
    lineage_fixture f;
    json::array shards{shard_json("child-1", "parent", "400", ""),
                       shard_json("parent", "", "100", "300"),
                       shard_json("child-2", "parent", "500", "")};
    f.script->always("DescribeStream " + arn, describe_answer(arn, shards));
    f.script->always("GetShardIterator parent TRIM_HORIZON", iterator_answer("it-p1"));
    f.script->always("GetRecords it-p1", records_page({"100", "200"}, "it-p2"));
    f.script->always("GetRecords it-p2", records_page({"300"}, ""));
    for (const std::string c : {"child-1", "child-2"}) {
        f.script->always("GetShardIterator " + c + " TRIM_HORIZON", iterator_answer("it-" + c));
        f.script->add("GetRecords it-" + c,
                      records_page({c == "child-1" ? "400" : "500"}, "it-" + c + "-idle"));
        f.script->always("GetRecords it-" + c + "-idle", records_page({}, "it-" + c + "-idle"));
    }
    handled_log log;
    stream_worker w0(*f.streams, f.cps, f.options("w0"), log.handler("w0"));
    stream_worker w1(*f.streams, f.cps, f.options("w1"), log.handler("w1"));
    f.run([&]() -> awaitable<void> {
        auto r0 = start_worker(w0);
        auto r1 = start_worker(w1);
        std::vector<running> both{r0, r1};
        co_await wait_until([&] { return log.distinct() == 5; }, std::chrono::seconds(30), both);
        // The parent's finished lease goes once both children checkpointed.
        co_await wait_until([&] { return f.leases().size() == 2; }, std::chrono::seconds(30));
        w0.stop();
        w1.stop();
        co_await r0.wait();
        co_await r1.wait();
        CHECK_FALSE(r0.error());
        CHECK_FALSE(r1.error());
    });
    auto seqs = sequence_numbers(log);
    REQUIRE(seqs.size() >= 5);
    CHECK(std::vector<std::string>(seqs.begin(), seqs.begin() + 3) ==
          std::vector<std::string>{"100", "200", "300"});
    CHECK(w0.stats().finished + w1.stats().finished == 1);
    auto leases = f.leases();
    REQUIRE(leases.size() == 2);
    for (const auto& l : leases) {
        CHECK(l.parents == std::vector<std::string>{"parent"});
        CHECK(l.sequence_number ==
              std::optional<std::string>(l.shard_id == "child-1" ? "400" : "500"));
        CHECK_FALSE(l.done);
    }
}

TEST_CASE("stream lineage: a child whose parent was trimmed (not listed, never leased) starts at "
          "once, a checkpoint older than the stream keeps is reported as a trimmed_gap and "
          "recorded in the finished lease",
          "[es][stream_worker]") {
    using namespace ddb::test;
    lineage_fixture f;
    // Shard "old" has a checkpoint at 50 from an earlier run; its records
    // after it were trimmed; it is closed and ends at 900.
    f.run([&]() -> awaitable<void> {
        co_await f.cps.create_shard_lease("indexer", label, "old", {},
                                          shard_lease_start::trim_horizon);
        auto l =
            co_await f.cps.acquire_shard("indexer", label, "old", "earlier", milliseconds(60'000));
        co_await f.cps.commit(*l, "50", 1);
        co_await f.cps.release(*l);
    });
    json::array shards{shard_json("old", "", "10", "900"),
                       shard_json("orphan", "trimmed-away", "1000", "")};
    f.script->always("DescribeStream " + arn, describe_answer(arn, shards));
    f.script->add("GetShardIterator old AFTER_SEQUENCE_NUMBER 50",
                  answer_error("TrimmedDataAccessException"));
    f.script->always("GetShardIterator old TRIM_HORIZON", iterator_answer("it-old"));
    f.script->always("GetRecords it-old", records_page({"800", "900"}, ""));
    f.script->always("GetShardIterator orphan TRIM_HORIZON", iterator_answer("it-orphan"));
    f.script->add("GetRecords it-orphan", records_page({"1000"}, "it-orphan-idle"));
    f.script->always("GetRecords it-orphan-idle", records_page({}, "it-orphan-idle"));

    handled_log log;
    std::vector<trimmed_gap> gaps;
    auto o = f.options("w0");
    o.on_gap = [&](const trimmed_gap& g) -> awaitable<void> {
        gaps.push_back(g);
        co_return;
    };
    stream_worker w(*f.streams, f.cps, o, log.handler("w0"));
    f.run([&]() -> awaitable<void> {
        auto r = start_worker(w);
        co_await wait_until([&] { return log.distinct() == 3 && w.stats().finished == 1; },
                            std::chrono::seconds(30), std::vector<running>(1, r));
        w.stop();
        co_await r.wait();
        CHECK_FALSE(r.error());
    });
    REQUIRE(gaps.size() == 1);
    CHECK(gaps[0].shard_id == "old");
    CHECK(gaps[0].after_sequence_number == std::optional<std::string>("50"));
    CHECK(w.stats().trimmed_gaps == 1);
    auto leases = f.leases();
    REQUIRE(leases.size() == 2);
    const auto& old = leases[0].shard_id == "old" ? leases[0] : leases[1];
    const auto& orphan = leases[0].shard_id == "old" ? leases[1] : leases[0];
    CHECK(old.done);
    CHECK(old.gap == std::optional<std::string>("50"));
    CHECK(old.sequence_number == std::optional<std::string>("900"));
    CHECK(orphan.parents.empty()); // its parent was never leased
    CHECK(orphan.sequence_number == std::optional<std::string>("1000"));
}

TEST_CASE("stream lineage: six open shards are balanced among two workers, then three",
          "[es][stream_worker]") {
    using namespace ddb::test;
    lineage_fixture f;
    json::array shards;
    for (int i = 0; i < 6; ++i) {
        shards.push_back(
            shard_json("s" + std::to_string(i), "", std::to_string(100 * (i + 1)), ""));
        f.idle_shard("s" + std::to_string(i));
    }
    f.script->always("DescribeStream " + arn, describe_answer(arn, shards));
    handled_log log;
    std::vector<std::unique_ptr<stream_worker>> ws;
    for (int i = 0; i < 3; ++i)
        ws.push_back(std::make_unique<stream_worker>(*f.streams, f.cps,
                                                     f.options("w" + std::to_string(i)),
                                                     log.handler("w" + std::to_string(i))));
    auto owned = [&](std::size_t i) { return ws[i]->stats().owned.size(); };
    f.run([&]() -> awaitable<void> {
        std::vector<running> rs;
        rs.push_back(start_worker(*ws[0]));
        co_await wait_until([&] { return owned(0) == 6; }, std::chrono::seconds(30), rs);
        rs.push_back(start_worker(*ws[1]));
        co_await wait_until([&] { return owned(0) == 3 && owned(1) == 3; },
                            std::chrono::seconds(30));
        rs.push_back(start_worker(*ws[2]));
        co_await wait_until([&] { return owned(0) == 2 && owned(1) == 2 && owned(2) == 2; },
                            std::chrono::seconds(30));
        for (auto& w : ws)
            w->stop();
        for (auto& r : rs)
            co_await r.wait();
        for (auto& r : rs)
            CHECK_FALSE(r.error());
    });
    std::set<std::string> all;
    for (auto& w : ws)
        CHECK(w->stats().lost == 0);
    for (const auto& l : f.leases()) {
        all.insert(l.shard_id);
        CHECK(l.owner.empty()); // released on stop
    }
    CHECK(all.size() == 6);
}
