// The Streams client over the transport seam (no sockets): recorded
// DynamoDB Streams answers (the shapes of the API reference's examples and
// of a TTL deletion) decoded into typed records, the requests it sends
// (target, host, signing scope, bodies), and the protocol's edge cases
// scripted: ExpiredIterator, TrimmedDataAccess, LimitExceeded (retried),
// ResourceNotFound, NextShardIterator absent at a shard's end, empty pages,
// malformed answers, DescribeStream / ListStreams pagination, cancellation.
// These are recorded protocol answers, not a fake DynamoDB.
#include <ddb/client/streams_client.hpp>
#include <ddb/http/transport.hpp>
#include <ddb/model/wire.hpp>
#include <ddb/ops/streams.hpp>

#include "../support/client_setup.hpp"
#include "../support/env.hpp"
#include "../support/run.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/crc.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <deque>

using namespace ddb;
namespace asio = boost::asio;
namespace json = boost::json;
using asio::awaitable;
using steady = std::chrono::steady_clock;

namespace {

struct sent_request {
    http::origin to;
    std::string body;
    std::map<std::string, std::string> headers; // lower-case names
};

struct step {
    bool stall = false;
    unsigned status = 200;
    std::string body;
};

// Answers from a script and records what it was sent.
class scripted_transport final : public http::transport {
public:
    std::deque<step> script;
    std::vector<sent_request> sent;

    awaitable<http::raw_response> send(const http::origin& to, const http::request_view& req,
                                       steady::time_point deadline, http::exchange_info*) override {
        sent_request r;
        r.to = to;
        r.body = req.body;
        for (const auto& f : req.headers) {
            std::string name(f.name);
            for (auto& ch : name)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            r.headers[name] = f.value;
        }
        sent.push_back(std::move(r));
        if (script.empty())
            throw std::logic_error("scripted_transport: no step left");
        step s = std::move(script.front());
        script.pop_front();
        if (s.stall) {
            asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
            co_await timer.async_wait(asio::use_awaitable);
            throw http::transport_error(http::errc::attempt_timeout, "scripted stall");
        }
        boost::crc_32_type crc;
        crc.process_bytes(s.body.data(), s.body.size());
        http::raw_response res;
        res.set_status(s.status, s.status == 200 ? "OK" : "Bad Request", 11);
        res.add_field("x-amzn-RequestId", "STREAMS-RID");
        res.add_field("Content-Type", "application/x-amz-json-1.0");
        res.add_field("x-amz-crc32", std::to_string(crc.checksum()));
        res.body() = s.body;
        co_return res;
    }
};

step ok(std::string body) {
    return {false, 200, std::move(body)};
}
step error_answer(const std::string& type, const std::string& message) {
    return {false, 400,
            R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + type + R"(","message":")" +
                message + "\"}"};
}

// GetRecords as the API reference shows it (Forum table, NEW_AND_OLD_IMAGES):
// an INSERT, a MODIFY and a REMOVE of one item.
const char* const forum_page = R"({
  "NextShardIterator": "arn:aws:dynamodb:us-west-2:111122223333:table/Forum/stream/2015-05-20T20:51:10.252|1|AAAAAAAAAAGQBYshYDEe",
  "Records": [
    {"awsRegion": "us-west-2",
     "dynamodb": {"ApproximateCreationDateTime": 1.46480646E9,
                  "Keys": {"ForumName": {"S": "DynamoDB"}, "Subject": {"S": "DynamoDB Thread 3"}},
                  "NewImage": {"ForumName": {"S": "DynamoDB"}, "Subject": {"S": "DynamoDB Thread 3"},
                               "Views": {"N": "0"}, "Tags": {"SS": ["a", "b"]}},
                  "SequenceNumber": "300000000000000499659", "SizeBytes": 41,
                  "StreamViewType": "NEW_AND_OLD_IMAGES"},
     "eventID": "e2fd9c34eff2d779b297b26f5fef4206", "eventName": "INSERT",
     "eventSource": "aws:dynamodb", "eventVersion": "1.0"},
    {"awsRegion": "us-west-2",
     "dynamodb": {"ApproximateCreationDateTime": 1.46480527E9,
                  "Keys": {"ForumName": {"S": "DynamoDB"}, "Subject": {"S": "DynamoDB Thread 3"}},
                  "NewImage": {"ForumName": {"S": "DynamoDB"}, "Subject": {"S": "DynamoDB Thread 3"},
                               "Views": {"N": "1"}, "Meta": {"M": {"by": {"S": "alice"},
                               "at": {"NULL": true}, "hot": {"BOOL": true}}}},
                  "OldImage": {"ForumName": {"S": "DynamoDB"}, "Subject": {"S": "DynamoDB Thread 3"},
                               "Views": {"N": "0"}},
                  "SequenceNumber": "400000000000000499660", "SizeBytes": 84,
                  "StreamViewType": "NEW_AND_OLD_IMAGES"},
     "eventID": "4b25bd0da9a181a155114127e4837252", "eventName": "MODIFY",
     "eventSource": "aws:dynamodb", "eventVersion": "1.0"},
    {"awsRegion": "us-west-2",
     "dynamodb": {"ApproximateCreationDateTime": 1.46480646E9,
                  "Keys": {"ForumName": {"S": "DynamoDB"}, "Subject": {"S": "DynamoDB Thread 3"}},
                  "OldImage": {"ForumName": {"S": "DynamoDB"}, "Subject": {"S": "DynamoDB Thread 3"},
                               "Views": {"N": "1"}, "Blob": {"B": "aGVsbG8="}},
                  "SequenceNumber": "500000000000000499661", "SizeBytes": 41,
                  "StreamViewType": "NEW_AND_OLD_IMAGES"},
     "eventID": "740280c73a3df7842edab3548a1b08ad", "eventName": "REMOVE",
     "eventSource": "aws:dynamodb", "eventVersion": "1.0"}
  ]
})";

