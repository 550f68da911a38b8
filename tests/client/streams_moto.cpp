// The Streams client against moto, which implements ListStreams,
// DescribeStream, GetShardIterator and GetRecords (one shard per table,
// iterators that never expire): a table with a NEW_AND_OLD_IMAGES stream,
// writes through the DynamoDB client, and the records read back typed, in
// order, from every kind of iterator.
#include <ddb/client/client.hpp>
#include <ddb/client/streams_client.hpp>
#include <ddb/ops/streams.hpp>
#include <ddb/ops/table_waiter.hpp>

#include "../support/client_setup.hpp"
#include "../support/local_server.hpp"
#include "../support/run.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

using namespace ddb;
namespace asio = boost::asio;
using asio::awaitable;
using av = attribute_value;

namespace {

struct streamed_table {
    asio::io_context ioc;
    client db;
    streams_client streams;
    std::string name = test::unique_table("streams");
    std::string stream_arn;
    std::string shard_id;

    streamed_table()
        : db(ioc.get_executor(), test::config_for(test::local_server::endpoint("moto")))
        , streams(ioc.get_executor(), test::config_for(test::local_server::endpoint("moto"))) {
        create_table_request create;
        create.table_name = name;
        create.billing_mode = billing_mode::pay_per_request;
        create.attribute_definitions = {{"pk", scalar_attribute_type::s}};
        create.key_schema = {{"pk", key_type::hash}};
        create.stream_specification =
            stream_specification{true, stream_view_type::new_and_old_images};
        auto created = test::run(ioc, [&]() -> awaitable<create_table_response> {
            auto r = co_await db.create_table(create);
            co_await wait_until_table_active(db, name, std::chrono::seconds(10),
                                             std::chrono::milliseconds(10));
            co_return r;
        });
        REQUIRE(created.table_description.latest_stream_arn);
        stream_arn = *created.table_description.latest_stream_arn;
        auto shards = test::run(ioc, [&]() -> awaitable<std::vector<shard>> {
            describe_stream_request d;
            d.stream_arn = stream_arn;
            auto g = stream_shards(streams, d);
            std::vector<shard> out;
            while (auto s = co_await g.next())
                out.push_back(std::move(*s));
            co_return out;
        });
        REQUIRE(shards.size() == 1); // moto: one shard per table
        shard_id = shards[0].shard_id;
    }

    template <class F>
    auto run(F&& f) {
        return test::run(ioc, std::forward<F>(f));
    }

    void put(const std::string& pk, int n) {
        put_item_request p;
        p.table_name = name;
        p.item = {{"pk", av(pk)}, {"n", av(number(n))}};
        run([&]() -> awaitable<void> { co_await db.put_item(p); });
    }
    void add(const std::string& pk, int by) {
        update_item_request u;
        u.table_name = name;
        u.key = {{"pk", av(pk)}};
        u.update_expression = "SET n = n + :by";
        u.expression_attribute_values = {{":by", av(number(by))}};
        run([&]() -> awaitable<void> { co_await db.update_item(u); });
    }
    void remove(const std::string& pk) {
        delete_item_request d;
        d.table_name = name;
        d.key = {{"pk", av(pk)}};
        run([&]() -> awaitable<void> { co_await db.delete_item(d); });
    }

    std::string iterator(shard_iterator_type type, std::optional<std::string> sequence = {}) {
        get_shard_iterator_request r;
        r.stream_arn = stream_arn;
        r.shard_id = shard_id;
        r.shard_iterator_type = type;
        r.sequence_number = std::move(sequence);
        auto got = run([&]() -> awaitable<get_shard_iterator_response> {
            co_return co_await streams.get_shard_iterator(r);
        });
        REQUIRE(got.shard_iterator);
        return *got.shard_iterator;
    }
    // Every record after `it` until a page comes back empty.
    std::vector<stream_record> read_from(std::string it) {
        std::vector<stream_record> out;
        for (int pages = 0; pages < 100; ++pages) {
            get_records_request r{it, {}};
            auto page = run([&]() -> awaitable<get_records_response> {
                co_return co_await streams.get_records(r);
            });
            if (page.records.empty())
                break;
            for (auto& rec : page.records)
                out.push_back(std::move(rec));
            if (!page.next_shard_iterator)
                break;
            it = *page.next_shard_iterator;
        }
        return out;
    }
};

} // namespace

