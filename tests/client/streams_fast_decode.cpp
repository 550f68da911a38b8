// The GetRecords text decoder (`model::decode_text`, a Boost.JSON SAX parse
// that builds records and items without a JSON tree; what
// streams_client::get_records tries first) against the tree decoder
// (`model::decode`), which stays the reference and the fallback:
//  - on recorded answers both give the same page, field for field;
//  - on structured and textual variations of them (every value replaced by
//    each of a set of wrong ones, every member dropped, every byte dropped or
//    changed) the text decoder never decodes what the tree decoder refuses,
//    and decodes the rest to the same page (or declines it);
//  - through the client, every malformed answer still gets the error the
//    tree path gives, word for word (tests/client/streams_protocol.cpp has
//    the field errors; here the JSON-level ones), and declined but valid
//    answers (duplicate keys) still decode.
#include <ddb/client/errors.hpp>
#include <ddb/client/streams_client.hpp>
#include <ddb/http/transport.hpp>
#include <ddb/model/wire.hpp>

#include "../support/client_setup.hpp"
#include "../support/run.hpp"
#include "../support/streams_differential.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/crc.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>

using namespace ddb;
namespace asio = boost::asio;
namespace json = boost::json;
using steady = std::chrono::steady_clock;

namespace {

constexpr unsigned depth = max_response_depth;

// The API reference's Forum example (an INSERT, a MODIFY, a REMOVE), with
// every attribute type in its images.
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
     "dynamodb": {"ApproximateCreationDateTime": 1464805270,
                  "Keys": {"ForumName": {"S": "DynamoDB"}, "Subject": {"S": "DynamoDB Thread 3"}},
                  "NewImage": {"ForumName": {"S": "DynamoDB"}, "Subject": {"S": "DynamoDB Thread 3"},
                               "Views": {"N": "1"}, "Meta": {"M": {"by": {"S": "alice"},
                               "at": {"NULL": true}, "hot": {"BOOL": true}}},
                               "Scores": {"NS": ["1", "2.5", "-3e2"]},
                               "Lines": {"L": [{"M": {"q": {"N": "2"}}}, {"L": []}, {"S": ""}]}},
                  "OldImage": {"ForumName": {"S": "DynamoDB"}, "Subject": {"S": "DynamoDB Thread 3"},
                               "Views": {"N": "0"}, "Bins": {"BS": ["aGVsbG8=", "d29ybGQ="]}},
                  "SequenceNumber": "400000000000000499660", "SizeBytes": 84,
                  "StreamViewType": "NEW_AND_OLD_IMAGES"},
     "eventID": "4b25bd0da9a181a155114127e4837252", "eventName": "MODIFY",
     "eventSource": "aws:dynamodb", "eventVersion": "1.0", "extra": {"a": [1, {"b": null}]}},
    {"awsRegion": "us-west-2",
     "dynamodb": {"ApproximateCreationDateTime": 1.46480646E9,
                  "Keys": {"ForumName": {"S": "DynamoDB"}, "Subject": {"S": "DynamoDB Thread 3"}},
                  "OldImage": {"ForumName": {"S": "DynamoDB"}, "Subject": {"S": "DynamoDB Thread 3"},
                               "Views": {"N": "1"}, "Blob": {"B": "aGVsbG8="}, "Off": {"BOOL": false}},
                  "SequenceNumber": "500000000000000499661", "SizeBytes": 41,
                  "StreamViewType": "KEYS_ONLY", "Future": 1},
     "eventID": "740280c73a3df7842edab3548a1b08ad", "eventName": "REMOVE",
     "eventSource": "aws:dynamodb", "eventVersion": "1.0"}
  ]
})";