// A deletion by Time to Live: DynamoDB itself is the user.
const char* const ttl_page = R"({
  "NextShardIterator": "it-2",
  "Records": [
    {"awsRegion": "eu-west-1",
     "dynamodb": {"ApproximateCreationDateTime": 1700000000,
                  "Keys": {"pk": {"S": "session#1"}},
                  "OldImage": {"pk": {"S": "session#1"}, "expires": {"N": "1699999000"}},
                  "SequenceNumber": "600000000000000000001", "SizeBytes": 30,
                  "StreamViewType": "NEW_AND_OLD_IMAGES"},
     "eventID": "ttl-1", "eventName": "REMOVE", "eventSource": "aws:dynamodb",
     "eventVersion": "1.1",
     "userIdentity": {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}}
  ]
})";

const char* const stream_arn =
    "arn:aws:dynamodb:us-west-2:111122223333:table/Forum/stream/2015-05-20T20:51:10.252";

struct fixture {
    explicit fixture(
        const std::string& endpoint = "https://streams.dynamodb.us-west-2.amazonaws.com") {
        client_config cfg = test::config_for(endpoint);
        cfg.region = "us-west-2";
        cfg.transport = transport;
        s.emplace(ioc.get_executor(), cfg);
    }
    template <class F>
    auto run(F&& f) {
        return test::run(ioc, std::forward<F>(f));
    }
    get_records_response records(std::string iterator = "it-1") {
        get_records_request r{std::move(iterator), {}};
        return run(
            [&]() -> awaitable<get_records_response> { co_return co_await s->get_records(r); });
    }
    json::object last_body() const {
        REQUIRE(!transport->sent.empty());
        return json::parse(transport->sent.back().body).as_object();
    }

    asio::io_context ioc;
    std::shared_ptr<scripted_transport> transport = std::make_shared<scripted_transport>();
    std::optional<streams_client> s;
};

} // namespace

