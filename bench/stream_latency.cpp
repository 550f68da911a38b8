//
// bench_stream_latency — end-to-end latency of DynamoDB Streams on a local
// server (moto in scripts/bench): from a PutItem's send to its record
// reaching a reader, per item, for several idle intervals of the reader.
//
// A table with a NEW_AND_OLD_IMAGES stream; for each idle interval a reader
// follows the shard with `ddb::read_shard` (<ddb/ops/stream_reader.hpp>)
// from LATEST, with `idle_interval` = the interval (and the idle request
// bound raised to allow it); once it has had its first empty page (it is
// positioned), a writer sends N PutItems at a steady rate, each item naming
// its index. Latency = the record's arrival at the reader (steady clock)
// - the moment just before its PutItem was sent. Writer and reader share
// one thread (one io_context), as a program tailing its own table would.
//
//   bench_stream_latency --endpoint URL [--items N] [--rate PER_S]
//                        [--idle-ms 0,50,250,1000]
// One JSON line per interval:
//   {"bench":"stream_latency","impl":"ddb","idle_ms":50,"items":..,"rate_per_s":..,
//    "p50_ms":..,"p99_ms":..,"max_ms":..,"empty_polls":..,"batches":..}
// (empty_polls: GetRecords answered empty; batches: pages with records.)
// moto writes the stream during the PutItem, so the figures are the
// reader's polling (idle interval, request round trips, decoding). The peer,
// bench/js/stream_latency.mjs, runs the JS SDK's plain GetRecords loop the
// same way (bench/run.py runs both on one moto).
//
#include <ddb/client/client.hpp>
#include <ddb/client/streams_client.hpp>
#include <ddb/credentials/static_provider.hpp>
#include <ddb/ops/stream_reader.hpp>
#include <ddb/ops/streams.hpp>
#include <ddb/ops/table_waiter.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace asio = boost::asio;
using asio::awaitable;
using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

struct options {
    std::string endpoint;
    int items = 200;
    double rate = 50;
    std::vector<int> idle_ms{0, 50, 250, 1000};
};

ddb::client_config config(const options& o) {
    ddb::client_config c;
    c.region = "us-east-1";
    c.endpoint = o.endpoint;
    c.credentials = std::make_shared<ddb::static_provider>(
        ddb::credentials{"AKIDBENCH", "bench-secret", "", {}, "bench", {}});
    return c;
}

// The table with its stream: its stream ARN and (moto) its one shard.
awaitable<std::pair<std::string, ddb::shard>>
create_streamed_table(ddb::client& db, ddb::streams_client& streams, const std::string& name) {
    ddb::create_table_request create;
    create.table_name = name;
    create.billing_mode = ddb::billing_mode::pay_per_request;
    create.attribute_definitions = {{"pk", ddb::scalar_attribute_type::s}};
    create.key_schema = {{"pk", ddb::key_type::hash}};
    create.stream_specification =
        ddb::stream_specification{true, ddb::stream_view_type::new_and_old_images};
    auto created = co_await db.create_table(create);
    co_await ddb::wait_until_table_active(db, name, std::chrono::seconds(30), milliseconds(20));
    if (!created.table_description.latest_stream_arn)
        throw std::runtime_error("the table has no stream");
    ddb::describe_stream_request d;
    d.stream_arn = *created.table_description.latest_stream_arn;
    auto shards = ddb::stream_shards(streams, d);
    auto first = co_await shards.next();
    if (!first)
        throw std::runtime_error("the stream has no shard");
    co_return std::make_pair(d.stream_arn, std::move(*first));
}

struct round_result {
    std::vector<double> latency_ms;
    int empty_polls = 0; // idle waits: GetRecords answered with no record
    int batches = 0;     // pages with records
};

double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
}

using send_times = std::shared_ptr<std::vector<steady::time_point>>;

// Sends `n` PutItems of round `tag` at `rate` per second; `(*sent)[i]` is
// the moment item i was sent.
awaitable<void> writer(ddb::client& db, std::string table, std::string tag, int n, double rate,
                       send_times sent) {
    asio::steady_timer pace(co_await asio::this_coro::executor);
    const auto start = steady::now();
    for (int i = 0; i < n; ++i) {
        pace.expires_at(start + std::chrono::duration_cast<steady::duration>(
                                    std::chrono::duration<double>(i / rate)));
        co_await pace.async_wait(asio::use_awaitable);
        ddb::put_item_request p;
        p.table_name = table;
        p.item = {{"pk", ddb::attribute_value(tag + "-" + std::to_string(i))},
                  {"i", ddb::attribute_value(ddb::number(i))},
                  {"body", ddb::attribute_value(std::string(200, 'x'))}};
        (*sent)[static_cast<std::size_t>(i)] = steady::now();
        co_await db.put_item(p);
    }
}