// A deletion by Time to Live: DynamoDB itself is the user.
const char* const ttl_page = R"({"Records": [
    {"awsRegion": "eu-west-1",
     "dynamodb": {"ApproximateCreationDateTime": 1700000000,
                  "Keys": {"pk": {"S": "session#1"}},
                  "OldImage": {"pk": {"S": "session#1"}, "expires": {"N": "1699999000"}},
                  "SequenceNumber": "600000000000000000001", "SizeBytes": 30,
                  "StreamViewType": "OLD_IMAGE"},
     "eventID": "ttl-1", "eventName": "REMOVE", "eventSource": "aws:dynamodb",
     "eventVersion": "1.1",
     "userIdentity": {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}}
  ], "NextShardIterator": "it-2"})";

// Escapes in names and values (the parser hands those over in parts),
// nulls where the tree decoder skips them, an unknown event name.
const char* const escaped_page =
    R"({"Records":[{"eventName":"UPSERT","eventID":"e\"1","userIdentity":null,)"
    R"("dynamodb":{"SequenceNumber":"7\u0037","Keys":{"p\u006b":{"S":"a\\b\u00e9\ud83d\ude00"}},)"
    R"("NewImage":{"long name with \"quotes\" and more than sixteen bytes":{"SS":["x\ny","z"]},)"
    // An escaped name whose value holds more escaped names and strings (the
    // parser's buffer for them is reused: the name must be copied).
    R"("\u00e9\"lines":{"L":[{"M":{"\u0073ku":{"S":"\u00e9\u00e9\u00e9"}}},{"S":"\"q\""}]}},)"
    R"("OldImage":null,"SizeBytes":null,"StreamViewType":"NEW_IMAGE"}}],"NextShardIterator":null})";

const std::vector<std::string> recorded = {forum_page,
                                           ttl_page,
                                           escaped_page,
                                           R"({"Records":[],"NextShardIterator":"it-2"})",
                                           R"({"Records":[]})",
                                           R"({"NextShardIterator":null})",
                                           R"({})",
                                           R"( {"Records":null} )"};

// Every value of `v` in preorder, each given to `f(value)` on a copy of the
// document `root`; returns how many there were.
template <class F>
int each_value(const json::value& root, F f) {
    int count = 0;
    for (int k = 0;; ++k) {
        json::value copy = root;
        int at = k;
        std::function<bool(json::value&)> walk = [&](json::value& v) -> bool {
            if (at-- == 0) {
                f(v, copy);
                return true;
            }
            if (v.is_object())
                for (auto& m : v.get_object())
                    if (walk(m.value()))
                        return true;
            if (v.is_array())
                for (auto& e : v.get_array())
                    if (walk(e))
                        return true;
            return false;
        };
        if (!walk(copy))
            return count;
        ++count;
    }
}

// The tree decoder's record `i` of `text`.
stream_record tree_record_of(const char* text, std::size_t i) {
    get_records_response out;
    model::decode(json::parse(text), out);
    return out.records.at(i);
}

// Decodes `body` through a streams_client whose transport answers with it.
class canned_transport final : public http::transport {
public:
    std::string body;
    asio::awaitable<http::raw_response> send(const http::origin&, const http::request_view&,
                                             steady::time_point, http::exchange_info*) override {
        boost::crc_32_type crc;
        crc.process_bytes(body.data(), body.size());
        http::raw_response res;
        res.set_status(200, "OK", 11);
        res.add_field("x-amzn-RequestId", "RID");
        res.add_field("Content-Type", "application/x-amz-json-1.0");
        res.add_field("x-amz-crc32", std::to_string(crc.checksum()));
        res.body() = body;
        co_return res;
    }
};

