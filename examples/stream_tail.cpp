//
// Example: follow a table's changes with the DynamoDB Streams reader.
//
//   stream_tail TABLE
//
// Prints one line per change as it happens, from the stream's newest
// position (LATEST): the event name and the item's keys as DynamoDB JSON,
//   INSERT {"pk":{"S":"carol"}}
// Region, endpoint and credentials come from the usual AWS settings
// (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB_STREAMS or AWS_ENDPOINT_URL,
// AWS_ACCESS_KEY_ID, ~/.aws, ...). The table needs a stream
// (StreamSpecification). Ctrl-C (SIGINT) or SIGTERM stops it.
#include <ddb/ops/stream_reader.hpp>

#include <boost/asio.hpp>
#include <boost/json/serialize.hpp>

#include <iostream>
#include <variant>

namespace asio = boost::asio;

const char* name_of(ddb::stream_event_name n) {
    switch (n) {
    case ddb::stream_event_name::insert:
        return "INSERT";
    case ddb::stream_event_name::modify:
        return "MODIFY";
    case ddb::stream_event_name::remove:
        return "REMOVE";
    default:
        return "UNKNOWN";
    }
}

asio::awaitable<void> tail(ddb::streams_client& streams, std::string table) {
    // Every shard of the table's stream, parents before children, new
    // shards followed as DynamoDB rolls them over; empty reads back off to
    // one request per second per shard.
    auto changes = ddb::read_stream(streams, table, ddb::stream_start::latest());
    while (auto event = co_await changes.next()) {
        if (const auto* batch = std::get_if<ddb::stream_batch>(&*event)) {
            for (const ddb::stream_record& r : batch->records)
                std::cout << name_of(r.event_name) << ' '
                          << boost::json::serialize(ddb::to_json(r.keys)) << std::endl;
        } else if (const auto* gap = std::get_if<ddb::trimmed_gap>(&*event)) {
            // Only after a long stall: records older than 24 hours are gone.
            std::cerr << "records lost in shard " << gap->shard_id << "\n";
        }
    }
}

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: stream_tail TABLE\n";
        return 2;
    }
    asio::io_context ioc;
    try {
        ddb::streams_client streams(ioc.get_executor());
        asio::cancellation_signal stop; // SIGINT/SIGTERM: a terminal cancellation
        asio::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait([&](auto ec, int) {
            if (!ec)
                stop.emit(asio::cancellation_type::terminal);
        });
        std::exception_ptr failure;
        asio::co_spawn(ioc, tail(streams, argv[1]),
                       asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr e) {
                           failure = e;
                           signals.cancel();
                       }));
        ioc.run();
        if (failure)
            std::rethrow_exception(failure);
    } catch (const boost::system::system_error& e) {
        if (e.code() == asio::error::operation_aborted)
            return 0; // interrupted
        std::cerr << e.code() << ": " << e.what() << "\n";
        return 1;
    }
}