TEST_CASE("streams on moto: writes come back as typed records, in order", "[streams]") {
    streamed_table t;
    t.put("a", 1);
    t.add("a", 4);
    t.put("b", 7);
    t.remove("a");

    // The stream is listed for its table.
    auto listed = t.run([&]() -> awaitable<std::vector<stream_summary>> {
        list_streams_request r;
        r.table_name = t.name;
        auto g = list_streams(t.streams, r);
        std::vector<stream_summary> out;
        while (auto s = co_await g.next())
            out.push_back(std::move(*s));
        co_return out;
    });
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].stream_arn == t.stream_arn);
    CHECK(listed[0].table_name == std::optional<std::string>(t.name));

    auto records = t.read_from(t.iterator(shard_iterator_type::trim_horizon));
    REQUIRE(records.size() == 4);
    CHECK(records[0].event_name == stream_event_name::insert);
    CHECK(records[1].event_name == stream_event_name::modify);
    CHECK(records[2].event_name == stream_event_name::insert);
    CHECK(records[3].event_name == stream_event_name::remove);
    CHECK(records[0].keys == item{{"pk", av("a")}});
    CHECK(records[2].keys == item{{"pk", av("b")}});
    CHECK_FALSE(records[0].old_image);
    REQUIRE(records[0].new_image);
    CHECK(*records[0].new_image == item{{"pk", av("a")}, {"n", av(number(1))}});
    REQUIRE(records[1].old_image);
    REQUIRE(records[1].new_image);
    CHECK(records[1].old_image->at("n") == av(number(1)));
    CHECK(records[1].new_image->at("n") == av(number(5)));
    REQUIRE(records[3].old_image);
    CHECK(records[3].old_image->at("n") == av(number(5)));
    CHECK_FALSE(records[3].new_image);
    for (std::size_t i = 0; i < records.size(); ++i) {
        INFO("record " << i);
        CHECK(records[i].stream_view_type == stream_view_type::new_and_old_images);
        CHECK(records[i].event_source == "aws:dynamodb");
        CHECK_FALSE(records[i].sequence_number.empty());
        CHECK(records[i].size_bytes > 0);
        CHECK(records[i].approximate_creation_time.time_since_epoch().count() > 0);
        CHECK_FALSE(records[i].is_ttl_deletion());
        if (i > 0) // increasing sequence numbers (decimal strings of one length here)
            CHECK(records[i - 1].sequence_number < records[i].sequence_number);
    }

    // AT_ and AFTER_SEQUENCE_NUMBER start at and after the second record.
    const std::string second = records[1].sequence_number;
    auto at = t.read_from(t.iterator(shard_iterator_type::at_sequence_number, second));
    REQUIRE(at.size() == 3);
    CHECK(at[0].sequence_number == second);
    auto after = t.read_from(t.iterator(shard_iterator_type::after_sequence_number, second));
    REQUIRE(after.size() == 2);
    CHECK(after[0].sequence_number == records[2].sequence_number);
}

TEST_CASE("streams on moto: LATEST sees only later writes", "[streams]") {
    streamed_table t;
    t.put("before", 1);
    const std::string latest = t.iterator(shard_iterator_type::latest);
    t.put("after", 2);
    auto records = t.read_from(latest);
    REQUIRE(records.size() == 1);
    CHECK(records[0].keys == item{{"pk", av("after")}});
    CHECK(records[0].event_name == stream_event_name::insert);
}

TEST_CASE("streams on moto: an unknown stream ARN is resource_not_found", "[streams]") {
    asio::io_context ioc;
    streams_client s(ioc.get_executor(), test::config_for(test::local_server::endpoint("moto")));
    describe_stream_request r;
    r.stream_arn =
        "arn:aws:dynamodb:us-east-1:123456789012:table/none/stream/2020-01-01T00:00:00.000";
    auto [ec, answer] =
        test::run(ioc, [&]() -> awaitable<std::tuple<error_code, describe_stream_response>> {
            co_return co_await s.async_describe_stream(r, asio::as_tuple(asio::use_awaitable));
        });
    CHECK(ec == errc::not_found);
    CHECK(ec == service_errc::resource_not_found);
}

TEST_CASE("streams on moto: get_records_page gives what get_records gives", "[streams]") {
    streamed_table t;
    t.put("a", 1);
    t.add("a", 4);
    t.remove("a");
    const std::string it = t.iterator(shard_iterator_type::trim_horizon);
    get_records_request r{it, {}};
    auto records = t.run(
        [&]() -> awaitable<get_records_response> { co_return co_await t.streams.get_records(r); });
    auto page = t.run(
        [&]() -> awaitable<get_records_page> { co_return co_await t.streams.get_records_page(r); });
    REQUIRE(records.records.size() == 3);
    REQUIRE(page.records().size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        INFO("record " << i);
        const stream_record_view& v = page.records()[i];
        const stream_record got = v.to_record();
        const stream_record& want = records.records[i];
        CHECK(got.event_id == want.event_id);
        CHECK(got.event_name == want.event_name);
        CHECK(got.event_version == want.event_version);
        CHECK(got.event_source == want.event_source);
        CHECK(got.aws_region == want.aws_region);
        CHECK(got.approximate_creation_time == want.approximate_creation_time);
        CHECK(got.keys == want.keys);
        CHECK(got.old_image == want.old_image);
        CHECK(got.new_image == want.new_image);
        CHECK(got.sequence_number == want.sequence_number);
        CHECK(got.size_bytes == want.size_bytes);
        CHECK(got.stream_view_type == want.stream_view_type);
        CHECK(v.keys.find("pk")->as_s() == "a");
    }
    CHECK(page.records()[1].new_image->find("n")->as_n() == "5");
    // (moto hands out a new iterator text per call: both have one.)
    CHECK(page.next_shard_iterator().has_value() == records.next_shard_iterator.has_value());
    CHECK_FALSE(page.next_shard_iterator()->empty());
}