struct client_fixture {
    client_fixture() {
        client_config cfg = test::config_for("https://streams.dynamodb.us-west-2.amazonaws.com");
        cfg.region = "us-west-2";
        cfg.transport = transport;
        s.emplace(ioc.get_executor(), cfg);
    }
    get_records_response records(const std::string& body) {
        transport->body = body;
        get_records_request r{"it", {}};
        return test::run(ioc, [&]() -> asio::awaitable<get_records_response> {
            co_return co_await s->get_records(r);
        });
    }
    get_records_page page(const std::string& body) {
        transport->body = body;
        get_records_request r{"it", {}};
        return test::run(ioc, [&]() -> asio::awaitable<get_records_page> {
            co_return co_await s->get_records_page(r);
        });
    }
    // The error the client throws for `body`: its type's name and message.
    std::string error_of(const std::string& body) {
        try {
            records(body);
        } catch (const malformed_response& e) {
            return std::string("malformed_response: ") + e.what();
        } catch (const http::protocol_error& e) {
            return std::string("protocol_error: ") + e.what();
        }
        return "no error";
    }
    asio::io_context ioc;
    std::shared_ptr<canned_transport> transport = std::make_shared<canned_transport>();
    std::optional<streams_client> s;
};

} // namespace

TEST_CASE("streams text decoder: recorded answers decode as the tree decoder decodes them",
          "[streams][decode]") {
    for (const std::string& page : recorded) {
        INFO(page);
        const auto fast = test::text_decoded(page, depth);
        const auto tree = test::tree_decoded(page, depth);
        REQUIRE(tree);
        REQUIRE(fast);
        CHECK(*fast == *tree);
    }
    // What the escaped page holds, spelled out.
    get_records_response p;
    REQUIRE(model::decode_text(escaped_page, p, depth));
    REQUIRE(p.records.size() == 1);
    CHECK(p.records[0].event_id == "e\"1");
    CHECK(p.records[0].event_name == stream_event_name::unknown);
    CHECK(p.records[0].sequence_number == "77");
    CHECK(p.records[0].keys.at("pk").as_s() == "a\\b\xc3\xa9\xf0\x9f\x98\x80");
    CHECK(p.records[0].new_image->begin()->second.as_ss().at(0) == "x\ny");
    CHECK_FALSE(p.records[0].old_image);
    CHECK_FALSE(p.records[0].user_identity);
    CHECK_FALSE(p.next_shard_iterator);
}

TEST_CASE("streams text decoder: every value replaced or dropped, it agrees with the tree",
          "[streams][decode]") {
    const std::vector<json::value> wrong = {nullptr,
                                            7,
                                            -1,
                                            1.5,
                                            1e300,
                                            json::value(18446744073709551615ull),
                                            "x",
                                            "",
                                            "1",
                                            json::array{},
                                            json::object{},
                                            true,
                                            false,
                                            json::parse(R"({"S":"x"})"),
                                            json::parse(R"({"N":"1"})"),
                                            json::parse(R"({"SS":[]})"),
                                            json::parse(R"({"NULL":false})"),
                                            json::parse(R"([{"S":"x"}])"),
                                            json::parse(R"({"S":"x","N":"1"})"),
                                            json::parse(R"({"M":{"a":{"S":"b"}}})")};
    int decoded = 0, declined = 0, cases = 0;
    for (const std::string& page : recorded) {
        const json::value root = json::parse(page);
        auto check = [&](const json::value& doc) {
            const std::string text = json::serialize(doc);
            bool no = false;
            INFO(text);
            CHECK(test::agree(text, depth, &no));
            ++(no ? declined : decoded);
            ++cases;
        };
        each_value(root, [&](json::value& v, json::value& doc) {
            const json::value kept = v;
            for (const json::value& w : wrong) {
                v = w;
                check(doc);
            }
            // The member dropped (objects), or the element (arrays), via its
            // container: v is replaced by the container without it.
            v = kept;
        });
        // Each member dropped.
        each_value(root, [&](json::value& v, json::value& doc) {
            if (!v.is_object())
                return;
            const json::object all = v.get_object();
            for (const auto& m : all) {
                v.get_object().erase(m.key());
                check(doc);
                v = all;
            }
        });
    }
    CHECK(cases > 2000);
    CHECK(decoded > 300); // variations the text decoder still takes
    CHECK(declined > 300);
}

