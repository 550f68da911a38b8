// ddb tests — a moto table with a NEW_AND_OLD_IMAGES stream for the stream
// reader's integration and chaos tests, and helpers to read records from it.
#pragma once

#include <ddb/client/client.hpp>
#include <ddb/client/streams_client.hpp>
#include <ddb/ops/stream_reader.hpp>
#include <ddb/ops/table_waiter.hpp>

#include "../support/client_setup.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

namespace ddb::test {

using boost::asio::awaitable;
using std::chrono::milliseconds;

inline stream_reader_options quick() {
    stream_reader_options o;
    o.idle_interval = milliseconds(20);
    o.max_idle_requests_per_minute = 6000;
    o.throttle_backoff = milliseconds(5);
    o.max_backoff = milliseconds(50);
    o.shard_sync_interval = milliseconds(500);
    return o;
}

struct moto_table {
    boost::asio::io_context ioc;
    client db;
    streams_client streams;
    std::string name = unique_table("reader");
    std::string stream_arn;

    explicit moto_table(bool with_stream = true,
                        const std::string& streams_endpoint = local_server::endpoint("moto"),
                        client_config streams_config = config_for(""))
        : db(ioc.get_executor(), config_for(local_server::endpoint("moto")))
        , streams(ioc.get_executor(), with_endpoint(std::move(streams_config), streams_endpoint)) {
        create_table_request create;
        create.table_name = name;
        create.billing_mode = billing_mode::pay_per_request;
        create.attribute_definitions = {{"pk", scalar_attribute_type::s}};
        create.key_schema = {{"pk", key_type::hash}};
        if (with_stream)
            create.stream_specification =
                stream_specification{true, stream_view_type::new_and_old_images};
        auto created = run(ioc, [&]() -> awaitable<create_table_response> {
            auto r = co_await db.create_table(create);
            co_await wait_until_table_active(db, name, std::chrono::seconds(10), milliseconds(10));
            co_return r;
        });
        if (with_stream) {
            REQUIRE(created.table_description.latest_stream_arn);
            stream_arn = *created.table_description.latest_stream_arn;
        }
    }
    static client_config with_endpoint(client_config c, const std::string& endpoint) {
        c.endpoint = endpoint;
        return c;
    }

    awaitable<void> put(int i) {
        put_item_request p;
        p.table_name = name;
        p.item = {{"pk", attribute_value("k" + std::to_string(i))},
                  {"n", attribute_value(number(i))}};
        co_await db.put_item(p);
    }
    void put_all(int from, int to) {
        run(ioc, [&]() -> awaitable<void> {
            for (int i = from; i < to; ++i)
                co_await put(i);
        });
    }
};

// The `n` of each record's new image, in the order read.
inline std::vector<int> numbers_of(const std::vector<stream_record>& records) {
    std::vector<int> out;
    for (const auto& r : records) {
        REQUIRE(r.new_image);
        out.push_back(static_cast<int>(r.new_image->at("n").as_n().as<std::int64_t>()));
    }
    return out;
}

inline std::vector<int> range(int from, int to) {
    std::vector<int> out;
    for (int i = from; i < to; ++i)
        out.push_back(i);
    return out;
}

// Reads `g` until `count` records came (or the generator ended).
inline awaitable<std::vector<stream_record>> take(generator<stream_event>& g, std::size_t count) {
    std::vector<stream_record> out;
    while (out.size() < count) {
        auto e = co_await g.next();
        if (!e)
            break;
        if (auto* b = std::get_if<stream_batch>(&*e))
            for (auto& r : b->records)
                out.push_back(std::move(r));
    }
    co_return out;
}

/// The completion of a writer spawned beside a reader: its failure fails
/// the test (thrown out of the io_context's run) instead of a hang.
inline void rethrow_failure(std::exception_ptr e) {
    if (e)
        std::rethrow_exception(e);
}

} // namespace ddb::test