TEST_CASE("streams: GetRecords answers decode into typed records, in order", "[streams]") {
    fixture f;
    f.transport->script.push_back(ok(forum_page));
    const auto page = f.records("it-1");
    CHECK(f.last_body() == json::parse(R"({"ShardIterator":"it-1"})"));
    const auto& sent = f.transport->sent.back();
    CHECK(sent.headers.at("x-amz-target") == "DynamoDBStreams_20120810.GetRecords");
    CHECK(sent.headers.at("host") == "streams.dynamodb.us-west-2.amazonaws.com");
    CHECK(sent.headers.at("content-type") == "application/x-amz-json-1.0");
    // Streams is signed as DynamoDB: the scope's service is "dynamodb".
    CHECK_THAT(sent.headers.at("authorization"),
               Catch::Matchers::Contains("/us-west-2/dynamodb/aws4_request"));

    REQUIRE(page.records.size() == 3);
    REQUIRE(page.next_shard_iterator);
    CHECK(page.next_shard_iterator->ends_with("|1|AAAAAAAAAAGQBYshYDEe"));
    const auto& insert = page.records[0];
    CHECK(insert.event_name == stream_event_name::insert);
    CHECK(insert.event_id == "e2fd9c34eff2d779b297b26f5fef4206");
    CHECK(insert.event_source == "aws:dynamodb");
    CHECK(insert.event_version == "1.0");
    CHECK(insert.aws_region == "us-west-2");
    CHECK(insert.sequence_number == "300000000000000499659");
    CHECK(insert.size_bytes == 41);
    CHECK(insert.stream_view_type == stream_view_type::new_and_old_images);
    CHECK(insert.approximate_creation_time ==
          std::chrono::system_clock::time_point(std::chrono::seconds(1464806460)));
    CHECK(insert.keys == item{{"ForumName", attribute_value("DynamoDB")},
                              {"Subject", attribute_value("DynamoDB Thread 3")}});
    REQUIRE(insert.new_image);
    CHECK(insert.new_image->at("Views") == attribute_value(number(0)));
    CHECK(insert.new_image->at("Tags") == attribute_value::ss({"a", "b"}));
    CHECK_FALSE(insert.old_image);
    CHECK_FALSE(insert.user_identity);
    CHECK_FALSE(insert.is_ttl_deletion());

    const auto& modify = page.records[1];
    CHECK(modify.event_name == stream_event_name::modify);
    REQUIRE(modify.old_image);
    REQUIRE(modify.new_image);
    CHECK(modify.old_image->at("Views") == attribute_value(number(0)));
    CHECK(modify.new_image->at("Views") == attribute_value(number(1)));
    const auto& meta = modify.new_image->at("Meta").as_m();
    CHECK(meta.at("by") == attribute_value("alice"));
    CHECK(meta.at("at").is_null());
    CHECK(meta.at("hot") == attribute_value(true));

    const auto& remove = page.records[2];
    CHECK(remove.event_name == stream_event_name::remove);
    CHECK_FALSE(remove.new_image);
    REQUIRE(remove.old_image);
    CHECK(remove.old_image->at("Blob").as_b() == bytes{'h', 'e', 'l', 'l', 'o'});
    CHECK_FALSE(remove.is_ttl_deletion());
    // Sequence numbers increase within the shard.
    CHECK(page.records[0].sequence_number < page.records[1].sequence_number);
    CHECK(page.records[1].sequence_number < page.records[2].sequence_number);
}

TEST_CASE("streams: a TTL deletion carries DynamoDB as its user identity", "[streams]") {
    fixture f;
    f.transport->script.push_back(ok(ttl_page));
    const auto page = f.records();
    REQUIRE(page.records.size() == 1);
    const auto& r = page.records[0];
    REQUIRE(r.user_identity);
    CHECK(r.user_identity->type == "Service");
    CHECK(r.user_identity->principal_id == "dynamodb.amazonaws.com");
    CHECK(r.is_ttl_deletion());
    CHECK(r.approximate_creation_time ==
          std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)));
}