TEST_CASE("streams text decoder: every byte dropped or changed, it agrees with the tree",
          "[streams][decode]") {
    int decoded = 0, declined = 0;
    for (const std::string& page : {std::string(forum_page), std::string(escaped_page)}) {
        for (std::size_t i = 0; i < page.size(); ++i) {
            for (const char* change : {"", "\"", "}", "]", "0", " ", "\\", ","}) {
                std::string text = page;
                text.replace(i, 1, change);
                bool no = false;
                INFO(text);
                CHECK(test::agree(text, depth, &no));
                ++(no ? declined : decoded);
            }
        }
    }
    CHECK(decoded > 100);
    CHECK(declined > 100);
}

TEST_CASE("streams text decoder: what it declines, and that a decline leaves nothing behind",
          "[streams][decode]") {
    const char* const declined[] = {
        // Duplicate names: the tree has its own rule for them.
        R"({"Records":[],"Records":[]})",
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","SequenceNumber":"2"}}]})",
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","Keys":{"a":{"S":"x"},"a":{"S":"y"}}}}]})",
        // A SizeBytes the tree decoder converts (an integral double).
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","SizeBytes":612.0}}]})",
        // Not an object, not JSON, too deep, trailing text, a comment.
        R"([])",
        R"({"Records":[)",
        R"({} x)",
        R"({"a":1 /* c */})",
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","Keys":{"a":{"L":[[[[]]]]}}}}]})",
        // Wrong types deep in an image, after half a page was built.
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"a":{"M":{"b":{"L":[{"SS":["x"]},{"S":1}]}}}}}}]})",
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"s":{"SS":["x","x"]}}}}]})",
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"b":{"BS":["!"]}}}}]})",
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"n":{"NS":["1e999"]}}}}]})",
    };
    for (const char* text : declined) {
        INFO(text);
        bool no = false;
        CHECK(test::agree(text, depth, &no));
        CHECK(no);
        // The next decode on this thread starts clean (frames, scratch).
        const auto again = test::text_decoded(forum_page, depth);
        REQUIRE(again);
        CHECK(*again == *test::tree_decoded(forum_page, depth));
    }
    // Deeper than the limit: declined (the client's tree parse names it).
    std::string deep = R"({"x":)" + std::string(200, '[') + std::string(200, ']') + "}";
    CHECK_FALSE(test::text_decoded(deep, depth));
    CHECK(test::text_decoded(deep, 300));
}

