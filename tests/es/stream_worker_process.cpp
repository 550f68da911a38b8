// es_stream_worker_process — one stream worker as a process, for the
// multi-process test in tests/es/stream_workers.cpp.
//
//   es_stream_worker_process TABLE CHECKPOINTS OWNER OUTFILE
//
// Consumer "indexer" of TABLE's stream, leases in CHECKPOINTS. Endpoint,
// region and credentials come from the environment. Appends one line per
// record handled to OUTFILE ("shard sequence-number key n"), flushed before
// the batch's checkpoint. Runs until SIGTERM or SIGINT (then releases its
// leases and exits 0).
#include <ddb/client/client.hpp>
#include <ddb/client/streams_client.hpp>
#include <ddb/es/checkpoint_store.hpp>
#include <ddb/es/stream_worker.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <fstream>
#include <iostream>
#include <string>

namespace asio = boost::asio;
namespace es = ddb::es;
using asio::awaitable;

int main(int argc, char** argv) {
    if (argc != 5) {
        std::cerr << "usage: es_stream_worker_process TABLE CHECKPOINTS OWNER OUTFILE\n";
        return 2;
    }
    es::store_config cfg;
    cfg.checkpoints_table = argv[2];
    es::stream_worker_options o;
    o.consumer = "indexer";
    o.stream = argv[1];
    o.owner = argv[3];
    o.lease_duration = std::chrono::milliseconds(1500);
    o.renew_interval = std::chrono::milliseconds(300);
    o.shard_sync_interval = std::chrono::milliseconds(1000);
    o.reader.limit = 4;
    o.reader.idle_interval = std::chrono::milliseconds(30);
    o.reader.max_idle_requests_per_minute = 60000;
    std::ofstream out(argv[4], std::ios::app);

    asio::io_context ioc;
    ddb::client c(ioc.get_executor(), ddb::client_config{});
    ddb::streams_client streams(ioc.get_executor(), ddb::client_config{});
    es::checkpoint_store checkpoints(c, cfg);
    es::stream_worker worker(
        streams, checkpoints, o, [&](const ddb::stream_batch& b) -> awaitable<void> {
            for (const auto& r : b.records) {
                out << b.shard_id << ' ' << r.sequence_number << ' ' << r.keys.at("pk").as_s()
                    << ' ' << (r.new_image ? r.new_image->at("n").as_n().as<int>() : -1) << '\n';
            }
            out.flush();
            co_return;
        });
    asio::signal_set signals(ioc, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec)
            worker.stop();
    });
    int status = 0;
    asio::co_spawn(ioc, worker.run(), [&](std::exception_ptr e) {
        signals.cancel();
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                std::cerr << "es_stream_worker_process " << o.owner << ": " << x.what() << "\n";
            }
            status = 1;
        }
    });
    ioc.run();
    return status;
}