TEST_CASE("streams: the JSON form of a GetRecords answer reads back the same", "[streams]") {
    get_records_response page;
    model::decode(json::parse(forum_page), page);
    json::object again;
    model::encode(page, again);
    get_records_response back;
    model::decode(again, back);
    REQUIRE(back.records.size() == page.records.size());
    for (std::size_t i = 0; i < page.records.size(); ++i) {
        CHECK(back.records[i].sequence_number == page.records[i].sequence_number);
        CHECK(back.records[i].keys == page.records[i].keys);
        CHECK(back.records[i].new_image == page.records[i].new_image);
        CHECK(back.records[i].old_image == page.records[i].old_image);
        CHECK(back.records[i].approximate_creation_time ==
              page.records[i].approximate_creation_time);
    }
    CHECK(back.next_shard_iterator == page.next_shard_iterator);
}

TEST_CASE("streams: empty pages and the end of a closed shard", "[streams]") {
    fixture f;
    // An open shard with nothing new: no records, and an iterator to go on.
    f.transport->script.push_back(ok(R"({"Records":[],"NextShardIterator":"it-2"})"));
    auto empty = f.records("it-1");
    CHECK(empty.records.empty());
    CHECK(empty.next_shard_iterator == std::optional<std::string>("it-2"));
    // A closed shard read to its end: no NextShardIterator.
    f.transport->script.push_back(ok(R"({"Records":[]})"));
    auto end = f.records("it-2");
    CHECK(end.records.empty());
    CHECK_FALSE(end.next_shard_iterator);
    // An explicit null is the same.
    f.transport->script.push_back(ok(R"({"NextShardIterator":null})"));
    CHECK_FALSE(f.records("it-3").next_shard_iterator);
}

TEST_CASE("streams: protocol errors are typed, with their conditions", "[streams]") {
    fixture f;
    auto fails = [&](step answer) -> std::exception_ptr {
        f.transport->script.push_back(std::move(answer));
        try {
            f.records();
        } catch (...) {
            return std::current_exception();
        }
        FAIL("no error");
        return {};
    };
    SECTION("an expired iterator is not retried") {
        auto e = fails(error_answer("ExpiredIteratorException", "Iterator expired"));
        CHECK(f.transport->sent.size() == 1);
        try {
            std::rethrow_exception(e);
        } catch (const expired_iterator& x) {
            CHECK(x.code() == errc::expired_iterator);
            CHECK(x.code() == service_errc::expired_iterator);
            CHECK(x.operation() == "GetRecords");
            CHECK(x.request_id() == "STREAMS-RID");
            CHECK_THAT(std::string(x.what()), Catch::Matchers::Contains("Iterator expired"));
        }
    }
    SECTION("trimmed data is not retried") {
        auto e = fails(error_answer("TrimmedDataAccessException", "trimmed"));
        CHECK(f.transport->sent.size() == 1);
        CHECK_THROWS_AS(std::rethrow_exception(e), trimmed_data_access);
        try {
            std::rethrow_exception(e);
        } catch (const service_error& x) {
            CHECK(x.code() == errc::trimmed_data_access);
        }
    }
    SECTION("too many readers on a shard is throttling: retried, then thrown") {
        for (int i = 0; i < 2; ++i) // the default standard mode: 3 attempts
            f.transport->script.push_back(error_answer("LimitExceededException", "2 readers"));
        auto e = fails(error_answer("LimitExceededException", "2 readers"));
        CHECK(f.transport->sent.size() == 3);
        try {
            std::rethrow_exception(e);
        } catch (const limit_exceeded& x) {
            CHECK(x.code() == errc::throttled);
            CHECK(dynamic_cast<const throttling_error*>(&x) != nullptr);
        }
    }
    SECTION("a throttled read that succeeds on a retry") {
        f.transport->script.push_back(error_answer("LimitExceededException", "2 readers"));
        f.transport->script.push_back(ok(ttl_page));
        CHECK(f.records().records.size() == 1);
        CHECK(f.transport->sent.size() == 2);
    }
}