TEST_CASE("streams text decoder: through the client, declined answers get the tree's result "
          "and its errors, word for word",
          "[streams][decode]") {
    client_fixture f;
    // Valid but declined (a duplicate name): decoded by the tree decoder.
    auto dup =
        f.records(R"({"Records":[{"dynamodb":{"SequenceNumber":"1","SequenceNumber":"2"}}]})");
    REQUIRE(dup.records.size() == 1);
    CHECK(dup.records[0].sequence_number == "2"); // the tree keeps the last
    // The JSON-level errors, as parse_json_body words them.
    CHECK(f.error_of(R"({"Records":[)") ==
          "protocol_error: GetRecords: 200 response is not JSON: incomplete JSON "
          "(HTTP 200, request id RID)");
    CHECK(
        f.error_of("[]") ==
        "protocol_error: GetRecords: 200 response is not a JSON object (HTTP 200, request id RID)");
    CHECK(f.error_of(R"({"x":)" + std::string(150, '[') + std::string(150, ']') + "}") ==
          "protocol_error: GetRecords: 200 response nests JSON deeper than 100 levels "
          "(HTTP 200, request id RID)");
    CHECK(f.error_of("{} x").rfind("protocol_error: GetRecords: 200 response is not JSON: ", 0) ==
          0);
    // Field errors: the tree decoder's paths.
    CHECK(f.error_of(R"({"NextShardIterator":1})") ==
          "malformed_response: GetRecords: MalformedResponse: GetRecords answer: "
          "NextShardIterator: not a string (HTTP 200)");
    CHECK(f.error_of(R"({"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"a":{"M":)"
                     R"({"b":{"L":[{"SS":["x"]},{"S":1}]}}}}}}]})") ==
          "malformed_response: GetRecords: MalformedResponse: GetRecords answer: "
          "Records[0].dynamodb.NewImage.a.b[1].S: "
          "expected a JSON string (HTTP 200)");
    CHECK(
        f.error_of(
            R"({"Records":[{"dynamodb":{"SequenceNumber":"1","ApproximateCreationDateTime":1e300}}]})") ==
        "malformed_response: GetRecords: MalformedResponse: GetRecords answer: "
        "Records[0].dynamodb.ApproximateCreationDateTime: "
        "not a time in seconds since the epoch (HTTP 200)");
    // Past what system_clock holds (2262; found by the fuzz target): refused by
    // both decoders, not converted with an overflow.
    CHECK(f.error_of(R"({"Records":[{"dynamodb":{"SequenceNumber":"1",)"
                     R"("ApproximateCreationDateTime":17957500000}}]})") ==
          "malformed_response: GetRecords: MalformedResponse: GetRecords answer: "
          "Records[0].dynamodb.ApproximateCreationDateTime: not a time in seconds since the "
          "epoch (HTTP 200)");
    CHECK(f.records(R"({"Records":[{"dynamodb":{"SequenceNumber":"1",)"
                    R"("ApproximateCreationDateTime":8999999999.5}}]})")
              .records.at(0)
              .approximate_creation_time.time_since_epoch() > std::chrono::hours(24 * 365 * 280));
    // And a recorded page through the client: the text decoder's page.
    auto forum = f.records(forum_page);
    CHECK(test::dump(forum) == *test::tree_decoded(forum_page, depth));
}

// ---- the page of views (get_records_page) ----------------------------------
// The variations above check the page decoder too (test::agree): it takes
// exactly what the text decoder takes, and its records made owning are the
// tree decoder's. Here: what the views hold, their lifetime, the client.

TEST_CASE("streams page view: recorded answers, and what the views hold", "[streams][page]") {
    for (const std::string& page : recorded) {
        INFO(page);
        const auto views = test::page_decoded(page, depth);
        REQUIRE(views);
        CHECK(*views == *test::tree_decoded(page, depth));
    }
    get_records_page p;
    REQUIRE(model::decode_page(escaped_page, p, depth));
    REQUIRE(p.records().size() == 1);
    const stream_record_view& r = p.records()[0];
    CHECK(r.event_id == "e\"1");
    CHECK(r.event_name == stream_event_name::unknown);
    CHECK(r.sequence_number == "77");
    REQUIRE(r.keys.find("pk"));
    CHECK(r.keys.find("pk")->as_s() == "a\\b\xc3\xa9\xf0\x9f\x98\x80");
    CHECK(r.keys.find("nope") == nullptr);
    REQUIRE(r.new_image);
    const attribute_view* lines = r.new_image->find("\xc3\xa9\"lines");
    REQUIRE(lines);
    REQUIRE(lines->as_l().size() == 2);
    CHECK(lines->as_l()[0].as_m().find("sku")->as_s() == "\xc3\xa9\xc3\xa9\xc3\xa9");
    CHECK(lines->as_l()[1].as_s() == "\"q\"");
    CHECK_THROWS_AS(lines->as_s(), value_error);
    CHECK_FALSE(r.old_image);
    CHECK_FALSE(r.user_identity);
    CHECK_FALSE(p.next_shard_iterator());

    get_records_page forum;
    REQUIRE(model::decode_page(forum_page, forum, depth));
    const stream_record_view& modify = forum.records()[1];
    const item_view& image = *modify.new_image;
    CHECK(image.size() == 6);
    CHECK(image.find("Scores")->type() == attribute_value::kind::NS);
    CHECK(image.find("Scores")->members()[2].as_n() == "-3e2");
    CHECK(image.find("Meta")->as_m().find("hot")->as_bool());
    CHECK(image.find("Meta")->as_m().find("at")->is_null());
    const auto bins = modify.old_image->find("Bins")->members();
    REQUIRE(bins.size() == 2);
    CHECK(std::string(bins[0].as_b().begin(), bins[0].as_b().end()) == "hello");
    CHECK(image.find("Views")->to_value() == attribute_value(number(1)));
    CHECK(modify.to_record().new_image == tree_record_of(forum_page, 1).new_image);
}