// One idle interval: the reader from LATEST, then the writer once the
// reader is positioned; until every item of the round arrived.
awaitable<round_result> one_round(ddb::client& db, ddb::streams_client& streams,
                                  const std::string& table, const std::string& arn,
                                  const ddb::shard& sh, const options& o, int idle) {
    round_result out;
    const std::string tag = "idle" + std::to_string(idle);
    auto sent =
        std::make_shared<std::vector<steady::time_point>>(static_cast<std::size_t>(o.items));
    std::vector<bool> seen(static_cast<std::size_t>(o.items));
    const auto ex = co_await asio::this_coro::executor;
    bool writing = false;
    ddb::stream_reader_options ro;
    ro.idle_interval = milliseconds(idle);
    ro.max_idle_requests_per_minute = idle > 0 ? std::max(1, 60000 / idle) : 6000000;
    // The reader's first empty page (it has its LATEST iterator): the
    // writer starts.
    ro.on_wait = [&](const ddb::stream_wait& w) {
        if (w.reason != ddb::stream_wait_reason::idle)
            return;
        ++out.empty_polls;
        if (!writing) {
            writing = true;
            asio::co_spawn(ex, writer(db, table, tag, o.items, o.rate, sent), asio::detached);
        }
    };
    auto reader = ddb::read_shard(streams, arn, sh, ddb::shard_start::latest(), ro);
    int arrived = 0;
    while (arrived < o.items) {
        auto ev = co_await reader.next();
        if (!ev)
            throw std::runtime_error("the shard ended");
        const auto now = steady::now();
        auto* batch = std::get_if<ddb::stream_batch>(&*ev);
        if (!batch)
            continue;
        ++out.batches;
        for (const ddb::stream_record& r : batch->records) {
            if (!r.new_image)
                continue;
            const std::string& pk = r.new_image->at("pk").as_s();
            if (pk.rfind(tag + "-", 0) != 0)
                continue;
            const auto i = std::stoul(pk.substr(tag.size() + 1));
            if (i >= seen.size() || seen[i])
                continue;
            seen[i] = true;
            ++arrived;
            out.latency_ms.push_back(
                std::chrono::duration<double, std::milli>(now - (*sent)[i]).count());
        }
    }
    co_return out;
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--endpoint" && i + 1 < argc)
            o.endpoint = argv[++i];
        else if (a == "--items" && i + 1 < argc)
            o.items = std::stoi(argv[++i]);
        else if (a == "--rate" && i + 1 < argc)
            o.rate = std::stod(argv[++i]);
        else if (a == "--idle-ms" && i + 1 < argc) {
            o.idle_ms.clear();
            std::stringstream list(argv[++i]);
            for (std::string v; std::getline(list, v, ',');)
                o.idle_ms.push_back(std::stoi(v));
        } else
            throw std::runtime_error("usage: bench_stream_latency --endpoint URL [--items N] "
                                     "[--rate PER_S] [--idle-ms 0,50,250,1000]");
    }
    if (o.endpoint.empty() || o.items < 1 || !(o.rate > 0))
        throw std::runtime_error("--endpoint URL is required; --items >= 1, --rate > 0");
    return o;
}

} // namespace

int main(int argc, char** argv) try {
    const options o = parse(argc, argv);
    asio::io_context ioc;
    ddb::client db(ioc.get_executor(), config(o));
    ddb::streams_client streams(ioc.get_executor(), config(o));
    const std::string table = "bench-stream-latency-" + std::to_string(::getpid());
    asio::co_spawn(
        ioc,
        [&]() -> awaitable<void> {
            auto [arn, sh] = co_await create_streamed_table(db, streams, table);
            for (int idle : o.idle_ms) {
                round_result r = co_await one_round(db, streams, table, arn, sh, o, idle);
                std::printf("{\"bench\":\"stream_latency\",\"impl\":\"ddb\",\"idle_ms\":%d,"
                            "\"items\":%d,\"rate_per_s\":%.1f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,"
                            "\"max_ms\":%.2f,\"empty_polls\":%d,\"batches\":%d}\n",
                            idle, o.items, o.rate, percentile(r.latency_ms, 0.5),
                            percentile(r.latency_ms, 0.99), percentile(r.latency_ms, 1.0),
                            r.empty_polls, r.batches);
                std::fflush(stdout);
            }
            ddb::delete_table_request del;
            del.table_name = table;
            co_await db.delete_table(del);
        },
        [](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
    ioc.run();
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_stream_latency: %s\n", e.what());
    return 1;
}