TEST_CASE("streams: an unknown stream is resource_not_found", "[streams]") {
    fixture f;
    f.transport->script.push_back(
        error_answer("ResourceNotFoundException", "Requested resource not found: Stream: x"));
    describe_stream_request r;
    r.stream_arn = "arn:aws:dynamodb:us-west-2:111122223333:table/None/stream/x";
    try {
        f.run([&]() -> awaitable<void> { co_await f.s->describe_stream(r); });
        FAIL("no error");
    } catch (const resource_not_found& e) {
        CHECK(e.code() == errc::not_found);
        CHECK(e.operation() == "DescribeStream");
    }
    CHECK(f.transport->sent.back().headers.at("x-amz-target") ==
          "DynamoDBStreams_20120810.DescribeStream");
}

TEST_CASE("streams: malformed answers name the field", "[streams]") {
    fixture f;
    auto message_of = [&](const char* body) {
        f.transport->script.push_back(ok(body));
        try {
            f.records();
        } catch (const malformed_response& e) {
            return std::string(e.what());
        }
        FAIL("no error");
        return std::string();
    };
    CHECK_THAT(message_of(R"({"Records":[{"eventName":"INSERT","dynamodb":{"Keys":{}}}]})"),
               Catch::Matchers::Contains("Records[0].dynamodb.SequenceNumber: missing"));
    CHECK_THAT(message_of(R"({"Records":[{},{"eventName":"INSERT"}]})"),
               Catch::Matchers::Contains("Records[0].dynamodb: missing"));
    CHECK_THAT(
        message_of(
            R"({"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"n":{"N":"x1"}}}}]})"),
        Catch::Matchers::Contains("Records[0].dynamodb.NewImage.n.N"));
    CHECK_THAT(message_of(R"({"Records":{}})"), Catch::Matchers::Contains("Records: not an array"));
    CHECK_THAT(message_of(R"({"Records":[{"dynamodb":{"SequenceNumber":"1","SizeBytes":"x"}}]})"),
               Catch::Matchers::Contains("Records[0].dynamodb.SizeBytes: not an integer"));
    // The paths are built only on error: every part of them is still there.
    CHECK_THAT(
        message_of(
            R"({"Records":[{"dynamodb":{"SequenceNumber":"1"}},{"dynamodb":{"SequenceNumber":"2",)"
            R"("OldImage":{"l":{"L":[{"S":"x"},{"SS":["a","a"]}]}}}}]})"),
        Catch::Matchers::EndsWith("answer: Records[1].dynamodb.OldImage.l[1].SS: string set has a "
                                  "duplicate member (HTTP 200)"));
    CHECK_THAT(
        message_of(R"({"Records":[{"dynamodb":{"SequenceNumber":"1"}},{"dynamodb":{)"
                   R"("SequenceNumber":"2"},"userIdentity":{"Type":7}}]})"),
        Catch::Matchers::EndsWith("answer: Records[1].userIdentity.Type: not a string (HTTP 200)"));
    CHECK_THAT(
        message_of(R"({"Records":[{"dynamodb":{"SequenceNumber":"1","Keys":[]}}]})"),
        Catch::Matchers::EndsWith(
            "answer: Records[0].dynamodb.Keys: expected a JSON object of attributes (HTTP 200)"));
    CHECK_THAT(message_of(R"({"Records":[{"dynamodb":{"SequenceNumber":"1"},"eventID":1}]})"),
               Catch::Matchers::EndsWith("answer: Records[0].eventID: not a string (HTTP 200)"));
    // An event name newer than ddb is kept as unknown, not refused.
    f.transport->script.push_back(
        ok(R"({"Records":[{"eventName":"UPSERT","dynamodb":{"SequenceNumber":"1"}}]})"));
    CHECK(f.records().records.at(0).event_name == stream_event_name::unknown);
}