TEST_CASE("streams page view: views stay valid while the page lives, moved or not",
          "[streams][page]") {
    // A short answer (its text would fit a string's inline buffer) and a
    // long one; a page decoded from views and one made from owning records
    // (page_of, what answers the page decoder declines get).
    const std::string small = R"({"Records":[{"dynamodb":{"SequenceNumber":"1"}}]})";
    for (const std::string& text : {small, std::string(forum_page), std::string(escaped_page)}) {
        INFO(text);
        get_records_page decoded;
        REQUIRE(model::decode_page(text, decoded, depth));
        get_records_response tree;
        model::decode(json::parse(text), tree);
        std::vector<get_records_page> pages;
        pages.push_back(std::move(decoded));
        pages.push_back(model::page_of(tree));
        for (get_records_page& page : pages) {
            const std::string before = test::dump(page.to_response());
            const char* seq = page.records()[0].sequence_number.data();
            std::vector<get_records_page> moved;
            moved.push_back(std::move(page));
            get_records_page other;
            other = std::move(moved.back());
            moved.clear();
            CHECK(other.records()[0].sequence_number.data() == seq);
            CHECK(test::dump(other.to_response()) == before);
            CHECK(before == test::dump(tree));
        }
    }
    // A default page is empty.
    get_records_page none;
    CHECK(none.records().empty());
    CHECK_FALSE(none.next_shard_iterator());
}

TEST_CASE("streams page view: through the client, the records and errors get_records gives",
          "[streams][page]") {
    client_fixture f;
    auto page_error = [&](const std::string& body) {
        try {
            f.page(body);
        } catch (const malformed_response& e) {
            return std::string("malformed_response: ") + e.what();
        } catch (const http::protocol_error& e) {
            return std::string("protocol_error: ") + e.what();
        }
        return std::string("no error");
    };
    const std::vector<std::string> answers = {
        forum_page,
        ttl_page,
        escaped_page,
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","SequenceNumber":"2"}}]})",
        R"({"Records":[)",
        "[]",
        R"({"x":)" + std::string(150, '[') + std::string(150, ']') + "}",
        R"({"NextShardIterator":1})",
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"a":{"M":)"
        R"({"b":{"L":[{"SS":["x"]},{"S":1}]}}}}}}]})",
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"s":{"SS":["x","x"]}}}}]})",
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"n":{"NS":["1","1.0"]}}}}]})",
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"b":{"BS":["AA==","AB=="]}}}}]})",
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","NewImage":{"n":{"N":"1e999"}}}}]})",
        R"({"Records":[{"dynamodb":{"SequenceNumber":"1","ApproximateCreationDateTime":1e300}}]})",
        R"({"Records":[{"dynamodb":{}}]})",
    };
    for (const std::string& body : answers) {
        INFO(body);
        const std::string want = f.error_of(body);
        CHECK(page_error(body) == want);
        if (want == "no error")
            CHECK(test::dump(f.page(body).to_response()) == test::dump(f.records(body)));
    }
    // The asynchronous form.
    f.transport->body = ttl_page;
    get_records_request r{"it", {}};
    auto page = test::run(f.ioc, [&]() -> asio::awaitable<get_records_page> {
        co_return co_await f.s->async_get_records_page(r, asio::use_awaitable);
    });
    REQUIRE(page.records().size() == 1);
    CHECK(page.records()[0].is_ttl_deletion());
    CHECK(page.records()[0].to_record().is_ttl_deletion());
}
