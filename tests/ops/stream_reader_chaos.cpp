// The stream reader through the fault proxy in front of moto: answers lost
// after moto processed the request, LimitExceededException answers, truncated
// bodies. No record may be skipped; a lost GetRecords answer may only cause a
// re-read (duplicates are counted and reported).
#include "../support/fault_proxy.hpp"

#include "stream_moto_table.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

using namespace ddb;
using namespace ddb::test;
namespace asio = boost::asio;

TEST_CASE("read_stream through the fault proxy: lost answers, LimitExceeded, truncated bodies: "
          "no record skipped",
          "[stream_reader_chaos]") {
    test::fault_proxy proxy(test::local_server::endpoint("moto"));
    client_config cfg = test::config_for("");
    retry_config r = *cfg.retry;
    r.max_attempts = 4; // lost and truncated answers: retried by the client
    cfg.retry = r;
    cfg.attempt_timeout = milliseconds(2000);
    moto_table t(true, proxy.endpoint(), cfg);
    t.put_all(0, 40);
    const auto limit_exceeded = test::fault(
        test::fault::respond, 400,
        R"({"__type":"com.amazonaws.dynamodb.v20120810#LimitExceededException","message":"injected"})",
        {}, "LimitExceeded");
    const std::vector<test::fault> kinds{test::fault(test::fault::close_after_forward),
                                         test::fault(test::fault::truncate_body), limit_exceeded};
    proxy.inject_randomly(0.3, 18, kinds);
    int throttled_waits = 0;
    auto o = quick();
    o.limit = 2;
    o.shard_sync_interval = std::chrono::minutes(5); // only GetRecords after the start
    o.on_wait = [&](const stream_wait& w) {
        throttled_waits += w.reason == stream_wait_reason::throttled;
    };
    auto records = ddb::test::run(t.ioc, [&]() -> awaitable<std::vector<stream_record>> {
        auto g = read_stream(t.streams, t.stream_arn, stream_start::trim_horizon(), o);
        asio::co_spawn(
            t.ioc,
            [&]() -> awaitable<void> {
                for (int i = 40; i < 60; ++i)
                    co_await t.put(i); // straight to moto
            },
            rethrow_failure);
        std::vector<stream_record> out;
        std::set<std::string> seen;
        bool burst = false;
        while (seen.size() < 60) {
            // Half-way: more LimitExceeded in a row than the client tries,
            // so the reader backs off itself.
            if (seen.size() >= 30 && !burst) {
                burst = true;
                for (int i = 0; i < 6; ++i)
                    proxy.push(limit_exceeded);
            }
            auto more = co_await take(g, 1);
            REQUIRE(!more.empty());
            for (auto& rec : more) {
                seen.insert(rec.sequence_number);
                out.push_back(std::move(rec));
            }
        }
        co_return out;
    });
    proxy.stop_injecting();
    // Every record, in order; a record read twice only right after itself
    // (a re-read of a page whose answer was lost), never a gap.
    std::vector<int> distinct;
    int duplicates = 0;
    for (int n : numbers_of(records)) {
        if (!distinct.empty() && n <= distinct.back()) {
            ++duplicates;
            continue;
        }
        distinct.push_back(n);
    }
    CHECK(distinct == range(0, 60));
    const auto injected = proxy.injected_by_name();
    CHECK(proxy.faults_injected() > 0);
    CHECK(injected.contains("LimitExceeded"));
    CHECK(throttled_waits >= 1);
    WARN("faults injected: " << proxy.faults_injected() << ", duplicates read: " << duplicates
                             << ", reader back-offs: " << throttled_waits);
}