TEST_CASE("streams: GetShardIterator sends each iterator type", "[streams]") {
    fixture f;
    const std::pair<shard_iterator_type, const char*> types[] = {
        {shard_iterator_type::trim_horizon, "TRIM_HORIZON"},
        {shard_iterator_type::latest, "LATEST"},
        {shard_iterator_type::at_sequence_number, "AT_SEQUENCE_NUMBER"},
        {shard_iterator_type::after_sequence_number, "AFTER_SEQUENCE_NUMBER"},
    };
    for (const auto& [type, wire] : types) {
        f.transport->script.push_back(ok(R"({"ShardIterator":"it-x"})"));
        get_shard_iterator_request r;
        r.stream_arn = stream_arn;
        r.shard_id = "shardId-00000001414562045508-2bac9cd2";
        r.shard_iterator_type = type;
        if (type == shard_iterator_type::at_sequence_number ||
            type == shard_iterator_type::after_sequence_number)
            r.sequence_number = "300000000000000499659";
        auto got = f.run([&]() -> awaitable<get_shard_iterator_response> {
            co_return co_await f.s->get_shard_iterator(r);
        });
        CHECK(got.shard_iterator == std::optional<std::string>("it-x"));
        auto body = f.last_body();
        CHECK(body.at("ShardIteratorType") == wire);
        CHECK(body.at("StreamArn") == stream_arn);
        CHECK(body.contains("SequenceNumber") == r.sequence_number.has_value());
    }
}

TEST_CASE("streams: DescribeStream pages through the shards, parents first", "[streams]") {
    fixture f;
    f.transport->script.push_back(ok(R"({"StreamDescription":{
        "StreamArn":"arn:s","StreamLabel":"2015-05-20T20:51:10.252","StreamStatus":"ENABLED",
        "StreamViewType":"NEW_AND_OLD_IMAGES","CreationRequestDateTime":1.43215467E9,
        "TableName":"Forum","KeySchema":[{"AttributeName":"ForumName","KeyType":"HASH"}],
        "Shards":[{"ShardId":"shard-1","SequenceNumberRange":{
            "StartingSequenceNumber":"100","EndingSequenceNumber":"199"}}],
        "LastEvaluatedShardId":"shard-1"}})"));
    f.transport->script.push_back(ok(R"({"StreamDescription":{"StreamArn":"arn:s",
        "Shards":[{"ShardId":"shard-2","ParentShardId":"shard-1",
                   "SequenceNumberRange":{"StartingSequenceNumber":"200"}}]}})"));
    describe_stream_request r;
    r.stream_arn = "arn:s";
    r.limit = 1;
    auto shards = f.run([&]() -> awaitable<std::vector<shard>> {
        auto g = stream_shards(*f.s, r);
        std::vector<shard> out;
        while (auto s = co_await g.next())
            out.push_back(std::move(*s));
        co_return out;
    });
    REQUIRE(shards.size() == 2);
    CHECK(shards[0].shard_id == "shard-1");
    CHECK(shards[0].sequence_number_range.ending_sequence_number ==
          std::optional<std::string>("199"));
    CHECK(shards[1].parent_shard_id == std::optional<std::string>("shard-1"));
    CHECK_FALSE(shards[1].sequence_number_range.ending_sequence_number); // open
    REQUIRE(f.transport->sent.size() == 2);
    CHECK(json::parse(f.transport->sent[0].body) ==
          json::parse(R"({"StreamArn":"arn:s","Limit":1})"));
    CHECK(json::parse(f.transport->sent[1].body) ==
          json::parse(R"({"StreamArn":"arn:s","Limit":1,"ExclusiveStartShardId":"shard-1"})"));

    // The description's own fields, and the child-shard filter.
    f.transport->script.push_back(ok(R"({"StreamDescription":{"StreamArn":"arn:s",
        "StreamStatus":"ENABLED","StreamViewType":"KEYS_ONLY","Shards":[]}})"));
    describe_stream_request children;
    children.stream_arn = "arn:s";
    children.shard_filter = shard_filter{shard_filter_type::child_shards, "shard-1"};
    auto d = f.run([&]() -> awaitable<describe_stream_response> {
        co_return co_await f.s->describe_stream(children);
    });
    CHECK(d.stream_description.stream_status == stream_status::enabled);
    CHECK(d.stream_description.stream_view_type == stream_view_type::keys_only);
    CHECK(f.last_body().at("ShardFilter") ==
          json::parse(R"({"Type":"CHILD_SHARDS","ShardId":"shard-1"})"));
}

TEST_CASE("streams: ListStreams pages through every stream", "[streams]") {
    fixture f;
    f.transport->script.push_back(ok(R"({"Streams":[{"StreamArn":"arn:1","TableName":"a",
        "StreamLabel":"l1"}],"LastEvaluatedStreamArn":"arn:1"})"));
    f.transport->script.push_back(ok(R"({"Streams":[{"StreamArn":"arn:2","TableName":"b"}]})"));
    auto arns = f.run([&]() -> awaitable<std::vector<std::string>> {
        auto g = list_streams(*f.s);
        std::vector<std::string> out;
        while (auto s = co_await g.next())
            out.push_back(s->stream_arn);
        co_return out;
    });
    CHECK(arns == std::vector<std::string>{"arn:1", "arn:2"});
    CHECK(f.last_body() == json::parse(R"({"ExclusiveStartStreamArn":"arn:1"})"));
    CHECK(f.transport->sent.back().headers.at("x-amz-target") ==
          "DynamoDBStreams_20120810.ListStreams");
}

TEST_CASE("streams: async forms report error codes and honour total cancellation", "[streams]") {
    fixture f;
    f.transport->script.push_back(error_answer("ExpiredIteratorException", "old"));
    std::optional<error_code> got;
    diagnostics diag;
    get_records_request r{"it-1", {}};
    f.s->async_get_records(r, diag, [&](error_code ec, get_records_response) { got = ec; });
    f.ioc.run();
    REQUIRE(got);
    CHECK(*got == errc::expired_iterator);
    CHECK(diag.get<expired_iterator>() != nullptr);

    // A read stalled in the transport: total cancellation stops it.
    f.transport->script.push_back(step{true, 200, {}});
    asio::cancellation_signal sig;
    got.reset();
    f.s->async_get_records(
        r, asio::bind_cancellation_slot(sig.slot(),
                                        [&](error_code ec, get_records_response) { got = ec; }));
    asio::steady_timer timer(f.ioc, std::chrono::milliseconds(20));
    timer.async_wait([&](error_code) { sig.emit(asio::cancellation_type::total); });
    f.ioc.restart();
    while (!got && f.ioc.run_one())
        ;
    REQUIRE(got);
    CHECK(*got == asio::error::operation_aborted);
}

TEST_CASE("streams: the client resolves the Streams endpoint, not DynamoDB's", "[streams]") {
    test::env_guard env;
    env.clean_aws();
    asio::io_context ioc;
    client_config cfg = test::config_for("");
    cfg.endpoint.reset();
    cfg.region = "eu-west-1";
    SECTION("regional") {
        env.set("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:1"); // DynamoDB's, not ours
        streams_client s(ioc.get_executor(), cfg);
        CHECK(s.endpoint().host == "streams.dynamodb.eu-west-1.amazonaws.com");
        CHECK(s.describe_endpoint() == "regional https://streams.dynamodb.eu-west-1.amazonaws.com");
        CHECK(s.region() == "eu-west-1");
    }
    SECTION("dual-stack and FIPS") {
        cfg.use_dualstack_endpoint = true;
        cfg.use_fips_endpoint = true;
        streams_client s(ioc.get_executor(), cfg);
        CHECK(s.endpoint().host == "streams-dynamodb-fips.eu-west-1.api.aws");
    }
    SECTION("configured by its own variable") {
        env.set("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "http://127.0.0.1:4567");
        streams_client s(ioc.get_executor(), cfg);
        CHECK(s.endpoint().port == 4567);
        CHECK(s.describe_endpoint() ==
              "configured http://127.0.0.1:4567 (AWS_ENDPOINT_URL_DYNAMODB_STREAMS)");
    }
    SECTION("account-based endpoints do not apply") {
        env.set("AWS_ACCOUNT_ID_ENDPOINT_MODE", "required");
        streams_client s(ioc.get_executor(), cfg);
        CHECK(s.endpoint().host == "streams.dynamodb.eu-west-1.amazonaws.com");
    }
}
